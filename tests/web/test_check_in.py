"""Progress reports with evidence files, and the evidence download."""

import datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.factories import PDF, today

from thidua.core.evidence import Upload
from thidua.core.models import AuditEvent
from thidua.org import services as org_services
from thidua.org.domain.phases import Phase
from thidua.pledges import services as pledge_services
from thidua.pledges.models import CheckIn, Evidence, Registration, Target

from .conftest import PNG, matrix, outcome, register, report, start_year
from .page import parse


@pytest.fixture
def running(world):
    """KT's year under way, KT1's pledge submitted with one target."""
    start_year(world)
    registration = register(world, "officer", "KT1")
    return world, registration.targets.get()


def url(target):
    return f"/chi-tieu/{target.pk}/bao-cao/"


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=403, secretariat=403, other_secretariat=404, leader=403, officer=200, peer=403,
    outsider=404, delegate=403, nobody=404, anonymous="login",
))
def test_who_may_open_the_check_in_form(running, as_who, who, status):
    _, target = running
    assert outcome(as_who(who).get(url(target))) == status


def test_report_with_several_evidence_files(running, as_who, settings):
    world, target = running
    response = as_who("officer").post(url(target), {
        "reported_on": today().isoformat(), "actual_value": "92", "note": "Quý III",
        "files": [upload("Biên bản họp.pdf", PDF), upload("ảnh hội nghị.png", PNG)],
    })
    assert response.status_code == 302
    assert response["Location"] == f"/don-vi/{world.units['KT1'].pk}/?nam={world.year.year}"
    check_in = CheckIn.objects.get()
    assert (check_in.actual_value, check_in.note, check_in.reported_on) == (92, "Quý III", today())
    assert sorted(check_in.evidence.values_list("original_name", "kind")) == [
        ("Biên bản họp.pdf", "pdf"), ("ảnh hội nghị.png", "png")]
    target.refresh_from_db()
    assert target.latest_actual == 92
    assert len(media_files(settings)) == 2
    assert AuditEvent.objects.filter(action="pledges.check_in.create").count() == 1
    page = parse(as_who("officer").get(response["Location"]))
    bar = page.by_id(f"tien-do-{target.pk}")
    assert (bar.attrs["value"], bar.attrs["max"]) == ("80", "100")  # (92−80)/(95−80)


def post_bad(client, target, files, **fields):
    data = {"reported_on": today().isoformat(), "actual_value": "90", "note": "Ghi chú gõ dở",
            "files": files}
    data.update(fields)
    return client.post(url(target), data)


def assert_nothing_written(settings, audit_before):
    assert CheckIn.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert media_files(settings) == []
    assert AuditEvent.objects.count() == audit_before
    assert Target.objects.get().latest_actual is None


@pytest.mark.parametrize(("files", "message"), [
    ([upload("Báo cáo.pdf", b"day khong phai PDF")],
     "Nội dung tệp “Báo cáo.pdf” không đúng định dạng PDF (tệp hỏng hoặc bị đổi đuôi)."),
    ([upload("chuong-trinh.exe", b"MZ\x90\x00")],
     "Tệp “chuong-trinh.exe” không thuộc loại được chấp nhận (PDF, JPG, PNG, DOCX, XLSX)."),
    ([upload("Bảng.xlsx", b"PK\x03\x04broken")],
     "Nội dung tệp “Bảng.xlsx” không đúng định dạng XLSX (tệp hỏng hoặc bị đổi đuôi)."),
    ([upload("tốt.pdf", PDF), upload("rỗng.pdf", b"")], "Tệp “rỗng.pdf” rỗng."),
])
def test_bad_evidence_is_refused_and_nothing_is_written(running, as_who, settings, files,
                                                         message):
    _, target = running
    before = AuditEvent.objects.count()
    response = post_bad(as_who("officer"), target, files)
    assert response.status_code == 400
    page = parse(response)
    summary = page.with_class("error-summary")[0]
    assert [(a.text, a.attrs["href"]) for a in summary.find_all("a")] == [(message, "#id_files")]
    assert page.find("textarea", name="note").text == "Ghi chú gõ dở"
    assert page.find("input", name="actual_value").attrs["value"] == "90"
    assert_nothing_written(settings, before)


def test_a_too_large_file_is_refused(running, as_who, settings):
    _, target = running
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    before = AuditEvent.objects.count()
    big = PDF + b" " * (1024 * 1024 * 3 // 2)
    response = post_bad(as_who("officer"), target, [upload("Lớn.pdf", big)])
    assert response.status_code == 400
    summary = parse(response).with_class("error-summary")[0]
    assert [a.text for a in summary.find_all("a")] == [
        "Tệp “Lớn.pdf” dung lượng 1,5 MB, vượt giới hạn 1,0 MB."]
    assert_nothing_written(settings, before)


@pytest.mark.parametrize(("fields", "expected"), [
    ({"actual_value": ""}, [("Trường này là bắt buộc.", "#id_actual_value")]),
    ({"actual_value": "nhiều"}, [("Nhập một số.", "#id_actual_value")]),
    ({"reported_on": (today() + datetime.timedelta(days=3)).isoformat()},
     [("Ngày báo cáo không được sau ngày hôm nay.", "#id_reported_on")]),
])
def test_bad_fields_are_answered_beside_the_field(running, as_who, settings, fields,
                                                  expected):
    _, target = running
    before = AuditEvent.objects.count()
    response = post_bad(as_who("officer"), target, [upload("a.pdf", PDF)], **fields)
    assert response.status_code == 400
    summary = parse(response).with_class("error-summary")[0]
    assert [(a.text, a.attrs["href"]) for a in summary.find_all("a")] == expected
    assert_nothing_written(settings, before)


def test_reporting_before_the_year_starts_is_a_conflict(world, as_who, settings):
    registration = register(world, "officer", "KT1")
    target = registration.targets.get()
    before = AuditEvent.objects.count()
    response = post_bad(as_who("officer"), target, [upload("a.pdf", PDF)])
    assert response.status_code == 409
    summary = parse(response).with_class("error-summary")[0]
    assert [li.text for li in summary.find_all("li")] == [
        "Chỉ báo cáo tiến độ khi bản đăng ký đã gửi và năm thi đua đang diễn ra."]
    assert_nothing_written(settings, before)


def test_the_form_uses_multipart_and_labels(running, as_who):
    _, target = running
    page = parse(as_who("officer").get(url(target)))
    form = page.find("form", enctype="multipart/form-data")
    files = form.find("input", type="file")
    assert "multiple" in files.attrs and files.attrs["name"] == "files"
    labels = {label.attrs["for"] for label in form.find_all("label")}
    assert {"id_reported_on", "id_actual_value", "id_note", "id_files"} <= labels


# --- download ----------------------------------------------------------------------------

@pytest.fixture
def evidence(running):
    world, target = running
    report(world, "officer", target)
    return Evidence.objects.get()


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=200, peer=200,
    outsider=404, delegate=200, nobody=404, anonymous="login",
))
def test_who_may_download_evidence(evidence, as_who, who, status):
    response = as_who(who).get(f"/minh-chung/{evidence.pk}/")
    assert outcome(response) == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        response.close()


def test_download_headers(evidence, as_who):
    response = as_who("leader").get(f"/minh-chung/{evidence.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("Báo cáo quý.pdf"))
    assert response["Cache-Control"] == "private, no-store"
    response.close()


def test_a_dangerous_name_is_made_safe(running, as_who):
    world, target = running
    report(world, "officer", target,
           uploads=[Upload('..\\..\\evil"name;.pdf', PDF)])
    evidence = Evidence.objects.get()
    response = as_who("officer").get(f"/minh-chung/{evidence.pk}/")
    assert response["Content-Disposition"] == 'attachment; filename="evil_name.pdf"'
    response.close()


def test_evidence_of_a_withdrawn_pledge_is_hidden_again(running, as_who):
    """Back in registration and withdrawn, the pledge is a draft again: its evidence goes
    back to being the unit's own business."""
    world, target = running
    report(world, "officer", target)
    evidence = Evidence.objects.get()
    org_services.move_phase(world.actor("secretariat"), world.bloc_years["KT"],
                            Phase.REGISTRATION, "Đơn vị xin sửa đăng ký")
    registration = Registration.objects.get()
    pledge_services.withdraw_registration(world.actor("officer"), registration, "Sửa lại")
    assert as_who("peer").get(f"/minh-chung/{evidence.pk}/").status_code == 404
    assert as_who("leader").get(f"/minh-chung/{evidence.pk}/").status_code == 404
    own = as_who("officer").get(f"/minh-chung/{evidence.pk}/")
    assert own.status_code == 200
    own.close()


def test_a_missing_file_is_not_found(evidence, as_who):
    Path(evidence.file.path).unlink()
    assert as_who("officer").get(f"/minh-chung/{evidence.pk}/").status_code == 404

