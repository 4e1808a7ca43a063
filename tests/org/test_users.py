"""User administration (issue 11 item 8) through org.users: who may create accounts, grant
and revoke roles, reset a second factor, deactivate — with Vietnamese refusals that change
nothing, the role/scope pairing checked before the database, every change audited."""

import pytest

from thidua.core import twofactor
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.models import AuditEvent, BackupCode, TwoFactor, User
from thidua.org import users
from thidua.org.models import Role, RoleAssignment
from thidua.org.rules import actor_for

pytestmark = pytest.mark.django_db


def state():
    """Everything these services may write, to show a refusal wrote nothing."""
    return (list(User.objects.order_by("id").values_list("username", "is_active")),
            list(RoleAssignment.objects.order_by("id").values_list(
                "user_id", "role", "province_id", "bloc_year_id", "unit_id")),
            AuditEvent.objects.count(), TwoFactor.objects.count())


def fresh(user):
    user.__dict__.pop("_thidua_actor", None)
    return actor_for(User.objects.get(pk=user.pk))


def test_secretariat_creates_an_officer_of_its_unit_with_a_one_time_password(world):
    secretariat = world.actor("secretariat")
    created = users.create_user(secretariat, username=" CanBo.Moi ", full_name="Lê  Thị   Hoa",
                                email="hoa@bacninh.gov.vn", role="unit_officer",
                                unit=world.units["KT4"].id)
    user = created.user
    assert (user.username, user.full_name, user.email, user.is_active) == (
        "canbo.moi", "Lê Thị Hoa", "hoa@bacninh.gov.vn", True)
    assert len(created.password) == 16 and user.check_password(created.password)
    assert list(user.roles.values_list("role", "unit_id")) == [
        ("unit_officer", world.units["KT4"].id)]
    assert fresh(user).officer_units == frozenset({world.units["KT4"].id})
    event = AuditEvent.objects.get(action="org.user.create")
    assert (event.object_id, event.province_id, event.actor_id) == (
        str(user.pk), world.province.id, world.users["secretariat"].id)
    assert event.after["role"]["unit"] == world.units["KT4"].id
    assert created.password not in str(event.after)


@pytest.mark.parametrize(("role", "scope", "message"), [
    ("unit_officer", {"bloc_year": "KT"}, "Vai trò “Cán bộ thi đua đơn vị” phải gắn với một "
                                          "đơn vị (đã chọn: khối trong một năm)."),
    ("unit_officer", {}, "Vai trò “Cán bộ thi đua đơn vị” phải gắn với một đơn vị."),
    ("bloc_leader_officer", {"unit": "KT1"}, "Vai trò “Cán bộ đơn vị Trưởng khối” phải gắn "
                                             "với một khối trong một năm (đã chọn: đơn vị)."),
    ("province_secretariat", {"unit": "KT1", "province": "BN"},
     "Vai trò “Thường trực thi đua tỉnh” phải gắn với một tỉnh (đã chọn: đơn vị)."),
    ("delegate", {"unit": "HN1"}, "Không tìm thấy đơn vị này trong tỉnh bạn quản lý."),
    ("bloc_leader_officer", {"bloc_year": "HN"},
     "Không tìm thấy khối này trong tỉnh bạn quản lý."),
    ("province_secretariat", {"province": "HN"},
     "Không tìm thấy tỉnh này trong tỉnh bạn quản lý."),
    ("chu_tich", {"unit": "KT1"}, "Vai trò không hợp lệ: chọn một trong “Quản trị hệ thống”, "
                                  "“Thường trực thi đua tỉnh”, “Cán bộ đơn vị Trưởng khối”, "
                                  "“Cán bộ thi đua đơn vị”, “Đại biểu”."),
])
def test_wrong_role_scope_pairs_are_refused_in_vietnamese_before_the_database(
        world, role, scope, message):
    ids = {"unit": lambda c: world.units[c].id, "bloc_year": lambda c: world.bloc_years[c].id,
           "province": lambda c: {"BN": world.province, "HN": world.other_province}[c].id}
    kwargs = {kind: ids[kind](code) for kind, code in scope.items()}
    before = state()
    with pytest.raises(DomainError) as refused:
        users.create_user(world.actor("secretariat"), username="moi", full_name="Người Mới",
                          role=role, **kwargs)
    assert refused.value.messages == [message]
    with pytest.raises(DomainError) as refused:
        users.grant_role(world.actor("secretariat"), world.users["officer"], role, **kwargs)
    assert refused.value.messages == [message]
    assert state() == before


def test_every_field_error_is_told_at_once_and_nothing_written(world):
    before = state()
    with pytest.raises(DomainError) as refused:
        users.create_user(world.actor("secretariat"), username="Cán bộ", full_name="  ",
                          email="khong-phai-thu", role="delegate")
    assert refused.value.messages == [
        "Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số và các dấu . _ @ + - (tối đa 150 "
        "ký tự), ví dụ “canbo.sct”.",
        "Họ và tên không được để trống.",
        "Thư điện tử “khong-phai-thu” không hợp lệ.",
        "Vai trò “Đại biểu” phải gắn với một đơn vị."]
    with pytest.raises(Conflict, match="“can_bo” đã có người dùng"):
        users.create_user(world.actor("secretariat"), username="CAN_BO", full_name="Trùng",
                          role="delegate", unit=world.units["KT1"].id)
    assert state() == before


def test_only_the_admin_gives_the_admin_role_and_no_officer_administers(world):
    before = state()
    with pytest.raises(Forbidden):
        users.create_user(world.actor("secretariat"), username="qt2", full_name="Quản Trị",
                          role="system_admin")
    for who in ("leader", "officer", "delegate", "nobody"):
        with pytest.raises(Forbidden):
            users.create_user(world.actor(who), username="x", full_name="X",
                              role="delegate", unit=world.units["KT1"].id)
        with pytest.raises(NotFound):
            users.user_in_scope(world.actor(who), world.users["peer"].id)
    assert state() == before
    created = users.create_user(world.actor("admin"), username="qt2", full_name="Quản Trị",
                                role="system_admin")
    assert fresh(created.user).is_admin


def test_a_secretariat_cannot_touch_another_provinces_users(world):
    """Another province's account is not found; a shared account (a role here and one
    there) is seen but changed by the admin only; an administrator's neither."""
    secretariat = world.actor("secretariat")
    other = world.users["other_secretariat"]
    before = state()
    with pytest.raises(NotFound):
        users.user_in_scope(secretariat, other.id)
    assert other not in users.visible_users(secretariat)
    assert set(users.visible_users(secretariat)) == {
        world.users[n] for n in ("secretariat", "leader", "officer", "peer", "outsider",
                                 "delegate")}
    for call in (lambda: users.grant_role(secretariat, other, "delegate",
                                          unit=world.units["KT1"].id),
                 lambda: users.set_active(secretariat, other, False),
                 lambda: users.reset_two_factor(secretariat, other),
                 lambda: users.revoke_role(secretariat, other, other.roles.get().id)):
        with pytest.raises(Forbidden):
            call()
    shared = world.users["peer"]
    RoleAssignment.objects.create(user=shared, role=Role.DELEGATE, unit=world.units["HN1"])
    before = state()
    assert users.user_in_scope(secretariat, shared.id) == shared
    assert not users.may_manage(secretariat, shared)
    with pytest.raises(Forbidden, match="vai trò ngoài tỉnh bạn quản lý"):
        users.set_active(secretariat, shared, False)
    other_actor = world.actor("other_secretariat")
    assert users.user_in_scope(other_actor, shared.id) == shared
    with pytest.raises(Forbidden):
        users.set_active(other_actor, shared, False)
    assert state() == before


def test_grant_and_revoke_roles_audited_the_last_role_stays(world):
    secretariat = world.actor("secretariat")
    officer = world.users["officer"]
    assignment = users.grant_role(secretariat, officer, "bloc_leader_officer",
                                  bloc_year=world.bloc_years["KT"].id)
    assert fresh(officer).leader_bloc_years == frozenset({world.bloc_years["KT"].id})
    with pytest.raises(Conflict, match="đã có vai trò"):
        users.grant_role(secretariat, officer, "bloc_leader_officer",
                         bloc_year=world.bloc_years["KT"].id)
    users.revoke_role(secretariat, officer, assignment.id)
    assert fresh(officer).leader_bloc_years == frozenset()
    assert list(AuditEvent.objects.filter(action__startswith="org.role.").values_list(
        "action", "province_id")) == [("org.role.grant", world.province.id),
                                      ("org.role.revoke", world.province.id)]
    before = state()
    with pytest.raises(Conflict, match="vai trò cuối cùng"):
        users.revoke_role(secretariat, officer, officer.roles.get().id)
    with pytest.raises(NotFound):  # another user's role through this user
        users.revoke_role(secretariat, officer, world.users["peer"].roles.get().id)
    assert state() == before


def test_reset_two_factor_and_deactivate(world):
    secretariat = world.actor("secretariat")
    leader = world.users["leader"]
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    import pyotp

    twofactor.enrol(leader, secret, pyotp.TOTP(secret).now())
    users.reset_two_factor(secretariat, leader)
    assert not TwoFactor.objects.filter(user=leader).exists()
    assert not BackupCode.objects.filter(user=leader).exists()
    with pytest.raises(Conflict, match="chưa thiết lập xác thực hai bước"):
        users.reset_two_factor(secretariat, leader)  # nothing left: no second event
    assert AuditEvent.objects.filter(action="core.2fa.reset").count() == 1
    users.set_active(secretariat, leader, False, "Chuyển công tác")
    leader.refresh_from_db()
    assert leader.is_active is False and fresh(leader).is_authenticated is False
    event = AuditEvent.objects.get(action="org.user.deactivate")
    assert (event.reason, event.province_id, event.after) == (
        "Chuyển công tác", world.province.id, {"is_active": False})
    with pytest.raises(Conflict, match="đã bị khóa rồi"):
        users.set_active(secretariat, leader, False)
    with pytest.raises(Conflict, match="Không tự khóa"):
        users.set_active(secretariat, world.users["secretariat"], False)
    users.set_active(secretariat, leader, True)
    leader.refresh_from_db()
    assert leader.is_active is True
