"""No path past two-factor (issue 13, break 1): a session signed in with the password only
reaches nothing but the code pages, whatever Authorization header (or none) rides along,
on the web and on the API, for reads and for writes. Only a real bearer token is judged
on its own (and only a valid one is let in). Signs in through the real form."""

import base64

import pytest
from django.test import Client

from thidua.core.models import ApiToken, AuditEvent
from thidua.core.tokens import create_token

PASSWORD = "mat-khau-thu-nghiem-2026"

# Every way of writing (or misspelling) the header a client might try; none is a token.
HEADERS = {
    "none": None,
    "basic": "Basic x",
    "basic-real-password": "Basic " + base64.b64encode(
        f"thuong_truc:{PASSWORD}".encode()).decode(),
    "token-scheme": "Token thd_abc",
    "digest": 'Digest username="thuong_truc"',
    "no-scheme": "thd_abc",
    "empty": "",
    "spaces": "   ",
    "bearer-alone": "Bearer",
    "bearer-empty": "Bearer ",
    "bearer-wrong": "Bearer thd_khong-phai-ma-that",
    "bearer-lowercase-wrong": "bearer thd_khong-phai-ma-that",
    "bearer-twice": "Bearer Bearer",
    "negotiate": "Negotiate YII=",
}


def half_signed_in(username="thuong_truc"):
    """A session past the password and not past the code."""
    client = Client()
    response = client.post("/dang-nhap/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    return client


def headers_for(value):
    return {} if value is None else {"Authorization": value}


@pytest.mark.parametrize("header", list(HEADERS))
def test_the_api_refuses_a_half_signed_in_session_with_any_header(world, header):
    client = half_signed_in()
    response = client.get("/api/v1/provinces", headers=headers_for(HEADERS[header]))
    assert response.status_code == 401
    body = response.json()
    assert "Bắc Ninh" not in response.content.decode()
    assert body["detail"] in {
        "Cần xác thực hai bước: hãy nhập mã xác thực trên trang web trước khi dùng API "
        "bằng phiên đăng nhập.",
        "Mã truy cập không hợp lệ, đã bị thu hồi hoặc tài khoản đã bị khóa."}
    assert client.get("/api/v1/me", headers=headers_for(HEADERS[header])).status_code == 401


@pytest.mark.parametrize("header", list(HEADERS))
def test_a_half_signed_in_admin_cannot_mint_a_token_with_any_header(world, header):
    client = half_signed_in("quan_tri")
    before = AuditEvent.objects.count()
    response = client.post("/api/v1/tokens", {"name": "cửa sau"},
                           content_type="application/json",
                           headers=headers_for(HEADERS[header]))
    assert response.status_code == 401
    assert "thd_" not in response.content.decode().replace("thd_khong", "")
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(id__gt=0, action="core.api_token.create").exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("header", list(HEADERS))
def test_web_pages_send_a_half_signed_in_session_to_the_code_page(world, header):
    client = half_signed_in()
    response = client.get("/tinh/BN/", headers=headers_for(HEADERS[header]))
    assert response.status_code == 302
    assert response["Location"] == "/xac-thuc-hai-buoc/thiet-lap/?next=/tinh/BN/"
    response = client.post("/dang-xuat-moi-noi/", headers=headers_for(HEADERS[header]))
    assert response["Location"].startswith("/xac-thuc-hai-buoc/thiet-lap/")
    # The admin site (an administrator half signed in) is behind the same gate.
    admin = half_signed_in("quan_tri")
    response = admin.get("/admin/core/user/", headers=headers_for(HEADERS[header]))
    assert response.status_code == 302
    assert response["Location"] == "/xac-thuc-hai-buoc/thiet-lap/?next=/admin/core/user/"


def test_only_a_valid_bearer_token_goes_past_without_the_session(world):
    _, plain = create_token(world.users["secretariat"], "script")
    client = half_signed_in()
    # A valid token is judged alone (the session's missing code does not matter to it) …
    response = client.get("/api/v1/provinces", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200
    assert [p["code"] for p in response.json()] == ["BN"]
    # … and the same token under any other scheme is no token at all.
    for scheme in ("Basic", "Token", "Bearer-", ""):
        value = f"{scheme} {plain}".strip()
        response = client.get("/api/v1/provinces", headers={"Authorization": value})
        assert response.status_code == 401, value
        assert "Bắc Ninh" not in response.content.decode()


def test_a_fully_signed_in_session_with_a_stray_header_still_works(world):
    """The gate is about the code, not the header: a verified session keeps working when
    a browser extension adds a Basic header."""
    client = Client()
    client.force_login(world.users["secretariat"])
    response = client.get("/api/v1/provinces", headers={"Authorization": "Basic x"})
    assert response.status_code == 200
    assert [p["code"] for p in response.json()] == ["BN"]
