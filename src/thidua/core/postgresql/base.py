"""Django's PostgreSQL backend, with one change: the health check of a kept connection.

With persistent connections (`thidua serve`: 60 s) and health checks on (settings.py),
Django sends `SELECT 1` before the first statement of every request — a round trip on
each card ballot, a third of a worker's time on it (bench/voting.py, sampled with
py-spy). A connection the server ended (a restart, an idle timeout, an administrator's
pg_terminate_backend) has its socket readable: the server's last words or the end of the
stream arrive unasked. So a connection whose socket has nothing to read, in a known
state, is usable without asking; anything else — something to read, a failed or unknown
transaction, a closed connection — gets Django's own `SELECT 1`.

And one addition: `prepared_cursor()` (thidua.core.statements), a cursor that binds its
parameters on the server, so psycopg prepares its statements: the server parses and
plans each once per connection instead of on every card ballot (bench/README.md).
Django's own cursors bind on the client, as before, and never prepare.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq

PREPARED = object()  # `create_cursor`'s name for a cursor that prepares


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        # Prepare a statement the first time it runs. Only server-binding cursors ever
        # do (`prepared_cursor`): Django's client-binding ones send plain text. A pooler
        # that cannot keep prepared statements (PgBouncer in transaction mode without
        # max_prepared_statements) is served by OPTIONS {"prepare_threshold": None}, which
        # wins (THIDUA_DB_PREPARED=0, settings.py).
        if "prepare_threshold" not in self.settings_dict["OPTIONS"]:
            params["prepare_threshold"] = 0
        return params

    def create_cursor(self, name=None):
        if name is not PREPARED:
            return super().create_cursor(name)
        connection = self.connection
        factory = connection.cursor_factory
        connection.cursor_factory = base.ServerBindingCursor  # Django's, with its time zone
        try:
            return super().create_cursor()
        finally:
            connection.cursor_factory = factory

    def prepared_cursor(self):
        """A cursor whose statements are prepared on this connection: for the few
        statements the busiest paths send thousands of times."""
        return self._cursor(name=PREPARED)

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
