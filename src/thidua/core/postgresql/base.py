"""Django's PostgreSQL backend, with one change: the health check of a kept connection.

With persistent connections (`thidua serve`: 60 s) and health checks on (settings.py),
Django sends `SELECT 1` before the first statement of every request — a round trip on
each card ballot, a third of a worker's time on it (bench/voting.py, sampled with
py-spy). A connection the server ended (a restart, an idle timeout, an administrator's
pg_terminate_backend) has its socket readable: the server's last words or the end of the
stream arrive unasked. So a connection whose socket has nothing to read, in a known
state, is usable without asking; anything else — something to read, a failed or unknown
transaction, a closed connection — gets Django's own `SELECT 1`.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed:
            return False
        pgconn = connection.pgconn
        quiet = (pgconn.status == pq.ConnStatus.OK
                 and pgconn.transaction_status in (pq.TransactionStatus.IDLE,
                                                   pq.TransactionStatus.INTRANS)
                 and not select.select([pgconn.socket], [], [], 0)[0])
        return quiet or super().is_usable()
