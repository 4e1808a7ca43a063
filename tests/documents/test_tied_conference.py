"""Issue 15 on a realistic conference (tied_conference.py: 11 of 12 present, a tie at the
quota, a run-off, an invalid paper ballot): the minutes, the count records, the public page
and the press release read back — the same numbers everywhere (item 7), dated the meeting's
day (item 3), signed by people (item 2), no software internals (item 6); the minutes also
as a PDF (LibreOffice, pdftotext)."""

import re
import subprocess
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone

from thidua.core import dates
from thidua.documents import pdf, services
from thidua.publication import services as publication
from web.page import parse

from . import tied_conference
from .test_conference_documents import held_line
from .test_documents import body_lines, cell_lines, header, read


@pytest.fixture
def tied(world):
    return tied_conference.build(world)


def rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


def poll_tables(doc):
    return [t for t in doc.tables
            if t.rows[0].cells[0].text == "STT" and t.rows[0].cells[1].text == "Đơn vị"
            and len(t.columns) == 6]


def test_minutes_and_count_records_agree_eleven_of_twelve_tie_and_run_off(world, tied):
    secretariat = world.actor("secretariat")
    minutes = read(bytes(services.issue(secretariat, "bien-ban-hop", tied.conference.pk)
                         .docx))
    lines = body_lines(minutes)
    absent = tied.absent.name
    assert cell_lines(header(minutes)[1])[2] == held_line(tied.conference)
    assert (f"Đơn vị thành viên dự: 11/12 đơn vị; vắng 1 đơn vị: {absent} "
            f"({tied_conference.ABSENT_REASON}).") in lines
    assert ("Số đơn vị dự họp: 11/12 đơn vị có mặt ≥ 2/3 (cần ít nhất 8): đủ số đơn vị để "
            "biểu quyết.") in lines
    counts = [line for line in lines if line.startswith("Số đơn vị thành viên 12")]
    assert counts == [
        "Số đơn vị thành viên 12, có mặt 11; phát ra 11 phiếu, thu vào 11 phiếu, hợp lệ 10 "
        "phiếu, không hợp lệ 1 phiếu.",
        "Số đơn vị thành viên 12, có mặt 11; phát ra 11 phiếu, thu vào 11 phiếu, hợp lệ 11 "
        "phiếu, không hợp lệ 0 phiếu.",
        "Số đơn vị thành viên 12, có mặt 11; phát ra 11 phiếu, thu vào 11 phiếu, hợp lệ 11 "
        "phiếu, không hợp lệ 0 phiếu."]
    first, run_off, election = poll_tables(minutes)
    names = {code: unit.name for code, unit in tied.units.items()}
    assert [[r[1], r[2], r[5]] for r in rows(first)[1:5]] == [
        [names["CN2"], "8", "Trúng (trong chỉ tiêu)"],
        [names["CN3"], "8", "Trúng (trong chỉ tiêu)"],
        [names["CN4"], "7", "Bằng nhau ở ranh giới chỉ tiêu: bỏ phiếu lại"],
        [names["CN5"], "7", "Bằng nhau ở ranh giới chỉ tiêu: bỏ phiếu lại"]]
    assert rows(first)[1][4] == "8 phiếu / 12 thành viên = 66,67 % > 1/2: đạt"
    assert [[r[1], r[2], r[5]] for r in rows(run_off)[1:]] == [
        [names["CN4"], "6", "Trúng (trong chỉ tiêu)"],
        [names["CN5"], "4", "Đạt ngưỡng nhưng ngoài chỉ tiêu"]]
    assert f"Kết quả: {names['CN4']}." in lines
    assert (f"{names['CN2']} được bầu làm Trưởng khối năm {tied.bloc_year.year + 1}: 9 phiếu "
            "/ 12 thành viên = 75,00 % > 1/2: đạt.") in lines
    # Each count record says what the minutes say, table for table.
    for poll, table in ((tied.award, first), (tied.run_off, run_off),
                        (tied.election, election)):
        record = read(bytes(services.issue(secretariat, "kiem-phieu", poll.pk).docx))
        assert rows(poll_tables(record)[0]) == rows(table), poll.title
        assert tuple(r[2] for r in rows(record.tables[1])[1:]) == re.fullmatch(
            r"Số đơn vị thành viên (\d+), có mặt (\d+); phát ra (\d+) phiếu, thu vào (\d+) "
            r"phiếu, hợp lệ (\d+) phiếu, không hợp lệ (\d+) phiếu\.",
            counts[[tied.award, tied.run_off, tied.election].index(poll)]).groups()
        assert cell_lines(header(record)[1])[2] == held_line(tied.conference)
        assert cell_lines(record.tables[-1].rows[0].cells[1])[-1] == "Lê Văn Cường"
    # Signed by people; no rule numbers, no digests before the annex.
    secretary, chair = (cell_lines(c)[-1] for c in minutes.tables[-1].rows[0].cells)
    assert (secretary, chair) == ("Trần Thị Bình", "Nguyễn Văn An")
    annex = lines.index("PHỤ LỤC: MÃ KIỂM TRA HÒM PHIẾU")
    assert not [line for line in lines[:annex] if "Quy tắc" in line or "SHA" in line]
    assert len(lines[annex + 2:]) == 6  # three polls: title and code each


def test_public_page_never_says_more_passed_than_the_quota(world, tied, client):
    page = parse(client.get(reverse("publication_public", args=[tied.bloc_year.pk])))
    section = page.by_id(f"cuoc-bo-phieu-{tied.award.pk}")
    outcomes = [tr.find_all("td")[3].text for tr in section.find("tbody").find_all("tr")]
    assert outcomes.count("Đạt") == 2 <= tied.award.quota
    assert outcomes[:4] == ["Đạt", "Đạt", "Bằng phiếu ở ranh giới chỉ tiêu: bỏ phiếu lại",
                            "Bằng phiếu ở ranh giới chỉ tiêu: bỏ phiếu lại"]
    names = {code: unit.name for code, unit in tied.units.items()}
    assert page.by_id(f"chi-tieu-{tied.award.pk}").text == (
        "4 đơn vị đạt ngưỡng, nhiều hơn chỉ tiêu 3 đơn vị: chọn theo số phiếu từ cao xuống; "
        f"{names['CN4']}, {names['CN5']} bằng phiếu ở ranh giới chỉ tiêu nên hội nghị bỏ "
        "phiếu lại giữa các đơn vị này.")
    again = page.by_id(f"cuoc-bo-phieu-{tied.run_off.pk}")
    assert [tr.find_all("td")[3].text for tr in again.find("tbody").find_all("tr")
            ].count("Đạt") == 1


def test_press_release_says_who_attended_as_the_minutes_count_it(world, tied):
    release, _ = publication.generate(world.actor("secretariat"), tied.bloc_year)
    body = release.body if hasattr(release, "body") else release.text.body
    assert ("Hội nghị do Nguyễn Văn An chủ trì, với sự tham dự của đại diện 11/12 đơn vị "
            "thành viên của khối.") in body


def test_minutes_pdf_level_number_and_date_signatures_with_their_paragraph(
        world, tied, needs_libreoffice, tmp_path):
    secretariat = world.actor("secretariat")
    document = services.issue(secretariat, "bien-ban-hop", tied.conference.pk)
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(pdf.docx_to_pdf(bytes(document.docx)))
    text = unicodedata.normalize("NFC", subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
        check=True).stdout)
    held = dates.date_line("Bắc Ninh", timezone.localdate(tied.conference.held_at))
    [level] = [line for line in text.splitlines() if f"Số: {document.reference}" in line]
    assert held in level  # "Số:" and the date on one printed line
    assert "11/12 đơn vị" in text and "Quy tắc" not in text
    pages = text.split("\f")
    [signed] = [p for p in pages if "Trần Thị Bình" in p and "Nguyễn Văn An" in p
                and "THƯ KÝ" in p]
    assert "các đại biểu dự họp nhất trí thông qua" in signed.replace("\n", " ").replace(
        "  ", " ") or "nhất trí" in signed
    annex = [p for p in pages if "PHỤ LỤC: MÃ KIỂM TRA HÒM PHIẾU" in p]
    assert len(annex) == 1 and "THƯ KÝ" not in annex[0]  # a page of its own


def test_press_release_as_docx_and_pdf(world, tied, client, needs_libreoffice, tmp_path):
    """The published text as a paper: the heading, "THÔNG CÁO BÁO CHÍ", its title, lead
    and paragraphs, dated the day it was published, signed for the bloc; PDF too."""
    from thidua.core.errors import Forbidden
    from thidua.documents.models import DocumentJob
    from thidua.documents.signers import BLANK_NAME

    secretariat = world.actor("secretariat")
    with pytest.raises(services.NotFound):  # nothing published yet
        services.draft(secretariat, "thong-cao-bao-chi", tied.bloc_year.pk)
    publication.generate(secretariat, tied.bloc_year)
    revision = publication.publish(secretariat, tied.bloc_year)
    doc = read(services.draft(secretariat, "thong-cao-bao-chi", tied.bloc_year.pk).content)
    lines = body_lines(doc)
    paragraphs = [p for p in revision.body.split("\n\n") if p.strip()]
    assert lines[:3] == ["THÔNG CÁO BÁO CHÍ", revision.title, revision.lead]
    assert lines[3:3 + len(paragraphs)] == paragraphs
    assert ("Hội nghị do Nguyễn Văn An chủ trì, với sự tham dự của đại diện 11/12 đơn vị "
            "thành viên của khối.") in lines
    left, right = (cell_lines(c) for c in header(doc))
    assert left == ["UBND TỈNH BẮC NINH", "KHỐI KINH TẾ TỔNG HỢP", "", ""]
    assert right[2] == dates.date_line("Bắc Ninh", timezone.localdate(revision.published_at))
    assert cell_lines(doc.tables[-1].rows[0].cells[1]) == [
        "TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI", "", "", "", "", BLANK_NAME]
    with pytest.raises(Forbidden):  # never numbered: the published revision is the record
        services.issue(secretariat, "thong-cao-bao-chi", tied.bloc_year.pk)
    # Linked from the press release page; the PDF through the background job.
    client.force_login(world.users["secretariat"])
    page = client.get(reverse("publication_press", args=[tied.bloc_year.pk])).content.decode()
    assert f"/van-ban/thong-cao-bao-chi/{tied.bloc_year.pk}/" in page
    job = services.request_pdf(secretariat, "thong-cao-bao-chi", tied.bloc_year.pk)
    job = DocumentJob.objects.get(pk=job.id)
    assert job.status == "done", job.error
    path = tmp_path / "thong-cao.pdf"
    path.write_bytes(bytes(job.pdf))
    text = unicodedata.normalize("NFC", subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
        check=True).stdout)
    assert "THÔNG CÁO BÁO CHÍ" in text and "11/12 đơn vị" in " ".join(text.split())
    # Outside the province: not even its existence.
    with pytest.raises(services.NotFound):
        services.draft(world.actor("other_secretariat"), "thong-cao-bao-chi",
                       tied.bloc_year.pk)
