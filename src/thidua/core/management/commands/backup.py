"""`thidua backup [-o FILE]`: database + uploaded files in one verified archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from thidua.core import backup


class Command(BaseCommand):
    help = ("Sao lưu trực tuyến cơ sở dữ liệu và tệp tải lên vào một tệp .tar.gz có bản kê "
            "và mã SHA-256 (docs: core/backup.py).")

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="tệp đích (mặc định var/backups/…)")

    def handle(self, *args, **options):
        output = Path(options["output"] or settings.VAR_DIR / "backups" /
                      f"thidua-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
        try:
            manifest = backup.make_backup(output, media_root=settings.MEDIA_ROOT)
        except backup.BackupError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Đã sao lưu {len(manifest['files'])} tệp "
                          f"({manifest['database']['vendor']}) vào {output}")
