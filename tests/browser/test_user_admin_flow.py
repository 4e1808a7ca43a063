"""User administration in Debian's Chromium on a 390 px phone (issue 11 item 8), through the
pages only: the province secretariat opens «Người dùng» from the navigation, a wrong
role/scope pairing is refused in Vietnamese (nothing created), an officer account is
created with its one-time password, a second role granted and revoked (the dialog names
the consequence), the account locked; the new person signs in with that password while
the account is open and lands on their unit's page."""

import pytest

from thidua.core.models import AuditEvent, User

from .test_conference_day import PHONE, fits, open_page
from .test_signin_flow import sign_in

pytestmark = pytest.mark.browser


def test_secretariat_administers_users_on_a_phone(transactional_db, world, live_server,
                                                  browser):
    from playwright.sync_api import expect

    base = live_server.url
    page, dialogs, problems = open_page(browser, live_server, PHONE, world.users["secretariat"])
    page.goto(f"{base}/tinh/BN/")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Người dùng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Người dùng — Bắc Ninh")
    expect(page.locator("#bang-nguoi-dung tbody tr")).to_have_count(6)
    expect(page.locator("#bang-nguoi-dung")).not_to_contain_text("thuong_truc_hn")
    fits(page, PHONE["width"])

    # A unit officer's role scoped to a bloc year: refused before the database.
    form = page.locator("#form-tao-nguoi-dung")
    form.get_by_label("Tên đăng nhập").fill("canbo.moi")
    form.get_by_label("Họ và tên").fill("Lê Thị Hoa")
    form.get_by_label("Vai trò").select_option(label="Cán bộ thi đua đơn vị")
    form.get_by_label("Phạm vi").select_option(label=str(world.bloc_years["KT"]))
    form.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator(".error-summary li")).to_have_text(
        "Vai trò “Cán bộ thi đua đơn vị” phải gắn với một đơn vị (đã chọn: khối trong một "
        "năm).")
    assert not User.objects.filter(username="canbo.moi").exists()

    # Corrected (what was typed kept): created, the first password shown once.
    form = page.locator("#form-tao-nguoi-dung")
    expect(form.get_by_label("Tên đăng nhập")).to_have_value("canbo.moi")
    form.get_by_label("Phạm vi").select_option(label="Đài Phát thanh")
    form.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lê Thị Hoa")
    password = page.locator("#mat-khau").inner_text()
    assert User.objects.get(username="canbo.moi").check_password(password)
    fits(page, PHONE["width"])

    # A second role, then revoked: the dialog names what it takes away.
    grant = page.locator("#form-giao-vai-tro")
    grant.get_by_label("Vai trò").select_option(label="Đại biểu")
    grant.get_by_label("Phạm vi").select_option(label="Đài Phát thanh")
    grant.get_by_role("button", name="Giao vai trò").click()
    expect(page.locator("#vai-tro li")).to_have_count(2)
    page.locator("#vai-tro li", has_text="Đại biểu").get_by_role("button",
                                                                 name="Thu hồi").click()
    expect(page.locator("#vai-tro li")).to_have_count(1)
    assert dialogs.take() == [
        "Thu hồi vai trò “Đại biểu — Đài Phát thanh” của Lê Thị Hoa? Người này mất ngay các "
        "quyền của vai trò này."]

    # The new person signs in with the password handed over, on their own phone.
    phone, _, phone_problems = open_page(browser, live_server, PHONE)
    sign_in(phone, base, "canbo.moi", password)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Đài Phát thanh")
    expect(phone.locator("#buoc-tiep-theo")).to_contain_text("Lập và gửi bản đăng ký thi đua")

    # Locked: asked first, then no sign-in any more.
    page.get_by_role("button", name="Khóa tài khoản").click()
    expect(page.locator("#trang-thai")).to_have_text("Đã khóa")
    assert dialogs.take()[0].startswith("Khóa tài khoản canbo.moi? Người này không đăng nhập "
                                        "được nữa")
    assert list(AuditEvent.objects.filter(action__regex=r"^org\.(user|role)\.").values_list(
        "action", flat=True)) == ["org.user.create", "org.role.grant", "org.role.revoke",
                                  "org.user.deactivate"]
    # The refused form answered 400 (Chromium logs it); nothing else, no CSP violation.
    assert problems == ["Failed to load resource: the server responded with a status of 400 "
                        "(Bad Request)"] and phone_problems == []
