"""`thidua check --deploy` is clean with production settings (settings.py's promise)."""

import os
import secrets
import string
import subprocess
import sys

import pytest


def run_check(tmp_path, **overrides):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("THIDUA_") or k == "THIDUA_DATABASE_URL"}
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update({
        "THIDUA_DEPLOYMENT": "production",
        "THIDUA_SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(64)),
        "THIDUA_ALLOWED_HOSTS": "thidua.example.vn",
        "THIDUA_DEBUG": "0",
        "THIDUA_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "thidua.settings",
    })
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "-m", "thidua", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize("overrides", [{}, {"THIDUA_ALLOWED_HOSTS": "thidua.example.vn,"
                                            "thidua-2.example.vn"}])
def test_production_settings_pass_the_deploy_check(tmp_path, overrides):
    result = run_check(tmp_path, **overrides)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_debug_in_production_fails_the_check(tmp_path):
    """The same command does fail when a setting is wrong, so the test above means something."""
    result = run_check(tmp_path, THIDUA_DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    """Each app server inventing its own key would split sessions between servers."""
    result = run_check(tmp_path, THIDUA_SECRET_KEY="")
    assert result.returncode != 0
    assert "THIDUA_SECRET_KEY phải được đặt khi THIDUA_DEPLOYMENT=production" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


@pytest.mark.parametrize(("url", "message"), [
    ("javascript:alert(1)", "THIDUA_PUBLIC_URL='javascript:alert(1)': phải là địa chỉ gốc"),
    ("https://thidua.example.vn/bo-phieu", "THIDUA_PUBLIC_URL='https://thidua.example.vn/"
                                           "bo-phieu': phải là địa chỉ gốc"),
    ("http://thidua.example.vn", "THIDUA_PUBLIC_URL phải dùng https:// khi THIDUA_DEPLOYMENT="
                                 "production"),
])
def test_a_wrong_public_url_refuses_to_start(tmp_path, url, message):
    """The address printed in voting cards' QR codes (thidua.voting.links): a wrong one would
    be found by the delegates in the hall, so the server refuses it at start."""
    result = run_check(tmp_path, THIDUA_PUBLIC_URL=url)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_public_url_passes_the_deploy_check(tmp_path):
    result = run_check(tmp_path, THIDUA_PUBLIC_URL="https://thidua.example.vn/")
    assert result.returncode == 0, result.stdout + result.stderr
