"""Lockout and two-factor in Chromium (issue 7): five wrong passwords lock the account
with the Vietnamese page; an enrolled secretariat signs in with a code from the app, then
with one of its backup codes (accepted once, the count left shown)."""

import time

import pyotp
import pytest

from thidua.core.models import BackupCode, TwoFactor

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-nghiem-2026"  # the world fixture's password


def sign_in(page, base, username, password):
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def test_lockout_then_two_factor(transactional_db, world, live_server, browser):
    from playwright.sync_api import expect

    base = live_server.url
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    for attempt in range(5):
        sign_in(page, base, "can_bo", f"sai-{attempt}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạm khóa đăng nhập")
    sign_in(page, base, "can_bo", PASSWORD)  # the right password does not open it now
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạm khóa đăng nhập")
    context.close()

    # The secretariat (another address would be needed after the address lockout: reset).
    from axes.utils import reset

    reset()
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    sign_in(page, base, "thuong_truc", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thiết lập xác thực hai bước")
    expect(page.locator("#ma-qr")).to_be_visible()
    secret = page.locator("#khoa-bi-mat").inner_text().strip()
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận và bật").click()
    expect(page.locator("#ma-du-phong li")).to_have_count(10)
    backup_codes = [c.strip() for c in page.locator("#ma-du-phong li").all_inner_texts()]
    assert TwoFactor.objects.filter(user=world.users["secretariat"]).exists()
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, base, "thuong_truc", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực hai bước")
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bắc Ninh")
    page.get_by_role("button", name="Đăng xuất").click()

    # Phone lost: a backup code signs in, once.
    sign_in(page, base, "thuong_truc", PASSWORD)
    page.get_by_label("Mã xác thực").fill(backup_codes[0])
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bắc Ninh")
    expect(page.get_by_text("Bạn vừa dùng một mã dự phòng; còn 9 mã.")).to_be_visible()
    user = world.users["secretariat"]
    assert BackupCode.objects.filter(user=user, used_at__isnull=False).count() == 1
    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, base, "thuong_truc", PASSWORD)
    page.get_by_label("Mã xác thực").fill(backup_codes[0])  # the same code again: refused
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực hai bước")
    expect(page.locator(".error-summary")).to_contain_text("đã được dùng")
    context.close()
