"""`thidua audit verify`: walk the audit log's hash chain, report the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from thidua.core.audit import verify
from thidua.core.models import AuditEvent


class Command(BaseCommand):
    help = "Kiểm tra nhật ký kiểm toán."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        broken = verify()
        if broken:
            raise CommandError(str(broken))
        count = AuditEvent.objects.count()
        head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        self.stdout.write(f"Nhật ký nguyên vẹn: {count} sự kiện, chuỗi băm khớp.")
        if head:
            # Kept outside the database (a ticket, the minutes), the head also reveals the
            # one change the chain cannot: removing its newest rows.
            self.stdout.write(f"Sự kiện cuối: #{head[0]}, mã băm {head[1]}")
