"""Django's SQLite backend, with one change: a write transaction waits for the one before
it on a file lock, not in SQLite's busy handler.

SQLite lets one writer in at a time (BEGIN IMMEDIATE, settings.py). A second writer that
finds the database locked sleeps in SQLite's busy handler — 1, 2, 5, 10, 15, 20 ms … — and
tries again, so when a hall votes at once the workers sleep while the lock is free: a
ballot holds it 0.6–1 ms, fsync included. Here a transaction first takes an exclusive
`flock` on a file beside the database, tried every 50 µs (past 2 ms, every half
millisecond), so the next writer starts as soon as the last one commits
(bench/README.md). The database's own lock stays the rule: a statement outside a
transaction takes no file lock and waits on SQLite's as before; the kernel drops a file
lock when its process dies (`kill -9`); past the same timeout as SQLite's (OPTIONS
"timeout"), the wait ends in "database is locked", which the 503 page reports
(core.dbfault).
"""

import fcntl
import os
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# Seconds between two tries of the file lock: quick for the first couple of milliseconds
# (a ballot holds the lock 0.6–1 ms, the rate count about 0.1 ms: the next writer should
# be in within a tenth of a millisecond of the release), then slower, so a long wait
# costs next to no CPU.
QUICK, POLL, QUICK_FOR = 0.00005, 0.0005, 0.002


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_file = None  # the lock file's descriptor, opened once per connection
    _holding = False

    def _take_writer(self):
        if self.is_in_memory_db():
            return
        if self._lock_file is None:
            self._lock_file = os.open(f"{self.settings_dict['NAME']}-writer",
                                      os.O_RDWR | os.O_CREAT, 0o600)
        started = time.monotonic()
        deadline = started + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        while True:
            try:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                now = time.monotonic()
                if now < deadline:
                    time.sleep(QUICK if now - started < QUICK_FOR else POLL)
                    continue
                raise OperationalError("database is locked") from None
            self._holding = True
            return

    def _drop_writer(self):
        if self._holding:
            self._holding = False
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._take_writer()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._drop_writer()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._drop_writer()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._drop_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._drop_writer()
            if self._lock_file is not None:
                os.close(self._lock_file)
                self._lock_file = None
