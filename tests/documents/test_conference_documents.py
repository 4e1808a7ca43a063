"""The conference papers (issue 6; RULES.md 29–40) from a conference run through the voting
services, read back with python-docx: printed ballots with their receipt codes, the sheet
of voting cards with QR codes, the count record (RULES 34) and the minutes (RULES 40) —
whose numbers equal the poll results and the count record field by field — and who may
see and issue each."""

import datetime
import io
import re
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn
from docx.shared import Pt

from thidua.core import dates
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.models import AuditEvent
from thidua.documents import engine, services
from thidua.documents import format as fmt
from thidua.documents.kind import common_context
from thidua.documents.kinds import KINDS
from thidua.documents.kinds_conference import qr_png
from thidua.documents.models import Document, NumberCounter
from thidua.voting import links
from thidua.voting import services as voting
from thidua.voting.models import VotingCard

from . import conference as conf
from .test_documents import body_lines, cell_lines, expected_bases, header, mm, read

ON = datetime.date(2026, 3, 5)
SIGNATURE_GAP = ["", "", "", ""]


def fonts_of(doc) -> set:
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs}
    return fonts | {r.font.name for t in doc.tables for row in t.rows for c in row.cells
                    for p in c.paragraphs for r in p.runs}


def assert_page_setup(doc, *, page_numbers=True):
    """RULES 36, 39: A4 portrait, margins, Times New Roman 14, nothing on page 1."""
    section = doc.sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210.0, 297.0)
    assert [mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin),
            mm(section.right_margin)] == [20.0, 20.0, 30.0, 15.0]
    assert section.different_first_page_header_footer is True
    assert "".join(p.text for p in section.first_page_header.paragraphs) == ""
    assert ("PAGE" in section.header._element.xml) is page_numbers
    normal = doc.styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(14))
    assert fonts_of(doc) <= {"Times New Roman", None}


def held_line(conference) -> str:
    """Issue 15, item 3: the conference papers are dated the day it met (local time)."""
    return dates.date_line("Bắc Ninh", timezone.localdate(conference.held_at))


def assert_heading(doc, number_line, date_line):
    """RULES 35, 37, 38: agencies and number | national name, motto, date."""
    left, right = header(doc)
    assert cell_lines(left) == ["UBND TỈNH BẮC NINH", "KHỐI KINH TẾ", "", number_line]
    assert cell_lines(right) == [fmt.NATIONAL_NAME, fmt.MOTTO, date_line]
    national, motto, date = (p.runs[0] for p in right.paragraphs)
    assert (national.bold, national.font.size) == (True, Pt(13))
    assert (motto.bold, motto.font.size) == (True, Pt(14))
    assert (date.italic, date.font.size) == (True, Pt(14))
    assert left.paragraphs[1].runs[0].bold is True
    assert left.paragraphs[2]._p.pPr.find(qn("w:pBdr")) is not None
    assert right.paragraphs[1]._p.pPr.find(qn("w:pBdr")) is not None


def rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def images(doc) -> list[bytes]:
    """The pictures of the document, in the order they appear."""
    blobs = []
    for blip in doc.element.body.iter(qn("a:blip")):
        blobs.append(doc.part.related_parts[blip.get(qn("r:embed"))].blob)
    return blobs


def page_breaks(doc) -> int:
    return sum(1 for br in doc.element.body.iter(qn("w:br")) if br.get(qn("w:type")) == "page")


def test_count_record_rule_34_read_back(world):
    leader = world.actor("leader")
    run = conf.run(leader, world.bloc_years["KT"])
    poll = run.award
    kind = KINDS["kiem-phieu"]
    context = common_context(kind, poll, number=None, on=ON)
    context.update(kind.context(leader, kind.load(leader, poll.pk), ON))
    assert engine.template_variables(kind.template) <= set(context)
    document = services.issue(leader, "kiem-phieu", poll.pk, on=ON)
    assert document.reference == "01/BB-KT"
    doc = read(bytes(document.docx))
    assert_heading(doc, "Số: 01/BB-KT", held_line(run.conference))
    assert_page_setup(doc)
    lines = body_lines(doc)
    assert lines[:2] == ["BIÊN BẢN", f"Kiểm phiếu: {poll.title}"]
    bases = expected_bases(ON)
    assert bases and lines[2:2 + len(bases)] == bases
    assert "Ban kiểm phiếu gồm: Lê Văn Cường (Trưởng ban), Phạm Thị Dung (Thành viên)." \
        in lines
    record = poll.result
    # Ballots: issued (cards used + paper handed), returned, valid, invalid (RULES 33, 34).
    assert rows(doc.tables[1]) == [["STT", "Nội dung", "Số lượng"]] + [
        [str(i), label, str(value)] for i, (label, value) in enumerate([
            ("Số đơn vị thành viên", 5), ("Số đơn vị có mặt", 4), ("Số phiếu phát ra", 4),
            ("Số phiếu thu vào", 4), ("Số phiếu hợp lệ", 3), ("Số phiếu không hợp lệ", 1)], 1)]
    assert (record["members"], record["present"], record["participations"],
            record["ballots_cast"], record["valid"], record["invalid"]) == (5, 4, 4, 4, 3, 1)
    # Per candidate: yes votes, percentage and the arithmetic of the results page.
    table = rows(doc.tables[2])
    assert table[0] == ["STT", "Đơn vị", "Số phiếu đồng ý", "Tỷ lệ", "Cách tính", "Kết quả"]
    assert [r[1:5] for r in table[1:]] == [
        [c["label"], str(c["yes_votes"]), c["percentage"], c["sentence"]]
        for c in record["candidates"]]
    assert table[1][4] == "3 phiếu / 5 thành viên = 60,00 % > 1/2: đạt"
    assert table[1][5] == "Trúng (trong chỉ tiêu)"
    assert table[2][4] == "0 phiếu / 5 thành viên = 0,00 % ≤ 1/2: không đạt"
    assert ("Ngưỡng đạt: quá 1/2 số thành viên (5), tức từ 3 phiếu đồng ý trở lên.") \
        in lines
    assert (f"Chỉ tiêu: chọn tối đa {poll.quota} đơn vị; phiếu chọn quá {poll.quota} đơn vị "
            "không hợp lệ.") in lines
    assert ("Phiếu giấy: phát ra 1 = thu về 1 + không thu về 0; thu về 1 = hợp lệ 0 + không "
            "hợp lệ 1: khớp.") in lines
    # Issue 15, item 6: no software internals on the paper (rule numbers, digests).
    assert not [line for line in lines if "Quy tắc" in line or poll.digest in line
                or "SHA-256" in line]
    # Signed by the counting committee.
    assert rows(doc.tables[3])[1:] == [["1", "Lê Văn Cường", "Trưởng ban", ""],
                                       ["2", "Phạm Thị Dung", "Thành viên", ""]]
    recipients, signature = doc.tables[-1].rows[0].cells
    assert cell_lines(signature) == ["TM. BAN KIỂM PHIẾU", "TRƯỞNG BAN", *SIGNATURE_GAP,
                                     "Lê Văn Cường"]
    assert cell_lines(recipients)[0] == "Nơi nhận:" and cell_lines(recipients)[-1] == \
        "- Lưu: VT."


def test_minutes_rule_40_numbers_equal_the_poll_results_and_the_count_record(world):
    leader = world.actor("leader")
    run = conf.run(leader, world.bloc_years["KT"])
    records = {p.pk: read(bytes(services.issue(leader, "kiem-phieu", p.pk, on=ON).docx))
               for p in (run.award, run.election)}
    minutes = services.issue(leader, "bien-ban-hop", run.conference.pk, on=ON)
    assert minutes.reference == "03/BB-KT"  # the bloc's third minutes-type paper (BB)
    doc = read(bytes(minutes.docx))
    assert_heading(doc, "Số: 03/BB-KT", held_line(run.conference))
    assert_page_setup(doc)
    lines = body_lines(doc)
    year = world.bloc_years["KT"].year
    assert lines[:2] == ["BIÊN BẢN", f"Hội nghị tổng kết, bình xét thi đua Khối Kinh tế năm "
                                     f"{year}"]
    assert lines[2:2 + len(expected_bases(ON))] == expected_bases(ON)
    held = timezone.localtime(run.conference.held_at)
    month = f"{held.month:02d}" if held.month <= 2 else str(held.month)
    absent = run.absent
    time = f"{held:%H} giờ {held:%M}, ngày {held.day:02d} tháng {month} năm {held.year}"
    for line in [f"Thời gian: {time}.",
                 "Địa điểm: Hội trường Ủy ban nhân dân tỉnh.", "Chủ trì: Nguyễn Văn An.",
                 "Thư ký: Trần Thị Bình.",
                 "Khách mời (không biểu quyết): Thường trực Hội đồng Thi đua - Khen thưởng "
                 "tỉnh.",
                 f"Đơn vị thành viên dự: 4/5 đơn vị; vắng 1 đơn vị: {absent.name} (Đi công tác "
                 "nước ngoài).",
                 "Số đơn vị dự họp: 4/5 đơn vị có mặt ≥ 2/3 (cần ít nhất 4): đủ số đơn vị để "
                 "biểu quyết.",
                 "1. Tổng kết phong trào thi đua.", "2. Bình xét đề nghị khen thưởng.",
                 "3. Bầu Trưởng khối.",
                 "Hội nghị kết thúc vào hồi ..... giờ ..... cùng ngày. Biên bản đã được đọc "
                 "lại trước hội nghị, các đại biểu dự họp nhất trí thông qua."]:
        assert line in lines, line
    attendance = rows(doc.tables[1])
    assert attendance[0] == ["STT", "Đơn vị thành viên", "Đại biểu dự", "Có mặt",
                             "Lý do vắng"]
    assert [r[1:] for r in attendance[1:]] == [
        [u.name, f"Đại biểu {u.code}", "Có", ""] for u in run.present] + [
        [absent.name, "", "Vắng", "Đi công tác nước ngoài"]]
    # Each poll: the counts sentence and the table are the count record's, field by field,
    # and the poll's stored result.
    for index, poll in enumerate((run.award, run.election)):
        record_doc, result = records[poll.pk], poll.result
        heading = lines.index(f"{index + 1}. {poll.title}")
        counts = re.fullmatch(
            r"Số đơn vị thành viên (\d+), có mặt (\d+); phát ra (\d+) phiếu, thu vào (\d+) "
            r"phiếu, hợp lệ (\d+) phiếu, không hợp lệ (\d+) phiếu\.", lines[heading + 1])
        in_minutes = [int(n) for n in counts.groups()]
        in_record = [int(r[2]) for r in rows(record_doc.tables[1])[1:]]
        assert in_minutes == in_record == [
            result["members"], result["present"], result["participations"],
            result["ballots_cast"], result["valid"], result["invalid"]], poll.title
        minutes_table = rows(doc.tables[2 + index])
        assert minutes_table == rows(record_doc.tables[2]), poll.title
        assert [r[1:5] for r in minutes_table[1:]] == [
            [c["label"], str(c["yes_votes"]), c["percentage"], c["sentence"]]
            for c in result["candidates"]]
        rule_lines = [p.text for p in record_doc.paragraphs if p.text.startswith(
            ("Ngưỡng đạt", "Chỉ tiêu", "Phiếu giấy", "Mã kiểm tra"))]
        assert lines[heading + 2:heading + 2 + len(rule_lines)] == rule_lines
    # The leader election, the ballot-box digests (RULES 40).
    elected = run.election.candidates.get(pk=run.election.result["selected"][0]).unit
    assert (f"{elected.name} được bầu làm Trưởng khối năm {year + 1}: 4 phiếu / 5 thành "
            "viên = 80,00 % > 1/2: đạt.") in lines
    assert f"Phó khối năm {year + 1}: hội nghị chưa bầu." in lines
    # The digests only in the verification annex, on a page of its own, after the
    # recipients, in groups of eight characters, left-aligned (issue 15, item 6).
    annex = lines.index("PHỤ LỤC: MÃ KIỂM TRA HÒM PHIẾU")
    assert doc.paragraphs[[p.text for p in doc.paragraphs].index(
        "PHỤ LỤC: MÃ KIỂM TRA HÒM PHIẾU")].paragraph_format.page_break_before is True
    assert lines[annex + 2:] == [text for i, poll in enumerate((run.award, run.election), 1)
                                 for text in (f"{i}. {poll.title}", " ".join(
                                     poll.digest[j:j + 8] for j in range(0, 64, 8)))]
    assert not [line for line in lines[:annex] if "Quy tắc" in line or "SHA-256" in line
                or run.award.digest in line]
    # Charts: one per poll (yes votes and the threshold), PNG.
    pictures = images(doc)
    assert len(pictures) == 2 and all(p.startswith(b"\x89PNG") for p in pictures)
    # Signatures: secretary and chair, then the recipients.
    secretary, chair = doc.tables[-1].rows[0].cells
    assert cell_lines(secretary) == ["THƯ KÝ", "(Ký, ghi rõ họ tên)", *SIGNATURE_GAP,
                                     "Trần Thị Bình"]
    assert cell_lines(chair) == ["CHỦ TRÌ", "(Ký, ghi rõ họ tên)", *SIGNATURE_GAP,
                                 "Nguyễn Văn An"]
    assert lines[annex - 4:annex] == ["Nơi nhận:", *KINDS["bien-ban-hop"].context(
        leader, KINDS["bien-ban-hop"].load(leader, run.conference.pk), ON)["recipients"]]


def test_printed_ballots_one_a_page_with_receipt_codes(world):
    leader = world.actor("leader")
    conference, present, _ = conf.start(leader, world.bloc_years["KT"])
    poll = conf.open_award_poll(leader, conference)
    with pytest.raises(Conflict, match="Chưa có phiếu giấy"):
        services.draft(leader, "phieu-bau", poll.pk, on=ON)
    codes = voting.issue_paper_ballots(leader, poll, [present[0].id, present[1].id])
    produced = services.draft(leader, "phieu-bau", poll.pk, on=ON)
    assert produced.filename == (f"phieu-bau-{world.year.year}-KT-{poll.pk}-du-thao.docx")
    doc = read(produced.content)
    assert_page_setup(doc, page_numbers=False)  # no page number on a ballot at all
    assert page_breaks(doc) == len(codes) - 1  # one ballot a page
    lines = body_lines(doc)
    assert [line for line in lines if line.startswith("Mã phiếu:")] == [
        f"Mã phiếu: {code}" for code in sorted(codes) for _ in (1, 2)]  # ballot and stub
    assert lines.count("PHIẾU BẦU") == 2 and lines.count(poll.title) == 2
    assert (f"Đánh dấu X vào ô “Đồng ý” của đơn vị được chọn; chọn tối đa {poll.quota} đơn "
            f"vị. Phiếu chọn quá {poll.quota} đơn vị là phiếu không hợp lệ.") in lines
    left, right = header(doc)
    assert cell_lines(left)[:2] == ["UBND TỈNH BẮC NINH", "KHỐI KINH TẾ"]
    assert cell_lines(right) == [fmt.NATIONAL_NAME, fmt.MOTTO, held_line(poll.conference)]
    candidates = rows(doc.tables[1])
    assert candidates[0] == ["STT", "Tên đơn vị", "Tổng điểm", "Hạng", "Đồng ý (đánh dấu X)"]
    assert candidates[1:] == [[str(i), c.unit.name, "—", "—", ""]
                              for i, c in enumerate(poll.candidates.select_related("unit"), 1)]
    assert rows(doc.tables[3]) == candidates  # the second ballot: the same list
    # A ballot entered is no longer printed; ballots are never numbered nor kept.
    voting.enter_paper_ballot(leader, poll, sorted(codes)[0], [])
    doc = read(services.draft(leader, "phieu-bau", poll.pk, on=ON).content)
    assert [line for line in body_lines(doc) if line.startswith("Mã phiếu:")] == [
        f"Mã phiếu: {sorted(codes)[1]}"] * 2
    with pytest.raises(Forbidden):
        services.issue(leader, "phieu-bau", poll.pk, on=ON)
    for name in ("officer", "delegate", "outsider", "other_secretariat"):
        with pytest.raises(NotFound):
            services.draft(world.actor(name), "phieu-bau", poll.pk, on=ON)
    assert Document.objects.count() == 0 and NumberCounter.objects.count() == 0


def test_voting_cards_sheet_prints_the_issued_cards_and_never_reissues(world):
    """Issue 11 item 10: the sheet prints the cards issued on the poll page; making it again
    (DOCX or PDF) neither issues nor revokes one, so printed cards stay valid."""
    leader = world.actor("leader")
    conference, present, _ = conf.start(leader, world.bloc_years["KT"])
    poll = conf.open_award_poll(leader, conference)
    empty = read(services.draft(leader, "the-bieu-quyet", poll.pk, on=ON).content)
    assert ("Chưa có thẻ biểu quyết nào đang dùng được: phát thẻ ở trang cuộc bỏ phiếu "
            "trước khi in.") in body_lines(empty)
    assert VotingCard.objects.filter(poll=poll).count() == 0
    issued = voting.issue_cards(leader, poll)
    first = read(services.draft(leader, "the-bieu-quyet", poll.pk, on=ON).content)
    doc = read(services.draft(leader, "the-bieu-quyet", poll.pk, on=ON).content)
    assert_page_setup(doc, page_numbers=False)
    assert body_lines(doc)[:2] == ["THẺ BIỂU QUYẾT", poll.title]
    cards = doc.tables[1]
    cells = [cell for row in cards.rows for cell in row.cells]
    filled = [cell_lines(c) for c in cells if cell_lines(c)[1]]
    assert [c[1] for c in filled] == [u.name for u in present]
    assert [c[2] for c in filled] == [f"Đại biểu: Đại biểu {u.code}" for u in present]
    urls = [c[4] for c in filled]
    assert urls == [links.ballot_url(poll.pk, item.token) for item in issued]
    assert all(re.fullmatch(rf"http://127\.0\.0\.1:8000/bo-phieu/{poll.pk}/phieu/#phieu_[\w-]+", u)
               for u in urls), urls
    # Each QR code encodes its card's link; each link opens a live card of its unit.
    assert images(doc) == [qr_png(url) for url in urls]
    for unit, url in zip(present, urls, strict=True):
        card = voting.card_for(url.split("#", 1)[1], poll.pk)  # the token rides after "#"
        assert (card.unit_id, card.used, card.revoked) == (unit.id, False, False)
    # Made twice: the same cards, none revoked.
    assert [cell_lines(c)[4] for row in first.tables[1].rows for c in row.cells
            if cell_lines(c)[1]] == urls
    assert (VotingCard.objects.filter(poll=poll).count(),
            VotingCard.objects.filter(poll=poll, revoked=True).count()) == (4, 0)
    with pytest.raises(Forbidden):
        services.issue(leader, "the-bieu-quyet", poll.pk, on=ON)
    for name in ("officer", "delegate", "outsider", "other_secretariat"):
        with pytest.raises(NotFound):
            services.draft(world.actor(name), "the-bieu-quyet", poll.pk, on=ON)
    voting.close_poll(leader, poll)
    with pytest.raises(Conflict, match="đã kết thúc"):
        services.draft(leader, "the-bieu-quyet", poll.pk, on=ON)


def test_a_unit_gets_the_count_record_and_minutes_only_once_published(world):
    leader = world.actor("leader")
    run = conf.run(leader, world.bloc_years["KT"], publish=False)
    record = services.issue(leader, "kiem-phieu", run.award.pk, on=ON)
    minutes = services.issue(world.actor("secretariat"), "bien-ban-hop", run.conference.pk,
                             on=ON)
    officer, delegate = world.actor("officer"), world.actor("delegate")
    outsiders = [world.actor(n) for n in ("outsider", "other_secretariat", "nobody")]
    for actor in [officer, delegate, *outsiders]:
        for slug, pk in (("kiem-phieu", run.award.pk), ("bien-ban-hop", run.conference.pk)):
            with pytest.raises(NotFound):
                services.draft(actor, slug, pk, on=ON)
        for document in (record, minutes):
            with pytest.raises(NotFound):
                services.find_document(actor, document.pk)
    voting.publish_poll(leader, run.award)
    # The award poll published: its count record, not yet the minutes (the election is not).
    assert services.find_document(officer, record.pk) == record
    with pytest.raises(NotFound):
        services.find_document(officer, minutes.pk)
    voting.publish_poll(leader, run.election)
    for actor in (officer, delegate):
        assert services.find_document(actor, minutes.pk) == minutes
        assert services.draft(actor, "bien-ban-hop", run.conference.pk, on=ON).content
        with pytest.raises(Forbidden):
            services.issue(actor, "bien-ban-hop", run.conference.pk, on=ON)
        with pytest.raises(Forbidden):
            services.issue(actor, "kiem-phieu", run.award.pk, on=ON)
    for actor in outsiders:
        with pytest.raises(NotFound):
            services.find_document(actor, minutes.pk)
    assert Document.objects.count() == 2


def test_minutes_wait_for_every_poll_counted_and_every_variable_is_supplied(world):
    leader = world.actor("leader")
    conference, _, _ = conf.start(leader, world.bloc_years["KT"])
    poll = conf.open_award_poll(leader, conference)
    with pytest.raises(Forbidden):  # a poll still open: the minutes cannot copy its count
        services.issue(leader, "bien-ban-hop", conference.pk, on=ON)
    doc = read(services.draft(leader, "bien-ban-hop", conference.pk, on=ON).content)
    assert "Chưa có cuộc bỏ phiếu nào được kiểm phiếu." in body_lines(doc)
    with pytest.raises(NotFound):  # an open poll has no count record
        services.draft(leader, "kiem-phieu", poll.pk, on=ON)
    voting.issue_paper_ballots(leader, poll, [world.units["KT1"].id])
    for slug, pk in (("phieu-bau", poll.pk), ("the-bieu-quyet", poll.pk),
                     ("bien-ban-hop", conference.pk)):
        kind = KINDS[slug]
        subject = kind.load(leader, pk)
        context = common_context(kind, subject, number=None, on=ON)
        context.update(kind.context(leader, subject, ON))
        assert engine.template_variables(kind.template) <= set(context), slug



def test_cards_sheet_page_prints_issued_cards_and_the_conference_pages_link_the_papers(
        world, client_for):
    leader = world.actor("leader")
    run = conf.run(leader, world.bloc_years["KT"])
    conference, poll = run.conference, conf.open_award_poll(leader, run.conference)
    voting.issue_cards(leader, poll)
    client = client_for(world.users["leader"])
    page = client.get(reverse("document_page", args=["the-bieu-quyet", poll.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    draft_url = reverse("document_draft", args=["the-bieu-quyet", poll.pk])
    assert f'href="{draft_url}"' in html and "Tải DOCX" in html
    for _ in range(2):  # a download, and a reload of it
        made = client.get(draft_url)
        assert made.status_code == 200
    assert made["Content-Disposition"] == (
        f'attachment; filename="the-bieu-quyet-{world.year.year}-KT-{poll.pk}-du-thao.docx"')
    assert (VotingCard.objects.filter(poll=poll, revoked=False).count(),
            VotingCard.objects.filter(poll=poll, revoked=True).count()) == (4, 0)
    # The pages of the conference lead to the papers.
    links = {
        reverse("voting_conference", args=[conference.bloc_year_id]):
            reverse("document_page", args=["bien-ban-hop", conference.pk]),
        reverse("voting_result", args=[run.award.pk]):
            reverse("document_page", args=["kiem-phieu", run.award.pk]),
        reverse("voting_poll", args=[poll.pk]):
            reverse("document_page", args=["the-bieu-quyet", poll.pk]),
    }
    for where, target in links.items():
        assert f'href="{target}"' in client.get(where).content.decode(), where
    other = client_for(world.users["outsider"])
    for slug, pk in (("bien-ban-hop", conference.pk), ("kiem-phieu", run.award.pk),
                     ("phieu-bau", poll.pk), ("the-bieu-quyet", poll.pk)):
        assert other.get(reverse("document_page", args=[slug, pk])).status_code == 404


@pytest.mark.browser
def test_leader_makes_the_minutes_pdf_progress_completes_file_downloads(
        transactional_db, world, live_server, browser, settings, needs_libreoffice):
    """In Debian's Chromium: from the conference page the leader opens the minutes, asks
    for the PDF, the job page follows the background worker to 100 % and the file
    downloads (issue 6)."""
    from django.core.management import call_command
    from django.test import Client
    from playwright.sync_api import expect

    from .conftest import _reset_task_backends

    bloc_year = world.bloc_years["KT"]
    conf.run(world.actor("leader"), bloc_year)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _reset_task_backends()
    base = live_server.url
    client = Client()
    client.force_login(world.users["leader"])  # both factors (tests/conftest.py)
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": base}])
    page = context.new_page()
    csp_violations = []
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{base}/khoi/{bloc_year.pk}/hoi-nghi/")
    page.get_by_role("link", name="Biên bản họp bình xét (DOCX, PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Biên bản họp bình xét thi đua")
    page.get_by_role("button", name="Tạo PDF").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạo PDF")
    expect(page.locator("#tien-do .badge")).to_have_text("Đang chờ")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    expect(page.locator("#tien-do .badge")).to_have_text("Hoàn thành", timeout=30000)
    expect(page.locator("#thanh-tien-do")).to_have_attribute("value", "100")
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải PDF").click()
    download = info.value
    assert download.suggested_filename == (
        f"bien-ban-hop-binh-xet-{bloc_year.year}-KT-du-thao.pdf")
    with open(download.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "BIÊN BẢN" in unicodedata.normalize("NFC", text)
    assert csp_violations == []
    context.close()
    _reset_task_backends()


def test_minutes_rule_40_record_the_closing_time_the_secretary_typed(world):
    """RULES.md 40: the closing time. Empty, the minutes keep a blank to write by hand;
    typed on the conference (after it began, the same day), they print it."""
    leader = world.actor("leader")
    run = conf.run(leader, world.bloc_years["KT"])
    conference = run.conference
    fields = voting.conference_snapshot(conference)
    began = timezone.localtime(conference.held_at)
    with pytest.raises(DomainError) as refused:
        voting.update_conference(leader, conference, **{**fields, "ended_at": began.time()})
    assert str(refused.value) == (f"Giờ kết thúc hội nghị ({began:%H:%M}) phải sau giờ bắt "
                                  f"đầu ({began:%H:%M}) trong cùng ngày.")
    conference.refresh_from_db()
    assert conference.ended_at is None
    ended = min(began + datetime.timedelta(hours=3, minutes=30),
                began.replace(hour=23, minute=59)).time().replace(second=0, microsecond=0)
    voting.update_conference(leader, conference, **{**fields, "ended_at": ended})
    conference.refresh_from_db()
    assert conference.ended_at == ended
    event = AuditEvent.objects.filter(action="voting.conference.update").latest("id")
    assert (event.before["ended_at"], event.after["ended_at"]) == (None, f"{ended:%H:%M}:00")
    lines = body_lines(read(bytes(services.issue(leader, "bien-ban-hop", conference.pk,
                                                 on=ON).docx)))
    assert (f"Hội nghị kết thúc vào hồi {ended:%H} giờ {ended:%M} cùng ngày. Biên bản đã được "
            "đọc lại trước hội nghị, các đại biểu dự họp nhất trí thông qua.") in lines
