"""The province merger page (issue 14, Nghị quyết 202/2025/QH15): the secretariat uploads
Bắc Giang's export, sees every remap, conflict and the history kept before anything is
written, then confirms without uploading again; a bad file is refused on the page in
Vietnamese, nothing written; the API gives the same plan."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.exchange.test_merger import RESOLUTION, relabelled, snapshot

from thidua.core.models import AuditEvent
from thidua.exchange import envelope, export
from thidua.org.models import Province, Unit

from .page import parse

PAGE = "/tinh/BN/hop-nhat/"
pytestmark = pytest.mark.django_db


def _upload(content, **fields):
    return {"file": SimpleUploadedFile("bac-giang.json", content, "application/json"),
            "merged_on": "2025-07-01", "resolution": RESOLUTION, **fields}


@pytest.fixture
def bac_giang_file(world):
    return envelope.dumps(relabelled(export.export_province("BN"))).encode()


def test_preview_then_confirm_merges_bac_giang_into_bac_ninh(as_who, bac_giang_file):
    client = as_who("secretariat")
    assert client.get(PAGE).status_code == 200
    before = snapshot()
    response = client.post(PAGE + "xem-truoc/", _upload(bac_giang_file))
    assert response.status_code == 200
    assert snapshot() == before  # a preview writes nothing
    page = parse(response)
    assert "Xem trước: tỉnh Bắc Giang vào tỉnh Bắc Ninh từ ngày 01/07/2025" in page.text
    conflicts = [li.text for li in page.by_id("ma-trung").find_all("li")]
    assert conflicts[0].startswith("Đơn vị «KT1» (") and conflicts[0].endswith(
        "trùng mã đã có ở tỉnh Bắc Ninh: đổi thành «KT1-BG».")
    rows = {tr.attrs["data-code"]: tr.find_all("td")[1].text for tr in
            page.by_id("bang-khoi-hop-nhat").find_all("tr") if "data-code" in tr.attrs}
    assert rows == {"KT": "KT-BG", "VX": "VX-BG"}
    form = page.by_id("form-xac-nhan-hop-nhat")
    data = {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input")}
    response = client.post(form.attrs["action"], data)
    assert response.status_code == 302 and response["Location"] == "/tinh/BN/thiet-lap/"
    former = Province.objects.get(code="BG")
    assert former.merged_into.code == "BN" and former.merged_on == datetime.date(2025, 7, 1)
    assert Unit.objects.filter(province__code="BN", code="KT1-BG",
                               former_unit__province=former).exists()
    assert AuditEvent.objects.filter(action="province.merged").count() == 1
    again = client.post(form.attrs["action"], data)  # the kept file is gone once merged
    assert again.status_code == 404 or "Không còn tệp đã xem trước" in again.content.decode()


@pytest.mark.parametrize("content, fields, message", [
    (b"{khong phai json", {}, "Tệp không phải JSON hợp lệ"),
    (None, {"resolution": ""}, "Cần ghi văn bản hợp nhất."),
    (None, {"merged_on": "31/02/2025"}, "Ngày hợp nhất không hợp lệ."),
])
def test_a_bad_upload_is_refused_on_the_page_and_writes_nothing(as_who, bac_giang_file,
                                                                content, fields, message):
    client = as_who("secretariat")
    before = snapshot()
    response = client.post(PAGE + "xem-truoc/", _upload(content or bac_giang_file, **fields))
    assert response.status_code == 400
    assert message in parse(response).with_class("error-summary")[0].text
    assert snapshot() == before


def test_a_forged_confirmation_token_is_refused(as_who):
    client = as_who("secretariat")
    response = client.post(PAGE + "xac-nhan/", {"token": "../../etc/passwd",
                                                "merged_on": "2025-07-01",
                                                "resolution": RESOLUTION})
    assert response.status_code == 400
    assert "Mã tệp đã tải lên không hợp lệ" in response.content.decode()


def test_the_api_previews_and_merges_with_the_same_plan(as_who, bac_giang_file):
    client = as_who("secretariat")
    url = "/api/v1/provinces/BN/merger"
    before = snapshot()
    preview = client.post(url, _upload(bac_giang_file))
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["dry_run"] is True and snapshot() == before
    assert {b["code"]: b["new_code"] for b in body["blocs"]} == {"KT": "KT-BG", "VX": "VX-BG"}
    done = client.post(url, _upload(bac_giang_file, dry_run="false"))
    assert done.status_code == 200 and done.json()["conflicts"] == body["conflicts"]
    assert Province.objects.get(code="BG").merged_into.code == "BN"
    refused = client.post(url, _upload(bac_giang_file, dry_run="false"))
    assert refused.status_code == 409
    assert "Tỉnh mã «BG» đã có trong hệ thống" in refused.json()["detail"]
