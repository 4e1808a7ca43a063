"""The cursor for the statements the busiest paths send thousands of times (a hall
voting at once: the rate count, the card read, the vote's write).

On PostgreSQL the server parses and plans such a statement on every run unless it is
prepared; for these short statements that planning was most of the server's work (a card
read: 0.25 ms planned each time, 0.05 ms prepared; bench/README.md). `prepared_cursor()`
binds parameters on the server, so psycopg prepares each statement the first time a
connection runs it (thidua.core.postgresql). On SQLite it is Django's own cursor.
"""

from django.db import connection


def prepared_cursor():
    make = getattr(connection, "prepared_cursor", None)
    return make() if make else connection.cursor()
