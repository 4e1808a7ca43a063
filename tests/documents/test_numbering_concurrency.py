"""RULES.md 37 under concurrency, on SQLite (IMMEDIATE transactions) and PostgreSQL (the
counter row locked FOR UPDATE): 50 documents issued at once get 50 distinct consecutive
numbers; real threads, each on its own connection.

SQLite's test database is in memory with a shared cache, where a second writer fails at
once instead of waiting: not the file database the app runs on. So on SQLite this runs on
a real file (WAL, IMMEDIATE, busy timeout — the production settings).
"""

import contextlib
import datetime
import shutil
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from thidua.documents import services
from thidua.documents.models import Document, NumberCounter

ON = datetime.date(2026, 3, 5)


def run_threads(calls):
    barrier = threading.Barrier(len(calls))
    results, errors, lock = [], [], threading.Lock()

    def worker(call):
        try:
            barrier.wait()
            value = call()
            with lock:
                results.append(value)
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@contextlib.contextmanager
def _on_file(path):
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


@pytest.fixture(scope="module")
def _template(django_db_blocker, tmp_path_factory):
    if connection.vendor != "sqlite":
        return None
    path = tmp_path_factory.mktemp("documents") / "template.sqlite3"
    with django_db_blocker.unblock(), _on_file(path):
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
    return path


@pytest.fixture
def file_db(_template, transactional_db, tmp_path):
    if _template is None:
        yield
        return
    path = tmp_path / "documents.sqlite3"
    shutil.copy(_template, path)
    with _on_file(path):
        yield


def test_fifty_documents_issued_at_once_get_fifty_consecutive_numbers(file_db, world):
    leader = world.actor("leader")
    pk = world.bloc_years["KT"].pk
    results, errors = run_threads(
        [lambda: services.issue(leader, "giao-uoc", pk, on=ON).number] * 50)
    assert errors == []
    assert sorted(results) == list(range(1, 51))
    assert sorted(Document.objects.values_list("number", flat=True)) == list(range(1, 51))
    assert NumberCounter.objects.get().last_number == 50
    # The next year starts again at 01, whatever happened in the last one.
    assert services.issue(leader, "giao-uoc", pk,
                          on=datetime.date(2027, 1, 1)).reference == "01/BTT-KTĐ"
