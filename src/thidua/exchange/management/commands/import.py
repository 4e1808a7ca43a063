"""`thidua import FILE.json`: a province exported by `thidua export`, into an instance that
does not have it yet; all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thidua.core.errors import DomainError
from thidua.exchange import importer


class Command(BaseCommand):
    help = ("Nhập dữ liệu một tỉnh từ tệp do `thidua export` tạo; từ chối nếu tỉnh đã có, "
            "tệp sai định dạng hoặc bị sửa (không ghi gì).")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            text = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp «{options['file']}»: "
                               f"{exc.strerror or exc}.") from exc
        try:
            province = importer.import_province(importer.loads(text))
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Đã nhập tỉnh {province.code} ({province.name}).")
