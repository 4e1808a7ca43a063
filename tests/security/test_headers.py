"""Headers and transport (issue 7 item 2): the same protective headers on pages, the API
and the two-factor pages; HSTS, secure cookies and the HTTPS redirect in production.
(Evidence downloads as attachments with a verified type: tests/web/test_check_in.py.)"""

import json
import os
import subprocess
import sys

import pytest

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


@pytest.mark.parametrize(("who", "url", "status"), [
    (None, "/dang-nhap/", 200),
    ("secretariat", "/tinh/BN/", 200),
    ("officer", "/bao-mat/", 200),
    ("officer", "/xac-thuc-hai-buoc/thiet-lap/", 200),
    ("officer", "/api/v1/me", 200),
    (None, "/api/v1/me", 401),
    ("other_secretariat", "/tinh/BN/", 404),
])
def test_every_answer_carries_the_protective_headers(world, client, who, url, status):
    if who:
        client.force_login(world.users[who])
    response = client.get(url)
    assert response.status_code == status
    assert {name: response.get(name) for name in EXPECTED} == EXPECTED
    assert response["Content-Security-Policy"] == CSP
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response  # local: plain HTTP


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# No collectstatic here: plain static storage (hashed names are not what is tested).
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
response = Client().get("/dang-nhap/", secure=True, HTTP_HOST="thidua.example.vn")
plain = Client().get("/dang-nhap/", HTTP_HOST="thidua.example.vn")
print(json.dumps({
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": response.get("Strict-Transport-Security"),
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "csrf_cookie_secure": bool(response.cookies["csrftoken"]["secure"]),
    "axes_handler": settings.AXES_HANDLER,
    "cache": settings.CACHES["default"]["BACKEND"],
}))
"""


def test_production_settings_secure_the_transport(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")}
    env.update({"THIDUA_DEPLOYMENT": "production", "THIDUA_SECRET_KEY": "k" * 64,
                "THIDUA_ALLOWED_HOSTS": "thidua.example.vn",
                "THIDUA_VAR_DIR": str(tmp_path / "var"),
                "DJANGO_SETTINGS_MODULE": "thidua.settings"})
    result = subprocess.run([sys.executable, "-c", PRODUCTION_PROBE], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "session_secure": True, "csrf_secure": True, "session_httponly": True,
        "ssl_redirect": True,
        "hsts": "max-age=31536000; includeSubDomains; preload",
        "plain_status": 301, "plain_location": "https://thidua.example.vn/dang-nhap/",
        "csrf_cookie_secure": True,
        "axes_handler": "axes.handlers.database.AxesDatabaseHandler",
        "cache": "django.core.cache.backends.db.DatabaseCache",
    }
