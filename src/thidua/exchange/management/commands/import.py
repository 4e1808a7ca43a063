"""`thidua import FILE.json`: a province exported by `thidua export`, into an instance that
does not have it yet; all or nothing.

`thidua import FILE.json --into BN --merged-on 2025-07-01 --resolution "…"`: a province
merger (exchange.merger) — the file's province imported as a former province of BN, its
units and blocs brought into BN with colliding codes remapped; `--dry-run` prints the
plan (remaps, conflicts, history kept) and writes nothing."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thidua.core.errors import DomainError
from thidua.exchange import importer, merger


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày «{text}» không hợp lệ (cần dạng NNNN-TT-NN, ví dụ "
                           "2025-07-01).") from None


class Command(BaseCommand):
    help = ("Nhập dữ liệu một tỉnh từ tệp do `thidua export` tạo; từ chối nếu tỉnh đã có, "
            "tệp sai định dạng hoặc bị sửa (không ghi gì). Với --into: nhập tỉnh đó vào một "
            "tỉnh đã có (hợp nhất tỉnh).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--into", help="mã tỉnh đã có nhận tỉnh hợp nhất vào")
        parser.add_argument("--merged-on", type=_date, help="ngày hợp nhất có hiệu lực")
        parser.add_argument("--resolution", help="văn bản hợp nhất (số, ngày, cơ quan)")
        parser.add_argument("--dry-run", action="store_true",
                            help="chỉ xem trước kế hoạch hợp nhất, không ghi gì")

    def handle(self, *args, **options):
        try:
            text = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp «{options['file']}»: "
                               f"{exc.strerror or exc}.") from exc
        if not options["into"] and (options["dry_run"] or options["merged_on"]
                                    or options["resolution"]):
            raise CommandError("--merged-on, --resolution, --dry-run chỉ dùng cùng --into "
                               "(hợp nhất tỉnh).")
        try:
            document = importer.loads(text)
            if options["into"]:
                plan = merger.merge_province(
                    document, options["into"], merged_on=options["merged_on"],
                    resolution=options["resolution"], dry_run=options["dry_run"])
                self._report(plan, options["dry_run"])
                return
            province = importer.import_province(document)
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Đã nhập tỉnh {province.code} ({province.name}).")

    def _report(self, plan, dry_run):
        head = "Xem trước (chưa ghi gì)" if dry_run else "Đã hợp nhất"
        self.stdout.write(f"{head}: {plan.former_name} vào {plan.target_name} từ ngày "
                          f"{plan.merged_on:%d/%m/%Y} ({plan.resolution}).")
        self.stdout.write(f"Đơn vị: {len(plan.units)}; khối, cụm: {len(plan.blocs)}; "
                          f"kết quả bỏ phiếu đã công bố kiểm tra mã hòm phiếu: "
                          f"{plan.published_polls}.")
        for line in plan.conflicts:
            self.stdout.write("  " + line)
        self.stdout.write("Lịch sử giữ ở tỉnh cũ: " + ", ".join(
            f"{count} {label}" for label, count in plan.history) + ".")
