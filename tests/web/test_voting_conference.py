"""The year-end conference page (issue 4 item 1; RULES.md 28, 29): create the conference,
attendance per member with htmx row saves, the quorum sentence of the services."""

import datetime

import pytest
from django.urls import reverse
from tests.factories import held_today

from thidua.core.models import AuditEvent
from thidua.voting import services
from thidua.voting.models import Attendance, Conference

from .conftest import matrix, outcome
from .page import inline_code, parse

FORM = {"held_at": "", "place": "Hội trường tỉnh", "chair": "Nguyễn Văn A",
        "secretary": "Trần Thị B", "guests": "Thường trực thi đua tỉnh",
        "agenda": "Tổng kết; bình xét"}


def form_data(**changes):
    data = {**FORM, "held_at": held_today().strftime("%Y-%m-%dT%H:%M")}
    data.update(changes)
    return data


def page_url(world):
    return reverse("voting_conference", args=[world.bloc_years["KT"].pk])


def roll_url(conference):
    return reverse("voting_roll_call", args=[conference.pk])


def roll_data(world, rows, *, all_present=False):
    """The roll-call form as the page posts it: every member's row, `rows` giving
    code → (choice "1"/"0"/"", delegate names, reason); the others left as they are."""
    data = {"unit": []}
    for code in ("KT1", "KT2", "KT3", "KT4", "KT5"):
        pk = world.units[code].pk
        choice, delegate, reason = rows.get(code, ("", "", ""))
        data["unit"].append(str(pk))
        data[f"co_mat_{pk}"] = choice
        data[f"dai_bieu_{pk}"] = delegate
        data[f"ly_do_{pk}"] = reason
    if all_present:
        data["tat_ca_co_mat"] = "1"
    return data


def saved(conference):
    return sorted(Attendance.objects.filter(conference=conference).values_list(
        "unit__code", "present", "absence_reason", "delegate_name"))


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
    admin=302, secretariat=302, leader=302, officer=403, peer=403, delegate=403,
    other_secretariat=404, outsider=404, nobody=404, anonymous="login"))
def test_roll_call_matrix(world, conference, as_who, who, expected):
    response = as_who(who).post(roll_url(conference),
                                roll_data(world, {"KT1": ("1", "Lê C", "")}))
    assert outcome(response) == expected
    row = Attendance.objects.get(conference=conference, unit=world.units["KT1"])
    assert (row.present, row.delegate_name) == ((True, "Lê C") if expected == 302
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
        "Thời gian hội nghị không đúng dạng ngày và giờ.", "Địa điểm không được để trống."]
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


def test_roll_call_all_present_then_one_absent_rule_28(world, conference, as_who):
    """One compact form: "Tất cả có mặt" saves every member present with the names typed;
    then one unit absent with its reason, one save; the quorum line follows (RULES 28)."""
    client = as_who("leader")
    root = parse(client.get(page_url(world)))
    form = root.by_id("form-diem-danh")
    assert form.attrs["action"] == roll_url(conference)
    assert (form.attrs["data-quorum-members"], form.attrs["data-quorum-minimum"]) == ("5", "4")
    assert len(form.find_all("tr")) == 6  # the header and one row per member
    assert [b.text for b in form.find_all("button")] == [
        "Lưu điểm danh", "Tất cả có mặt", "Lưu điểm danh"]
    assert form.by_id("co-mat-tam-tinh").attrs["aria-live"] == "polite"

    response = client.post(roll_url(conference), roll_data(
        world, {"KT1": ("", "Nguyễn An", ""), "KT2": ("0", "", "")}, all_present=True))
    assert response.status_code == 302
    assert response["Location"] == page_url(world) + "#diem-danh"
    assert saved(conference) == [("KT1", True, "", "Nguyễn An"), ("KT2", True, "", ""),
                                 ("KT3", True, "", ""), ("KT4", True, "", ""),
                                 ("KT5", True, "", "")]
    root = parse(client.get(page_url(world)))
    assert [li.text for li in root.find("ul", class_="messages").find_all("li")] == [
        "Đã lưu điểm danh: 5/5 đơn vị có mặt."]
    assert root.by_id("so-dai-bieu").text == (
        "5/5 đơn vị có mặt ≥ 2/3 (cần ít nhất 4): đủ số đơn vị để biểu quyết (Quy tắc 28)")

    rows = {code: ("1", "Nguyễn An" if code == "KT1" else "", "") for code in
            ("KT1", "KT3", "KT4", "KT5")}
    rows["KT2"] = ("0", "", "Đi công tác")
    assert client.post(roll_url(conference), roll_data(world, rows)).status_code == 302
    assert saved(conference) == [("KT1", True, "", "Nguyễn An"),
                                 ("KT2", False, "Đi công tác", ""), ("KT3", True, "", ""),
                                 ("KT4", True, "", ""), ("KT5", True, "", "")]
    root = parse(client.get(page_url(world)))
    assert root.by_id("so-dai-bieu").text == services.conference_quorum(conference).sentence \
        == "4/5 đơn vị có mặt ≥ 2/3 (cần ít nhất 4): đủ số đơn vị để biểu quyết (Quy tắc 28)"
    kt2 = world.units["KT2"].pk
    assert root.by_id(f"vang-{kt2}").attrs.get("checked") is not None
    assert root.by_id(f"ly-do-{kt2}").attrs["value"] == "Đi công tác"
    events = AuditEvent.objects.filter(action="voting.attendance.roll_call").order_by("id")
    assert [sorted(e.after) for e in events] == [
        sorted(str(world.units[c].pk) for c in ("KT1", "KT2", "KT3", "KT4", "KT5")),
        [str(kt2)]]
    assert events.last().after[str(kt2)] == {
        "present": False, "absence_reason": "Đi công tác", "delegate_name": ""}
    assert inline_code(root) == []


def test_roll_call_absent_without_reason_saves_nothing(world, conference, as_who):
    client = as_who("leader")
    data = roll_data(world, {"KT1": ("1", "Lê C", ""), "KT2": ("0", "", ""),
                             "KT3": ("", "Phạm D", ""), "KT4": ("0", "", "x" * 301)})
    response = client.post(roll_url(conference), data)
    assert response.status_code == 400
    summary = parse(response).find(class_="error-summary")
    assert [li.text for li in summary.find_all("li")] == [
        "Sở Xây dựng: chọn có mặt hoặc vắng mặt."]
    del data[f"dai_bieu_{world.units['KT3'].pk}"]
    response = client.post(roll_url(conference), data)
    assert response.status_code == 400
    root = parse(response)
    assert [li.text for li in root.find(class_="error-summary").find_all("li")] == [
        "Sở Tài chính: Đơn vị vắng mặt phải ghi lý do vắng.",
        "Đài Phát thanh: Lý do vắng dài quá 300 ký tự (đang có 301)."]
    # What was typed comes back, nothing is written.
    assert root.by_id(f"dai-bieu-{world.units['KT1'].pk}").attrs["value"] == "Lê C"
    assert root.by_id(f"co-mat-{world.units['KT1'].pk}").attrs.get("checked") is not None
    assert saved(conference) == [(c, False, "", "") for c in
                                 ("KT1", "KT2", "KT3", "KT4", "KT5")]
    assert not AuditEvent.objects.filter(action__startswith="voting.attendance").exists()


def test_roll_call_forged_unit_or_conference(world, conference, as_who):
    client = as_who("leader")
    forged = roll_data(world, {"KT1": ("1", "", "")})
    forged["unit"].append(str(world.units["VX1"].pk))
    forged[f"co_mat_{world.units['VX1'].pk}"] = "1"
    assert client.post(roll_url(conference), forged).status_code == 404
    bad = roll_data(world, {"KT1": ("1", "", "")})
    bad["unit"].append("một")
    response = client.post(roll_url(conference), bad)
    assert response.status_code == 400
    assert [li.text for li in parse(response).find(class_="error-summary").find_all("li")] == [
        "Danh sách đơn vị điểm danh không hợp lệ."]
    response = client.post(reverse("voting_roll_call", args=[999_999]),
                           roll_data(world, {"KT1": ("1", "", "")}))
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
