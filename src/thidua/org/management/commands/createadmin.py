"""`thidua createadmin`: a system administrator (superuser with the system_admin role)."""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from thidua.core import audit
from thidua.core.models import User
from thidua.org.models import Role, RoleAssignment


class Command(BaseCommand):
    help = "Tạo tài khoản quản trị hệ thống."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", default="")
        parser.add_argument("--noinput", action="store_true",
                            help="đọc mật khẩu từ biến môi trường THIDUA_ADMIN_PASSWORD")

    def handle(self, *args, **options):
        username = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"Tài khoản {username} đã tồn tại.")
        if options["noinput"]:
            password = os.environ.get("THIDUA_ADMIN_PASSWORD", "")
        else:
            password = getpass.getpass("Mật khẩu: ")
            if password != getpass.getpass("Nhập lại mật khẩu: "):
                raise CommandError("Hai lần nhập mật khẩu không khớp.")
        user = User(username=username, full_name=options["full_name"])
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            user.is_superuser = user.is_staff = True
            user.set_password(password)
            user.save()
            RoleAssignment.objects.create(user=user, role=Role.SYSTEM_ADMIN)
            audit.record("createadmin", "core.user.create_admin", user,
                         after={"username": username})
        self.stdout.write(f"Đã tạo quản trị hệ thống {username}.")
