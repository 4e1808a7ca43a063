"""The `thidua` command: Django's management commands under the product's name.

    thidua serve        start the web server (gunicorn) on 127.0.0.1:8000
    thidua migrate      create or upgrade the database (and the cache table)
    thidua demo         load the demo province (idempotent)
    thidua createadmin  create a system administrator
    thidua check        system checks (add --deploy for a production configuration)
    thidua audit verify check the audit log's hash chain
"""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "thidua"
    if len(argv) == 1:
        print(__doc__)
        return
    if argv[1] == "serve":
        # A server keeps each worker's database connection: opening one per request costs
        # a vote several times its work (on SQLite, closing the last connection also
        # checkpoints the WAL). Set before the settings are read; the variable still wins.
        os.environ.setdefault("THIDUA_DB_CONN_MAX_AGE", "60")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
