"""SQLite write transactions queue on a file lock beside the database
(thidua.core.sqlite3.base): the next writer starts when the last one ends — commit or
rollback —, a writer that waits past the busy timeout gets "database is locked" (the 503
page, core.dbfault) with nothing written, and a statement outside a transaction still
waits on SQLite's own lock. On a real file (`file_db`), as the app runs."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from thidua.core.models import RateCounter

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backend")


def _row(key):
    RateCounter.objects.create(key=key, hits=1, expires_at="2099-01-01T00:00:00Z")


def _holder(entered, release, events, fail=False):
    """A thread's write transaction that holds the lock until `release` is set."""
    try:
        with transaction.atomic():
            _row("holder")
            events.append("holder in")
            entered.set()
            release.wait(10)
            events.append("holder ends")
            if fail:
                raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    finally:
        connection.close()


@pytest.mark.parametrize("fail", [False, True], ids=["commit", "rollback"])
def test_the_next_writer_starts_when_the_holder_ends(file_db, fail):
    entered, release, events = threading.Event(), threading.Event(), []
    holder = threading.Thread(target=_holder, args=(entered, release, events, fail))
    holder.start()
    assert entered.wait(10)
    waiting_entered = threading.Event()

    def second():
        try:
            with transaction.atomic():
                events.append("second in")
                waiting_entered.set()
                _row("second")
        finally:
            connection.close()

    waiter = threading.Thread(target=second)
    waiter.start()
    assert not waiting_entered.wait(0.3)  # queued behind the holder's transaction
    assert events == ["holder in"]
    release.set()
    holder.join(10)
    waiter.join(10)
    assert events == ["holder in", "holder ends", "second in"]
    expected = {"second"} if fail else {"holder", "second"}
    assert set(RateCounter.objects.values_list("key", flat=True)) == expected


def test_a_writer_waiting_past_the_timeout_is_told_the_database_is_locked(file_db):
    entered, release, events = threading.Event(), threading.Event(), []
    holder = threading.Thread(target=_holder, args=(entered, release, events))
    holder.start()
    assert entered.wait(10)
    options = connection.settings_dict["OPTIONS"]
    saved = options.get("timeout")
    options["timeout"] = 0.2
    try:
        with pytest.raises(OperationalError, match="database is locked"), \
                transaction.atomic():
            _row("refused")
    finally:
        options["timeout"] = saved
        release.set()
        holder.join(10)
    assert set(RateCounter.objects.values_list("key", flat=True)) == {"holder"}
    with transaction.atomic():  # the refused writer left no lock behind
        _row("after")
    assert set(RateCounter.objects.values_list("key", flat=True)) == {"holder", "after"}
