"""The rate limiter's counters (core.ratelimit.hit): ended windows are swept by whoever
comes by, and on PostgreSQL a sweep never waits for a counter another request holds
(issue 12: no single lock every request queues behind)."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from thidua.core import ratelimit
from thidua.core.models import RateCounter


def _counter(key, seconds_from_now):
    return RateCounter.objects.create(
        key=key, hits=3, expires_at=timezone.now() + datetime.timedelta(seconds=seconds_from_now))


def test_a_use_counts_and_sweeps_the_ended_windows(db):
    _counter("rl:login:ip:old:1", -5)
    _counter("rl:login:ip:old:2", -1)
    _counter("rl:login:ip:live:9", 60)
    assert ratelimit.hit("login", "ip:new", limit=2, window=3600) == 0
    assert ratelimit.hit("login", "ip:new", limit=2, window=3600) == 0
    assert ratelimit.hit("login", "ip:new", limit=2, window=3600) > 0  # the third of two
    keys = set(RateCounter.objects.values_list("key", "hits"))
    assert {k for k, _ in keys if "old" in k} == set()
    assert ("rl:login:ip:live:9", 3) in keys
    assert [h for k, h in keys if k.startswith("rl:login:ip:new:")] == [3]


def _hold(key, locked, release):
    try:
        with transaction.atomic():
            list(RateCounter.objects.select_for_update().filter(key=key))
            locked.set()
            release.wait(10)
    finally:
        connection.close()


def test_a_sweep_skips_a_counter_another_request_holds(file_db):
    """PostgreSQL only: SQLite lets one writer in at a time, so there is nothing to skip."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: a held row cannot be met")
    _counter("rl:api:user:1:old", -5)
    _counter("rl:api:user:2:old", -5)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold, args=("rl:api:user:1:old", locked, release))
    holder.start()
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting would fail the test
        assert ratelimit.hit("api", "user:3", limit=5, window=60) == 0
        left = set(RateCounter.objects.values_list("key", flat=True))
        assert {k for k in left if k.endswith(":old")} == {"rl:api:user:1:old"}
    finally:
        release.set()
        holder.join(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
