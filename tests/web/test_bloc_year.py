"""The bloc year page: members and their registration as each viewer may see it, the
pledge signing record, and the phase moves."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.factories import today

from thidua.core.models import AuditEvent
from thidua.org.domain.phases import Phase
from thidua.org.models import BlocYear, EmulationYear, Unit
from thidua.pledges.models import PledgeSignature

from .conftest import matrix, outcome, register, start_year
from .page import parse


def url(world, code="KT", suffix=""):
    return f"/khoi/{world.bloc_years[code].pk}/{suffix}"


def member_rows(response):
    table = parse(response).by_id("bang-thanh-vien")
    return [[td.text for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]


def set_deadline(world, date):
    EmulationYear.objects.filter(pk=world.year.pk).update(registration_deadline=date)


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=200, officer=200, peer=200,
    outsider=404, delegate=200, nobody=404, anonymous="login",
))
def test_who_may_open_the_bloc_year(world, as_who, who, status):
    assert outcome(as_who(who).get(url(world))) == status


def test_members_in_vietnamese_order_with_leader_and_deputy(world, as_who):
    rows = member_rows(as_who("leader").get(url(world)))
    assert [(r[0], r[1]) for r in rows] == [
        ("Ban Quản lý dự án", "Thành viên"),
        ("Đài Phát thanh", "Thành viên"),
        ("Sở Công Thương", "Trưởng khối"),
        ("Sở Tài chính", "Phó khối"),
        ("Sở Xây dựng", "Thành viên"),
    ]


@pytest.mark.parametrize(("who", "peer_status"), [
    ("peer", "Bản nháp, chưa gửi"),  # its own draft
    ("officer", "Chưa đăng ký"),
    ("leader", "Chưa đăng ký"),
    ("secretariat", "Chưa đăng ký"),
    ("admin", "Chưa đăng ký"),
    ("delegate", "Chưa đăng ký"),
])
def test_a_draft_is_seen_only_by_its_own_unit(world, as_who, who, peer_status):
    set_deadline(world, today() + datetime.timedelta(days=30))
    register(world, "officer", "KT1")
    register(world, "peer", "KT2", submit=False)
    rows = {r[0]: r for r in member_rows(as_who(who).get(url(world)))}
    assert rows["Sở Công Thương"][2] == "Đã đăng ký"
    assert rows["Sở Công Thương"][3] == f"Đúng hạn ({today():%d/%m/%Y})"
    assert rows["Sở Tài chính"][2] == peer_status
    assert rows["Sở Tài chính"][3] == "Còn hạn"
    assert rows["Sở Xây dựng"][2] == "Chưa đăng ký"


def test_late_registration_and_missing_ones_after_the_deadline(world, as_who):
    set_deadline(world, today() - datetime.timedelta(days=1))
    register(world, "officer", "KT1")
    response = as_who("leader").get(url(world))
    rows = {r[0]: r for r in member_rows(response)}
    assert rows["Sở Công Thương"][2:4] == ["Đã đăng ký", f"Trễ hạn ({today():%d/%m/%Y})"]
    assert rows["Sở Tài chính"][2:4] == ["Chưa đăng ký", "Quá hạn"]
    assert parse(response).by_id("so-da-dang-ky").text == "1/5"


def test_another_provinces_units_never_appear(world, as_who):
    register(world, "officer", "KT1")
    text = parse(as_who("admin").get(url(world))).find("main").text
    for unit in Unit.objects.filter(province=world.other_province):
        assert unit.name not in text
    for unit in Unit.objects.filter(memberships__bloc_year=world.bloc_years["VX"]):
        assert unit.name not in text


def test_member_links_only_to_pages_the_viewer_may_open(world, as_who):
    def linked(who):
        table = parse(as_who(who).get(url(world))).by_id("bang-thanh-vien")
        return sorted(a.text for a in table.find_all("a"))
    everyone = sorted(["Ban Quản lý dự án", "Đài Phát thanh", "Sở Công Thương",
                       "Sở Tài chính", "Sở Xây dựng"])
    assert linked("secretariat") == everyone
    assert linked("leader") == everyone
    assert linked("officer") == ["Sở Công Thương"]
    assert linked("delegate") == ["Sở Xây dựng"]


# --- pledge signing (RULES.md 8) -------------------------------------------------------

@pytest.mark.parametrize(("who", "status"), matrix(
    admin=302, secretariat=302, other_secretariat=404, leader=302, officer=403, peer=403,
    outsider=404, delegate=403, nobody=404, anonymous="login",
))
def test_who_may_record_a_signature(world, as_who, who, status):
    unit = world.units["KT3"]
    response = as_who(who).post(url(world, suffix="ky-ket/"), {
        "unit": unit.pk, "status": "signed", "signer_name": "Nguyễn Văn An",
        "signed_on": "2026-02-20", "place": "Hội trường tỉnh"})
    assert outcome(response) == status
    stored = list(PledgeSignature.objects.values_list("unit_id", "status", "signer_name"))
    assert stored == ([(unit.pk, "signed", "Nguyễn Văn An")] if status == 302 else [])


def test_signing_complete_when_every_member_signed_or_absent(world, as_who):
    client = as_who("leader")
    units = [world.units[f"KT{i}"] for i in range(1, 6)]
    for unit in units[:4]:
        assert client.post(url(world, suffix="ky-ket/"), {
            "unit": unit.pk, "status": "signed", "signer_name": f"Giám đốc {unit.name}",
            "signed_on": "2026-02-20", "place": "Hội trường"}).status_code == 302
    page = parse(client.get(url(world)))
    assert page.by_id("tinh-trang-ky-ket").text.startswith("Chưa hoàn tất Còn 1 đơn vị")
    response = client.post(url(world, suffix="ky-ket/"), {
        "unit": units[4].pk, "status": "absent", "absence_reason": "Đi công tác",
        "signed_on": "2026-02-20", "place": "Hội trường"})
    assert response.status_code == 302
    page = parse(client.get(url(world)))
    assert page.by_id("tinh-trang-ky-ket").text == (
        "Đã ký kết Tất cả 5 đơn vị đã ký hoặc được ghi nhận vắng mặt (Quy tắc 8).")
    rows = {r[0]: r[4] for r in member_rows(client.get(url(world)))}
    assert rows == {"Ban Quản lý dự án": "Vắng mặt", "Đài Phát thanh": "Đã ký",
                    "Sở Công Thương": "Đã ký", "Sở Tài chính": "Đã ký", "Sở Xây dựng": "Đã ký"}
    assert AuditEvent.objects.filter(action="pledges.signing.record").count() == 5


def test_signature_form_errors_keep_the_input_and_link_to_fields(world, as_who):
    client = as_who("leader")
    before = AuditEvent.objects.count()
    response = client.post(url(world, suffix="ky-ket/"), {
        "unit": world.units["KT1"].pk, "status": "absent", "absence_reason": "",
        "signer_name": "Trần Thị Bình", "signed_on": "", "place": "Nhà văn hóa"})
    assert response.status_code == 400
    page = parse(response)
    summary = page.with_class("error-summary")[0]
    assert [(a.text, a.attrs["href"]) for a in summary.find_all("a")] == [
        ("Trường này là bắt buộc.", "#id_signed_on"),
        ("Ghi rõ lý do vắng mặt.", "#id_absence_reason"),
    ]
    assert page.find("input", name="place").attrs["value"] == "Nhà văn hóa"
    assert page.find("input", name="signer_name").attrs["value"] == "Trần Thị Bình"
    assert PledgeSignature.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_signature_for_a_unit_outside_the_bloc_is_refused(world, as_who):
    response = as_who("leader").post(url(world, suffix="ky-ket/"), {
        "unit": world.units["VX1"].pk, "status": "signed", "signer_name": "A",
        "signed_on": "2026-02-20"})
    assert response.status_code == 400
    assert PledgeSignature.objects.count() == 0


# --- phases ------------------------------------------------------------------------------

def phase_buttons(response):
    return [b.text for b in parse(response).by_id("chuyen-giai-doan").parent.find_all("button")
            if b.text.startswith(("Chuyển", "Quay"))]


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=302, secretariat=302, other_secretariat=404, leader=302, officer=403, peer=403,
    outsider=404, delegate=403, nobody=404, anonymous="login",
))
def test_who_may_move_the_phase_forward(world, as_who, who, status):
    response = as_who(who).post(url(world, suffix="giai-doan/"), {"target": "in_progress",
                                                                   "confirm": "1"})
    assert outcome(response) == status
    phase = BlocYear.objects.get(pk=world.bloc_years["KT"].pk).phase
    assert phase == (Phase.IN_PROGRESS if status == 302 else Phase.REGISTRATION)
    events = AuditEvent.objects.filter(action="org.bloc_year.phase")
    assert events.count() == (1 if status == 302 else 0)


def test_moving_forward_with_gaps_warns_and_needs_the_confirmation(world, as_who):
    """Issue 11 item 9: the phase form says what is missing, with its count; sent without
    the confirmation it is refused and nothing moves; confirmed, the event keeps the gaps."""
    register(world, "officer", "KT1")
    client = as_who("leader")
    form = parse(client.get(url(world))).by_id("chuyen-in_progress")
    gap = ("1/5 đơn vị đã gửi đăng ký thi đua; chưa gửi: Ban Quản lý dự án, Đài Phát "
           "thanh, Sở Tài chính, Sở Xây dựng.")
    assert [li.text for li in form.find_all("li")] == [gap]
    assert form.attrs["data-confirm"] == (
        f"Chuyển sang giai đoạn “Đang thực hiện”? Còn thiếu: {gap} Chỉ Thường trực thi đua "
        "tỉnh đưa khối quay lại được.")
    assert form.find("input", type="checkbox").attrs["name"] == "confirm"
    refused = client.post(url(world, suffix="giai-doan/"), {"target": "in_progress"})
    assert refused.status_code == 409
    assert [li.text for li in parse(refused).find(class_="error-summary").find_all("li")] == [
        gap, "Còn thiếu như trên: xác nhận «Vẫn chuyển giai đoạn» nếu khối vẫn chuyển sang "
             "giai đoạn sau."]
    assert BlocYear.objects.get(pk=world.bloc_years["KT"].pk).phase == Phase.REGISTRATION
    assert not AuditEvent.objects.filter(action="org.bloc_year.phase").exists()
    client.post(url(world, suffix="giai-doan/"), {"target": "in_progress", "confirm": "1"})
    assert BlocYear.objects.get(pk=world.bloc_years["KT"].pk).phase == Phase.IN_PROGRESS
    assert AuditEvent.objects.get(action="org.bloc_year.phase").after == {
        "phase": "in_progress", "gaps_confirmed": [gap]}


def test_buttons_show_the_allowed_moves_only(world, as_who):
    start_year(world)
    assert phase_buttons(as_who("leader").get(url(world))) == ["Chuyển sang: Sơ kết 6 tháng"]
    assert phase_buttons(as_who("secretariat").get(url(world))) == [
        "Chuyển sang: Sơ kết 6 tháng", "Quay lại: Đăng ký thi đua"]
    assert phase_buttons(as_who("officer").get(url(world))) == []


def test_moving_back_needs_a_reason(world, as_who):
    start_year(world)
    client = as_who("secretariat")
    response = client.post(url(world, suffix="giai-doan/"), {"target": "registration",
                                                             "reason": "   "})
    assert response.status_code == 409
    summary = parse(response).with_class("error-summary")[0]
    assert [li.text for li in summary.find_all("li")] == [
        "Quay lại giai đoạn trước phải ghi rõ lý do."]
    assert BlocYear.objects.get(pk=world.bloc_years["KT"].pk).phase == Phase.IN_PROGRESS
    response = client.post(url(world, suffix="giai-doan/"), {
        "target": "registration", "reason": "Sở Xây dựng xin bổ sung đăng ký"})
    assert response.status_code == 302
    assert BlocYear.objects.get(pk=world.bloc_years["KT"].pk).phase == Phase.REGISTRATION
    event = AuditEvent.objects.filter(action="org.bloc_year.phase").latest("id")
    assert (event.before, event.after, event.reason) == (
        {"phase": "in_progress"}, {"phase": "registration"}, "Sở Xây dựng xin bổ sung đăng ký")


def test_leader_may_not_move_back(world, as_who):
    start_year(world)
    response = as_who("leader").post(url(world, suffix="giai-doan/"), {
        "target": "registration", "reason": "muốn quay lại"})
    assert response.status_code == 403
    summary = parse(response).with_class("error-summary")[0]
    assert [li.text for li in summary.find_all("li")] == [
        "Chỉ Thường trực thi đua tỉnh được chuyển từ “Đang thực hiện” sang “Đăng ký thi đua”."]
    assert BlocYear.objects.get(pk=world.bloc_years["KT"].pk).phase == Phase.IN_PROGRESS


def test_an_unknown_phase_is_a_form_error(world, as_who):
    response = as_who("admin").post(url(world, suffix="giai-doan/"), {"target": "nonsense"})
    assert response.status_code == 400
    assert BlocYear.objects.get(pk=world.bloc_years["KT"].pk).phase == Phase.REGISTRATION


def test_get_on_an_action_url_is_not_allowed(world, as_who):
    assert as_who("admin").get(url(world, suffix="giai-doan/")).status_code == 405


# --- cost ------------------------------------------------------------------------------

def test_query_count_does_not_grow_with_members(world, as_who, django_assert_max_num_queries):
    from thidua.org import services as org_services
    from thidua.org.models import Bloc

    register(world, "officer", "KT1")
    client = as_who("secretariat")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(world)).status_code == 200
    system = world.actor("admin")
    bloc = Bloc.objects.create(province=world.province, code="BIG", kind=Bloc.Kind.KHOI,
                               name="Khối lớn")
    units = [Unit.objects.create(province=world.province, code=f"BIG{i}", name=f"Sở số {i}")
             for i in range(15)]
    big = org_services.create_bloc_year(system, bloc, world.year, members=units,
                                        leader=units[0], deputies=units[1:4])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(f"/khoi/{big.pk}/")
    assert len(member_rows(response)) == 15
