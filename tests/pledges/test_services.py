"""Pledge services against the real database: registration lifecycle, targets, progress
with evidence files, pledge signing (RULES.md 7, 8). Each refusal changes nothing."""

import datetime
import hashlib
import unicodedata
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.utils import timezone

from thidua.core.audit import verify
from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.core.evidence import Upload, check_files, storing
from thidua.core.models import AuditEvent
from thidua.org import services as org_services
from thidua.pledges import services
from thidua.pledges.models import (
    CheckIn,
    Evidence,
    PledgeSignature,
    PledgeSigning,
    RegisteredTitle,
    Registration,
    Target,
)
from thidua.pledges.services import TargetInput

from . import files


def db_state():
    return {
        "registrations": sorted(Registration.objects.values_list(
            "id", "unit_id", "status", "submitted_at", "submitted_by_id")),
        "titles": sorted(RegisteredTitle.objects.values_list("registration_id", "award_form")),
        "targets": sorted(Target.objects.values_list(
            "id", "indicator", "baseline", "target_value", "unit_of_measure", "deadline",
            "latest_actual", "latest_reported_on")),
        "check_ins": sorted(CheckIn.objects.values_list("id", "target_id", "actual_value")),
        "evidence": sorted(Evidence.objects.values_list("id", "file", "sha256")),
        "signatures": sorted(PledgeSignature.objects.values_list(
            "signing_id", "unit_id", "status", "signer_name", "absence_reason")),
        "signings": sorted(PledgeSigning.objects.values_list("bloc_year_id", "signed_on",
                                                             "place")),
        "audit": list(AuditEvent.objects.values_list("id", flat=True)),
        "media": media_files(),
    }


def media_files():
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) \
        if root.exists() else []


def refused(exc_type, call, *args, **kwargs):
    before = db_state()
    with pytest.raises(exc_type) as caught:
        call(*args, **kwargs)
    assert db_state() == before
    return caught.value.messages


def new_events(since):
    return list(AuditEvent.objects.filter(id__gt=since).order_by("id"))


def last_event_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def target_input(year, **changes):
    data = {"indicator": "Tỷ lệ hồ sơ giải quyết đúng hạn", "target_value": D("98.50"),
            "unit_of_measure": "%", "deadline": datetime.date(year, 12, 15),
            "baseline": D("90")}
    data.update(changes)
    return TargetInput(**data)


@pytest.fixture
def draft(world):
    """KT1's draft with two titles, and a draft of the peer unit KT2 that must not leak."""
    officer = world.actor("officer")
    registration = services.open_registration(officer, world.units["KT1"], world.year)
    services.set_titles(officer, registration, ["provincial_flag", "excellent_collective"])
    peer = services.open_registration(world.actor("peer"), world.units["KT2"], world.year)
    services.set_titles(world.actor("peer"), peer, ["certificate_of_merit"])
    services.add_target(world.actor("peer"), peer, target_input(world.year.year,
                                                                indicator="Bí mật của KT2"))
    return registration


@pytest.fixture
def running(world, draft):
    """KT1's submitted registration with one target, the bloc year under way."""
    target = services.add_target(world.actor("officer"), draft, target_input(world.year.year))
    services.submit_registration(world.actor("officer"), draft)
    org_services.move_phase(world.actor("leader"), world.bloc_years["KT"], "in_progress")
    draft.refresh_from_db()
    target.refresh_from_db()
    return target


# --- opening and titles -----------------------------------------------------------------

def test_open_registration_creates_one_draft(world):
    since = last_event_id()
    officer = world.actor("officer")
    registration = services.open_registration(officer, world.units["KT1"], world.year)
    again = services.open_registration(officer, world.units["KT1"], world.year)
    assert again.pk == registration.pk
    assert (registration.status, registration.bloc_year_id, registration.emulation_year_id) == (
        "draft", world.bloc_years["KT"].id, world.year.id)
    assert [(e.action, e.object_id, e.after, e.actor) for e in new_events(since)] == [
        ("pledges.registration.create", str(registration.id),
         {"status": "draft", "titles": [], "targets": []}, world.users["officer"])]


@pytest.mark.parametrize("who", ["peer", "outsider", "leader", "secretariat", "admin",
                                 "delegate", "nobody"])
def test_only_the_units_officer_opens_its_registration(world, who):
    assert refused(Forbidden, services.open_registration, world.actor(who), world.units["KT1"],
                   world.year) == [
        "Chỉ cán bộ thi đua của đơn vị được lập bản đăng ký của đơn vị."]


def test_registration_can_open_late_but_not_after_the_year_runs(world):
    kt = world.bloc_years["KT"]
    org_services.move_phase(world.actor("leader"), kt, "in_progress")
    late = services.open_registration(world.actor("peer"), world.units["KT2"], world.year)
    assert late.status == "draft"
    org_services.move_phase(world.actor("leader"), kt, "mid_year_review")
    assert refused(Conflict, services.open_registration, world.actor("officer"),
                   world.units["KT1"], world.year) == [
        "Khối Kinh tế đã qua giai đoạn đăng ký thi đua."]


def test_a_unit_in_no_bloc_that_year(world):
    next_year = org_services.ensure_year(world.actor("admin"), world.province,
                                         world.year.year + 1)
    assert refused(DomainError, services.open_registration, world.actor("officer"),
                   world.units["KT1"], next_year) == [
        f"Sở Công Thương chưa thuộc khối nào trong năm {world.year.year + 1}."]


def test_set_titles_replaces_the_set_and_records_before_after(world, draft):
    since = last_event_id()
    services.set_titles(world.actor("officer"), draft, ["certificate_of_merit",
                                                        "excellent_collective"])
    assert set(draft.titles.values_list("award_form", flat=True)) == {
        "certificate_of_merit", "excellent_collective"}
    [event] = new_events(since)
    assert (event.action, event.before["titles"], event.after["titles"]) == (
        "pledges.registration.titles", ["excellent_collective", "provincial_flag"],
        ["certificate_of_merit", "excellent_collective"])


def test_unknown_title_is_refused(world, draft):
    assert refused(DomainError, services.set_titles, world.actor("officer"), draft,
                   ["provincial_flag", "nobel", "cup"]) == [
        "Danh hiệu không hợp lệ: cup, nobel."]


# --- targets --------------------------------------------------------------------------------

def test_add_target_stores_exact_nfc_values(world, draft):
    year = world.year.year
    since = last_event_id()
    typed = unicodedata.normalize("NFD", "  Số hồ sơ trực tuyến toàn trình ")
    target = services.add_target(world.actor("officer"), draft, target_input(
        year, indicator=typed, unit_of_measure=" hồ sơ ", target_value=D("1200.5"),
        baseline=D("-3.25"), deadline=datetime.date(year, 1, 1)))
    stored = Target.objects.get(pk=target.pk)
    assert (stored.indicator, stored.unit_of_measure, stored.target_value, stored.baseline,
            stored.deadline, stored.latest_actual) == (
        "Số hồ sơ trực tuyến toàn trình", "hồ sơ", D("1200.50"), D("-3.25"),
        datetime.date(year, 1, 1), None)
    [event] = new_events(since)
    assert (event.action, event.object_id, event.after) == ("pledges.target.add", str(target.pk), {
        "indicator": "Số hồ sơ trực tuyến toàn trình", "baseline": "-3.25",
        "target_value": "1200.5", "unit_of_measure": "hồ sơ", "deadline": f"{year}-01-01"})


@pytest.mark.parametrize("changes,messages", [
    ({"target_value": D("98.505")},
     ["Giá trị mục tiêu chỉ được có tối đa 2 chữ số thập phân."]),
    ({"baseline": D("0.001")}, ["Giá trị xuất phát chỉ được có tối đa 2 chữ số thập phân."]),
    ({"target_value": D("NaN")}, ["Giá trị mục tiêu không hợp lệ."]),
    ({"target_value": D("sNaN")}, ["Giá trị mục tiêu không hợp lệ."]),
    ({"target_value": D("Infinity")}, ["Giá trị mục tiêu không hợp lệ."]),
    ({"baseline": D("-Infinity")}, ["Giá trị xuất phát không hợp lệ."]),
    ({"target_value": D("1E+13")}, ["Giá trị mục tiêu không hợp lệ."]),
    ({"baseline": D("-10000000000000.00")}, ["Giá trị xuất phát không hợp lệ."]),
    ({"deadline": "previous"}, ["Thời hạn phải nằm trong năm thi đua {year}."]),
    ({"deadline": "next"}, ["Thời hạn phải nằm trong năm thi đua {year}."]),
    ({"indicator": "  ", "unit_of_measure": ""}, ["Chưa nhập tên chỉ tiêu.",
                                                   "Chưa nhập đơn vị tính."]),
    ({"indicator": "x" * 501}, ["Tên chỉ tiêu dài quá 500 ký tự."]),
    ({"unit_of_measure": "đ" * 51}, ["Đơn vị tính dài quá 50 ký tự."]),
    ({"indicator": "", "target_value": D("NaN"), "baseline": D("1.111"), "deadline": "next"},
     ["Chưa nhập tên chỉ tiêu.", "Giá trị mục tiêu không hợp lệ.",
      "Giá trị xuất phát chỉ được có tối đa 2 chữ số thập phân.",
      "Thời hạn phải nằm trong năm thi đua {year}."]),
])
def test_bad_target_values_are_refused(world, draft, changes, messages):
    year = world.year.year
    if changes.get("deadline") == "previous":
        changes["deadline"] = datetime.date(year - 1, 12, 31)
    elif changes.get("deadline") == "next":
        changes["deadline"] = datetime.date(year + 1, 1, 1)
    assert refused(DomainError, services.add_target, world.actor("officer"), draft,
                   target_input(year, **changes)) == [m.format(year=year) for m in messages]


@pytest.mark.parametrize("value", [D("9999999999999.99"), D("-9999999999999.99"),
                                   D("1234567890123.45"), D("0.01"), D("-0.01")])
def test_the_largest_values_come_back_exactly(world, draft, value):
    """15 significant digits: SQLite stores decimals as floating point, exact that far."""
    target = services.add_target(world.actor("officer"), draft, target_input(
        world.year.year, target_value=value, baseline=-value,
        indicator="x" * 500, unit_of_measure="đ" * 50))
    stored = Target.objects.get(pk=target.pk)
    assert (stored.target_value, stored.baseline, len(stored.indicator),
            stored.unit_of_measure) == (value, -value, 500, "đ" * 50)


def test_remove_target(world, draft):
    target = services.add_target(world.actor("officer"), draft, target_input(world.year.year))
    target_id = target.pk
    since = last_event_id()
    services.remove_target(world.actor("officer"), target)
    assert not Target.objects.filter(pk=target_id).exists()
    [event] = new_events(since)
    assert (event.action, event.object_id, event.before, event.after) == (
        "pledges.target.remove", str(target_id),
        {"indicator": "Tỷ lệ hồ sơ giải quyết đúng hạn", "target_value": "98.50"}, None)


@pytest.mark.parametrize("who", ["peer", "outsider", "leader", "admin", "delegate"])
def test_another_units_registration_cannot_be_edited(world, draft, who):
    target = services.add_target(world.actor("officer"), draft, target_input(world.year.year))
    actor = world.actor(who)
    message = ["Bạn không được sửa bản đăng ký này."]
    assert refused(Forbidden, services.set_titles, actor, draft, ["provincial_flag"]) == message
    assert refused(Forbidden, services.add_target, actor, draft,
                   target_input(world.year.year)) == message
    assert refused(Forbidden, services.remove_target, actor, target) == message
    assert refused(Forbidden, services.submit_registration, actor, draft) == message


# --- submit and withdraw ----------------------------------------------------------------------

def test_submit_needs_titles_and_targets(world):
    registration = services.open_registration(world.actor("officer"), world.units["KT1"],
                                              world.year)
    assert refused(DomainError, services.submit_registration, world.actor("officer"),
                   registration) == ["Chưa chọn danh hiệu thi đua đăng ký.",
                                     "Chưa có chỉ tiêu nào."]
    services.set_titles(world.actor("officer"), registration, ["provincial_flag"])
    assert refused(DomainError, services.submit_registration, world.actor("officer"),
                   registration) == ["Chưa có chỉ tiêu nào."]


@pytest.mark.parametrize("days,on_time", [(0, True), (1, True), (-1, False)])
def test_submit_records_whether_it_was_on_time(world, draft, days, on_time):
    """RULES.md 7: the deadline day itself (local date) is on time, the next day late."""
    world.year.registration_deadline = timezone.localdate() + datetime.timedelta(days=days)
    world.year.save()
    services.add_target(world.actor("officer"), draft, target_input(world.year.year))
    since = last_event_id()
    services.submit_registration(world.actor("officer"), draft)
    stored = Registration.objects.get(pk=draft.pk)
    assert (stored.status, stored.submitted_by, stored.submitted_on) == (
        "submitted", world.users["officer"], timezone.localdate())
    [event] = new_events(since)
    assert (event.action, event.before, event.after) == (
        "pledges.registration.submit", {"status": "draft"},
        {"status": "submitted", "on_time": on_time})


def test_a_submitted_registration_is_frozen_until_withdrawn(world, draft):
    target = services.add_target(world.actor("officer"), draft, target_input(world.year.year))
    services.submit_registration(world.actor("officer"), draft)
    officer = world.actor("officer")
    frozen = ["Bản đăng ký đã gửi; rút lại để sửa (chỉ trong giai đoạn đăng ký)."]
    assert refused(Conflict, services.set_titles, officer, draft, ["provincial_flag"]) == frozen
    assert refused(Conflict, services.add_target, officer, draft,
                   target_input(world.year.year)) == frozen
    assert refused(Conflict, services.remove_target, officer, target) == frozen
    assert refused(Conflict, services.submit_registration, officer, draft) == frozen


def test_withdraw_needs_a_reason_then_returns_to_draft(world, draft):
    services.add_target(world.actor("officer"), draft, target_input(world.year.year))
    services.submit_registration(world.actor("officer"), draft)
    assert refused(DomainError, services.withdraw_registration, world.actor("officer"), draft,
                   " \n") == ["Rút lại bản đăng ký phải ghi rõ lý do."]
    since = last_event_id()
    services.withdraw_registration(world.actor("officer"), draft, "  Bổ sung chỉ tiêu  ")
    stored = Registration.objects.get(pk=draft.pk)
    assert (stored.status, stored.submitted_at, stored.submitted_by) == ("draft", None, None)
    [event] = new_events(since)
    assert (event.action, event.before, event.after, event.reason) == (
        "pledges.registration.withdraw", {"status": "submitted"}, {"status": "draft"},
        "Bổ sung chỉ tiêu")
    services.set_titles(world.actor("officer"), draft, ["provincial_flag"])  # editable again


def test_withdraw_only_a_submitted_one_during_registration(world, draft):
    wrong_state = ["Chỉ rút lại được bản đăng ký đã gửi, trong giai đoạn đăng ký."]
    assert refused(Conflict, services.withdraw_registration, world.actor("officer"), draft,
                   "lý do") == wrong_state
    services.add_target(world.actor("officer"), draft, target_input(world.year.year))
    services.submit_registration(world.actor("officer"), draft)
    assert refused(Forbidden, services.withdraw_registration, world.actor("peer"), draft,
                   "lý do") == ["Bạn không được rút lại bản đăng ký này."]
    org_services.move_phase(world.actor("leader"), world.bloc_years["KT"], "in_progress")
    draft.bloc_year.refresh_from_db()
    assert refused(Conflict, services.withdraw_registration, world.actor("officer"), draft,
                   "lý do") == wrong_state


def test_own_draft_is_closed_once_the_year_is_under_way(world, draft):
    kt = world.bloc_years["KT"]
    for phase in ("in_progress", "mid_year_review"):
        org_services.move_phase(world.actor("leader"), kt, phase)
    draft.bloc_year.refresh_from_db()
    assert refused(Conflict, services.set_titles, world.actor("officer"), draft,
                   ["provincial_flag"]) == [
        "Khối Kinh tế đã qua giai đoạn đăng ký thi đua; không sửa được bản đăng ký."]


def test_a_stale_copy_cannot_change_a_submitted_registration(world, draft):
    """Two tabs: one submits; the other, still showing the draft, must not add targets."""
    services.add_target(world.actor("officer"), draft, target_input(world.year.year))
    stale = Registration.objects.get(pk=draft.pk)
    services.submit_registration(world.actor("officer"), draft)
    assert refused(Conflict, services.add_target, world.actor("officer"), stale,
                   target_input(world.year.year)) == [
        "Bản đăng ký đã gửi; rút lại để sửa (chỉ trong giai đoạn đăng ký)."]


# --- progress with evidence -------------------------------------------------------------------

def test_report_progress_stores_files_hashes_and_the_latest_value(world, running):
    uploads = [Upload("Báo cáo quý III.pdf", files.pdf()), Upload("ảnh hội nghị.PNG", files.png()),
               Upload("ảnh.jpg", files.jpeg()), Upload("Số liệu.xlsx", files.xlsx()),
               Upload(unicodedata.normalize("NFD", "Kế hoạch.docx"), files.docx())]
    since = last_event_id()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    check_in = services.report_progress(world.actor("officer"), running, reported_on=yesterday,
                                        actual_value=D("95.25"), note="  Đạt khá  ",
                                        files=uploads)
    assert (check_in.actual_value, check_in.reported_on, check_in.note, check_in.author) == (
        D("95.25"), yesterday, "Đạt khá", world.users["officer"])
    rows = list(Evidence.objects.filter(check_in=check_in).order_by("id"))
    assert [(e.original_name, e.kind, e.size, e.sha256, e.unit_id, e.uploaded_by)
            for e in rows] == [
        (u.name if i != 4 else "Kế hoạch.docx", kind, len(u.content),
         hashlib.sha256(u.content).hexdigest(), world.units["KT1"].id, world.users["officer"])
        for i, (u, kind) in enumerate(zip(uploads, ["pdf", "png", "jpeg", "xlsx", "docx"],
                                          strict=True))]
    for evidence, upload in zip(rows, uploads, strict=True):
        folder, name = evidence.file.name.rsplit("/", 1)
        assert folder == f"evidence/{world.units['KT1'].id}"
        assert len(name) == 32 and set(name) <= set("0123456789abcdef")  # never the user's name
        assert (settings.MEDIA_ROOT / evidence.file.name).read_bytes() == upload.content
    assert media_files() == sorted(e.file.name for e in rows)
    stored = Target.objects.get(pk=running.pk)
    assert (stored.latest_actual, stored.latest_reported_on) == (D("95.25"), yesterday)
    assert (running.latest_actual, running.latest_reported_on) == (D("95.25"), yesterday)
    [event] = new_events(since)
    assert (event.action, event.object_id, event.after) == (
        "pledges.check_in.create", str(check_in.pk),
        {"target": running.pk, "reported_on": yesterday.isoformat(), "actual_value": "95.25",
         "evidence": [e.sha256 for e in rows]})
    assert verify() is None


def test_one_bad_file_among_good_ones_writes_nothing(world, running):
    uploads = [Upload("bao-cao.pdf", files.pdf()), Upload("anh.png", files.jpeg()),
               Upload("trong.docx", b""), Upload("so-lieu.xlsx", files.xlsx())]
    assert refused(DomainError, services.report_progress, world.actor("officer"), running,
                   reported_on=timezone.localdate(), actual_value=D("96"), files=uploads) == [
        "Nội dung tệp “anh.png” không đúng định dạng PNG (tệp hỏng hoặc bị đổi đuôi).",
        "Tệp “trong.docx” rỗng."]
    assert media_files() == []
    assert Target.objects.get(pk=running.pk).latest_actual is None


def test_an_oversized_file_is_refused(world, running, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    big = files.pdf() + b"\n" * (1024 * 1024)
    assert refused(DomainError, services.report_progress, world.actor("officer"), running,
                   reported_on=timezone.localdate(), actual_value=D("96"),
                   files=[Upload("lon.pdf", big)]) == [
        "Tệp “lon.pdf” dung lượng 1,0 MB, vượt giới hạn 1,0 MB."]  # 335 bytes over


@pytest.mark.parametrize("value,days,messages", [
    (D("96.125"), 0, ["Kết quả đạt được chỉ được có tối đa 2 chữ số thập phân."]),
    (D("NaN"), 0, ["Kết quả đạt được không hợp lệ."]),
    (D("-Infinity"), 0, ["Kết quả đạt được không hợp lệ."]),
    (D("10000000000000"), 0, ["Kết quả đạt được không hợp lệ."]),
    (D("96"), 1, ["Ngày báo cáo không được sau ngày hôm nay."]),
    (D("1.001"), 2, ["Kết quả đạt được chỉ được có tối đa 2 chữ số thập phân.",
                     "Ngày báo cáo không được sau ngày hôm nay."]),
])
def test_bad_progress_values(world, running, value, days, messages):
    assert refused(DomainError, services.report_progress, world.actor("officer"), running,
                   reported_on=timezone.localdate() + datetime.timedelta(days=days),
                   actual_value=value, files=[Upload("a.pdf", files.pdf())]) == messages


def test_progress_dated_before_the_emulation_year_is_refused(world, running):
    last_december = datetime.date(world.year.year - 1, 12, 31)
    assert refused(DomainError, services.report_progress, world.actor("officer"), running,
                   reported_on=last_december, actual_value=D("96")) == [
        f"Ngày báo cáo phải thuộc năm thi đua {world.year.year} trở về sau."]


def test_the_latest_value_is_the_latest_date_not_the_latest_entry(world, running):
    today = timezone.localdate()
    officer = world.actor("officer")
    services.report_progress(officer, running, reported_on=today, actual_value=D("97"))
    services.report_progress(officer, running, reported_on=today - datetime.timedelta(days=30),
                             actual_value=D("91"))  # a late entry for an earlier month
    stored = Target.objects.get(pk=running.pk)
    assert (stored.latest_actual, stored.latest_reported_on) == (D("97"), today)
    services.report_progress(officer, running, reported_on=today, actual_value=D("98.5"))
    stored = Target.objects.get(pk=running.pk)
    assert (stored.latest_actual, stored.latest_reported_on) == (D("98.50"), today)
    assert CheckIn.objects.filter(target=running).count() == 3


@pytest.mark.parametrize("who", ["peer", "outsider", "leader", "secretariat", "admin",
                                 "delegate", "nobody"])
def test_only_the_units_officer_reports_progress(world, running, who):
    assert refused(Forbidden, services.report_progress, world.actor(who), running,
                   reported_on=timezone.localdate(), actual_value=D("96"),
                   files=[Upload("a.pdf", files.pdf())]) == [
        "Bạn không được báo cáo tiến độ cho đơn vị này."]


def test_progress_only_while_the_year_runs_and_once_submitted(world, draft):
    target = services.add_target(world.actor("officer"), draft, target_input(world.year.year))
    wrong_time = ["Chỉ báo cáo tiến độ khi bản đăng ký đã gửi và năm thi đua đang diễn ra."]
    call = (services.report_progress, world.actor("officer"), target)
    kwargs = {"reported_on": timezone.localdate(), "actual_value": D("96")}
    assert refused(Conflict, *call, **kwargs) == wrong_time  # a draft, registration phase
    services.submit_registration(world.actor("officer"), draft)
    target.registration.refresh_from_db()
    assert refused(Conflict, *call, **kwargs) == wrong_time  # submitted, registration phase
    kt = world.bloc_years["KT"]
    for phase in ("in_progress", "mid_year_review", "self_assessment"):
        org_services.move_phase(world.actor("leader"), kt, phase)
        target.registration.bloc_year.refresh_from_db()
        services.report_progress(world.actor("officer"), target, **kwargs)
    org_services.move_phase(world.actor("leader"), kt, "appraisal")
    target.registration.bloc_year.refresh_from_db()
    assert refused(Conflict, *call, **kwargs) == wrong_time


# --- pledge signing (RULES.md 8) -----------------------------------------------------------

def sign(world, who, code, status="signed", **kwargs):
    kwargs.setdefault("signer_name", "Nguyễn Văn An" if status == "signed" else "")
    kwargs.setdefault("absence_reason", "" if status == "signed" else "Đi công tác")
    return services.record_signature(
        world.actor(who), world.bloc_years[code[:2]], world.units[code],
        signed_on=datetime.date(world.year.year, 2, 20), place="Hội trường UBND tỉnh",
        status=status, **kwargs)


def test_rule_8_pledge_counts_as_signed_when_everyone_signed_or_is_absent(world):
    """RULES.md 8."""
    kt = world.bloc_years["KT"]
    ids = {code: world.units[code].id for code in ("KT1", "KT2", "KT3", "KT4", "KT5")}
    status = services.pledge_status(kt)
    assert (status.complete, status.missing) == (False, frozenset(ids.values()))
    for code in ("KT1", "KT2", "KT3"):
        sign(world, "leader", code)
    sign(world, "secretariat", "KT4", "absent")
    status = services.pledge_status(kt)
    assert (status.complete, status.signed, status.absent, status.missing) == (
        False, frozenset({ids["KT1"], ids["KT2"], ids["KT3"]}), frozenset({ids["KT4"]}),
        frozenset({ids["KT5"]}))
    sign(world, "leader", "KT5", "absent", absence_reason="Ốm")
    assert services.pledge_status(kt).complete
    # The other bloc's record is untouched by all this.
    assert services.pledge_status(world.bloc_years["VX"]).missing == frozenset(
        world.units[c].id for c in ("VX1", "VX2", "VX3", "VX4", "VX5"))
    signing = PledgeSigning.objects.get(bloc_year=kt)
    assert (signing.signed_on, signing.place) == (datetime.date(world.year.year, 2, 20),
                                                   "Hội trường UBND tỉnh")


def test_re_recording_a_line_keeps_one_row_and_audits_before_after(world):
    sign(world, "leader", "KT2", "absent", absence_reason="Đi công tác")
    since = last_event_id()
    signature = sign(world, "leader", "KT2", signer_name=unicodedata.normalize(
        "NFD", " Trần Thị Bình "))
    assert PledgeSignature.objects.filter(unit=world.units["KT2"]).count() == 1
    assert (signature.status, signature.signer_name, signature.absence_reason) == (
        "signed", "Trần Thị Bình", "")
    [event] = new_events(since)
    assert (event.action, event.before, event.after) == (
        "pledges.signing.record",
        {"status": "absent", "signer_name": "", "absence_reason": "Đi công tác"},
        {"unit": world.units["KT2"].id, "status": "signed", "signer_name": "Trần Thị Bình",
         "absence_reason": ""})


@pytest.mark.parametrize("kwargs,messages", [
    ({"status": "signed", "signer_name": "  "}, ["Ghi rõ họ tên người ký."]),
    ({"status": "absent", "absence_reason": ""}, ["Ghi rõ lý do vắng mặt."]),
    ({"status": "maybe", "signer_name": "A"}, ["Trạng thái ký kết không hợp lệ."]),
])
def test_bad_signature_lines(world, kwargs, messages):
    assert refused(DomainError, sign, world, "leader", "KT1", **kwargs) == messages


def test_a_signing_date_outside_the_emulation_year_is_refused(world):
    assert refused(DomainError, services.record_signature, world.actor("leader"),
                   world.bloc_years["KT"], world.units["KT2"],
                   signed_on=datetime.date(world.year.year - 1, 12, 20), status="signed",
                   signer_name="A") == [f"Ngày ký kết phải thuộc năm thi đua {world.year.year}."]
    assert not PledgeSignature.objects.exists()


def test_a_unit_outside_the_bloc_cannot_sign_its_pledge(world):
    assert refused(DomainError, services.record_signature, world.actor("leader"),
                   world.bloc_years["KT"], world.units["VX1"],
                   signed_on=datetime.date(world.year.year, 2, 20), status="signed",
                   signer_name="A") == [f"Sở Y tế không phải thành viên của khối năm "
                                        f"{world.year.year}."]


@pytest.mark.parametrize("who,code", [("officer", "KT1"), ("delegate", "KT3"),
                                      ("leader", "VX1"), ("other_secretariat", "KT1"),
                                      ("nobody", "KT1")])
def test_only_the_leader_or_the_province_records_signatures(world, who, code):
    assert refused(Forbidden, sign, world, who, code) == [
        "Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh ghi nhận ký kết."]


def test_a_target_with_reported_progress_cannot_be_removed(world, running):
    """The province may reopen registration (a back move) and the unit withdraw, but the
    progress and evidence already reported must not vanish with the target."""
    services.report_progress(world.actor("officer"), running, reported_on=timezone.localdate(),
                             actual_value=D("95"), files=[Upload("a.pdf", files.pdf())])
    org_services.move_phase(world.actor("secretariat"), world.bloc_years["KT"], "registration",
                            "Mở lại để đơn vị bổ sung")
    registration = Registration.objects.get(pk=running.registration_id)
    services.withdraw_registration(world.actor("officer"), registration, "Bổ sung")
    target = Target.objects.get(pk=running.pk)
    assert refused(Conflict, services.remove_target, world.actor("officer"), target) == [
        "Chỉ tiêu đã có báo cáo tiến độ; không xóa được."]
    assert len(media_files()) == 1


def test_evidence_written_in_a_transaction_that_fails_is_removed_again(world, running):
    """core.evidence.storing, the one upload path (pledges, year facts, scores): a file
    already on disk when the transaction fails is deleted with its row."""
    check_in = services.report_progress(world.actor("officer"), running,
                                        reported_on=timezone.localdate(), actual_value=D("1"))
    before = db_state()
    [(upload, verdict)], problems = check_files([Upload("bao-cao.pdf", files.pdf())])
    assert (problems, verdict.kind) == ([], "pdf")
    with pytest.raises(RuntimeError), storing(Evidence) as keep:
        kept = keep(upload, verdict, check_in=check_in, unit_id=world.units["KT1"].id,
                    uploaded_by=world.users["officer"])
        assert media_files() == [kept.file.name]
        raise RuntimeError("the audit write failed")
    assert db_state() == before
    assert media_files() == []
