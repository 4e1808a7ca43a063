"""Sign-in hardening (issue 7 item 1): lockout by account and by address (django-axes),
two-factor by role with backup codes, sign-out everywhere, password change, rate limits;
each step an audit event. Signs in through the real form (not force_login)."""

import io
import re
import time

import pyotp
import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from thidua.core import ratelimit, secretbox, twofactor
from thidua.core.models import AuditEvent, BackupCode, RateCounter, TwoFactor
from thidua.core.tokens import create_token
from web.page import parse

PASSWORD = "mat-khau-thu-nghiem-2026"
# Fixed windows restart on a multiple of their length: a long one keeps a test's uses in
# one window.
LONG = 10**7


def actions(since=0):
    return list(AuditEvent.objects.filter(id__gt=since).values_list("action", flat=True))


def last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def post_login(client, username, password, ip="127.0.0.1"):
    return client.post("/dang-nhap/", {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def messages_of(response):
    return [li.text.strip() for li in parse(response).with_class("error-summary")[0]
            .find_all("li")]


# --- lockout ----------------------------------------------------------------------------

def test_five_wrong_passwords_lock_the_account_at_that_address_only(world, client):
    start = last_id()
    statuses = [post_login(client, "can_bo", f"sai-{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = post_login(client, "can_bo", PASSWORD)
    assert response.status_code == 429
    assert messages_of(response) == [
        "Tài khoản này đã nhập sai mật khẩu quá 5 lần từ địa chỉ mạng này nên tạm thời bị "
        "khóa tại địa chỉ này. Vui lòng thử lại sau 1 phút hoặc liên hệ quản trị hệ thống."]
    assert "_auth_user_id" not in client.session
    # From another address the owner signs in: a stranger cannot lock them out.
    assert post_login(Client(), "can_bo", PASSWORD, ip="10.9.9.9").status_code == 302
    events = actions(start)
    assert events.count("core.sign_in_failed") == 6
    assert "core.lockout" in events
    assert events.count("core.sign_in") == 1
    failed = AuditEvent.objects.filter(id__gt=start, action="core.sign_in_failed").first()
    assert failed.object_id == str(world.users["officer"].pk)
    assert failed.after == {"username": "can_bo", "ip": "127.0.0.1"}
    assert "sai-0" not in str(failed.after)  # the password tried is never logged


def test_failures_for_many_accounts_from_one_address_lock_no_other_account(world, client):
    """One hall's Wi-Fi: someone mistyping five usernames locks nobody else in the hall;
    guessing across accounts is the login rate limit's job."""
    for i in range(5):
        post_login(client, f"khong_ton_tai_{i}", "sai", ip="10.0.0.7")
    assert post_login(Client(), "can_bo_khac", PASSWORD, ip="10.0.0.7").status_code == 302


def test_a_success_resets_the_count_and_is_audited(world, client):
    start = last_id()
    for i in range(4):
        post_login(client, "can_bo", f"sai-{i}")
    assert post_login(client, "can_bo", PASSWORD).status_code == 302
    client.post("/dang-xuat/")
    for i in range(4):
        assert post_login(client, "can_bo", f"sai-{i}").status_code == 200
    assert actions(start).count("core.sign_in") == 1
    event = AuditEvent.objects.get(id__gt=start, action="core.sign_in")
    assert (event.actor_id, event.after) == (world.users["officer"].pk, {"ip": "127.0.0.1"})


def test_the_login_form_is_rate_limited_per_address(world, client, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "login", (3, LONG))
    codes = [client.get("/dang-nhap/").status_code for _ in range(5)]
    assert codes == [200] * 5  # reading the form is free
    codes = [post_login(Client(), "can_bo", PASSWORD).status_code for _ in range(3)]
    assert codes == [302, 302, 302]
    response = post_login(Client(), "can_bo", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert messages_of(response)[0].startswith(
        "Bạn thao tác quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau khoảng")


# --- two-factor ---------------------------------------------------------------------------

def enrol_with_code(client, user):
    """Through the pages: the secret from the setup page, a code from it. Returns the
    secret, the backup codes and the code given (to try a replay with)."""
    page = client.get("/xac-thuc-hai-buoc/thiet-lap/")
    secret = parse(page).by_id("khoa-bi-mat").text.strip()
    code = pyotp.TOTP(secret).now()
    response = client.post("/xac-thuc-hai-buoc/thiet-lap/", {"code": code, "next": "/"})
    codes = [li.text.strip() for li in parse(response).by_id("ma-du-phong").find_all("li")]
    return secret, codes, code


def enrol(client, user):
    secret, codes, _ = enrol_with_code(client, user)
    return secret, codes


@pytest.mark.parametrize("who", ["admin", "secretariat", "leader"])
def test_roles_that_decide_must_enrol_before_anything_else(world, client, who):
    user = world.users[who]
    start = last_id()
    assert post_login(client, user.username, PASSWORD)["Location"] == "/"
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/xac-thuc-hai-buoc/thiet-lap/?next=/"
    assert client.get("/nhat-ky/")["Location"] == (
        "/xac-thuc-hai-buoc/thiet-lap/?next=/nhat-ky/")
    page = client.get("/xac-thuc-hai-buoc/thiet-lap/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    img = parse(page).by_id("ma-qr")
    assert img.attrs["src"].startswith("data:image/svg+xml;base64,")
    secret = parse(page).by_id("khoa-bi-mat").text.strip()
    wrong = client.post("/xac-thuc-hai-buoc/thiet-lap/", {"code": "000000", "next": "/"})
    assert wrong.status_code == 400
    assert not TwoFactor.objects.filter(user=user).exists()
    response = client.post("/xac-thuc-hai-buoc/thiet-lap/",
                           {"code": pyotp.TOTP(secret).now(), "next": "/"})
    assert response.status_code == 200
    codes = [li.text.strip() for li in parse(response).by_id("ma-du-phong").find_all("li")]
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code) for code in codes)
    stored = list(BackupCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashed, never plain
    assert secretbox.unseal(TwoFactor.objects.get(user=user).secret) == secret
    assert client.get("/").status_code in {200, 302}
    assert not client.get("/").get("Location", "").startswith("/xac-thuc")
    assert actions(start) == ["core.sign_in", "core.2fa.enrol_failed", "core.2fa.enrol"]


def test_an_enrolled_user_gives_a_code_each_sign_in_once_per_code(world, client):
    user = world.users["secretariat"]
    post_login(client, user.username, PASSWORD)
    # The very code given at enrolment (not "now", which may be the next 30-s step's).
    secret, _, used = enrol_with_code(client, user)
    client.post("/dang-xuat/")

    other = Client()
    post_login(other, user.username, PASSWORD)
    assert other.get("/tinh/BN/")["Location"] == "/xac-thuc-hai-buoc/?next=/tinh/BN/"
    # The code already used at enrolment is refused (no replay) …
    response = other.post("/xac-thuc-hai-buoc/", {"code": used, "next": "/tinh/BN/"})
    assert response.status_code == 400
    assert "Mã xác thực không đúng hoặc đã được dùng" in messages_of(response)[0]
    # … the next one is accepted, and the session goes where it was going.
    start = last_id()
    fresh = pyotp.TOTP(secret).at(time.time() + 30)
    response = other.post("/xac-thuc-hai-buoc/", {"code": fresh, "next": "/tinh/BN/"})
    assert response["Location"] == "/tinh/BN/"
    assert other.get("/tinh/BN/").status_code == 200
    assert actions(start) == ["core.2fa.verify"]


def test_a_backup_code_works_once(world, client):
    user = world.users["leader"]
    post_login(client, user.username, PASSWORD)
    _, codes = enrol(client, user)
    first, second = Client(), Client()
    for c in (first, second):
        post_login(c, user.username, PASSWORD)
    assert first.post("/xac-thuc-hai-buoc/", {"code": codes[3].lower()}).status_code == 302
    assert second.post("/xac-thuc-hai-buoc/", {"code": codes[3]}).status_code == 400
    assert twofactor.backup_codes_left(user) == 9
    event = AuditEvent.objects.filter(action="core.2fa.verify").last()
    assert event.after == {"by": "backup_code", "backup_codes_left": 9}
    assert AuditEvent.objects.filter(action="core.2fa.verify_failed").count() == 1


def test_code_attempts_are_rate_limited(world, client, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "otp", (5, LONG))
    user = world.users["secretariat"]
    post_login(client, user.username, PASSWORD)
    enrol(client, user)
    RateCounter.objects.all().delete()  # the enrolment's own try counted too
    other = Client()
    post_login(other, user.username, PASSWORD)
    limit = ratelimit.LIMITS["otp"][0]
    codes = [other.post("/xac-thuc-hai-buoc/", {"code": "123456"}).status_code
             for _ in range(limit + 1)]
    assert codes == [400] * limit + [429]


def test_a_unit_officer_needs_no_second_factor(world, client):
    post_login(client, "can_bo", PASSWORD)
    assert client.get("/")["Location"] == f"/don-vi/{world.units['KT1'].pk}/"


def test_the_api_refuses_a_half_signed_in_session_but_not_a_token(world, client):
    user = world.users["secretariat"]
    post_login(client, user.username, PASSWORD)
    response = client.get("/api/v1/provinces")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Cần xác thực hai bước")
    _, plain = create_token(user, "script")
    response = Client().get("/api/v1/provinces", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200


def test_the_gate_does_not_trust_a_flag_for_another_user(world, client):
    client.force_login(world.users["officer"])
    session = client.session
    session.save()
    client.force_login(world.users["secretariat"])
    session = client.session
    session[twofactor.VERIFIED_KEY] = world.users["officer"].pk
    session.save()
    assert client.get("/tinh/BN/")["Location"].startswith("/xac-thuc-hai-buoc/thiet-lap/")


# --- sessions and passwords ---------------------------------------------------------------

def test_sign_out_everywhere_ends_every_session_of_the_user_only(world, client):
    phone, laptop, colleague = Client(), Client(), Client()
    for c, name in ((phone, "can_bo"), (laptop, "can_bo"), (colleague, "can_bo_khac")):
        assert post_login(c, name, PASSWORD).status_code == 302
    response = laptop.post("/dang-xuat-moi-noi/")
    assert response["Location"] == "/dang-nhap/"
    assert phone.get("/")["Location"] == "/dang-nhap/?next=/"
    assert laptop.get("/")["Location"] == "/dang-nhap/?next=/"
    assert colleague.get("/").status_code == 302
    assert not colleague.get("/")["Location"].startswith("/dang-nhap/")
    assert Session.objects.count() == 1
    event = AuditEvent.objects.get(action="core.sign_out_everywhere")
    assert (event.actor_id, event.after) == (world.users["officer"].pk, {"sessions": 2})
    assert laptop.get("/dang-xuat-moi-noi/").status_code == 302  # GET does nothing


def test_password_change_keeps_this_session_and_ends_the_others(world, client):
    other = Client()
    post_login(client, "can_bo", PASSWORD)
    post_login(other, "can_bo", PASSWORD)
    short = client.post("/doi-mat-khau/", {"old_password": PASSWORD, "new_password1": "abc",
                                           "new_password2": "abc"})
    assert short.status_code == 200
    assert messages_of(short) == ["Mật khẩu này quá ngắn: cần ít nhất 10 ký tự.",
                                  "Mật khẩu này quá phổ biến."]
    new = "Mot-mat-khau-moi-rat-dai-2026"
    response = client.post("/doi-mat-khau/", {"old_password": PASSWORD, "new_password1": new,
                                              "new_password2": new})
    assert response["Location"] == "/bao-mat/"
    assert client.get("/bao-mat/").status_code == 200
    assert other.get("/")["Location"] == "/dang-nhap/?next=/"
    assert AuditEvent.objects.filter(action="core.password_change").count() == 1
    world.users["officer"].refresh_from_db()
    assert world.users["officer"].check_password(new)


def test_the_api_is_rate_limited_per_user(world, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "api", (2, LONG))
    _, plain = create_token(world.users["officer"], "script")
    client = Client(headers={"Authorization": f"Bearer {plain}"})
    codes = [client.get("/api/v1/me").status_code for _ in range(3)]
    assert codes[:2] != [429, 429] and codes[2] == 429
    response = client.get("/api/v1/me")
    assert response.json()["detail"].startswith("Bạn thao tác quá nhiều lần")
    assert int(response["Retry-After"]) >= 1
    # Another user has their own budget.
    _, other = create_token(world.users["peer"], "script")
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}
                        ).status_code != 429


def test_an_administrator_resets_a_lost_second_factor(world, client):
    from django.core.management import call_command

    user = world.users["leader"]
    post_login(client, user.username, PASSWORD)
    enrol(client, user)
    call_command("twofactor", "reset", user.username, stdout=io.StringIO())
    assert not TwoFactor.objects.filter(user=user).exists()
    assert not BackupCode.objects.filter(user=user).exists()
    assert client.get("/")["Location"] == "/dang-nhap/?next=/"  # sessions ended
    assert list(AuditEvent.objects.filter(action__in=["core.2fa.reset",
                                                      "core.sign_out_everywhere"])
                .values_list("action", flat=True)) == ["core.2fa.reset",
                                                       "core.sign_out_everywhere"]


@pytest.mark.parametrize(("scope", "url", "method"), [
    ("receipt", "/api/v1/polls/999999/receipts/ABCD-EFGH", "get"),
    ("voting_card", "/api/v1/polls/999999/card-ballots", "post"),
])
def test_card_ballots_and_receipt_checks_are_rate_limited_per_address(
        world, monkeypatch, scope, url, method):
    monkeypatch.setitem(ratelimit.LIMITS, scope, (2, LONG))
    body = {"token": "x" * 20, "choices": []}

    def call(ip):
        client = Client(REMOTE_ADDR=ip)
        if method == "get":
            return client.get(url)
        return client.post(url, body, content_type="application/json")

    codes = [call("10.1.1.1").status_code for _ in range(3)]
    assert codes[:2] != [429, 429] and codes[2] == 429
    assert call("10.1.1.1").json()["detail"].startswith("Bạn thao tác quá nhiều lần")
    assert call("10.1.1.2").status_code != 429
