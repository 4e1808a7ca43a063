"""The award documents (RULES.md 35–39, 41): the proposal letter (tờ trình, form 01), a
collective's achievement report (form 02) and the chairman's decision draft, read back
with python-docx (header, number, date, legal bases in force, fonts, margins, signature)
and as PDF with pypdf (NFC text); who sees and who issues them."""

import io
import unicodedata

import pytest
from django.urls import reverse
from docx import Document as Docx
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from thidua.core.errors import Forbidden, NotFound
from thidua.documents import engine, services
from thidua.documents import format as fmt
from thidua.documents.kind import common_context
from thidua.documents.kinds import KINDS
from thidua.documents.models import Document, DocumentJob
from thidua.documents.signers import BLANK_NAME
from thidua.law.rulebooks import rulebook_for

from .award_year import ON, build
from .test_documents import header

DATE_LINE = f"Bắc Ninh, ngày 05 tháng 01 năm {ON.year}"


def read(content):
    return Docx(io.BytesIO(bytes(content)))


def lines(cell):
    return [p.text for p in cell.paragraphs]


def body(doc):
    """The body's paragraphs without the rule under the trích yếu (test_layout checks it)."""
    return [p.text for p in doc.paragraphs if p.style.name != fmt.SUBJECT_RULE_STYLE]


def bases(on=ON, last="."):
    """The căn cứ lines: ";" after each, the last closing the preamble with "." — or ";"
    in the decision, where "Xét đề nghị …" follows (issue 14)."""
    lines = [f"Căn cứ {b.title}" for b in rulebook_for("BN", on).legal_bases(on)]
    return [line + (";" if i < len(lines) - 1 else last) for i, line in enumerate(lines)]


def subjects(world, award_year):
    kt1_line = award_year.proposal.lines.get(unit=world.units["KT1"])
    return {"to-trinh": award_year.proposal.pk, "bao-cao-thanh-tich": kt1_line.pk,
            "du-thao-quyet-dinh": world.year.pk}


def check_format(doc, landscape=False, date_line=DATE_LINE):
    """RULES.md 35, 36, 39 on a rendered document."""
    right = header(doc)[1]
    assert lines(right) == [fmt.NATIONAL_NAME, fmt.MOTTO, date_line]
    national, motto, date = (p.runs[0] for p in right.paragraphs)
    assert (national.bold, national.font.size) == (True, Pt(13))
    assert (motto.bold, motto.font.size) == (True, Pt(14))
    assert (date.italic, date.font.size) == (True, Pt(14))
    assert right.paragraphs[1]._p.pPr.find(qn("w:pBdr")) is not None
    section = doc.sections[0]
    assert [round(x.mm, 1) for x in (section.page_width, section.page_height,
                                      section.top_margin, section.bottom_margin,
                                      section.left_margin, section.right_margin)] == [
        210.0, 297.0, 20.0, 20.0, 30.0, 15.0]
    assert section.different_first_page_header_footer is True
    assert "".join(p.text for p in section.first_page_header.paragraphs) == ""
    assert "PAGE" in section.header._element.xml
    normal = doc.styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(14))
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs}
    fonts |= {r.font.name for t in doc.tables for row in t.rows for c in row.cells
              for p in c.paragraphs for r in p.runs}
    assert fonts <= {"Times New Roman", None}


def test_proposal_letter_form_01_issued_by_the_leader_rules_35_to_39_41(world, award_year):
    leader = world.actor("leader")
    document = services.issue(leader, "to-trinh", award_year.proposal.pk, on=ON)
    assert document.reference == "01/TTr-KT"
    doc = read(document.docx)
    check_format(doc)
    assert lines(header(doc)[0]) == [
        "UBND TỈNH BẮC NINH", "KHỐI KINH TẾ", "", "Số: 01/TTr-KT"]
    year = world.year.year
    text = body(doc)
    assert text[:3] == ["TỜ TRÌNH", f"Về việc đề nghị khen thưởng năm {year} cho các tập "
                        "thể thuộc Khối Kinh tế", "Kính gửi: Hội đồng Thi đua - Khen thưởng "
                        "tỉnh Bắc Ninh."]
    assert text[3:3 + len(bases())] == bases() and bases()
    assert text[3 + len(bases())] == (
        f"Ngày 20/12/{year}, Khối Kinh tế tổ chức hội nghị tổng kết công tác thi đua năm "
        f"{year} với 5 đơn vị thành viên.")
    table = doc.tables[1]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["STT", "Tập thể được đề nghị", "Hình thức khen thưởng", "Hạng thi đua",
         "Số phiếu đồng ý"],
        ["1", "Sở Công Thương", "Cờ thi đua của Chính phủ", "1", "5/5"],
        ["2", "Sở Tài chính", "Cờ thi đua của UBND tỉnh", "2", "5/5"],
        ["3", "Sở Xây dựng", "Bằng khen của Chủ tịch UBND tỉnh", "3", "5/5"],
        ["4", "Đài Phát thanh", "Bằng khen của Chủ tịch UBND tỉnh", "4", "4/5"]]
    # RULES 41: the 2025 texts give the paper no verified number (documents.forms).
    assert "- Báo cáo thành tích của từng tập thể được đề nghị." in text
    recipients, signature = doc.tables[-1].rows[0].cells
    assert lines(signature) == ["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI", "", "", "", "",
                                BLANK_NAME]  # issue 15, item 2: never the unit's name
    assert lines(recipients) == ["Nơi nhận:", "- Như trên;", "- Các đơn vị thành viên;",
                                 "- Lưu: VT."]


# The achievement report (form 02 of its period, filled from the unit's data, with the
# confirming authority): test_achievement_report.py.


def test_decision_draft_lists_the_chairmans_awards_per_form_kt_signature(world, award_year):
    secretariat = world.actor("secretariat")
    produced = services.draft(secretariat, "du-thao-quyet-dinh", world.year.pk, on=ON)
    assert produced.filename == f"du-thao-quyet-dinh-khen-thuong-{world.year.year}-BN" \
                                "-du-thao.docx"
    doc = read(produced.content)
    check_format(doc, date_line="Bắc Ninh, ngày … tháng … năm …")  # not signed yet
    left = header(doc)[0]
    assert lines(left) == ["ỦY BAN NHÂN DÂN", "TỈNH BẮC NINH", "", "Số: …/QĐ-UBND"]
    assert left.paragraphs[0].runs[0].bold and left.paragraphs[1].runs[0].bold
    year = world.year.year
    text = body(doc)
    assert text[:3] == ["QUYẾT ĐỊNH", f"Về việc tặng Cờ thi đua của UBND tỉnh, Bằng khen "
                        f"của Chủ tịch UBND tỉnh năm {year}",
                        "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẮC NINH"]
    assert text[3:3 + len(bases())] == bases(last=";")
    start = text.index("QUYẾT ĐỊNH:")
    assert text[start + 1:start + 8] == [
        "Điều 1. Tặng danh hiệu thi đua, hình thức khen thưởng cho các tập thể đã có thành "
        f"tích xuất sắc trong phong trào thi đua năm {year} của các cụm, khối thi đua của "
        "tỉnh, gồm:",
        "a) Cờ thi đua của UBND tỉnh (1 tập thể):", "- Sở Tài chính;",
        "b) Bằng khen của Chủ tịch UBND tỉnh (2 tập thể):", "- Sở Xây dựng;",
        "- Đài Phát thanh;",
        "Điều 2. Tiền thưởng kèm theo thực hiện theo quy định hiện hành, từ nguồn quỹ thi "
        "đua, khen thưởng của tỉnh."]
    assert text[start + 8].startswith("Điều 3. Quyết định này có hiệu lực kể từ ngày ký.")
    # The Government flag is the Prime Minister's: not in the chairman's decision.
    assert not any("Chính phủ" in t for t in text[start:])
    recipients, signature = doc.tables[-1].rows[0].cells
    assert lines(signature) == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "", "", "", BLANK_NAME]
    assert lines(recipients)[:2] == ["Nơi nhận:", "- Như Điều 3;"]
    # Nobody numbers the draft here: the People's Committee's office does.
    with pytest.raises(Forbidden):
        services.issue(secretariat, "du-thao-quyet-dinh", world.year.pk, on=ON)
    assert not Document.objects.filter(kind="du-thao-quyet-dinh").exists()


def test_every_award_template_variable_is_supplied(world, award_year):
    actors = {"to-trinh": "leader", "bao-cao-thanh-tich": "officer",
              "du-thao-quyet-dinh": "secretariat"}
    for slug, pk in subjects(world, award_year).items():
        kind, actor = KINDS[slug], world.actor(actors[slug])
        subject = kind.load(actor, pk)
        context = common_context(kind, subject, number=None, on=ON)
        context.update(kind.context(actor, subject, ON))
        assert engine.template_variables(kind.template) <= set(context), slug
        assert engine.template_problems(engine.template_path(kind.template)) == []


def pdf_text(data: bytes) -> tuple[int, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), [unicodedata.normalize("NFC", p.extract_text())
                               for p in reader.pages]


def test_award_documents_as_pdf_same_vietnamese_in_nfc(world, award_year, needs_libreoffice):
    leader, officer = world.actor("leader"), world.actor("officer")
    secretariat = world.actor("secretariat")
    letter = services.issue(leader, "to-trinh", award_year.proposal.pk, on=ON)
    line = award_year.proposal.lines.get(unit=world.units["KT1"])
    report = services.issue(officer, "bao-cao-thanh-tich", line.pk, on=ON)
    expected = {
        (leader, "to-trinh", award_year.proposal.pk, letter): [
            "Số: 01/TTr-KT", "TỜ TRÌNH", "Kính gửi: Hội đồng Thi đua - Khen thưởng tỉnh Bắc "
            "Ninh.", "TM. KHỐI THI ĐUA"],
        (officer, "bao-cao-thanh-tich", line.pk, report): [
            "Số: 01/BC-KT1", "BÁO CÁO THÀNH TÍCH", "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG",
            "THỦ TRƯỞNG ĐƠN VỊ"],
        (secretariat, "du-thao-quyet-dinh", world.year.pk, None): [
            "Số: …/QĐ-UBND", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "QUYẾT ĐỊNH:",
            "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
    }
    for (actor, slug, pk, document), needles in expected.items():
        job = services.request_pdf(actor, slug, pk, document)
        job = DocumentJob.objects.get(pk=job.id)
        assert job.status == "done", job.error
        pages, texts = pdf_text(bytes(job.pdf))
        joined = " ".join(" ".join(t.split()) for t in texts)
        for needle in [fmt.NATIONAL_NAME, fmt.MOTTO] + needles:
            assert " ".join(needle.split()) in joined, (slug, needle)
        if document is not None:
            assert DATE_LINE in joined, slug
        if pages > 1:  # RULES 39: no number on page 1, "2" heading page 2
            assert texts[1].split()[0] == "2", slug
            assert texts[0].split()[0] != "1", slug


SLUGS = ("to-trinh", "bao-cao-thanh-tich", "du-thao-quyet-dinh")


def visible(actor, slug, pk):
    try:
        KINDS[slug].load(actor, pk)
    except NotFound:
        return False
    return True


def test_who_sees_which_award_document(world):
    """A unit sees only its own report and the bloc's letter once sent (published to the
    province); the decision draft is the secretariat's; another province sees nothing."""
    award_year = build(world, accept=False)  # a draft proposal: the bloc's own paper
    items = subjects(world, award_year)
    seen = {name: {slug for slug in SLUGS if visible(world.actor(name), slug, items[slug])}
            for name in ("leader", "secretariat", "admin", "officer", "peer", "delegate",
                         "outsider", "other_secretariat", "nobody")}
    assert seen == {
        "leader": {"to-trinh", "bao-cao-thanh-tich"},
        "secretariat": set(SLUGS), "admin": set(SLUGS),
        "officer": {"bao-cao-thanh-tich"},  # its own report; the letter is still a draft
        "peer": set(), "delegate": set(), "outsider": set(), "other_secretariat": set(),
        "nobody": set()}
    from thidua.awards import proposals

    proposals.move_proposal(world.actor("leader"), award_year.proposal, "submit")
    assert visible(world.actor("officer"), "to-trinh", items["to-trinh"])
    assert visible(world.actor("peer"), "to-trinh", items["to-trinh"])
    assert not visible(world.actor("peer"), "bao-cao-thanh-tich", items["bao-cao-thanh-tich"])
    assert not visible(world.actor("outsider"), "to-trinh", items["to-trinh"])
    assert not visible(world.actor("other_secretariat"), "to-trinh", items["to-trinh"])
    # Issuing: the leader its letter, the unit its own report; not the other way round.
    with pytest.raises(Forbidden):
        services.issue(world.actor("officer"), "to-trinh", items["to-trinh"], on=ON)
    with pytest.raises(Forbidden):
        services.issue(world.actor("leader"), "bao-cao-thanh-tich",
                       items["bao-cao-thanh-tich"], on=ON)
    assert not Document.objects.exists()


def test_award_document_pages_answer_404_out_of_sight(world, award_year, client_for):
    items = subjects(world, award_year)
    expected = {"officer": {"to-trinh": 200, "bao-cao-thanh-tich": 200,
                            "du-thao-quyet-dinh": 404},
                "peer": {"to-trinh": 200, "bao-cao-thanh-tich": 404,
                         "du-thao-quyet-dinh": 404},
                "secretariat": dict.fromkeys(SLUGS, 200),
                "other_secretariat": dict.fromkeys(SLUGS, 404)}
    for name, codes in expected.items():
        client = client_for(world.users[name])
        got = {slug: client.get(reverse("document_draft", args=[slug, items[slug]])).status_code
               for slug in SLUGS}
        assert got == codes, name


def test_the_proposal_page_links_the_papers_each_viewer_may_open(world, award_year,
                                                                 client_for):
    items = subjects(world, award_year)
    letter = reverse("document_page", args=["to-trinh", items["to-trinh"]])
    reports = {line.unit.code: reverse("document_page", args=["bao-cao-thanh-tich", line.pk])
               for line in award_year.proposal.lines.select_related("unit")}
    page = reverse("award_proposal", args=[award_year.bloc_year.pk])
    expected = {"leader": {"letter", "KT1", "KT2", "KT3", "KT4"},
                "officer": {"letter", "KT1"}, "peer": {"letter", "KT2"}}
    for name, wanted in expected.items():
        text = client_for(world.users[name]).get(page).text
        found = {code for code, url in reports.items() if url in text}
        found |= {"letter"} if letter in text else set()
        assert found == wanted, name
    draft = reverse("document_page", args=["du-thao-quyet-dinh", world.year.pk])
    province = client_for(world.users["secretariat"]).get(
        reverse("province_documents", args=["BN", world.year.year]))
    assert draft in province.text


def test_decision_signature_block_for_a_vice_chairman_or_the_chairman():
    from thidua.documents.decision_text import decision_signer

    assert decision_signer() == {"mandate": "KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH",
                                 "name": BLANK_NAME}
    assert decision_signer(vice_chair=False) == {"mandate": "", "title": "CHỦ TỊCH",
                                                 "name": BLANK_NAME}


def test_proposal_letter_counts_attendance_as_the_minutes_and_votes_against_members(
        world, award_year):
    """Issue 15, item 7: the tờ trình says who attended from the roll call's one count
    (voting.queries.attendance_count, as the minutes) and the yes votes against the
    poll's base (members: "5/5"), never against those present ("5/4")."""
    from thidua.voting.queries import attendance_count

    from . import conference as conf

    leader = world.actor("leader")
    conference, present, absent = conf.start(leader, award_year.bloc_year)
    assert attendance_count(conference) == (4, 5)
    doc = read(services.draft(leader, "to-trinh", award_year.proposal.pk).content)
    text = body(doc)
    year = world.year.year
    assert (f"Ngày 20/12/{year}, Khối Kinh tế tổ chức hội nghị tổng kết công tác thi đua năm "
            f"{year} tại Hội trường Ủy ban nhân dân tỉnh, do Nguyễn Văn An chủ trì; dự hội "
            "nghị có 4/5 đơn vị thành viên.") in text
    assert [row.cells[4].text for row in doc.tables[1].rows[1:]] == ["5/5", "5/5", "5/5",
                                                                     "4/5"]
    minutes = read(services.draft(leader, "bien-ban-hop", conference.pk).content)
    assert any(line.startswith("Đơn vị thành viên dự: 4/5 đơn vị;")
               for line in body(minutes))
