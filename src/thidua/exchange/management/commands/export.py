"""`thidua export --province BN -o FILE.json`: one province's whole data as documented JSON
(docs/export-format.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thidua.core.errors import DomainError
from thidua.exchange import envelope, export


class Command(BaseCommand):
    help = ("Xuất toàn bộ dữ liệu của một tỉnh ra tệp JSON có phiên bản, kèm tệp đính kèm "
            "và mã SHA-256 (docs/export-format.md).")

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="mã tỉnh, ví dụ BN")
        parser.add_argument("-o", "--output", required=True, help="tệp JSON đích")

    def handle(self, *args, **options):
        try:
            document = export.export_province(options["province"])
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".part")
        partial.write_text(envelope.dumps(document), encoding="utf-8")
        partial.replace(output)  # never a half-written export under the final name
        rows = sum(len(rows) for rows in document["sections"].values())
        self.stdout.write(f"Đã xuất tỉnh {document['province']}: {rows} dòng, "
                          f"{len(document['files'])} tệp đính kèm vào {output}")
