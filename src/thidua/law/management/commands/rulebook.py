"""`thidua rulebook check [DIR]` validates rulebook files; `thidua rulebook show BN
2026-01-15` prints the rulebook in force for a province on a date, with citations."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thidua.core.daytext import short_day
from thidua.law.rulebooks import (
    RULEBOOK_DIR,
    SETTINGS,
    RulebookError,
    RulebookNotFound,
    load_library,
)


class Command(BaseCommand):
    help = "Kiểm tra hoặc xem bộ quy tắc khen thưởng."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="kiểm tra các tệp bộ quy tắc")
        check.add_argument("directory", nargs="?", default=str(RULEBOOK_DIR))
        show = sub.add_parser("show", help="bộ quy tắc có hiệu lực của một tỉnh vào một ngày")
        show.add_argument("province")
        show.add_argument("date", help="YYYY-MM-DD (ngày hội nghị, ngày văn bản)")
        show.add_argument("--directory", default=str(RULEBOOK_DIR))

    def handle(self, *args, **options):
        try:
            library = load_library(Path(options["directory"]))
        except RulebookError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        if options["action"] == "check":
            for book in library.files:
                self.stdout.write(f"{book.file}: {book.title} ({book.period()}), "
                                  f"{len(book.settings)} thiết lập — hợp lệ.")
            return
        try:
            on = datetime.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"Ngày không hợp lệ: {options['date']}.") from exc
        try:
            book = library.rulebook_for(options["province"], on)
        except RulebookNotFound as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        self.stdout.write(f"Bộ quy tắc ngày {short_day(on)}: {book.describe()}")
        for key, setting in book.settings.items():
            rules = ", ".join(map(str, setting.rules))
            self.stdout.write(f"\n{key} — {SETTINGS[key].label}" + (
                f" (Quy tắc {rules})" if rules else ""))
            self.stdout.write(f"  giá trị: {_show(setting.value)}")
            self.stdout.write(f"  căn cứ: {setting.citation}")
            self.stdout.write(f"  nguồn: {setting.source}")
            if setting.open_point:
                self.stdout.write(f"  vấn đề còn mở: {setting.open_point}")
        self.stdout.write("\nCăn cứ ghi trên văn bản ngày này:")
        for line in book.legal_basis_lines():
            self.stdout.write(f"  {line}")


def _show(value):
    if hasattr(value, "brackets"):
        return "; ".join(f"{b.describe()}: {b.quota}" for b in value.brackets)
    if isinstance(value, tuple) and value and hasattr(value[0], "title"):
        return f"{len(value)} văn bản"
    return str(value)
