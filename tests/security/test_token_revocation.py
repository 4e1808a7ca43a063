"""A personal API token ends with the owner's remedies (issue 13, break 10): "sign out
everywhere" and a password change — by the page, the admin or `changepassword` — revoke
every token of that user, and only that user's. Signs in through the real form."""

import pytest
from django.test import Client

from thidua.core.models import ApiToken, AuditEvent
from thidua.core.tokens import create_token

PASSWORD = "mat-khau-thu-nghiem-2026"
NEW = "Mot-mat-khau-moi-rat-dai-2026"


def bearer(plain):
    return Client(headers={"Authorization": f"Bearer {plain}"})


def signed_in(username):
    client = Client()
    assert client.post("/dang-nhap/", {"username": username,
                                       "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def tokens(world):
    """Two tokens of the officer, one of a colleague; each works before the remedy."""
    mine = [create_token(world.users["officer"], name)[1] for name in ("script", "excel")]
    theirs = create_token(world.users["peer"], "script")[1]
    for plain in (*mine, theirs):
        assert bearer(plain).get("/api/v1/me").status_code == 200
    return mine, theirs


def revoked_names(user):
    return set(ApiToken.objects.filter(user=user, revoked_at__isnull=False)
               .values_list("name", flat=True))


def test_sign_out_everywhere_revokes_every_token_of_the_user(world, tokens):
    mine, theirs = tokens
    signed_in("can_bo").post("/dang-xuat-moi-noi/")
    for plain in mine:
        response = bearer(plain).get("/api/v1/me")
        assert response.status_code == 401
        assert response.json()["detail"] == (
            "Mã truy cập không hợp lệ, đã bị thu hồi hoặc tài khoản đã bị khóa.")
    assert bearer(theirs).get("/api/v1/me").json()["username"] == "can_bo_khac"
    assert revoked_names(world.users["officer"]) == {"script", "excel"}
    assert revoked_names(world.users["peer"]) == set()
    event = AuditEvent.objects.get(action="core.api_token.revoke_all")
    assert (event.actor_id, event.after) == (world.users["officer"].pk,
                                             {"tokens": 2, "reason": "sign_out_everywhere"})


def test_a_password_change_on_the_page_revokes_the_tokens(world, tokens):
    mine, theirs = tokens
    client = signed_in("can_bo")
    response = client.post("/doi-mat-khau/", {"old_password": PASSWORD,
                                              "new_password1": NEW, "new_password2": NEW})
    assert response["Location"] == "/bao-mat/"
    assert [bearer(p).get("/api/v1/me").status_code for p in mine] == [401, 401]
    assert bearer(theirs).get("/api/v1/me").status_code == 200
    event = AuditEvent.objects.get(action="core.api_token.revoke_all")
    assert event.after == {"tokens": 2, "reason": "password_change"}


def test_a_refused_password_change_keeps_the_tokens(world, tokens):
    mine, _ = tokens
    client = signed_in("can_bo")
    response = client.post("/doi-mat-khau/", {"old_password": "sai", "new_password1": NEW,
                                              "new_password2": NEW})
    assert response.status_code == 200
    assert [bearer(p).get("/api/v1/me").status_code for p in mine] == [200, 200]
    assert not AuditEvent.objects.filter(action="core.api_token.revoke_all").exists()


def test_a_password_set_by_an_administrator_revokes_the_tokens_too(world, tokens):
    mine, _ = tokens
    officer = world.users["officer"]
    officer.set_password(NEW)
    officer.save()
    assert [bearer(p).get("/api/v1/me").status_code for p in mine] == [401, 401]
    # Signing in (which may re-hash the password) or editing the name revokes nothing.
    fresh = create_token(officer, "moi")[1]
    officer.full_name = "Cán bộ mới"
    officer.save()
    assert Client().post("/dang-nhap/", {"username": "can_bo",
                                         "password": NEW}).status_code == 302
    assert bearer(fresh).get("/api/v1/me").status_code == 200
