"""Who may call the API at all: session (with CSRF), personal tokens, nobody else."""

import re

import pytest
from django.test import Client

from thidua.api.api import api as ninja_api
from thidua.core.models import ApiToken, AuditEvent
from thidua.core.tokens import create_token, revoke_token

from .conftest import Api, error

UNAUTHENTICATED = error("Chưa đăng nhập: hãy đăng nhập hoặc gửi mã truy cập cá nhân "
                        "(Authorization: Bearer thd_…).")
BAD_TOKEN = error("Mã truy cập không hợp lệ, đã bị thu hồi hoặc tài khoản đã bị khóa.")


def _operations(public=False):
    """Operations that need a user (or, `public`, the few that declare no security)."""
    schema = ninja_api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if ("security" not in operation) == public:
                yield method, re.sub(r"\{[^}]+\}", "1", path)


OPERATIONS = sorted(set(_operations()))


def test_the_only_public_operations_are_voting_receipts_and_published_results():
    # A delegate votes with the one-time token on a printed card (no account) and checks
    # a receipt code after publication (issue 4); anyone reads what a bloc has published
    # (issue 6, the public results page's data); nothing else answers without a user.
    assert sorted(set(_operations(public=True))) == [
        ("get", "/api/v1/polls/1/receipts/1"),
        ("get", "/api/v1/public/bloc-years/1/results"),
        ("get", "/api/v1/public/provinces/1/bloc-years"),
        ("post", "/api/v1/polls/1/card-ballots"),
        ("post", "/api/v1/polls/1/receipts")]  # the receipt check as POST (issue 13)


def test_every_operation_is_under_v1():
    assert OPERATIONS and all(path.startswith("/api/v1/") for _, path in OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_anonymous_gets_401_in_vietnamese_everywhere(world, method, path):
    count = AuditEvent.objects.count()
    response = getattr(Client(), method)(path, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert response["WWW-Authenticate"] == 'Bearer realm="thidua"'
    assert AuditEvent.objects.count() == count


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_a_wrong_token_is_refused_even_with_a_session(world, method, path):
    client = Client()
    client.force_login(world.users["admin"])
    response = getattr(client, method)(path, content_type="application/json",
                                       headers={"Authorization": "Bearer thd_wrong"})
    assert response.status_code == 401
    assert response.json() == BAD_TOKEN


def test_token_authenticates_and_records_last_use(world):
    user = world.users["officer"]
    token, plain = create_token(user, "kịch bản")
    assert token.last_used_at is None
    response = Api(token=plain).get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "can_bo"
    assert response.json()["auth"] == "token"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused(world):
    user = world.users["officer"]
    token, plain = create_token(user, "cũ")
    revoke_token(user, token.id)
    response = Api(token=plain).get("/me")
    assert response.status_code == 401
    assert response.json() == BAD_TOKEN


def test_token_of_an_inactive_user_is_refused(world):
    user = world.users["officer"]
    _, plain = create_token(user, "khóa")
    user.is_active = False
    user.save()
    assert Api(token=plain).get("/me").status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "bearer abc", "Bearer thd_",
                                    "Bearer " + "x" * 5000])
def test_malformed_bearer_header_is_401(world, header):
    response = Client().get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401


def test_other_schemes_fall_back_to_the_session(world):
    client = Client()
    client.force_login(world.users["officer"])
    response = client.get("/api/v1/me", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert response.status_code == 200
    assert response.json()["auth"] == "session"


def test_session_write_needs_csrf(world):
    client = Api(world.users["secretariat"], enforce_csrf=True)
    by = world.bloc_years["KT"]
    response = client.post(f"/bloc-years/{by.id}/phase", {"target": "in_progress"})
    assert response.status_code == 403
    assert response.json() == error("Thiếu hoặc sai mã CSRF: khi dùng phiên đăng nhập của "
                                    "trình duyệt, gửi kèm tiêu đề X-CSRFToken.")
    by.refresh_from_db()
    assert by.phase == "registration"
    # With the token from the cookie, the same request goes through.
    client.client.get("/api/docs")
    csrf = client.client.cookies["csrftoken"].value
    response = client.post(f"/bloc-years/{by.id}/phase",
                           {"target": "in_progress", "confirm": True},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 200
    by.refresh_from_db()
    assert by.phase == "in_progress"


def test_session_reads_need_no_csrf(world):
    client = Api(world.users["secretariat"], enforce_csrf=True)
    assert client.get("/provinces").status_code == 200


def test_token_writes_need_no_csrf(world):
    _, plain = create_token(world.users["secretariat"], "kịch bản")
    client = Api(token=plain, enforce_csrf=True)
    by = world.bloc_years["KT"]
    assert client.post(f"/bloc-years/{by.id}/phase",
                       {"target": "in_progress", "confirm": True}).status_code == 200


def test_openapi_and_docs_are_served_offline_under_the_csp(world):
    client = Client()
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "thidua API"
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    assert scripts == ["/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js"]
    # No inline script may run under script-src 'self': only a JSON data block.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="swagger-settings"']
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    for url in scripts + ["/static/ninja/swagger-ui.css"]:
        asset = client.get(url)
        assert asset.status_code == 200, url
        b"".join(asset.streaming_content if asset.streaming else [asset.content])


def test_token_rows_keep_only_the_hash(world):
    _, plain = create_token(world.users["officer"], "băm")
    row = ApiToken.objects.get(user=world.users["officer"])
    assert plain not in (row.key_hash, row.prefix, row.name)
    assert row.prefix == plain[:8]
