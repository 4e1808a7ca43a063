"""`thidua serve`: the production-grade server (gunicorn) with the product's defaults."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


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
            "--forwarded-allow-ips", os.environ.get("THIDUA_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        run()
