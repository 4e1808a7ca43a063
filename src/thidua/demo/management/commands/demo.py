"""`thidua demo`: load the demo province once (the economic-technical bloc's whole year,
conference and decision included) and print the demo logins."""

from django.core.management.base import BaseCommand

from thidua.demo import loader


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (tỉnh Bắc Ninh, hai khối) và in tài khoản đăng nhập."

    def handle(self, *args, **options):
        logins = loader.load(year_end=True)
        self.stdout.write("Tài khoản mẫu / demo logins (mật khẩu / password: "
                          f"{loader.PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<15} {login.role} — {login.scope}")
        self.stdout.write(
            "Xác thực hai bước / two-factor (admin, thuongtruc, truongkhoi, truongkhoi.vhxh): "
            "khóa TOTP mẫu / "
            f"demo TOTP key {loader.DEMO_TOTP_SECRET} — mã hiện tại / current code:\n"
            f"  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{loader.DEMO_TOTP_SECRET}')"
            ".now())\"")
