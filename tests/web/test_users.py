"""User administration pages (issue 11 item 8): the secretariat's list of its province's
accounts, a new account with its first role and one-time password, roles granted and
revoked, a reset second factor, an account locked — and every forged or out-of-scope
request refused in Vietnamese with nothing changed. /admin/ is linked from nowhere."""

import pytest
from django.urls import reverse

from thidua.core.models import AuditEvent, User
from thidua.org.models import RoleAssignment

from .conftest import matrix, outcome
from .page import parse

pytestmark = pytest.mark.django_db


def state():
    return (list(User.objects.order_by("id").values_list("username", "is_active")),
            list(RoleAssignment.objects.order_by("id").values_list(
                "user_id", "role", "province_id", "bloc_year_id", "unit_id")),
            AuditEvent.objects.count())


def errors(response):
    return [li.text for li in parse(response).find(class_="error-summary").find_all("li")]


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=200, secretariat=200, other_secretariat=200, leader=403, officer=403, peer=403,
    outsider=403, delegate=403, nobody=403, anonymous="login"))
def test_user_list_is_for_the_secretariat_and_admin(world, as_who, who, expected):
    response = as_who(who).get(reverse("user_list"))
    assert outcome(response) == expected
    if expected == 200:
        nav = [a.text for a in parse(response).find("nav", class_="site-nav").find_all("a")]
        assert "Người dùng" in nav


def test_list_shows_only_the_provinces_accounts_and_admin_is_linked_from_nowhere(
        world, as_who):
    response = as_who("secretariat").get(reverse("user_list"))
    root = parse(response)
    names = [tr.find("a").text for tr in root.by_id("bang-nguoi-dung").find("tbody")
             .find_all("tr")]
    assert names == ["can_bo", "can_bo_khac", "can_bo_vx", "dai_bieu", "thuong_truc",
                     "truong_khoi"]
    assert "thuong_truc_hn" not in response.content.decode()
    hrefs = [a.attrs.get("href", "") for a in root.find_all("a")]
    assert not any(h.startswith("/admin") for h in hrefs)
    scopes = [o.attrs["value"] for o in root.by_id("moi-scope").find_all("option")]
    assert f"unit:{world.units['KT1'].id}" in scopes
    assert f"unit:{world.units['HN1'].id}" not in scopes
    assert f"province:{world.other_province.id}" not in scopes


def test_create_user_shows_the_password_once_and_the_person_signs_in(world, as_who, client):
    response = as_who("secretariat").post(reverse("user_create"), {
        "username": "canbo.moi", "full_name": "Lê Thị Hoa", "email": "",
        "role": "delegate", "scope": f"unit:{world.units['KT4'].id}"})
    assert response.status_code == 201
    root = parse(response)
    password = root.by_id("mat-khau").text
    user = User.objects.get(username="canbo.moi")
    assert user.check_password(password)
    assert [li.text.split("\n")[0].strip() for li in root.by_id("vai-tro").find_all("li")] == [
        "Đại biểu — Đài Phát thanh"]
    again = client.get(reverse("user_detail", args=[user.pk]))
    assert parse(again).by_id("mat-khau") is None
    client.logout()
    signed = client.post(reverse("login"), {"username": "canbo.moi", "password": password})
    assert signed.status_code == 302


def test_wrong_pairing_and_forged_forms_change_nothing(world, as_who):
    client = as_who("secretariat")
    before = state()
    response = client.post(reverse("user_create"), {
        "username": "moi", "full_name": "Người Mới", "role": "unit_officer",
        "scope": f"bloc_year:{world.bloc_years['KT'].id}"})
    assert response.status_code == 400
    assert errors(response) == ["Vai trò “Cán bộ thi đua đơn vị” phải gắn với một đơn vị "
                                "(đã chọn: khối trong một năm)."]
    assert "role_scope_matches" not in response.content.decode()
    # A forged scope: another province's unit (not in the select) or garbage.
    for scope in (f"unit:{world.units['HN1'].id}", "unit:abc", "tinh:1"):
        response = client.post(reverse("user_create"), {
            "username": "moi", "full_name": "Người Mới", "role": "delegate", "scope": scope})
        assert response.status_code == 400
        assert errors(response) == ["Phạm vi không hợp lệ: chọn trong danh sách."]
    response = client.post(reverse("user_create"), {
        "username": "moi", "full_name": "Người Mới", "role": "system_admin", "scope": ""})
    assert response.status_code == 403
    officer = world.users["officer"]
    response = client.post(reverse("role_grant", args=[officer.pk]), {
        "role": "province_secretariat", "scope": f"unit:{world.units['KT1'].id}"})
    assert errors(response) == ["Vai trò “Thường trực thi đua tỉnh” phải gắn với một tỉnh "
                                "(đã chọn: đơn vị)."]
    other = world.users["other_secretariat"]
    for name, args in (("user_detail", [other.pk]), ("role_grant", [other.pk]),
                       ("user_deactivate", [other.pk]), ("user_two_factor_reset", [other.pk]),
                       ("role_revoke", [other.pk, other.roles.get().pk])):
        call = client.get if name == "user_detail" else client.post
        assert call(reverse(name, args=args), {"role": "delegate",
                                               "scope": f"unit:{world.units['KT1'].id}"}
                    ).status_code == 404, name
    # Another user's role revoked through this user's URL: not found.
    assert client.post(reverse("role_revoke", args=[officer.pk, other.roles.get().pk])
                       ).status_code == 404
    assert state() == before


def test_grant_revoke_deactivate_through_the_pages(world, as_who):
    client = as_who("secretariat")
    officer = world.users["officer"]
    url = reverse("user_detail", args=[officer.pk])
    response = client.post(reverse("role_grant", args=[officer.pk]), {
        "role": "delegate", "scope": f"unit:{world.units['KT1'].id}"})
    assert response["Location"] == url
    page = parse(client.get(url))
    forms = {f.attrs["action"]: f.attrs.get("data-confirm", "") for f in page.find_all("form")
             if f.attrs.get("method") == "post"}
    delegate_role = officer.roles.get(role="delegate")
    assert forms[reverse("role_revoke", args=[officer.pk, delegate_role.pk])] == (
        "Thu hồi vai trò “Đại biểu — Sở Công Thương” của Can Bo? Người này mất ngay các "
        "quyền của vai trò này.")
    assert forms[reverse("user_deactivate", args=[officer.pk])].startswith(
        "Khóa tài khoản can_bo? Người này không đăng nhập được nữa")
    assert client.post(reverse("role_revoke", args=[officer.pk, delegate_role.pk])
                       )["Location"] == url
    last = client.post(reverse("role_revoke", args=[officer.pk, officer.roles.get().pk]))
    assert last.status_code == 409 and errors(last)[0].startswith(
        "Không thu hồi được vai trò cuối cùng của Can Bo")
    assert client.post(reverse("user_deactivate", args=[officer.pk]),
                       {"reason": "Nghỉ hưu"})["Location"] == url
    officer.refresh_from_db()
    assert officer.is_active is False
    assert parse(client.get(url)).by_id("trang-thai").text == "Đã khóa"
    assert list(AuditEvent.objects.filter(action__regex=r"^org\.(role|user)\.").values_list(
        "action", flat=True)) == ["org.role.grant", "org.role.revoke", "org.user.deactivate"]
