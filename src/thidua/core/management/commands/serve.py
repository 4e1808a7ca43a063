"""`thidua serve`: the production-grade server (gunicorn) with the product's defaults."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

# The access log: time, method, path (no query string), status, size, duration — no
# client address, no referrer, no user agent. Card tokens and receipt codes never travel
# in a path or query (they are posted), and without the address no line of a vote can be
# set beside the same phone's receipt check (DESIGN.md "Ballot secrecy").
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'


class Command(BaseCommand):
    help = "Chạy máy chủ web (gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.THIDUA_BIND)
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("THIDUA_WORKERS", 2)))

    def handle(self, *args, **options):
        from gunicorn.app.wsgiapp import run

        self.stdout.write(f"thidua: http://{options['bind']}/")
        sys.argv = [
            "gunicorn", "thidua.wsgi:application", "--bind", options["bind"],
            "--workers", str(options["workers"]), "--access-logfile", "-",
            "--access-logformat", ACCESS_LOG_FORMAT,
            "--forwarded-allow-ips", os.environ.get("THIDUA_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        run()
