"""Two-factor secrets encrypted at rest (issue 13, break 10): a backup, or the database
alone, gives no one's second factor — the secret is sealed with a key from the server's
environment (core.secretbox), the pending one in the session too; a migration seals the
secrets stored in clear before it. Enrols through the real pages."""

import importlib
import subprocess
import tarfile
import time
from pathlib import Path

import pyotp
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from thidua.core import backup, secretbox, twofactor
from thidua.core.models import TwoFactor
from web.page import parse

PASSWORD = "mat-khau-thu-nghiem-2026"


def enrol_through_the_pages(username="thuong_truc"):
    client = Client()
    client.post("/dang-nhap/", {"username": username, "password": PASSWORD})
    page = client.get("/xac-thuc-hai-buoc/thiet-lap/")
    secret = parse(page).by_id("khoa-bi-mat").text.strip()
    # While enrolling, the session (a database row) holds no plain secret either.
    assert secret.encode() not in b"".join(
        s.session_data.encode() + str(s.get_decoded()).encode()
        for s in Session.objects.all())
    response = client.post("/xac-thuc-hai-buoc/thiet-lap/",
                           {"code": pyotp.TOTP(secret).now(), "next": "/"})
    assert response.status_code == 200
    return secret


def test_the_stored_secret_is_sealed_and_still_checks_codes(world):
    secret = enrol_through_the_pages()
    stored = TwoFactor.objects.get(user=world.users["secretariat"]).secret
    assert stored.startswith("enc1:") and secret not in stored
    assert secretbox.unseal(stored) == secret
    # A later sign-in's code is checked against the sealed secret.
    later = pyotp.TOTP(secret).at(time.time() + 30)
    assert twofactor.verify(world.users["secretariat"], later) == "totp"


def test_without_the_servers_key_the_stored_secret_gives_nothing(world, settings):
    secret = enrol_through_the_pages()
    stored = TwoFactor.objects.get(user=world.users["secretariat"]).secret
    settings.TWO_FACTOR_SECRET = "another-server-another-key"
    assert secretbox.unseal(stored) is None
    assert twofactor.verify(world.users["secretariat"],
                            pyotp.TOTP(secret).at(time.time() + 30)) is None


@pytest.mark.django_db(transaction=True)
def test_a_backup_holds_no_two_factor_secret(world, tmp_path):
    secrets = [enrol_through_the_pages(name) for name in ("thuong_truc", "truong_khoi")]
    archive = tmp_path / "thidua.tar.gz"
    backup.make_backup(archive, media_root=Path(settings.MEDIA_ROOT))
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "out", filter="data")
    dumped = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    pgdump = tmp_path / "out" / backup.PG_MEMBER
    if pgdump.exists():  # custom format is compressed: read it back as SQL
        dumped += subprocess.run(["pg_restore", "--data-only", "-f", "-", str(pgdump)],
                                 check=True, capture_output=True).stdout
    assert len(dumped) > 10_000
    assert [s for s in secrets if s.encode() in dumped or s.lower().encode() in dumped] == []
    assert dumped.count(b"enc1:") >= 2


def test_the_migration_seals_secrets_stored_in_clear(world):
    migration = importlib.import_module("thidua.core.migrations.0005_twofactor_secret_sealed")
    plain = pyotp.random_base32()
    user = world.users["leader"]
    TwoFactor.objects.create(user=user, secret=plain, confirmed_at=timezone.now())
    already = TwoFactor.objects.create(user=world.users["admin"],
                                       secret=secretbox.seal("JBSWY3DPEHPK3PXP"),
                                       confirmed_at=timezone.now())
    migration.seal_existing(apps, None)
    stored = TwoFactor.objects.get(user=user).secret
    assert stored.startswith("enc1:") and plain not in stored
    assert secretbox.unseal(stored) == plain
    assert secretbox.unseal(TwoFactor.objects.get(pk=already.pk).secret) == "JBSWY3DPEHPK3PXP"
    assert twofactor.verify(user, pyotp.TOTP(plain).now()) == "totp"
    migration.unseal_existing(apps, None)  # and back, for a rollback
    assert TwoFactor.objects.get(user=user).secret == plain
