"""End to end in Debian's Chromium at 390 px (a phone): the bloc leader's officer goes from
its home (the bloc page) to the criteria table, adopts the sample table, follows
"Nhập số liệu từ hệ thống khác (III.1)" and is told in Vietnamese what an empty form and
a figure that is no number lack (nothing written, what was typed kept); then the PAR
INDEX figures are saved once for the bloc with their source."""

import re

import pytest

from thidua.scoring.models import ImportedValue

from .test_unit_pledge_flow import log_in

pytestmark = pytest.mark.browser

SOURCE = "Sở Nội vụ — Chỉ số cải cách hành chính (PAR INDEX)"


def test_leader_enters_the_par_index_once_for_the_bloc(transactional_db, world, live_server,
                                                       browser):
    from playwright.sync_api import expect

    base = live_server.url
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    csp = []
    page.on("dialog", lambda dialog: dialog.accept())
    page.on("console", lambda message: csp.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in(page, base, "truong_khoi")
    page.goto(f"{base}/")  # the leader's home is its bloc page
    page.get_by_role("link", name="Bảng tiêu chí chấm điểm").click()
    page.get_by_label(re.compile("^Bảng tiêu chí mẫu")).check()
    page.get_by_role("button", name="Lập bảng tiêu chí").click()
    page.get_by_role("link", name="Nhập số liệu từ hệ thống khác (III.1)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Số liệu từ hệ thống khác năm {world.year.year}")

    form = page.locator("#so-lieu-III\\.1")
    expect(form.locator(".tien-do-so-lieu")).to_have_text("Đã có số liệu của 0/5 đơn vị.")
    form.get_by_role("button", name="Lưu số liệu III.1").click()
    expect(page.locator(".error-summary")).to_contain_text("Ghi rõ nguồn số liệu.")

    form = page.locator("#so-lieu-III\\.1")
    form.get_by_label("Nguồn số liệu III.1").fill(SOURCE)
    form.get_by_role("button", name="Lưu số liệu III.1").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Chưa nhập số liệu III.1 cho đơn vị nào.")

    form = page.locator("#so-lieu-III\\.1")
    form.get_by_label("Sở Công Thương", exact=True).fill("mười bốn")
    form.get_by_label("Sở Tài chính", exact=True).fill("13,5")
    form.get_by_role("button", name="Lưu số liệu III.1").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Sở Công Thương: Tiêu chí III.1 “Kết quả chỉ số cải cách hành chính (PAR INDEX) của "
        "đơn vị”: điểm “mười bốn” không phải là số.")
    form = page.locator("#so-lieu-III\\.1")
    expect(form.get_by_label("Sở Tài chính", exact=True)).to_have_value("13,5")
    expect(form.get_by_label("Nguồn số liệu III.1")).to_have_value(SOURCE)
    assert ImportedValue.objects.count() == 0
    assert "invalid" not in page.locator(".error-summary").inner_text().lower()

    form.get_by_label("Sở Công Thương", exact=True).fill("14")
    form.get_by_role("button", name="Lưu số liệu III.1").click()
    expect(page.locator("ul.messages")).to_have_text(
        f"Đã lưu số liệu III.1 của 2 đơn vị, nguồn: {SOURCE}.")
    form = page.locator("#so-lieu-III\\.1")
    expect(form.locator(".tien-do-so-lieu")).to_have_text("Đã có số liệu của 2/5 đơn vị.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert sorted((v.unit.code, str(v.points), v.source) for v in
                  ImportedValue.objects.select_related("unit")) == [
        ("KT1", "14.00", SOURCE), ("KT2", "13.50", SOURCE)]
    assert csp == []
    context.close()
