"""History as data through the page, Excel and the API (issue 14): the province's
secretariat records a past year's awards (RULES.md 11) and bloc leaders (RULES.md 4) with
the paper's number and date; an Excel import is all-or-nothing and names every problem by
sheet, row and column; nobody else sees the page or the endpoints."""

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api.conftest import Api
from scoring.excel import read, write
from thidua.awards import history_workbook
from thidua.awards.models import Award
from thidua.core.models import AuditEvent
from thidua.org.models import Bloc, PastLeader

from .test_pages import WHO, get_as

pytestmark = pytest.mark.django_db
D = datetime.date


def text(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.content.decode())))


def snapshot():
    return (list(Award.objects.order_by("id").values()),
            list(PastLeader.objects.order_by("id").values()), AuditEvent.objects.count())


PAGE = {"admin": 200, "secretariat": 200, "other_secretariat": 404, "leader": 404,
        "officer": 404, "peer": 404, "outsider": 404, "delegate": 404, "nobody": 404,
        "anonymous": "login"}


def test_page_only_for_the_provinces_secretariat(client, world):
    url = reverse("province_history", args=["BN"])
    assert {who: get_as(client, world, who, url) for who in WHO} == PAGE
    post = reverse("province_history_award", args=["BN"])
    data = {"year": world.year.year - 1, "unit": world.units["KT1"].pk,
            "award_form": "provincial_flag", "decision_number": "1/QĐ",
            "decision_date": f"{world.year.year - 1}-12-30"}
    refused = {who: get_as(client, world, who, post, data, post=True)
               for who in ("other_secretariat", "leader", "officer", "nobody")}
    assert refused == {"other_secretariat": 404, "leader": 404, "officer": 404, "nobody": 404}
    assert Award.objects.count() == 0


def test_recording_through_the_page_shows_on_the_page_and_the_units_history(client, world):
    last = world.year.year - 1
    client.force_login(world.users["secretariat"])
    response = client.post(reverse("province_history_award", args=["BN"]), {
        "year": last, "unit": world.units["KT2"].pk, "award_form": "government_flag",
        "decision_number": "3120/QĐ-UBND", "decision_date": f"{world.year.year}-01-15",
        "signer": "Chủ tịch UBND tỉnh"}, follow=True)
    page = text(response)
    assert f"Đã ghi Cờ thi đua của Chính phủ năm {last} của Sở Tài chính." in page
    assert (f"{last} Sở Tài chính Cờ thi đua của Chính phủ Số 3120/QĐ-UBND ngày "
            f"15/01/{world.year.year} Chủ tịch UBND tỉnh") in page
    response = client.post(reverse("province_history_leader", args=["BN"]), {
        "year": last, "bloc": Bloc.objects.get(code="KT").pk, "unit": world.units["KT2"].pk,
        "document_number": "05/BB-KTĐ", "document_date": f"{last - 1}-12-20"}, follow=True)
    page = text(response)
    assert f"Đã ghi Sở Tài chính là Trưởng Khối Kinh tế năm {last}." in page
    assert f"{last} Khối Kinh tế Sở Tài chính Số 05/BB-KTĐ ngày 20/12/{last - 1}" in page
    unit_page = text(client.get(reverse("award_history", args=[world.units["KT2"].pk])))
    assert (f"{last} Cờ thi đua của Chính phủ Số 3120/QĐ-UBND ngày 15/01/{world.year.year}"
            in unit_page)
    assert f"Điểm thưởng năm {world.year.year} (Quy tắc 11): Được tặng Cờ thi đua" in unit_page


def test_a_refused_entry_keeps_what_was_typed_and_changes_nothing(client, world):
    client.force_login(world.users["secretariat"])
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    before = snapshot()
    response = client.post(reverse("province_history_award", args=["BN"]), {
        "year": world.year.year - 1, "unit": world.units["KT1"].pk,
        "award_form": "provincial_flag", "decision_number": "77/QĐ-UBND",
        "decision_date": tomorrow.isoformat()})
    assert response.status_code == 400
    page = text(response)
    assert (f"Ngày quyết định {tomorrow:%d/%m/%Y} chưa đến (hôm nay "
            f"{datetime.date.today():%d/%m/%Y})." in page)
    assert 'value="77/QĐ-UBND"' in response.content.decode()
    assert snapshot() == before


def test_remove_from_the_page_needs_a_reason(client, world):
    client.force_login(world.users["secretariat"])
    client.post(reverse("province_history_award", args=["BN"]), {
        "year": world.year.year - 1, "unit": world.units["KT1"].pk,
        "award_form": "provincial_flag", "decision_number": "1/QĐ",
        "decision_date": f"{world.year.year - 1}-12-30"})
    award = Award.objects.get()
    url = reverse("province_history_award_remove", args=["BN", award.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "Cần ghi lý do xoá." in text(refused)
    assert Award.objects.count() == 1
    client.post(url, {"reason": "Nhập nhầm"})
    assert Award.objects.count() == 0


# --- Excel --------------------------------------------------------------------------------

def sheets(world, awards=(), leaders=()):
    header = [[], [], [], []]
    return {history_workbook.AWARDS_SHEET: [*header, list(history_workbook.AWARD_HEADERS),
                                            *awards],
            history_workbook.LEADERS_SHEET: [*header, list(history_workbook.LEADER_HEADERS),
                                             *leaders]}


def test_excel_import_records_every_row_and_the_export_imports_as_no_change(client, world):
    last = world.year.year - 1
    content = write(sheets(world, awards=[
        [last, "KT1", "", "Cờ thi đua của UBND tỉnh", "12/QĐ-UBND", f"15/01/{last + 1}",
         "Chủ tịch UBND tỉnh"],
        [2022, "vx3", "Báo Bắc Ninh", "certificate_of_merit", "3120/QĐ-UBND", "30/12/2022", ""],
    ], leaders=[[last, "KT", "", "KT2", "", "05/BB-KTĐ", f"20/12/{last - 1}"]]))
    client.force_login(world.users["secretariat"])
    response = client.post(reverse("province_history_excel_upload", args=["BN"]), {
        "file": SimpleUploadedFile("lich-su.xlsx", content)}, follow=True)
    assert ("Đã nhập từ Excel: 2 khen thưởng, 1 Trưởng khối; 0 dòng trùng với dữ liệu đã "
            "có, không thay đổi.") in text(response)
    assert sorted(Award.objects.values_list("unit__code", "emulation_year__year",
                                            "award_form", "decision_number",
                                            "decision_date")) == [
        ("KT1", last, "provincial_flag", "12/QĐ-UBND", D(last + 1, 1, 15)),
        ("VX3", 2022, "certificate_of_merit", "3120/QĐ-UBND", D(2022, 12, 30))]
    assert list(PastLeader.objects.values_list("bloc__code", "leader_unit__code",
                                               "document_date")) == [
        ("KT", "KT2", D(last - 1, 12, 20))]
    exported = client.get(reverse("province_history_excel", args=["BN"]))
    assert exported.status_code == 200
    rows = read(exported.content)
    assert rows["Khen thưởng"][5][:5] == [float(last), "KT1", "Sở Công Thương",
                                          "Cờ thi đua của UBND tỉnh", "12/QĐ-UBND"]
    before = snapshot()
    again = client.post(reverse("province_history_excel_upload", args=["BN"]), {
        "file": SimpleUploadedFile("lich-su.xlsx", exported.content)}, follow=True)
    assert ("Đã nhập từ Excel: 0 khen thưởng, 0 Trưởng khối; 3 dòng trùng với dữ liệu đã "
            "có, không thay đổi.") in text(again)
    assert snapshot() == before


def test_excel_import_with_errors_lists_each_and_writes_nothing(client, world):
    last = world.year.year - 1
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    content = write(sheets(world, awards=[
        [last, "KT1", "", "Cờ thi đua của UBND tỉnh", "12/QĐ-UBND", f"15/01/{last + 1}", ""],
        [last, "HN1", "", "Cờ thi đua của UBND tỉnh", "13/QĐ-UBND", f"15/01/{last + 1}", ""],
        [last, "KT2", "", "Huân chương", "", "31/02/2025", ""],
        [last, "KT3", "", "provincial_flag", "14/QĐ", f"{tomorrow:%d/%m/%Y}", ""],
    ], leaders=[[world.year.year, "KT", "", "KT2", "", "05/BB", f"20/12/{last}"]]))
    client.force_login(world.users["secretariat"])
    before = snapshot()
    response = client.post(reverse("province_history_excel_upload", args=["BN"]), {
        "file": SimpleUploadedFile("lich-su.xlsx", content)})
    assert response.status_code == 400
    page = text(response)
    for message in (
            "Trang 'Khen thưởng', dòng 7, cột B: không có đơn vị mã “HN1” trong tỉnh.",
            "Trang 'Khen thưởng', dòng 8, cột D: hình thức “Huân chương” không có;",
            "Trang 'Khen thưởng', dòng 8, cột E: chưa ghi số quyết định.",
            "Trang 'Khen thưởng', dòng 8, cột F: ngày quyết định “31/02/2025” không phải "
            "ngày dạng dd/mm/yyyy."):
        assert message in page, message
    assert snapshot() == before
    # The shape is right now; what the rules refuse is listed too, and still nothing kept.
    content = write(sheets(world, awards=[
        [last, "KT1", "", "Cờ thi đua của UBND tỉnh", "12/QĐ-UBND", f"15/01/{last + 1}", ""],
        [last, "KT3", "", "provincial_flag", "14/QĐ", f"{tomorrow:%d/%m/%Y}", ""],
    ], leaders=[[world.year.year, "KT", "", "KT2", "", "05/BB", f"20/12/{last}"]]))
    response = client.post(reverse("province_history_excel_upload", args=["BN"]), {
        "file": SimpleUploadedFile("lich-su.xlsx", content)})
    assert response.status_code == 400
    page = text(response)
    assert (f"Trang 'Khen thưởng', dòng 7: Ngày quyết định {tomorrow:%d/%m/%Y} chưa đến"
            in page)
    assert (f"Trang 'Trưởng khối', dòng 6: Khối Kinh tế năm {world.year.year} đã có danh "
            "sách trong thidua (Trưởng khối: Sở Công Thương); không nhập như năm trước."
            in page)
    assert snapshot() == before


def test_a_file_that_is_not_a_workbook_is_refused(client, world):
    client.force_login(world.users["secretariat"])
    response = client.post(reverse("province_history_excel_upload", args=["BN"]), {
        "file": SimpleUploadedFile("lich-su.xlsx", b"khong phai excel")})
    assert response.status_code == 400
    assert ("Tệp “lich-su.xlsx” không phải bảng tính Excel (.xlsx) hợp lệ"
            in text(response))


# --- API ----------------------------------------------------------------------------------

def test_api_records_lists_and_removes(world):
    api = Api(world.users["secretariat"])
    last = world.year.year - 1
    created = api.post("/provinces/BN/history/awards", {
        "year": last, "unit_id": world.units["KT1"].pk, "award_form": "provincial_flag",
        "decision_number": "12/QĐ-UBND", "decision_date": f"{last + 1}-01-15"})
    assert created.status_code == 201, created.content
    leader = api.post("/provinces/BN/history/leaders", {
        "year": last, "bloc_id": Bloc.objects.get(code="KT").pk,
        "unit_id": world.units["KT2"].pk, "document_number": "05/BB-KTĐ",
        "document_date": f"{last - 1}-12-20"})
    assert leader.status_code == 201, leader.content
    listed = api.get("/provinces/BN/history").json()
    assert [(a["year"], a["unit"]["code"], a["award_form"], a["decision_number"])
            for a in listed["awards"]] == [(last, "KT1", "provincial_flag", "12/QĐ-UBND")]
    assert [(p["year"], p["bloc"]["code"], p["leader_unit"]["code"])
            for p in listed["leaders"]] == [(last, "KT", "KT2")]
    bonus = api.get(f"/units/{world.units['KT1'].pk}/awards").json()
    assert (bonus["bonus_year"], bonus["bonus_points"]) == (world.year.year, "10")
    removed = api.post(f"/provinces/BN/history/awards/{created.json()['id']}/remove",
                       {"reason": "Nhập nhầm"})
    assert removed.status_code == 204
    assert Award.objects.count() == 0


def test_api_refuses_in_vietnamese_and_changes_nothing(world):
    last = world.year.year - 1
    body = {"year": last, "unit_id": world.units["KT1"].pk, "award_form": "provincial_flag",
            "decision_number": "12/QĐ-UBND", "decision_date": f"{last + 1}-01-15"}
    before = snapshot()
    assert Api(world.users["officer"]).post("/provinces/BN/history/awards",
                                            body).status_code == 404
    assert Api(world.users["other_secretariat"]).post("/provinces/BN/history/awards",
                                                      body).status_code == 404
    api = Api(world.users["secretariat"])
    other = api.post("/provinces/BN/history/awards", {**body,
                                                      "unit_id": world.units["HN1"].pk})
    assert (other.status_code, other.json()["detail"]) == (
        404, "Không tìm thấy đơn vị trong tỉnh Bắc Ninh.")
    early = api.post("/provinces/BN/history/awards", {**body,
                                                      "decision_date": f"{last - 1}-05-01"})
    assert early.status_code == 400
    assert early.json()["detail"] == (f"Quyết định ngày 01/05/{last - 1} có trước năm thi đua "
                                      f"{last} (sớm nhất 01/01/{last}).")
    assert api.post("/provinces/BN/history/awards",
                    {**body, "award_form": "x"}).status_code == 422
    assert api.upload("/provinces/BN/history/import", "a.xlsx", b"x").status_code == 400
    assert snapshot() == before


# --- the province export ------------------------------------------------------------------

def test_past_leaders_travel_in_the_province_export(world):
    from thidua.exchange import envelope, export, importer

    last = world.year.year - 1
    Api(world.users["secretariat"]).post("/provinces/BN/history/leaders", {
        "year": last, "bloc_id": Bloc.objects.get(code="KT").pk,
        "unit_id": world.units["KT2"].pk, "document_number": "05/BB-KTĐ",
        "document_date": f"{last - 1}-12-20"})
    document = envelope.with_checksum(export.export_province("BN"))
    rows = document["sections"]["past_leaders"]
    assert [(r["key"], r["bloc"], r["leader_unit"], r["document_number"],
             r["document_date"]) for r in rows] == [
        (f"KT/{last}", "KT", "KT2", "05/BB-KTĐ", f"{last - 1}-12-20")]
    # A file written before the section existed still reads (no past leaders).
    del document["sections"]["past_leaders"]
    older = importer.loads(envelope.dumps(envelope.with_checksum(document)))
    assert older["sections"]["past_leaders"] == []
