"""Progress check-ins and evidence files: report, upload, download."""

import hashlib
import io
import unicodedata
import zipfile

import pytest
from django.utils import timezone
from tests.factories import PDF, WHO

from thidua.core.models import AuditEvent
from thidua.org import services as org_services
from thidua.pledges import services as pledge_services
from thidua.pledges.models import CheckIn, Evidence

from .conftest import error, make_registration

# The world's officer reports for KT1; everyone else who may see the pledge may not.
REPORT = {
    "officer": 201, "admin": 403, "secretariat": 403, "leader": 403, "peer": 403,
    "delegate": 403, "other_secretariat": 404, "outsider": 404, "nobody": 404, "anonymous": 401,
}
VIEW = {**REPORT, **{who: 200 for who, status in REPORT.items() if status in (201, 403)}}


@pytest.fixture
def target(world):
    """KT1's submitted pledge with one target, its bloc year under way."""
    registration = make_registration(world, "KT1", submit=True)
    org_services.move_phase(world.actor("admin"), world.bloc_years["KT"], "in_progress")
    return registration.targets.get()


@pytest.fixture
def check_in(world, target):
    return pledge_services.report_progress(
        world.actor("officer"), target, reported_on=timezone.localdate(),
        actual_value=pledge_services.Decimal("55.25"), note="Quý III")


def _stored_files(settings):
    root = settings.MEDIA_ROOT / "evidence"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _docx(extra=b""):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>" + extra.decode())
    return out.getvalue()


# --- check-ins ------------------------------------------------------------------------

@pytest.mark.parametrize("token", [False, True])
@pytest.mark.parametrize("who", WHO)
def test_report_progress_matrix(world, api, target, who, token):
    today = timezone.localdate()
    response = api(who, token=token and who != "anonymous").post(
        f"/targets/{target.id}/check-ins",
        {"reported_on": today.isoformat(), "actual_value": "65.25", "note": "Tháng 9"})
    assert response.status_code == REPORT[who]
    target.refresh_from_db()
    if response.status_code == 201:
        check_in = CheckIn.objects.get()
        assert response.json() == {
            "id": check_in.id, "target_id": target.id, "reported_on": today.isoformat(),
            "actual_value": "65.25", "note": "Tháng 9", "author": "Can Bo",
            "created_at": response.json()["created_at"], "evidence": []}
        assert (str(target.latest_actual), target.latest_reported_on) == ("65.25", today)
        event = AuditEvent.objects.order_by("id").last()
        assert (event.action, event.after["actual_value"]) == ("pledges.check_in.create",
                                                               "65.25")
        # 40.50 → 90.00, now 65.25: exactly half the way (24.75 / 49.5).
        registration = api(who).get(f"/registrations/{target.registration_id}").json()
        assert registration["targets"][0]["progress_percent"] == 50
        assert registration["targets"][0]["latest_actual"] == "65.25"
    else:
        assert not CheckIn.objects.exists()
        assert target.latest_actual is None
    if response.status_code == 403:
        assert response.json() == error("Bạn không được báo cáo tiến độ cho đơn vị này.")
    if response.status_code == 404:
        assert response.json() == error("Không tìm thấy chỉ tiêu.")


def test_report_progress_before_the_year_runs_is_409(world, api):
    registration = make_registration(world, "KT1", submit=True)
    response = api("officer").post(
        f"/targets/{registration.targets.get().id}/check-ins",
        {"reported_on": timezone.localdate().isoformat(), "actual_value": "1"})
    assert (response.status_code, response.json()) == (409, error(
        "Chỉ báo cáo tiến độ khi bản đăng ký đã gửi và năm thi đua đang diễn ra."))


@pytest.mark.parametrize(("payload", "status", "errors"), [
    ({"actual_value": 65.25}, 422, [("actual_value", "Phải là chuỗi ký tự.")]),
    ({"actual_value": "1e5"}, 422, None),
    ({"actual_value": "Infinity"}, 422, None),
    ({"reported_on": "hôm nay"}, 422, [("reported_on", "Phải là ngày dạng YYYY-MM-DD.")]),
    # pydantic alone would take these as Unix times (1970-01-01, 2023-11-14).
    ({"reported_on": 0}, 422, [("reported_on", "Phải là ngày dạng YYYY-MM-DD.")]),
    ({"reported_on": "1700000000"}, 422, [("reported_on", "Phải là ngày dạng YYYY-MM-DD.")]),
    ({"reported_on": "2026-02-30"}, 422, [("reported_on", "Phải là ngày dạng YYYY-MM-DD.")]),
    ({"reported_on": "2999-01-01"}, 400, [(None, "Ngày báo cáo không được sau ngày hôm nay.")]),
    ({"note": 5}, 422, [("note", "Phải là chuỗi ký tự.")]),
    ({"note": "x" * 5001}, 422, [("note", "Dài quá 5000 ký tự.")]),
])
def test_report_progress_bad_input_writes_nothing(world, api, target, payload, status, errors):
    body = {"reported_on": timezone.localdate().isoformat(), "actual_value": "1", **payload}
    events = AuditEvent.objects.count()
    response = api("officer").post(f"/targets/{target.id}/check-ins", body)
    assert response.status_code == status
    if errors:
        assert [(e["field"], e["message"]) for e in response.json()["errors"]] == errors
    assert not CheckIn.objects.exists()
    assert AuditEvent.objects.count() == events


def test_check_in_note_is_stored_nfc(world, api, target):
    note = unicodedata.normalize("NFD", "Đã hoàn thành quý III")
    response = api("officer").post(f"/targets/{target.id}/check-ins", {
        "reported_on": timezone.localdate().isoformat(), "actual_value": "70", "note": note})
    assert response.json()["note"] == "Đã hoàn thành quý III"
    assert CheckIn.objects.get().note == "Đã hoàn thành quý III"


@pytest.mark.parametrize("who", WHO)
def test_list_check_ins_matrix(world, api, check_in, who):
    response = api(who).get(f"/targets/{check_in.target_id}/check-ins")
    assert response.status_code == VIEW[who]
    if response.status_code == 200:
        assert [(c["id"], c["actual_value"], c["note"]) for c in response.json()] == [
            (check_in.id, "55.25", "Quý III")]


# --- evidence upload ------------------------------------------------------------------

@pytest.mark.parametrize("who", WHO)
def test_upload_evidence_matrix(world, api, check_in, who, settings):
    response = api(who).upload(f"/check-ins/{check_in.id}/evidence", "bien-ban.pdf", PDF)
    assert response.status_code == REPORT[who]
    if response.status_code == 201:
        evidence = Evidence.objects.get()
        assert response.json() == {
            "id": evidence.id, "original_name": "bien-ban.pdf", "kind": "pdf",
            "size": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest(),
            "uploaded_at": response.json()["uploaded_at"],
            "download_url": f"/api/v1/evidence/{evidence.id}/file"}
        assert evidence.file.read() == PDF
        assert (evidence.unit_id, evidence.uploaded_by) == (world.units["KT1"].id,
                                                             world.users["officer"])
        event = AuditEvent.objects.order_by("id").last()
        assert (event.action, event.object_id, event.after["evidence"]) == (
            "pledges.evidence.add", str(check_in.id), [hashlib.sha256(PDF).hexdigest()])
    else:
        assert not Evidence.objects.exists()
        assert _stored_files(settings) == []
    if response.status_code == 403:
        assert response.json() == error("Bạn không được bổ sung minh chứng cho đơn vị này.")
    if response.status_code == 404:
        assert response.json() == error("Không tìm thấy báo cáo tiến độ.")


def test_upload_by_token_and_nfd_name_stored_nfc(world, api, check_in):
    name = unicodedata.normalize("NFD", "Biên bản kiểm tra.pdf")
    response = api("officer", token=True).upload(f"/check-ins/{check_in.id}/evidence", name,
                                                 PDF)
    assert response.status_code == 201
    assert response.json()["original_name"] == "Biên bản kiểm tra.pdf"
    assert Evidence.objects.get().original_name == "Biên bản kiểm tra.pdf"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("anh.png", PDF, "Nội dung tệp “anh.png” không đúng định dạng PNG (tệp hỏng hoặc bị đổi "
                     "đuôi)."),
    ("bao-cao.docx", b"PK\x03\x04 not a zip", "Nội dung tệp “bao-cao.docx” không đúng định "
                                              "dạng DOCX (tệp hỏng hoặc bị đổi đuôi)."),
    ("virus.exe", b"MZ\x90\x00", "Tệp “virus.exe” không thuộc loại được chấp nhận (PDF, JPG, "
                                 "PNG, DOCX, XLSX)."),
    ("rong.pdf", b"", "Tệp “rong.pdf” rỗng."),
])
def test_corrupt_or_foreign_evidence_is_refused(world, api, check_in, settings, name, content,
                                                message):
    events = AuditEvent.objects.count()
    response = api("officer").upload(f"/check-ins/{check_in.id}/evidence", name, content)
    assert (response.status_code, response.json()) == (400, error(message))
    assert not Evidence.objects.exists()
    assert _stored_files(settings) == []
    assert AuditEvent.objects.count() == events


def test_a_real_docx_is_accepted(world, api, check_in):
    response = api("officer").upload(f"/check-ins/{check_in.id}/evidence", "bc.docx", _docx())
    assert (response.status_code, response.json()["kind"]) == (201, "docx")


def test_oversized_evidence_is_refused_before_reading(world, api, check_in, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    content = PDF + b"0" * (1024 * 1024)
    response = api("officer").upload(f"/check-ins/{check_in.id}/evidence", "lon.pdf", content)
    assert (response.status_code, response.json()) == (
        400, error("Tệp “lon.pdf” vượt giới hạn 1 MB."))
    assert not Evidence.objects.exists()
    assert _stored_files(settings) == []


def test_upload_without_a_file_is_422(world, api, check_in):
    api_client = api("officer")
    response = api_client.client.post(f"/api/v1/check-ins/{check_in.id}/evidence", {})
    assert response.status_code == 422
    assert response.json() == {"detail": "Dữ liệu gửi lên không hợp lệ: file.",
                               "errors": [{"field": "file", "message": "Thiếu trường bắt buộc."}]}


def test_upload_to_an_unknown_check_in_is_404(world, api, check_in):
    response = api("officer").upload("/check-ins/987654/evidence", "a.pdf", PDF)
    assert (response.status_code, response.json()) == (404, error(
        "Không tìm thấy báo cáo tiến độ."))


def test_upload_after_reporting_closed_is_409(world, api, check_in):
    kt = world.bloc_years["KT"]
    for phase in ("mid_year_review", "self_assessment", "appraisal"):
        org_services.move_phase(world.actor("admin"), kt, phase)
    response = api("officer").upload(f"/check-ins/{check_in.id}/evidence", "a.pdf", PDF)
    assert (response.status_code, response.json()) == (409, error(
        "Chỉ bổ sung minh chứng khi bản đăng ký đã gửi và năm thi đua đang diễn ra."))


# --- evidence download ----------------------------------------------------------------

@pytest.mark.parametrize("who", WHO)
def test_download_evidence_matrix(world, api, check_in, who):
    uploaded = api("officer").upload(f"/check-ins/{check_in.id}/evidence",
                                     "Biên bản.pdf", PDF).json()
    response = api(who, token=who != "anonymous").get(uploaded["download_url"])
    assert response.status_code == VIEW[who]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            "attachment; filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n.pdf")
    elif response.status_code == 404:
        assert response.json() == error("Không tìm thấy tệp minh chứng.")


def test_download_of_a_file_missing_on_disk_is_404(world, api, check_in):
    uploaded = api("officer").upload(f"/check-ins/{check_in.id}/evidence", "a.pdf", PDF).json()
    evidence = Evidence.objects.get(pk=uploaded["id"])
    evidence.file.storage.delete(evidence.file.name)
    response = api("officer").get(uploaded["download_url"])
    assert (response.status_code, response.json()) == (404, error(
        "Tệp minh chứng không còn trên máy chủ."))


def test_check_in_listing_shows_evidence(world, api, check_in):
    uploaded = api("officer").upload(f"/check-ins/{check_in.id}/evidence", "a.pdf", PDF).json()
    listing = api("leader").get(f"/targets/{check_in.target_id}/check-ins").json()
    assert listing[0]["evidence"] == [uploaded]
    assert listing[0]["reported_on"] == timezone.localdate().isoformat()
