"""The kept PostgreSQL connection's health check (thidua.core.postgresql.base): a quiet,
live connection is usable without a `SELECT 1` on every request; a connection the server
ended is found unusable, and the next request connects afresh."""

import time

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


def _other():
    settings = connection.settings_dict
    return psycopg.connect(dbname=settings["NAME"], user=settings["USER"],
                           host=settings["HOST"], port=settings["PORT"] or 5432,
                           password=settings["PASSWORD"] or None, autocommit=True)


def _last_statement(other, pid) -> str:
    return other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s",
                         [pid]).fetchone()[0]


def test_a_quiet_live_connection_is_usable_without_asking_the_server():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), 'dernier ordre'")
        pid = cursor.fetchone()[0]
    with _other() as other:
        assert _last_statement(other, pid) == "SELECT pg_backend_pid(), 'dernier ordre'"
        assert connection.is_usable() is True
        # Django's check would have sent "SELECT 1": the server saw nothing.
        assert _last_statement(other, pid) == "SELECT pg_backend_pid(), 'dernier ordre'"


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_unusable_and_replaced():
    """The server ends the backend (as a restart or an administrator would): the socket
    turns readable, the check asks, fails, and Django connects again."""
    connection.ensure_connection()
    old = connection.connection
    pid = old.info.backend_pid
    with _other() as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
        for _ in range(100):  # the backend exits asynchronously
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                                 [pid]).fetchone():
                break
            time.sleep(0.02)
    assert connection.is_usable() is False
    # What a request does at its start: closes the dead connection; the next query
    # connects afresh.
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
