"""Issue 15, dossier complete for the province: the numbered Quyết định (its number and
signing date as typed when recorded) with its attached list, the results notice, the
print-ready certificates and flags filled from the decision, the award register
searchable by unit and year (page and API), and the bloc's list of proposed units
(danh sách trích ngang) as a paper of its own. Read back from DOCX and PDF."""

import datetime
import io
import json
import unicodedata

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document as Docx

from thidua.awards import proposals
from thidua.core.errors import DomainError, NotFound
from thidua.documents import format as fmt
from thidua.documents import register, services
from thidua.documents.kinds_awards import proposal_documents
from thidua.documents.models import DocumentJob

from .award_year import build
from .conftest import pdf_info
from .test_documents import header

NUMBER, SIGNER = "123/QĐ-UBND", "Phó Chủ tịch Nguyễn Văn An"


def decided_year(world):
    """KT2's provincial flag and KT3's certificate awarded, KT4's certificate refused."""
    award_year = build(world)
    lines = {line.unit.code: line for line in award_year.proposal.lines.select_related("unit")}
    day = datetime.date(world.year.year, 12, 28)
    decision = proposals.record_decision(
        world.actor("secretariat"), world.year, number=NUMBER, decision_date=day,
        signer=SIGNER, awarded=[lines["KT2"].id, lines["KT3"].id],
        not_awarded=[lines["KT4"].id])
    return award_year, decision


@pytest.fixture
def decided(world):
    return decided_year(world)


def read(content):
    return Docx(io.BytesIO(bytes(content)))


def body(doc):
    return [p.text for p in doc.paragraphs if p.style.name != fmt.SUBJECT_RULE_STYLE]


def rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


def draft(world, slug, pk, actor="secretariat"):
    return read(services.draft(world.actor(actor), slug, pk).content)


def test_the_numbered_decision_carries_its_number_date_signer_and_attached_list(
        world, decided):
    _, decision = decided
    year = world.year.year
    doc = draft(world, "quyet-dinh", decision.pk)
    left, right = header(doc)
    assert [p.text for p in left.cells[0].paragraphs] == ["ỦY BAN NHÂN DÂN", "TỈNH BẮC NINH", ""]
    assert [p.text for p in left.cells[1].paragraphs] == [f"Số: {NUMBER}"]
    assert right.cells[1].paragraphs[0].text == f"Bắc Ninh, ngày 28 tháng 12 năm {year}"
    text = body(doc)
    assert text[:3] == ["QUYẾT ĐỊNH", f"Về việc tặng Cờ thi đua của UBND tỉnh, Bằng khen "
                        f"của Chủ tịch UBND tỉnh năm {year}",
                        "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẮC NINH"]
    start = text.index("QUYẾT ĐỊNH:")
    assert text[start + 1] == (
        "Điều 1. Tặng Cờ thi đua của UBND tỉnh, Bằng khen của Chủ tịch UBND tỉnh cho 2 tập "
        f"thể đã có thành tích xuất sắc trong phong trào thi đua năm {year} của các cụm, "
        "khối thi đua của tỉnh (có danh sách kèm theo).")
    closing = [t for t in doc.tables if len(t.columns) == 2][-1]
    assert [p.text for p in closing.rows[0].cells[1].paragraphs] == [
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "", "", "", "", "Nguyễn Văn An"]
    annex = text.index("DANH SÁCH")
    assert text[annex:annex + 3] == [
        "DANH SÁCH", f"Các tập thể được tặng Cờ thi đua của UBND tỉnh, Bằng khen của Chủ tịch "
        f"UBND tỉnh năm {year}", f"(Kèm theo Quyết định số {NUMBER} ngày 28/12/{year} của "
        "Chủ tịch Ủy ban nhân dân tỉnh Bắc Ninh)"]
    assert rows(doc.tables[-1]) == [
        ["STT", "Tên tập thể", "Cụm, khối thi đua"],
        ["I", "Cờ thi đua của UBND tỉnh (1 tập thể)", ""],
        ["1", "Sở Tài chính", "Khối Kinh tế"],
        ["II", "Bằng khen của Chủ tịch UBND tỉnh (1 tập thể)", ""],
        ["2", "Sở Xây dựng", "Khối Kinh tế"]]  # KT4 refused: not on the list


def test_the_decision_reads_back_from_the_pdf(world, decided, needs_libreoffice, tmp_path):
    _, decision = decided
    secretariat = world.actor("secretariat")
    job = DocumentJob.objects.get(pk=services.request_pdf(
        secretariat, "quyet-dinh", decision.pk).id)
    assert job.status == "done", job.error
    pages, text = pdf_info(bytes(job.pdf), tmp_path)
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    assert pages >= 2  # the attached list starts a page of its own
    for value in (f"Số: {NUMBER}", f"Bắc Ninh, ngày 28 tháng 12 năm {world.year.year}",
                  "KT. CHỦ TỊCH", "Nguyễn Văn An", "DANH SÁCH", "1 Sở Tài chính Khối Kinh tế",
                  "2 Sở Xây dựng Khối Kinh tế"):
        assert value in flat, value
    assert "Đài Phát thanh" not in flat


def test_results_notice_issued_by_the_province_lists_the_results(world, decided):
    _, decision = decided
    year = world.year.year
    document = services.issue(world.actor("secretariat"), "thong-bao-ket-qua", decision.pk,
                              signed_on=datetime.date.today())
    assert document.reference == "01/TB-UBND"
    doc = read(document.docx)
    text = body(doc)
    assert text[:2] == ["THÔNG BÁO", "Kết quả khen thưởng phong trào thi đua các cụm, khối "
                        f"thi đua năm {year}"]
    assert text[2:7] == [
        f"Ngày 28/12/{year}, Chủ tịch Ủy ban nhân dân tỉnh ký Quyết định số {NUMBER} ngày "
        f"28/12/{year} khen thưởng các tập thể có thành tích xuất sắc trong phong trào thi "
        f"đua năm {year} của các cụm, khối thi đua của tỉnh. Ủy ban nhân dân tỉnh thông báo "
        "kết quả như sau:",
        "1. Khối Kinh tế:", "- Cờ thi đua của UBND tỉnh: Sở Tài chính.",
        "- Bằng khen của Chủ tịch UBND tỉnh: Sở Xây dựng.",
        "Các tập thể được đề nghị nhưng không được khen thưởng theo quyết định: Đài Phát "
        "thanh."]
    assert [p.text for p in doc.tables[-1].rows[0].cells[1].paragraphs] == [
        "TM. ỦY BAN NHÂN DÂN", "PHÓ CHỦ TỊCH", "", "", "", "", "Nguyễn Văn An"]


def test_certificates_and_flags_filled_from_the_decision_one_page_each(world, decided):
    _, decision = decided
    year = world.year.year
    text = [t for t in body(draft(world, "phoi-khen-thuong", decision.pk)) if t]
    sheet = ["CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "TẶNG"]
    signature = [f"Bắc Ninh, ngày 28 tháng 12 năm {year}", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
                 "Nguyễn Văn An"]
    decided_by = f"Quyết định số {NUMBER}, ngày 28/12/{year}"
    assert text == [
        *sheet, "GIẤY CHỨNG NHẬN", "CỜ THI ĐUA CỦA UBND TỈNH", "Sở Tài chính",
        f"Đơn vị dẫn đầu phong trào thi đua Khối Kinh tế năm {year}.", decided_by,
        "Số sổ: 1", *signature,
        *sheet, "BẰNG KHEN", "Sở Xây dựng",
        f"Đã có thành tích xuất sắc trong phong trào thi đua năm {year}.", decided_by,
        "Số sổ: 2", *signature]


def test_list_of_proposed_units_is_a_paper_of_the_bloc_dossier(world, decided):
    award_year, _ = decided
    proposal = award_year.proposal
    assert ("danh-sach-trich-ngang", proposal.pk) in proposal_documents(award_year.bloc_year)
    doc = draft(world, "danh-sach-trich-ngang", proposal.pk, actor="leader")
    year = world.year.year
    assert body(doc)[:3] == ["DANH SÁCH", f"Trích ngang các tập thể đề nghị khen thưởng năm "
                             f"{year}", f"(Kèm theo Tờ trình đề nghị khen thưởng năm {year} "
                             "của Khối Kinh tế)"]
    assert rows(doc.tables[1]) == [
        ["STT", "Tên tập thể", "Hình thức đề nghị", "Xếp hạng", "Số phiếu đồng ý",
         "Xếp loại hoàn thành nhiệm vụ", "Khen thưởng 3 năm gần nhất"],
        ["1", "Sở Công Thương", "Cờ thi đua của Chính phủ", "1/5", "5/5",
         "Hoàn thành xuất sắc nhiệm vụ", f"Cờ thi đua của UBND tỉnh ({year - 1})"],
        ["2", "Sở Tài chính", "Cờ thi đua của UBND tỉnh", "2/5", "5/5",
         "Hoàn thành xuất sắc nhiệm vụ", ""],
        ["3", "Sở Xây dựng", "Bằng khen của Chủ tịch UBND tỉnh", "3/5", "5/5",
         "Hoàn thành xuất sắc nhiệm vụ", ""],
        ["4", "Đài Phát thanh", "Bằng khen của Chủ tịch UBND tỉnh", "4/5", "4/5",
         "Hoàn thành xuất sắc nhiệm vụ", ""]]


# --- the award register -----------------------------------------------------------------

def test_register_searched_by_unit_without_diacritics_and_by_year(world, decided):
    secretariat = world.actor("secretariat")
    year = world.year.year
    found = register.search(secretariat, "BN", unit_text="so tai chinh", year=str(year))
    assert [(e.number, e.award.unit.name, e.award.award_form, e.award.decision_number)
            for e in found.entries] == [(1, "Sở Tài chính", "provincial_flag", NUMBER)]
    everything = register.search(secretariat, "BN")
    assert [(e.award.emulation_year.year, e.number, e.award.unit.name)
            for e in everything.entries] == [
        (year, 1, "Sở Tài chính"), (year, 2, "Sở Xây dựng"),
        (year - 1, 1, "Sở Công Thương")]  # last year's history, its own register
    assert register.search(secretariat, "BN", year=str(year - 5)).entries == []
    with pytest.raises(DomainError) as caught:
        register.search(secretariat, "BN", year="năm ngoái")
    assert caught.value.messages == ["Năm “năm ngoái” không hợp lệ: nhập năm bốn chữ số, "
                                     "ví dụ 2026."]
    with pytest.raises(NotFound):  # another province's secretariat: the register is hidden
        register.search(world.actor("other_secretariat"), "BN")


def test_register_page_and_api(world, decided, client_for):
    year = world.year.year
    url = reverse("award_register", args=["BN"])
    client = client_for(world.users["secretariat"])
    html = client.get(url, {"don_vi": "xay dung", "nam": str(year)}).content.decode()
    assert "Sở Xây dựng" in html and "Sở Tài chính" not in html
    decision = decided[1]
    assert reverse("document_page", args=["quyet-dinh", decision.pk]) in html
    bad = client.get(url, {"nam": "20x6"})
    assert bad.status_code == 400
    assert "Năm “20x6” không hợp lệ" in bad.content.decode()
    papers = client.get(reverse("province_documents", args=["BN", year])).content.decode()
    assert reverse("document_page", args=["thong-bao-ket-qua", decision.pk]) in papers
    assert reverse("document_page", args=["phoi-khen-thuong", decision.pk]) in papers
    api = Client()
    api.force_login(world.users["secretariat"])
    answer = api.get("/api/v1/provinces/BN/award-register", {"unit": "so xay dung"})
    assert answer.status_code == 200
    assert [(e["number"], e["unit_name"], e["decision_number"], e["decision_id"])
            for e in answer.json()["entries"]] == [(2, "Sở Xây dựng", NUMBER, decision.pk)]
    answer = api.get("/api/v1/provinces/BN/award-register", {"year": "abc"})
    assert answer.status_code == 400
    assert "không hợp lệ" in json.dumps(answer.json(), ensure_ascii=False)
    other = Client()
    other.force_login(world.users["other_secretariat"])
    hidden = other.get("/api/v1/provinces/BN/award-register")
    assert hidden.status_code == 404 and "Sở Xây dựng" not in hidden.content.decode()
    assert client_for(world.users["officer"]).get(url).status_code == 404
