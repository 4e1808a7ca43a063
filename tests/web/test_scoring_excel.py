"""Excel download and upload pages of scoring: permission matrices (404 out of scope, 403
forbidden), the upload's error summary naming sheet, row and column, nothing written on
a refusal, and a good upload saved through the services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scoring.excel import edit, read, row_of
from scoring.flow import entries_for, import_par, prepare
from thidua.core.models import AuditEvent
from thidua.scoring import exporters, services
from thidua.scoring.models import Criterion, Score

from .conftest import matrix, outcome
from .page import parse

XLSX = exporters.CONTENT_TYPE


@pytest.fixture
def year(world):
    bloc_year, table, actors = prepare(world)
    import_par(world, bloc_year)
    sheet = services.open_self_assessment(actors["KT1"], bloc_year, world.units["KT1"])
    services.set_scores(actors["KT1"], sheet, entries_for("KT1", 0))
    return world, bloc_year, table, sheet


def upload(content, name="phieu.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def summary(response):
    box = parse(response).find(class_="error-summary")
    return [li.text for li in box.find_all("li")] if box else []


@pytest.mark.parametrize("who,status", matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=200, peer=200,
    outsider=404, delegate=200, nobody=404, anonymous="login"))
def test_table_download_matrix(year, as_who, who, status):
    world, bloc_year, table, _ = year
    response = as_who(who).get(f"/khoi/{bloc_year.pk}/bang-tieu-chi/excel/")
    assert outcome(response) == status
    if status == 200:
        assert response["Content-Type"] == XLSX
        assert read(response.content)["Tiêu chí"][0][:2] == ["Tên bảng", "Bảng tiêu chí 2026"]


@pytest.mark.parametrize("who,status", matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=403, peer=403,
    outsider=404, delegate=403, nobody=404, anonymous="login"))
def test_table_upload_form_matrix(year, as_who, who, status):
    world, bloc_year, table, _ = year
    response = as_who(who).get(f"/khoi/{bloc_year.pk}/bang-tieu-chi/nhap-excel/")
    assert outcome(response) == status
    if status == 200:
        page = parse(response)
        assert page.find("input", type="file", name="file") is not None
        assert page.find("label", for_="id_file").text == "Tệp Excel (.xlsx)"


def test_table_upload_error_summary_and_nothing_written(year, as_who):
    world, bloc_year, table, _ = year
    content = exporters.export_table(table)
    row = row_of(content, "Tiêu chí", "I.2")
    broken = edit(content, {(row, "D"): "mười"}, "Tiêu chí")
    before = (list(Criterion.objects.values_list("id", "max_points")),
              AuditEvent.objects.count())
    response = as_who("leader").post(f"/khoi/{bloc_year.pk}/bang-tieu-chi/nhap-excel/",
                                     {"file": upload(broken, "bang.xlsx"), "reason": ""})
    assert response.status_code == 400
    assert summary(response) == [
        f"Trang 'Tiêu chí', dòng {row}, cột D: điểm chuẩn “mười” không phải là số."]
    assert (list(Criterion.objects.values_list("id", "max_points")),
            AuditEvent.objects.count()) == before


def test_table_upload_saves(year, as_who):
    world, bloc_year, table, _ = year
    content = exporters.export_table(table)
    row = row_of(content, "Tiêu chí", "I.2")
    changed = edit(content, {(row, "C"): "Tham mưu văn bản"}, "Tiêu chí")
    response = as_who("leader").post(f"/khoi/{bloc_year.pk}/bang-tieu-chi/nhap-excel/",
                                     {"file": upload(changed, "bang.xlsx"),
                                      "reason": "Sửa tên theo góp ý"})
    assert outcome(response) == 302
    fresh = services.current_table(bloc_year)
    assert (fresh.version, fresh.reason) == (2, "Sửa tên theo góp ý")
    assert fresh.criteria.get(code="I.2").title == "Tham mưu văn bản"


# The self sheet is a sealed draft: only its author finds it (RULES.md 13 sealing).
SEALED = matrix(admin=404, secretariat=404, other_secretariat=404, leader=404, officer=200,
                peer=404, outsider=404, delegate=404, nobody=404, anonymous="login")


@pytest.mark.parametrize("who,status", SEALED)
def test_sheet_download_matrix(year, as_who, who, status):
    *_, sheet = year
    response = as_who(who).get(f"/phieu-cham/{sheet.pk}/excel/")
    assert outcome(response) == status
    if status == 200:
        assert read(response.content)["thidua"][0] == ["sheet_id", str(sheet.pk)]


@pytest.mark.parametrize("who,status", SEALED)
def test_sheet_upload_matrix(year, as_who, who, status):
    *_, sheet = year
    response = as_who(who).get(f"/phieu-cham/{sheet.pk}/nhap-excel/")
    assert outcome(response) == status


def test_submitted_sheet_visible_to_leader_but_not_uploadable(year, as_who):
    world, bloc_year, table, sheet = year
    from scoring.flow import PDF
    from thidua.core.evidence import Upload
    officer = world.actor("officer")
    services.set_scores(officer, sheet, {"II.3": {"count": 5, "note": "Năm điển hình"}})
    services.attach_evidence(officer, sheet, "I.1", [Upload("bien-ban.pdf", PDF)])
    services.submit_sheet(officer, sheet)
    assert as_who("leader").get(f"/phieu-cham/{sheet.pk}/excel/").status_code == 200
    assert as_who("leader").get(f"/phieu-cham/{sheet.pk}/nhap-excel/").status_code == 403
    response = as_who("officer").post(f"/phieu-cham/{sheet.pk}/nhap-excel/",
                                      {"file": upload(exporters.export_sheet(sheet))})
    assert response.status_code == 409
    assert summary(response) == ["Phiếu chấm đã gửi hoặc khối không ở giai đoạn cho phép chấm "
                                 "phiếu này."]


def test_sheet_upload_errors_then_saves(year, as_who):
    world, bloc_year, table, sheet = year
    content = exporters.export_sheet(sheet)
    i2, v1 = row_of(content, "Phiếu chấm", "I.2"), row_of(content, "Phiếu chấm", "V.1")
    cells = lambda: sorted(Score.objects.filter(sheet=sheet).values_list("id", "points"))  # noqa: E731
    before = cells()
    response = as_who("officer").post(f"/phieu-cham/{sheet.pk}/nhap-excel/", {
        "file": upload(edit(content, {(i2, "D"): 12, (v1, "D"): 1}, "Phiếu chấm"))})
    assert response.status_code == 400
    assert summary(response) == [
        f"Trang 'Phiếu chấm', dòng {i2}, cột D: điểm 12 vượt điểm chuẩn 10."]
    assert cells() == before
    # Too large: refused before it is read.
    response = as_who("officer").post(f"/phieu-cham/{sheet.pk}/nhap-excel/", {
        "file": upload(b"0" * (20 * 1024 * 1024), "to.xlsx")})
    assert summary(response) == ["Tệp “to.xlsx” dung lượng 20,0 MB, vượt giới hạn 5,0 MB."]
    response = as_who("officer").post(f"/phieu-cham/{sheet.pk}/nhap-excel/", {
        "file": upload(edit(content, {(i2, "D"): 5, (v1, "D"): 1}, "Phiếu chấm"))})
    assert outcome(response) == 302
    assert Score.objects.get(sheet=sheet, criterion__code="I.2").points == 5
    assert Score.objects.get(sheet=sheet, criterion__code="V.1").points == 8


def test_upload_without_a_file(year, as_who):
    *_, sheet = year
    response = as_who("officer").post(f"/phieu-cham/{sheet.pk}/nhap-excel/", {})
    assert response.status_code == 400
    assert summary(response) == ["Chưa chọn tệp Excel."]


def test_links_on_the_scoring_pages(year, as_who):
    world, bloc_year, table, sheet = year
    page = parse(as_who("leader").get(f"/khoi/{bloc_year.pk}/cham-diem/"))
    assert [(a.attrs["href"], a.text) for a in page.by_id("excel-bang").find_all("a")] == [
        (f"/khoi/{bloc_year.pk}/bang-tieu-chi/excel/", "Tải bảng tiêu chí (Excel)"),
        (f"/khoi/{bloc_year.pk}/bang-tieu-chi/nhap-excel/", "Nhập bảng tiêu chí từ Excel")]
    page = parse(as_who("peer").get(f"/khoi/{bloc_year.pk}/cham-diem/"))
    assert [a.text for a in page.by_id("excel-bang").find_all("a")] == [
        "Tải bảng tiêu chí (Excel)"]
    page = parse(as_who("officer").get(f"/phieu-cham/{sheet.pk}/"))
    assert [(a.attrs["href"], a.text) for a in page.by_id("excel-phieu").find_all("a")] == [
        (f"/phieu-cham/{sheet.pk}/excel/", "Tải phiếu chấm (Excel)"),
        (f"/phieu-cham/{sheet.pk}/nhap-excel/", "Nhập điểm từ tệp Excel")]
