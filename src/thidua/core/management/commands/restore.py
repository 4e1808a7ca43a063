"""`thidua restore FILE`: into an empty instance only, after verifying every checksum."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from thidua.core import backup


class Command(BaseCommand):
    help = ("Khôi phục một bản sao lưu vào bản cài trống (chưa migrate); từ chối nếu cơ sở "
            "dữ liệu hoặc thư mục tệp tải lên đã có dữ liệu, hoặc sai mã kiểm tra.")

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, **options):
        connections.close_all()
        try:
            manifest = backup.restore(options["archive"],
                                      db=connections["default"].settings_dict,
                                      media_root=settings.MEDIA_ROOT)
        except backup.BackupError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Đã khôi phục {len(manifest['files'])} tệp, bản sao lưu lúc "
                          f"{manifest['created_at']}.")
