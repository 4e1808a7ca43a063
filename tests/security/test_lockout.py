"""A lockout nobody can use against a real user (issue 13, break 10): wrong passwords lock
only the (account, address) pair, for a cool-off that grows with each lockout of the pair
(1, 2, 4 … minutes, at most 15), and the owner's correct two-factor code lifts it at once.
Signs in through the real form."""

import time

import pyotp
from django.test import Client

from thidua.core import twofactor
from thidua.core.models import AuditEvent
from web.page import parse

PASSWORD = "mat-khau-thu-nghiem-2026"
HALL = "10.20.30.40"


def post_login(client, username, password, ip=HALL, code=None):
    data = {"username": username, "password": password}
    if code is not None:
        data["code"] = code
    return client.post("/dang-nhap/", data, REMOTE_ADDR=ip)


def lock(username, ip=HALL):
    client = Client()
    codes = [post_login(client, username, f"sai-{i}", ip).status_code for i in range(5)]
    assert codes[-1] == 429
    return client


def minutes_shown(response):
    text = " ".join(parse(response).with_class("error-summary")[0].text.split())
    return int(text.split("thử lại sau ")[1].split(" phút")[0])


def enrolled(user):
    """The leader enrolled through the pages; the secret."""
    client = Client()
    post_login(client, user.username, PASSWORD, ip="10.1.1.1")
    page = client.get("/xac-thuc-hai-buoc/thiet-lap/")
    secret = parse(page).by_id("khoa-bi-mat").text.strip()
    client.post("/xac-thuc-hai-buoc/thiet-lap/", {"code": pyotp.TOTP(secret).now()})
    assert twofactor.is_enrolled(user)
    return secret


def test_a_stranger_cannot_lock_the_leader_out_from_elsewhere(world):
    lock("truong_khoi", ip="203.0.113.9")
    response = post_login(Client(), "truong_khoi", PASSWORD, ip=HALL)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_each_lockout_of_a_pair_lasts_longer(world):
    waits = []
    for _ in range(3):
        client = lock("can_bo")
        waits.append(minutes_shown(post_login(client, "can_bo", PASSWORD)))
        # The cool-off over (its attempts cleared as axes does when it expires).
        from axes.utils import reset
        reset(ip=HALL, username="can_bo")
    assert waits == [1, 2, 4]
    lockouts = AuditEvent.objects.filter(action="core.lockout")
    assert {(e.after["username"], e.after["ip"]) for e in lockouts} == {("can_bo", HALL)}


def test_a_correct_two_factor_code_lifts_the_lockout(world):
    leader = world.users["leader"]
    secret = enrolled(leader)
    client = lock("truong_khoi")
    assert post_login(client, "truong_khoi", PASSWORD).status_code == 429
    # A wrong code changes nothing …
    assert post_login(client, "truong_khoi", PASSWORD, code="000000").status_code == 429
    # … the owner's code opens the session, past the two-factor page too.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    response = post_login(client, "truong_khoi", PASSWORD, code=code)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(leader.pk)
    assert client.get(f"/khoi/{world.bloc_years['KT'].pk}/").status_code == 200
    # The same code again (a replay) does not lift a new lockout.
    other = lock("truong_khoi", ip="10.99.0.1")
    assert post_login(other, "truong_khoi", PASSWORD, ip="10.99.0.1",
                      code=code).status_code == 429


def test_a_code_with_a_wrong_password_does_not_sign_in(world):
    leader = world.users["leader"]
    secret = enrolled(leader)
    client = lock("truong_khoi")
    code = pyotp.TOTP(secret).at(time.time() + 30)
    response = post_login(client, "truong_khoi", "sai-nua", code=code)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
