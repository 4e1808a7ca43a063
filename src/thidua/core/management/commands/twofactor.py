"""`thidua twofactor reset TÊN`: someone lost their phone and backup codes."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from thidua.core import audit
from thidua.core.models import BackupCode, TwoFactor, User
from thidua.core.signin import end_all_sessions


class Command(BaseCommand):
    help = ("Xóa xác thực hai bước của một người dùng (mất điện thoại): họ thiết lập lại ở "
            "lần đăng nhập sau; mọi phiên của họ kết thúc.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["reset"])
        parser.add_argument("username")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng {options['username']!r}.")
        with transaction.atomic():
            removed, _ = TwoFactor.objects.filter(user=user).delete()
            BackupCode.objects.filter(user=user).delete()
            audit.record("quản trị (dòng lệnh)", "core.2fa.reset", ("core.user", user.pk),
                         after={"had_two_factor": bool(removed)})
            end_all_sessions(user)
        self.stdout.write(f"Đã xóa xác thực hai bước của {user.username}; người này sẽ "
                          "thiết lập lại ở lần đăng nhập sau.")
