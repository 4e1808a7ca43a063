"""The lockout flow in Chromium (issue 7, sign-in): wrong passwords until django-axes locks
the account at this address → the Vietnamese locked-out page; the right password is
refused while locked;
the audit log (read by an admin, in the browser) holds each failure and the lockout;
after the cool-off (two seconds here) the right password signs in; a second lockout is
lifted by an admin reset (axes' own reset, what the admin site's "delete attempts" does)."""

import datetime
import time

import pyotp
import pytest

from thidua.core import twofactor
from thidua.core.models import AuditEvent

from .test_signin_flow import PASSWORD, sign_in

pytestmark = pytest.mark.browser

COOL_OFF = datetime.timedelta(seconds=2)
LOCKED = "Tạm khóa đăng nhập"


def lock_out(page, base, username):
    for attempt in range(5):
        sign_in(page, base, username, f"sai-{attempt}")


def test_lockout_cool_off_and_admin_reset(transactional_db, world, live_server, browser,
                                          settings):
    from axes.utils import reset
    from playwright.sync_api import expect

    settings.AXES_COOLOFF_TIME = COOL_OFF
    base = live_server.url
    officer = world.users["officer"]
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()

    lock_out(page, base, "can_bo")
    expect(page.get_by_role("heading", level=1)).to_have_text(LOCKED)
    expect(page.locator(".error-summary")).to_contain_text(
        "quá 5 lần từ địa chỉ mạng này nên tạm thời bị khóa")
    locked_at = time.monotonic()
    sign_in(page, base, "can_bo", PASSWORD)  # the right password is refused while locked
    expect(page.get_by_role("heading", level=1)).to_have_text(LOCKED)
    assert "_auth_user_id" not in str(context.cookies())  # no session was opened

    events = AuditEvent.objects.filter(id__gt=start)
    failures = events.filter(action="core.sign_in_failed", object_id=str(officer.pk))
    assert failures.count() == 6  # five wrong, then the right one refused
    assert {e.after["username"] for e in failures} == {"can_bo"}
    assert events.filter(action="core.lockout").count() >= 1
    assert not events.filter(action="core.sign_in").exists()

    # After the cool-off the right password opens the session.
    time.sleep(max(0.0, COOL_OFF.total_seconds() + 0.5 - (time.monotonic() - locked_at)))
    sign_in(page, base, "can_bo", PASSWORD)
    expect(page.get_by_role("heading", level=1)).not_to_have_text(LOCKED)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    assert events.filter(action="core.sign_in", object_id=str(officer.pk)).count() == 1

    # The admin reads the failures and the lockout in the audit log (after two factors).
    page.get_by_role("button", name="Đăng xuất").click()
    admin = world.users["admin"]
    secret = pyotp.random_base32()
    assert twofactor.enrol(admin, secret, pyotp.TOTP(secret).now()) is not None
    sign_in(page, base, "quan_tri", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực hai bước")
    page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Xác nhận").click()
    page.goto(f"{base}/nhat-ky/?action=core.lockout")
    expect(page.locator("tbody tr").first).to_contain_text("core.lockout")
    page.goto(f"{base}/nhat-ky/?action=core.sign_in_failed")
    expect(page.locator("tbody tr")).to_have_count(6)
    expect(page.locator("tbody")).to_contain_text('"username": "can_bo"')
    expect(page.locator("tbody")).not_to_contain_text("sai-0")  # passwords never logged
    page.get_by_role("button", name="Đăng xuất").click()

    # Locked again; an admin reset lifts it before the cool-off would.
    settings.AXES_COOLOFF_TIME = datetime.timedelta(hours=1)
    lock_out(page, base, "can_bo")
    expect(page.get_by_role("heading", level=1)).to_have_text(LOCKED)
    sign_in(page, base, "can_bo", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(LOCKED)
    assert reset(username="can_bo") >= 1
    reset(ip="127.0.0.1")
    sign_in(page, base, "can_bo", PASSWORD)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    context.close()
