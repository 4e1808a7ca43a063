"""Backup and restore (issue 7 item 4): backup → fresh (wiped) instance → restore, compared
row by row and file by file, on the database the suite runs on (SQLite or PostgreSQL);
refusals: a non-empty target, a tampered or unlisted member, a path outside the archive."""

import datetime
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from thidua.core import audit, backup

FILES = {
    "evidence/1/abc": b"%PDF-1.4 minh chung\n",
    "evidence/2/ten co dau \u1ea5": "Báo cáo quý III".encode(),
    "documents/2026/quyet-dinh.pdf": bytes(range(256)) * 40,
}


def plain(value):
    """One representation whichever driver settings read it (Django's connection loads no
    JSON and names its time zone differently from a bare psycopg connection)."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return value
    return value


def table_rows(cursor, tables):
    out = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
        rows = [tuple(plain(v) for v in row) for row in cursor.fetchall()]
        out[table] = sorted(rows, key=repr)
    return out


def media_files(root: Path):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the suite's vendor (a wiped instance), dropped afterwards."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {"ENGINE": source["ENGINE"], "NAME": str(tmp_path / "restored.sqlite3")}
        return
    import psycopg

    name = f"{source['NAME']}_restore"
    target = {**source, "NAME": name}
    admin = backup._pg_kwargs({**source, "NAME": "postgres"})
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield target
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def open_target(db):
    if db["ENGINE"].endswith("sqlite3"):
        import sqlite3

        # The types Django's own connection reads (its converters are registered globally).
        return sqlite3.connect(db["NAME"], detect_types=sqlite3.PARSE_DECLTYPES
                               | sqlite3.PARSE_COLNAMES)
    import psycopg

    return psycopg.connect(**backup._pg_kwargs(db))


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_fresh_instance_is_identical(world, tmp_path,
                                                                 fresh_database):
    media = Path(settings.MEDIA_ROOT)
    for name, data in FILES.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(data)
    audit.record(world.users["admin"], "test.before_backup", ("core.user", 1))
    archive = tmp_path / "out" / "thidua.tar.gz"

    manifest = backup.make_backup(archive, media_root=media)

    assert manifest["database"] == {"vendor": connection.vendor if connection.vendor ==
                                    "sqlite" else "postgresql",
                                    "file": backup.SQLITE_MEMBER if connection.vendor ==
                                    "sqlite" else backup.PG_MEMBER}
    assert set(manifest["files"]) == {manifest["database"]["file"],
                                      *(f"media/{n}" for n in FILES)}
    assert "core" in manifest["migrations"]
    restored_media = tmp_path / "restored-media"
    backup.restore(archive, db=fresh_database, media_root=restored_media)

    tables = sorted(connection.introspection.table_names())
    with connection.cursor() as cursor:
        expected = table_rows(cursor, tables)
    target = open_target(fresh_database)
    try:
        got = table_rows(target.cursor(), tables)
    finally:
        target.close()
    assert got == expected
    assert expected["core_user"] and expected["org_province"] and expected["core_auditevent"]
    assert media_files(restored_media) == {n: d for n, d in FILES.items()}
    assert sorted(os.listdir(archive.parent)) == ["thidua.tar.gz"]  # no .part left


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_non_empty_instance(world, tmp_path, fresh_database):
    archive = tmp_path / "b.tar.gz"
    backup.make_backup(archive, media_root=settings.MEDIA_ROOT)
    backup.restore(archive, db=fresh_database, media_root=tmp_path / "m1")
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(archive, db=fresh_database, media_root=tmp_path / "m")
    assert refused.value.messages == [
        "Cơ sở dữ liệu đích không trống: chỉ khôi phục vào một bản cài mới (chưa chạy "
        "migrate, chưa có bảng nào)."]
    full = tmp_path / "full-media"
    (full / "x").mkdir(parents=True)
    (full / "x" / "f").write_bytes(b"1")
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(archive, db=fresh_database, media_root=full)
    assert refused.value.messages == [f"Thư mục tệp tải lên {full} không trống."]


def rewrite(archive: Path, out: Path, change):
    """Copy the archive member by member; `change(name, data)` → new data, None to drop,
    or a list of (name, data) to add."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            result = change(member.name, data)
            for name, body in (result if isinstance(result, list) else [(member.name, result)]):
                if body is None:
                    continue
                info = tarfile.TarInfo(name)
                info.size = len(body)
                dst.addfile(info, io.BytesIO(body))
    return out


@pytest.mark.django_db(transaction=True)
def test_restore_verifies_every_checksum_and_name(world, tmp_path, fresh_database):
    media = Path(settings.MEDIA_ROOT)
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "a").write_bytes(b"original")
    archive = tmp_path / "good.tar.gz"
    backup.make_backup(archive, media_root=media)

    def tamper(name, data):
        return b"changed!" if name == "media/evidence/a" else data

    def smuggle(name, data):
        if name == "media/evidence/a":
            return [(name, data), ("../../etc/evil", b"x")]
        return data

    def unlisted(name, data):
        return [(name, data), ("media/extra", b"x")] if name == "media/evidence/a" else data

    def drop(name, data):
        return None if name == "media/evidence/a" else data

    cases = {
        tamper: "Sai mã kiểm tra SHA-256 (tệp bị hỏng hoặc bị sửa): media/evidence/a.",
        smuggle: "Tệp sao lưu chứa mục không hợp lệ: '../../etc/evil'.",
        unlisted: "Tệp sao lưu chứa mục không có trong bản kê: 'media/extra'.",
        drop: "Tệp sao lưu thiếu 1 mục: media/evidence/a.",
    }
    for change, message in cases.items():
        bad = rewrite(archive, tmp_path / f"{change.__name__}.tar.gz", change)
        with pytest.raises(backup.BackupError) as refused:
            backup.restore(bad, db=fresh_database, media_root=tmp_path / change.__name__)
        assert refused.value.messages == [message], change.__name__
        assert not (tmp_path / change.__name__).exists()  # nothing written
    assert not (tmp_path.parent / "etc").exists()
    # The database target stayed empty through every refusal.
    assert backup._tables(fresh_database) == []


def thidua(var, *args, check=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("THIDUA_")}
    env.update({"THIDUA_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "thidua.settings"})
    return subprocess.run([sys.executable, "-m", "thidua", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=check)


SEED = """
from thidua.core import audit
from thidua.core.models import User
from thidua.org.models import Province
from django.conf import settings
user = User.objects.create_user("quan_tri", password="mat-khau-dai-2026", full_name="Quản trị")
p = Province.objects.create(code="BN", name="Bắc Ninh")
audit.record(user, "test.seed", p)
(settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
(settings.MEDIA_ROOT / "evidence" / "f.pdf").write_bytes(b"%PDF-1.4 data")
"""


@pytest.mark.skipif(os.environ.get("THIDUA_DATABASE_URL", "").startswith("postgres"),
                    reason="the commands on SQLite instances (PostgreSQL: tests above)")
def test_the_commands_round_trip_a_sqlite_instance(tmp_path):
    source, target = tmp_path / "a", tmp_path / "b"
    thidua(source, "migrate", "-v", "0")
    thidua(source, "shell", "-c", SEED)
    archive = tmp_path / "backup.tar.gz"
    result = thidua(source, "backup", "-o", str(archive))
    assert result.stdout.strip() == f"Đã sao lưu 2 tệp (sqlite) vào {archive}"
    result = thidua(target, "restore", str(archive))
    assert result.stdout.startswith("Đã khôi phục 2 tệp, bản sao lưu lúc ")
    assert "chuỗi băm khớp" in thidua(target, "audit", "verify").stdout
    assert (target / "media" / "evidence" / "f.pdf").read_bytes() == b"%PDF-1.4 data"
    import sqlite3

    def dump(var):
        with sqlite3.connect(var / "thidua.sqlite3") as db:
            tables = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            return table_rows(db.cursor(), tables)

    assert dump(target) == dump(source)
    again = thidua(target, "restore", str(archive), check=False)
    assert again.returncode == 1
    assert "không trống" in again.stderr
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format"] == "thidua-backup" and manifest["version"] == 1
