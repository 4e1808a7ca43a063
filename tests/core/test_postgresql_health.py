"""The kept PostgreSQL connection's health check (thidua.core.postgresql.base): a quiet,
live connection is usable without a `SELECT 1` on every request; a connection the server
ended is found unusable, and the next request connects afresh. And its prepared cursor:
the card ballot's statements are planned once per connection, Django's own never."""

import os
import subprocess
import sys
import time

import psycopg
import pytest
from django.db import connection
from tests.factories import candidate_ids, cards_by_unit

from thidua.core.postgresql.base import DatabaseWrapper
from thidua.voting.models import Ballot

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


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0].split(" ", 1)[0] + " … " + row[0].rsplit(" ", 1)[-1]
                for row in cursor.fetchall()}


def test_a_card_ballots_statements_are_prepared_and_djangos_are_not(world, open_poll,
                                                                   client):
    """A hall votes thousands of times on one connection: the rate count, the card read
    and the vote's write are parsed and planned once (bench/README.md), each the first
    time it runs; the second ballot adds no statement. Django's queries stay plain."""
    cards = cards_by_unit(world, open_poll)
    kt1, kt2 = candidate_ids(open_poll, world, "KT1", "KT2")
    url = f"/api/v1/polls/{open_poll.pk}/card-ballots"
    before = _prepared()
    first = client.post(url, {"token": cards["KT1"], "choices": [kt1]},
                        content_type="application/json")
    assert first.status_code == 201, first.content
    added = _prepared() - before
    # The rate count (WITH … RETURNING hits), the card read (SELECT … WHERE c.token_hash =
    # $1) and the write (WITH … RETURNING 1); nothing of Django's.
    assert added == {"WITH … hits", "SELECT … $1", "WITH … 1"}
    second = client.post(url, {"token": cards["KT2"], "choices": [kt1, kt2]},
                         content_type="application/json")
    assert second.status_code == 201, second.content
    assert _prepared() - before == added
    assert Ballot.objects.filter(poll=open_poll).count() == 0  # sealed until the count
    assert open_poll.participations.count() == 2


def test_a_pooler_that_keeps_no_prepared_statements_can_turn_them_off():
    """THIDUA_DB_PREPARED=0 (PgBouncer in transaction mode): settings give OPTIONS
    prepare_threshold None, which the backend keeps; its prepared cursor then prepares
    nothing, and still runs its statements."""
    env = {**os.environ, "THIDUA_DB_PREPARED": "0",
           "THIDUA_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"}
    options = subprocess.run(
        [sys.executable, "-c", "from thidua import settings; "
         "print(settings.DATABASES['default']['OPTIONS'])"],
        env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert options == "{'prepare_threshold': None}"
    assert connection.get_connection_params()["prepare_threshold"] == 0
    plain = DatabaseWrapper({**connection.settings_dict, "OPTIONS": {
        **connection.settings_dict["OPTIONS"], "prepare_threshold": None}})
    try:
        with plain.prepared_cursor() as cursor:
            for _ in range(3):
                cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE %s",
                               [True])
                assert cursor.fetchone() == (0,)
    finally:
        plain.close()
