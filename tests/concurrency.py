"""Real threads against the real database, for the tests of what must hold under load.

SQLite's test database is in memory with a shared cache, where a second writer fails at
once ("database table is locked") instead of waiting: not the file database the app runs
on. So `file_db` (tests/conftest.py) moves such a test onto a real file — a copy of the
migrated test database, with the production settings (WAL, IMMEDIATE, busy timeout).
"""

import contextlib
import threading

from django.db import connection, connections

# PostgreSQL allows 100 connections by default, shared with whatever else runs: at most
# this many threads hold one at a time (each works through its share of the calls).
PG_THREADS = 40


def run_threads(calls):
    """Run the calls on real threads released together by a barrier, one thread per call
    (SQLite) or PG_THREADS threads sharing the calls (PostgreSQL); each thread closes its
    database connection. Returns (results, errors), errors being the exceptions raised."""
    width = len(calls) if connection.vendor == "sqlite" else min(len(calls), PG_THREADS)
    shares = [calls[i::width] for i in range(width)]
    barrier = threading.Barrier(width)
    results, errors, lock = [], [], threading.Lock()

    def worker(share):
        try:
            barrier.wait()
            for call in share:
                try:
                    value = call()
                    with lock:
                        results.append(value)
                except Exception as exc:  # noqa: BLE001 - the test judges every error
                    with lock:
                        errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@contextlib.contextmanager
def on_sqlite_file(path):
    """Point the default connection at a SQLite file (the in-memory one kept aside)."""
    conn = connections["default"]
    saved_name, saved_connection = conn.settings_dict["NAME"], conn.connection
    conn.connection = None
    conn.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        if conn.connection is not None:
            conn.connection.close()
        conn.connection = saved_connection
        conn.settings_dict["NAME"] = saved_name
