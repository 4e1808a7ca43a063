"""The year-end conference page (issue 4 item 1; RULES.md 28, 29): create the conference,
attendance per member with htmx row saves, the quorum sentence of the services."""

import datetime

import pytest
from django.urls import reverse

from thidua.core.models import AuditEvent
from thidua.voting import services
from thidua.voting.models import Attendance, Conference
from voting.conftest import held_today, mark_present

from .conftest import matrix, outcome
from .page import inline_code, parse

FORM = {"held_at": "", "place": "Hội trường tỉnh", "chair": "Nguyễn Văn A",
        "secretary": "Trần Thị B", "guests": "Thường trực thi đua tỉnh",
        "agenda": "Tổng kết; bình xét"}


def form_data(**changes):
    data = {**FORM, "held_at": held_today().strftime("%Y-%m-%dT%H:%M")}
    data.update(changes)
    return data


@pytest.fixture
def conference(world):
    return services.create_conference(
        world.actor("leader"), world.bloc_years["KT"], held_at=held_today(),
        place="Hội trường tỉnh", chair="Nguyễn Văn A", secretary="Trần Thị B",
        guests="Thường trực thi đua tỉnh", agenda="Tổng kết")


def page_url(world):
    return reverse("voting_conference", args=[world.bloc_years["KT"].pk])


def attendance_url(conference, unit):
    return reverse("voting_attendance", args=[conference.pk, unit.pk])


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=200, secretariat=200, leader=200, officer=200, peer=200, delegate=200,
    other_secretariat=404, outsider=404, nobody=404, anonymous="login"))
def test_conference_page_matrix(world, conference, as_who, who, expected):
    assert outcome(as_who(who).get(page_url(world))) == expected


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=302, secretariat=302, leader=302, officer=403, peer=403, delegate=403,
    other_secretariat=404, outsider=404, nobody=404, anonymous="login"))
def test_create_matrix(world, as_who, who, expected):
    url = reverse("voting_conference_save", args=[world.bloc_years["KT"].pk])
    assert outcome(as_who(who).post(url, form_data())) == expected
    assert Conference.objects.count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=200, secretariat=200, leader=200, officer=403, peer=403, delegate=403,
    other_secretariat=404, outsider=404, nobody=404, anonymous="login"))
def test_attendance_matrix(world, conference, as_who, who, expected):
    response = as_who(who).post(attendance_url(conference, world.units["KT1"]),
                                {"present": "1", "delegate_name": "Lê C"},
                                headers={"HX-Request": "true"})
    assert outcome(response) == expected
    row = Attendance.objects.get(conference=conference, unit=world.units["KT1"])
    assert (row.present, row.delegate_name) == ((True, "Lê C") if expected == 200
                                                else (False, ""))


def test_leader_creates_the_conference(world, as_who):
    client = as_who("leader")
    root = parse(client.get(page_url(world)))
    assert root.by_id("lap-hoi-nghi").text == "Lập hội nghị tổng kết"
    assert inline_code(root) == []
    response = client.post(reverse("voting_conference_save", args=[world.bloc_years["KT"].pk]),
                           form_data())
    assert response.status_code == 302 and response["Location"] == page_url(world)
    conference = Conference.objects.get()
    assert (conference.place, conference.chair, conference.secretary, conference.guests) == (
        "Hội trường tỉnh", "Nguyễn Văn A", "Trần Thị B", "Thường trực thi đua tỉnh")
    assert sorted(Attendance.objects.filter(conference=conference)
                  .values_list("unit__code", "present")) == [
        ("KT1", False), ("KT2", False), ("KT3", False), ("KT4", False), ("KT5", False)]
    assert list(AuditEvent.objects.filter(action="voting.conference.create")
                .values_list("actor_id", flat=True)) == [world.users["leader"].pk]
    root = parse(client.get(page_url(world)))
    assert root.by_id("so-dai-bieu").text == (
        "0/5 đơn vị có mặt < 2/3 (cần ít nhất 4): chưa đủ số đơn vị để biểu quyết (Quy tắc 28)")
    assert inline_code(root) == []


def test_create_refuses_bad_input_and_writes_nothing(world, as_who):
    url = reverse("voting_conference_save", args=[world.bloc_years["KT"].pk])
    response = as_who("leader").post(url, form_data(place="", held_at="ngày mai"))
    assert response.status_code == 400
    summary = parse(response).find(class_="error-summary")
    assert [li.text for li in summary.find_all("li")] == [
        "Thời gian hội nghị không đúng dạng ngày và giờ.", "Chưa nhập địa điểm."]
    assert Conference.objects.count() == 0


def test_second_conference_is_refused(world, conference, as_who):
    """A second save updates the one conference (never a second row)."""
    url = reverse("voting_conference_save", args=[world.bloc_years["KT"].pk])
    assert as_who("leader").post(url, form_data(place="Nhà văn hóa")).status_code == 302
    assert list(Conference.objects.values_list("place", flat=True)) == ["Nhà văn hóa"]



def test_the_closing_time_is_saved_and_shown(world, conference, as_who):
    """RULES.md 40: the secretary types when the conference ended, for the minutes."""
    url = reverse("voting_conference_save", args=[world.bloc_years["KT"].pk])
    held = form_data()["held_at"]
    assert as_who("leader").post(url, form_data(held_at=held, ended_at="23:59")).status_code \
        == 302
    conference.refresh_from_db()
    assert conference.ended_at == datetime.time(23, 59)
    root = parse(as_who("peer").get(page_url(world)))
    shown = root.by_id("thong-tin-hoi-nghi").find("dd").text
    assert shown == f"{held[11:]} {held[8:10]}/{held[5:7]}/{held[:4]} – 23:59"


@pytest.mark.parametrize(("ended_at", "message"), [
    ("25:70", "Giờ kết thúc không đúng dạng giờ:phút."),
    ("00:00", "Giờ kết thúc hội nghị (00:00) phải sau giờ bắt đầu ({began}) trong cùng ngày."),
])
def test_a_wrong_closing_time_is_refused_and_nothing_changes(world, conference, as_who,
                                                             ended_at, message):
    url = reverse("voting_conference_save", args=[world.bloc_years["KT"].pk])
    data = form_data(ended_at=ended_at, place="<script>alert(1)</script>")
    response = as_who("leader").post(url, data)
    assert response.status_code == 400
    summary = parse(response).find(class_="error-summary")
    assert [li.text for li in summary.find_all("li")] == [
        message.format(began=data["held_at"][11:])]
    conference.refresh_from_db()
    assert (conference.ended_at, conference.place) == (None, "Hội trường tỉnh")

def test_viewer_sees_the_conference_without_forms(world, conference, as_who):
    root = parse(as_who("peer").get(page_url(world)))
    assert root.find("form", class_="form-diem-danh") is None
    assert root.find("form", class_="form-hoi-nghi") is None
    assert root.by_id("so-dai-bieu").text.startswith("0/5 đơn vị có mặt")


def test_attendance_row_save_updates_row_and_quorum(world, conference, as_who):
    mark_present(world, conference, codes=("KT1", "KT2", "KT3"))
    response = as_who("leader").post(attendance_url(conference, world.units["KT4"]),
                                     {"present": "1", "delegate_name": "Phạm D"},
                                     headers={"HX-Request": "true"})
    assert response.status_code == 200
    root = parse(response)
    row = root.by_id(f"diem-danh-{world.units['KT4'].pk}")
    assert row.find("p", class_="trang-thai").text.startswith("Có mặt — đại biểu: Phạm D")
    quorum = root.by_id("so-dai-bieu")
    assert quorum.attrs["hx-swap-oob"] == "true"
    assert quorum.text == services.conference_quorum(conference).sentence == (
        "4/5 đơn vị có mặt ≥ 2/3 (cần ít nhất 4): đủ số đơn vị để biểu quyết (Quy tắc 28)")
    assert AuditEvent.objects.filter(action="voting.attendance.record").count() == 4


def test_absent_needs_a_reason_and_nothing_is_written(world, conference, as_who):
    client = as_who("leader")
    url = attendance_url(conference, world.units["KT2"])
    response = client.post(url, {"present": "0", "absence_reason": ""},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert [li.text for li in parse(response).find_all("li")] == [
        "Đơn vị vắng mặt phải ghi lý do vắng."]
    response = client.post(url, {"present": "có"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert [li.text for li in parse(response).find_all("li")] == [
        "Chọn có mặt hoặc vắng mặt."]
    # without htmx the whole page comes back with the summary at the top
    response = client.post(url, {"present": "0"})
    assert response.status_code == 400
    assert [li.text for li in parse(response).find(class_="error-summary").find_all("li")] == [
        "Đơn vị vắng mặt phải ghi lý do vắng."]
    assert AuditEvent.objects.filter(action="voting.attendance.record").count() == 0
    row = Attendance.objects.get(conference=conference, unit=world.units["KT2"])
    assert (row.present, row.absence_reason) == (False, "")


def test_absent_with_reason_is_saved(world, conference, as_who):
    response = as_who("leader").post(attendance_url(conference, world.units["KT2"]),
                                     {"present": "0", "absence_reason": "Đi công tác"})
    assert response.status_code == 302
    row = Attendance.objects.get(conference=conference, unit=world.units["KT2"])
    assert (row.present, row.absence_reason) == (False, "Đi công tác")


def test_forged_unit_or_conference_is_404(world, conference, as_who):
    client = as_who("leader")
    response = client.post(attendance_url(conference, world.units["VX1"]), {"present": "1"})
    assert response.status_code == 404
    response = client.post(reverse("voting_attendance", args=[999_999, world.units["KT1"].pk]),
                           {"present": "1"})
    assert response.status_code == 404
    assert Attendance.objects.filter(conference=conference, present=True).count() == 0


def test_counting_committee_is_named_on_the_page(world, conference, as_who):
    url = reverse("voting_committee", args=[conference.pk])
    assert as_who("peer").post(url, {"members": "Lê Văn E — trưởng ban"}).status_code == 403
    client = as_who("leader")
    response = client.post(url, {"members": "Lê Văn E — trưởng ban\n\nĐỗ Thị G — thành viên\n"})
    assert response.status_code == 302
    assert list(conference.committee.order_by("id").values_list("name", "role")) == [
        ("Lê Văn E", "trưởng ban"), ("Đỗ Thị G", "thành viên")]
    root = parse(client.get(page_url(world)))
    assert [li.text for li in root.by_id("danh-sach-ban-kiem-phieu").find_all("li")] == [
        "Lê Văn E — trưởng ban", "Đỗ Thị G — thành viên"]
    empty = client.post(url, {"members": "  "})
    assert empty.status_code == 400
    assert [li.text for li in parse(empty).find(class_="error-summary").find_all("li")] == [
        "Ban kiểm phiếu cần ít nhất một người."]
    assert conference.committee.count() == 2
