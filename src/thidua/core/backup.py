"""Backup and restore of a whole instance: the database and the uploaded files, in one
archive with a manifest and SHA-256 checksums.

Archive (`.tar.gz`)::

    manifest.json              format, version, created_at, database vendor and file,
                               applied migrations, and {path: {sha256, size}} of every
                               other member
    database/db.sqlite3        SQLite: a consistent online copy (SQLite backup API)
    database/db.pgdump         PostgreSQL: `pg_dump --format=custom` (one snapshot)
    media/<path>               every file under MEDIA_ROOT (evidence, generated documents)

Restore goes only into an *empty* instance (no table in the database, no file under
MEDIA_ROOT) of the same database vendor, after every checksum matched and every member
name was checked (no absolute path, no "..", no link, nothing unlisted).
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.db import connections
from django.utils import timezone

from thidua.core.errors import DomainError

FORMAT = "thidua-backup"
VERSION = 1
SQLITE_MEMBER = "database/db.sqlite3"
PG_MEMBER = "database/db.pgdump"


class BackupError(DomainError):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor(db: dict) -> str:
    return "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"


def _pg_args(db: dict) -> tuple[list[str], dict]:
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


# --- backup ----------------------------------------------------------------------------

def _dump_database(alias: str, target: Path) -> str:
    connection = connections[alias]
    db = connection.settings_dict
    if _vendor(db) == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # pages copied under a read lock
        finally:
            destination.close()
        return SQLITE_MEMBER
    args, env = _pg_args(db)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
          "--file", str(target), *args], env)
    return PG_MEMBER


def _run(argv: list[str], env: dict):
    """pg_dump / pg_restore: a fixed program, arguments from our settings, no shell."""
    try:
        subprocess.run(argv, env=env, check=True, capture_output=True,  # noqa: S603
                       text=True, timeout=3600)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise BackupError(f"{argv[0]} thất bại: {detail.strip()[:2000]}") from exc


def _migrations(alias: str) -> dict:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        applied = {}
        for app, name in cursor.fetchall():
            applied.setdefault(app, []).append(name)
    return applied


def make_backup(output: Path, *, media_root: Path, alias: str = "default") -> dict:
    """Write the archive to `output`; the manifest."""
    output = Path(output)
    media_root = Path(media_root)
    with tempfile.TemporaryDirectory(prefix="thidua-backup-") as work:
        work = Path(work)
        db_file = work / "db"
        member = _dump_database(alias, db_file)
        files = {member: (db_file, None)}
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    files["media/" + path.relative_to(media_root).as_posix()] = (path, None)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": _vendor(connections[alias].settings_dict),
                         "file": member},
            "migrations": _migrations(alias),
            "files": {name: {"sha256": _sha256(path), "size": path.stat().st_size}
                      for name, (path, _) in files.items()},
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            for name, (path, _) in files.items():
                archive.add(path, arcname=name, recursive=False)
        partial.replace(output)  # never a half-written archive under the final name
    return manifest


# --- restore ---------------------------------------------------------------------------

def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (not path.is_absolute() and ".." not in path.parts and bool(path.parts)
            and path.parts[0] in {"database", "media"})


def read_verified(archive_path: Path, into: Path) -> dict:
    """Extract into `into` after checking names, and checksums against the manifest."""
    with tarfile.open(archive_path, "r:gz") as archive:
        try:
            manifest = json.load(archive.extractfile("manifest.json"))
        except (KeyError, ValueError, TypeError) as exc:
            raise BackupError("Tệp sao lưu không có bản kê (manifest.json) hợp lệ.") from exc
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise BackupError("Tệp không phải bản sao lưu thidua phiên bản 1.")
        listed = manifest.get("files", {})
        seen = set()
        for member in archive.getmembers():
            if member.name == "manifest.json":
                continue
            if not member.isfile() or not _safe_name(member.name):
                raise BackupError(f"Tệp sao lưu chứa mục không hợp lệ: {member.name!r}.")
            if member.name not in listed:
                raise BackupError(f"Tệp sao lưu chứa mục không có trong bản kê: "
                                  f"{member.name!r}.")
            target = into / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink)
            seen.add(member.name)
    missing = sorted(set(listed) - seen)
    if missing:
        raise BackupError(f"Tệp sao lưu thiếu {len(missing)} mục: {', '.join(missing[:5])}.")
    bad = sorted(name for name, meta in listed.items()
                 if _sha256(into / name) != meta["sha256"])
    if bad:
        raise BackupError(f"Sai mã kiểm tra SHA-256 (tệp bị hỏng hoặc bị sửa): "
                          f"{', '.join(bad[:5])}.")
    return manifest


def _tables(db: dict) -> list[str]:
    if _vendor(db) == "sqlite":
        name = str(db["NAME"])
        if name.startswith("file:") or name == ":memory:":
            raise BackupError("Không khôi phục vào cơ sở dữ liệu SQLite trong bộ nhớ.")
        if not Path(name).exists() or Path(name).stat().st_size == 0:
            return []
        with sqlite3.connect(name) as connection:
            return [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name NOT LIKE 'sqlite_%'")]
    import psycopg

    with psycopg.connect(**_pg_kwargs(db)) as connection:
        return [row[0] for row in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema='public'")]


def _pg_kwargs(db: dict) -> dict:
    kwargs = {"dbname": db["NAME"]}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user"),
                      ("PASSWORD", "password")):
        if db.get(key):
            kwargs[name] = str(db[key])
    return kwargs


def restore(archive_path: Path, *, db: dict, media_root: Path) -> dict:
    """Restore into the empty database `db` (a settings dict) and empty `media_root`."""
    media_root = Path(media_root)
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(f"Thư mục tệp tải lên {media_root} không trống.")
    if _tables(db):
        raise BackupError("Cơ sở dữ liệu đích không trống: chỉ khôi phục vào một bản cài "
                          "mới (chưa chạy migrate, chưa có bảng nào).")
    with tempfile.TemporaryDirectory(prefix="thidua-restore-") as work:
        work = Path(work)
        manifest = read_verified(Path(archive_path), work)
        vendor = manifest["database"]["vendor"]
        if vendor != _vendor(db):
            raise BackupError(f"Bản sao lưu là của {vendor}, cơ sở dữ liệu đích là "
                              f"{_vendor(db)}.")
        dump = work / manifest["database"]["file"]
        if vendor == "sqlite":
            source = sqlite3.connect(dump)
            destination = sqlite3.connect(db["NAME"])
            try:
                source.backup(destination)
            finally:
                source.close()
                destination.close()
        else:
            args, env = _pg_args(db)
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                  "--single-transaction", *args, str(dump)], env)
        media = work / "media"
        if media.is_dir():
            media_root.mkdir(parents=True, exist_ok=True)
            for path in sorted(media.rglob("*")):
                if path.is_file():
                    target = media_root / path.relative_to(media)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
    return manifest
