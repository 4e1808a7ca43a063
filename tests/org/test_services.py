"""Organisation services against the real database: create_bloc_year (RULES.md 1, 2, 5),
ensure_year and move_phase, each refusal leaving the database as it was."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from thidua.core.audit import verify
from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.core.models import AuditEvent
from thidua.org import services
from thidua.org.models import Bloc, BlocYear, EmulationYear, Membership, Unit

RULE_1 = "mỗi đơn vị chỉ thuộc một khối trong một năm (Quy tắc 1)."


def db_state():
    """Everything create_bloc_year or move_phase could write."""
    return {
        "bloc_years": sorted(BlocYear.objects.values_list("id", "bloc_id", "phase",
                                                          "leader_unit_id")),
        "deputies": sorted(BlocYear.deputy_units.through.objects.values_list(
            "blocyear_id", "unit_id")),
        "memberships": sorted(Membership.objects.values_list("bloc_year_id", "unit_id",
                                                             "emulation_year_id")),
        "years": sorted(EmulationYear.objects.values_list("province_id", "year")),
        "audit": list(AuditEvent.objects.values_list("id", flat=True)),
    }


@pytest.fixture
def new_bloc(world):
    """A third bloc of the province with five units not yet in any bloc."""
    bloc = Bloc.objects.create(province=world.province, code="NC", kind=Bloc.Kind.KHOI,
                               name="Khối Nội chính")
    names = ["Công an tỉnh", "Sở Tư pháp", "Thanh tra tỉnh", "Tòa án nhân dân tỉnh",
             "Viện Kiểm sát nhân dân tỉnh", "Bộ Chỉ huy Quân sự tỉnh"]
    units = [Unit.objects.create(province=world.province, code=f"NC{i}", name=name)
             for i, name in enumerate(names, 1)]
    return bloc, units


def refused(exc_type, call, *args, **kwargs):
    before = db_state()
    with pytest.raises(exc_type) as caught:
        call(*args, **kwargs)
    assert db_state() == before
    return caught.value.messages


# --- create_bloc_year --------------------------------------------------------------------

def test_create_bloc_year_writes_members_leader_deputies_and_one_event(world, new_bloc):
    bloc, units = new_bloc
    events = AuditEvent.objects.count()
    bloc_year = services.create_bloc_year(world.actor("secretariat"), bloc, world.year,
                                          members=units[:5], leader=units[0],
                                          deputies=[units[1], units[2].id])
    assert (bloc_year.phase, bloc_year.leader_unit_id) == ("registration", units[0].id)
    assert set(bloc_year.deputy_units.values_list("id", flat=True)) == {units[1].id, units[2].id}
    assert set(Membership.objects.filter(bloc_year=bloc_year).values_list(
        "unit_id", "emulation_year_id")) == {(u.id, world.year.id) for u in units[:5]}
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.get(action="org.bloc_year.create", object_id=str(bloc_year.id))
    assert (event.object_type, event.province_id, event.before, event.actor) == (
        "org.blocyear", world.province.id, None, world.users["secretariat"])
    assert event.after == {
        "phase": "registration", "leader_unit": units[0].id,
        "deputy_units": sorted([units[1].id, units[2].id]),
        "members": sorted(u.id for u in units[:5]),
    }
    assert verify() is None


def test_rule_1_a_unit_already_in_another_bloc_writes_nothing(world, new_bloc):
    """RULES.md 1: Sở Xây dựng (KT3) is in Khối Kinh tế this year."""
    bloc, units = new_bloc
    messages = refused(DomainError, services.create_bloc_year, world.actor("admin"), bloc,
                       world.year, members=[*units[:4], world.units["KT3"]],
                       leader=units[0], deputies=[units[1]])
    assert messages == [f"Sở Xây dựng đã thuộc Khối Kinh tế trong năm này; {RULE_1}"]
    assert not BlocYear.objects.filter(bloc=bloc).exists()


def test_rule_1_lists_every_taken_unit(world, new_bloc):
    bloc, units = new_bloc
    messages = refused(DomainError, services.create_bloc_year, world.actor("admin"), bloc,
                       world.year,
                       members=[*units[:3], world.units["VX3"], world.units["KT4"]],
                       leader=units[0], deputies=[units[1]])
    assert messages == [
        f"Báo Bắc Ninh đã thuộc Khối Văn hóa trong năm này; {RULE_1}",
        f"Đài Phát thanh đã thuộc Khối Kinh tế trong năm này; {RULE_1}",
    ]


def test_rule_1_the_same_unit_may_join_another_bloc_next_year(world, new_bloc):
    bloc, units = new_bloc
    next_year = services.ensure_year(world.actor("admin"), world.province, world.year.year + 1)
    bloc_year = services.create_bloc_year(
        world.actor("admin"), bloc, next_year, members=[*units[:4], world.units["KT3"]],
        leader=world.units["KT3"], deputies=[units[0]])
    assert set(Membership.objects.filter(unit=world.units["KT3"]).values_list(
        "bloc_year_id", flat=True)) == {world.bloc_years["KT"].id, bloc_year.id}


def test_rule_1_is_also_a_database_constraint(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(bloc_year=world.bloc_years["VX"], unit=world.units["KT1"])


def test_rule_2_leader_not_a_member(world, new_bloc):
    bloc, units = new_bloc
    messages = refused(DomainError, services.create_bloc_year, world.actor("admin"), bloc,
                       world.year, members=units[:5], leader=units[5], deputies=[units[1]])
    assert messages == [
        "Trưởng khối Bộ Chỉ huy Quân sự tỉnh không phải thành viên của khối (Quy tắc 2)."]


def test_rule_2_leader_is_a_deputy(world, new_bloc):
    bloc, units = new_bloc
    messages = refused(DomainError, services.create_bloc_year, world.actor("admin"), bloc,
                       world.year, members=units[:5], leader=units[0],
                       deputies=[units[0], units[1]])
    assert messages == [
        "Công an tỉnh không thể vừa là Trưởng khối vừa là Phó khối (Quy tắc 2)."]


def test_rule_2_no_deputy(world, new_bloc):
    bloc, units = new_bloc
    messages = refused(DomainError, services.create_bloc_year, world.actor("admin"), bloc,
                       world.year, members=units[:5], leader=units[0], deputies=[])
    assert messages == ["Khối phải có ít nhất một đơn vị Phó khối (Quy tắc 2)."]


@pytest.mark.parametrize("count,low,high,ok", [
    (4, 5, 15, False), (5, 5, 15, True), (6, 6, 6, True), (5, 6, 8, False), (6, 2, 5, False),
])
def test_rule_5_bloc_size_from_the_province(world, new_bloc, count, low, high, ok):
    bloc, units = new_bloc
    world.province.min_bloc_size, world.province.max_bloc_size = low, high
    world.province.save()
    bloc.refresh_from_db()
    call = (services.create_bloc_year, world.actor("admin"), bloc, world.year)
    kwargs = {"members": units[:count], "leader": units[0], "deputies": [units[1]]}
    if ok:
        assert services.create_bloc_year(*call[1:], **kwargs).memberships.count() == count
    else:
        assert refused(DomainError, *call, **kwargs) == [
            f"Khối phải có từ {low} đến {high} đơn vị thành viên; đang có {count} (Quy tắc 5)."]


def test_rule_5_sixteen_members_are_too_many_by_default(world):
    bloc = Bloc.objects.create(province=world.province, code="LN", kind=Bloc.Kind.CUM,
                               name="Cụm các xã phía Bắc")
    units = [Unit.objects.create(province=world.province, code=f"X{i:02}", name=f"Xã số {i}")
             for i in range(16)]
    assert refused(DomainError, services.create_bloc_year, world.actor("admin"), bloc,
                   world.year, members=units, leader=units[0], deputies=[units[1]]) == [
        "Khối phải có từ 5 đến 15 đơn vị thành viên; đang có 16 (Quy tắc 5)."]


def test_units_of_another_province_or_unknown_ids_are_refused(world, new_bloc):
    bloc, units = new_bloc
    message = ["Có đơn vị không tồn tại hoặc không thuộc tỉnh của khối."]
    assert refused(DomainError, services.create_bloc_year, world.actor("admin"), bloc,
                   world.year, members=[*units[:4], world.units["HN1"]], leader=units[0],
                   deputies=[units[1]]) == message
    assert refused(DomainError, services.create_bloc_year, world.actor("admin"), bloc,
                   world.year, members=units[:5], leader=units[0],
                   deputies=[10_000_000]) == message


def test_bloc_and_year_of_different_provinces(world, new_bloc):
    bloc, units = new_bloc
    assert refused(DomainError, services.create_bloc_year, world.actor("admin"), bloc,
                   world.other_year, members=units[:5], leader=units[0],
                   deputies=[units[1]]) == ["Khối và năm thi đua phải thuộc cùng một tỉnh."]


def test_a_second_list_for_the_same_bloc_and_year(world):
    kt = world.bloc_years["KT"]
    units = list(Unit.objects.filter(code__startswith="KT"))
    assert refused(Conflict, services.create_bloc_year, world.actor("admin"), kt.bloc,
                   world.year, members=units, leader=units[0], deputies=[units[1]]) == [
        f"Khối Kinh tế đã có danh sách năm {world.year.year}."]


@pytest.mark.parametrize("who", ["leader", "officer", "delegate", "other_secretariat",
                                 "outsider", "nobody"])
def test_only_the_province_creates_bloc_years(world, new_bloc, who):
    bloc, units = new_bloc
    assert refused(Forbidden, services.create_bloc_year, world.actor(who), bloc, world.year,
                   members=units[:5], leader=units[0], deputies=[units[1]]) == [
        "Chỉ Thường trực thi đua tỉnh được lập danh sách khối."]


# --- ensure_year ---------------------------------------------------------------------------

def test_ensure_year_creates_once_with_the_default_deadline(world):
    year = world.year.year + 1
    first = services.ensure_year(world.actor("secretariat"), world.province, year)
    events = AuditEvent.objects.count()
    again = services.ensure_year(world.actor("secretariat"), world.province, year)
    assert first.pk == again.pk
    assert first.registration_deadline == datetime.date(year, 3, 31)
    assert AuditEvent.objects.count() == events
    event = AuditEvent.objects.get(action="org.year.create", object_id=str(first.pk))
    assert event.after == {"year": year, "registration_deadline": f"{year}-03-31"}


def test_ensure_year_with_a_province_deadline(world):
    year = services.ensure_year(world.actor("admin"), world.province, 2031,
                                datetime.date(2031, 4, 15))
    assert year.registration_deadline == datetime.date(2031, 4, 15)


@pytest.mark.parametrize("who", ["other_secretariat", "leader", "officer", "nobody"])
def test_only_the_province_opens_a_year(world, who):
    assert refused(Forbidden, services.ensure_year, world.actor(who), world.province,
                   2031) == ["Chỉ Thường trực thi đua tỉnh được mở năm thi đua."]


# --- move_phase ----------------------------------------------------------------------------

FORWARD_REFUSED = ("Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh được chuyển từ "
                   "“Đăng ký thi đua” sang “Đang thực hiện”.")


@pytest.mark.parametrize("who,allowed", [
    ("admin", True), ("secretariat", True), ("leader", True), ("officer", False),
    ("peer", False), ("delegate", False), ("outsider", False), ("other_secretariat", False),
    ("nobody", False),
])
def test_move_forward_by_role(world, who, allowed):
    kt = world.bloc_years["KT"]
    if not allowed:
        assert refused(Forbidden, services.move_phase, world.actor(who), kt,
                       "in_progress") == [FORWARD_REFUSED]
        kt.refresh_from_db()
        assert kt.phase == "registration"
        return
    events = list(AuditEvent.objects.values_list("id", flat=True))
    result = services.move_phase(world.actor(who), kt, "in_progress", "  ")
    assert result.phase == kt.phase == "in_progress"
    assert BlocYear.objects.get(pk=kt.pk).phase == "in_progress"
    new = AuditEvent.objects.exclude(id__in=events)
    assert [(e.action, e.object_type, e.object_id, e.before, e.after, e.reason, e.actor,
             e.province_id) for e in new] == [
        ("org.bloc_year.phase", "org.blocyear", str(kt.id), {"phase": "registration"},
         {"phase": "in_progress"}, "", world.users[who], world.province.id)]
    # The other blocs did not move.
    assert set(BlocYear.objects.exclude(pk=kt.pk).values_list("phase", flat=True)) == {
        "registration"}


def test_the_leader_of_one_bloc_cannot_move_another(world):
    assert refused(Forbidden, services.move_phase, world.actor("leader"),
                   world.bloc_years["VX"], "in_progress") == [FORWARD_REFUSED]


def test_back_move_only_by_the_province_with_a_reason(world):
    kt = world.bloc_years["KT"]
    services.move_phase(world.actor("leader"), kt, "in_progress")
    assert refused(Forbidden, services.move_phase, world.actor("leader"), kt, "registration",
                   "Đơn vị xin sửa") == [
        "Chỉ Thường trực thi đua tỉnh được chuyển từ “Đang thực hiện” sang “Đăng ký thi đua”."]
    assert refused(Conflict, services.move_phase, world.actor("secretariat"), kt,
                   "registration", "   ") == ["Quay lại giai đoạn trước phải ghi rõ lý do."]
    events = list(AuditEvent.objects.values_list("id", flat=True))
    services.move_phase(world.actor("secretariat"), kt, "registration",
                        "  Sở Xây dựng xin bổ sung chỉ tiêu ")
    new = AuditEvent.objects.exclude(id__in=events)
    assert [(e.before, e.after, e.reason) for e in new] == [
        ({"phase": "in_progress"}, {"phase": "registration"},
         "Sở Xây dựng xin bổ sung chỉ tiêu")]
    assert BlocYear.objects.get(pk=kt.pk).phase == "registration"


def test_skipping_staying_and_unknown_phases_are_conflicts(world):
    kt = world.bloc_years["KT"]
    admin = world.actor("admin")
    assert refused(Conflict, services.move_phase, admin, kt, "appraisal") == [
        "Không thể chuyển từ “Đăng ký thi đua” sang “Chấm chéo, thẩm định”: chỉ được chuyển "
        "sang giai đoạn kế tiếp hoặc quay lại giai đoạn liền trước."]
    assert refused(Conflict, services.move_phase, admin, kt, "registration") == [
        "Khối đang ở giai đoạn “Đăng ký thi đua”."]
    assert refused(Conflict, services.move_phase, admin, kt, "done") == [
        "Giai đoạn không hợp lệ: 'done'."]


def test_move_phase_reads_the_current_phase_from_the_database(world):
    """A stale object (another tab moved the bloc on) cannot replay an old move."""
    kt = world.bloc_years["KT"]
    stale = BlocYear.objects.get(pk=kt.pk)
    services.move_phase(world.actor("leader"), kt, "in_progress")
    assert stale.phase == "registration"
    assert refused(Conflict, services.move_phase, world.actor("leader"), stale,
                   "in_progress") == ["Khối đang ở giai đoạn “Đang thực hiện”."]


def test_a_whole_year_walked_by_the_right_roles(world):
    kt = world.bloc_years["KT"]
    for phase in ["in_progress", "mid_year_review", "self_assessment", "appraisal",
                  "conference", "proposals_submitted"]:
        services.move_phase(world.actor("leader"), kt, phase)
    assert refused(Forbidden, services.move_phase, world.actor("leader"), kt, "decided")
    services.move_phase(world.actor("secretariat"), kt, "decided")
    assert BlocYear.objects.get(pk=kt.pk).phase == "decided"
    assert list(AuditEvent.objects.filter(action="org.bloc_year.phase", object_id=str(kt.id))
                .values_list("after__phase", flat=True)) == [
        "in_progress", "mid_year_review", "self_assessment", "appraisal", "conference",
        "proposals_submitted", "decided"]
    assert verify() is None
