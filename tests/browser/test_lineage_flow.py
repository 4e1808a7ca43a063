"""End to end in Debian's Chromium at 390 px (a phone): the province's secretariat finds
"Sắp xếp, sáp nhập, chia tách đơn vị" from its home (the province page), is told in
Vietnamese what an empty form and a unit on both sides lack (nothing written), records
that Sở Tài chính takes in Ban Quản lý dự án by a decision (after confirming), sees it
listed, then takes it back with a reason (RULES.md 44)."""

import datetime

import pytest

from thidua.org.models import LineageEvent

from .test_unit_pledge_flow import log_in

pytestmark = pytest.mark.browser


def test_secretariat_records_a_merger_and_takes_it_back(transactional_db, world, live_server,
                                                        browser):
    from playwright.sync_api import expect

    base = live_server.url
    today = datetime.date.today()
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    dialogs, csp = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.on("console", lambda message: csp.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in(page, base, "thuong_truc")
    page.goto(f"{base}/")  # the secretariat's home is its province page
    page.locator("#lien-ket-sap-xep").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sắp xếp, sáp nhập, chia tách, đổi tên đơn vị")
    expect(page.locator("#bang-sap-xep")).to_contain_text("Chưa ghi lần sắp xếp nào.")

    page.get_by_role("button", name="Ghi việc sắp xếp").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Chưa chọn đơn vị trước sắp xếp.")
    expect(summary).to_contain_text("Chưa chọn đơn vị sau sắp xếp.")
    assert "required" not in summary.inner_text().lower()

    form = page.locator("#form-sap-xep")
    form.get_by_label("Hình thức sắp xếp").select_option(label="Sáp nhập, hợp nhất")
    form.get_by_label("Đơn vị trước sắp xếp").select_option(label="Sở Tài chính (KT2)")
    form.get_by_label("Đơn vị sau sắp xếp").select_option(label="Sở Tài chính (KT2)")
    form.get_by_label("Ngày có hiệu lực", exact=True).fill(today.isoformat())
    form.get_by_label("Số văn bản").fill("125/QĐ-UBND")
    form.get_by_label("Ngày văn bản").fill(today.isoformat())
    form.get_by_role("button", name="Ghi việc sắp xếp").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Một đơn vị không thể vừa là đơn vị trước vừa là đơn vị sau sắp xếp")
    assert LineageEvent.objects.count() == 0

    form = page.locator("#form-sap-xep")
    expect(form.get_by_label("Số văn bản")).to_have_value("125/QĐ-UBND")
    form.get_by_label("Đơn vị trước sắp xếp").select_option(label="Ban Quản lý dự án (KT5)")
    form.get_by_label("Đơn vị sau sắp xếp").select_option(label="Sở Tài chính (KT2)")
    form.get_by_role("button", name="Ghi việc sắp xếp").click()
    expect(page.get_by_text("Đã ghi sáp nhập, hợp nhất theo văn bản số 125/QĐ-UBND.")
           ).to_be_visible()
    row = page.locator("#bang-sap-xep tr[data-kind='merge']")
    expect(row).to_contain_text("Ban Quản lý dự án")
    expect(row).to_contain_text(f"Số 125/QĐ-UBND ngày {today:%d/%m/%Y}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    event = LineageEvent.objects.get()
    assert [u.code for u in event.predecessors.all()] == ["KT5"]
    assert [u.code for u in event.successors.all()] == ["KT2"]

    row.get_by_label("Lý do xoá").fill("Nhập nhầm đơn vị tiếp nhận")
    row.get_by_role("button", name="Xoá").click()
    expect(page.get_by_text("Đã xoá việc sắp xếp nhập nhầm.")).to_be_visible()
    expect(page.locator("#bang-sap-xep")).to_contain_text("Chưa ghi lần sắp xếp nào.")
    assert LineageEvent.objects.count() == 0
    assert dialogs == [
        "Ghi việc sắp xếp này? Từ ngày có hiệu lực, đơn vị trước sắp xếp không được đề nghị, "
        "quyết định khen thưởng."] * 3 + [
        "Xoá việc sắp xếp này? Đơn vị trước sẽ lại được coi là đang hoạt động."]
    assert csp == []
    context.close()
