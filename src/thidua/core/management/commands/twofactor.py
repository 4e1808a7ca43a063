"""`thidua twofactor reset TÊN`: someone lost their phone and backup codes."""

from django.core.management.base import BaseCommand, CommandError

from thidua.core import twofactor
from thidua.core.models import User


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
        if not twofactor.reset("quản trị (dòng lệnh)", user):
            self.stdout.write(f"{user.username} chưa thiết lập xác thực hai bước: không có gì "
                              "để xóa.")
            return
        self.stdout.write(f"Đã xóa xác thực hai bước của {user.username}; người này sẽ "
                          "thiết lập lại ở lần đăng nhập sau.")
