"""An acknowledged ballot survives a power cut (issue 13, break 10): on SQLite every
commit is synced before it returns (`synchronous=FULL`; NORMAL in WAL mode may drop the
last commits on power loss), on PostgreSQL commits wait for the WAL flush. Checked on the
test's connection, opened with the product's settings like any request's."""

from django.db import connection

SQLITE_FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def test_every_commit_is_synced_to_disk(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] >= SQLITE_FULL
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
        else:
            settings = {}
            for name in ("synchronous_commit", "fsync", "full_page_writes"):
                cursor.execute(f"SHOW {name}")
                settings[name] = cursor.fetchone()[0]
            assert settings == {"synchronous_commit": "on", "fsync": "on",
                                "full_page_writes": "on"}
