"""End to end in Debian's Chromium at 390 px (a phone): the province's secretariat opens
"Bộ hồ sơ cả tỉnh và biểu thống kê" from its home (the province page), sees the five
forms 0601.N–0605.N of TT 02/2023/TT-BNV with their totals and downloads form 0601.N as
Excel; after setting the province to a centrally-run city on the setup page, the same
download names the reporting unit "Ủy ban nhân dân thành phố" (RULES.md 42)."""

import io

import pytest
from python_calamine import CalamineWorkbook

from .test_unit_pledge_flow import log_in

pytestmark = pytest.mark.browser


def _download_0601(page) -> list[list]:
    with page.expect_download() as info:
        page.get_by_role("link", name="Biểu 0601.N (Excel)").click()
    download = info.value
    assert download.suggested_filename.startswith("bieu-0601-N-")
    with open(download.path(), "rb") as data:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data.read()))
    return book.get_sheet_by_index(0).to_python()


def test_secretariat_downloads_form_0601_following_the_province_kind(
        transactional_db, world, live_server, browser):
    from playwright.sync_api import expect

    base, year = live_server.url, world.year.year
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844},
                                  accept_downloads=True)
    page = context.new_page()
    csp = []
    page.on("console", lambda message: csp.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in(page, base, "thuong_truc")
    page.goto(f"{base}/")  # the secretariat's home is its province page
    page.locator("#lien-ket-ho-so").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ, thống kê năm {year}")
    rows = page.locator("#thong-ke tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(0)).to_contain_text("0601.N/BNV-TĐKT")
    expect(rows.nth(0).locator("[data-label='Tổng số']")).to_have_text("2")  # KT and VX
    expect(rows.nth(4)).to_contain_text("0605.N/BNV-TĐKT")
    expect(rows.nth(4).locator("[data-label='Tổng số']")).to_have_text("đơn vị tự điền")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    sheet = _download_0601(page)
    assert sheet[0][2] == "Đơn vị báo cáo: Ủy ban nhân dân tỉnh Bắc Ninh"
    assert sheet[5][0] == f"Năm {year}"

    page.get_by_role("link", name="← Bắc Ninh").click()
    page.get_by_role("link", name="Thiết lập đơn vị, khối, năm thi đua").click()
    form = page.locator("#form-loai")
    form.get_by_label("Thành phố trực thuộc trung ương").check()
    form.get_by_role("button", name="Lưu").click()
    expect(page.locator("#loai-hien-tai")).to_contain_text(
        "Hiện tại: Thành phố trực thuộc trung ương")

    page.locator("a", has_text="Bắc Ninh").first.click()
    page.locator("#lien-ket-ho-so").click()
    sheet = _download_0601(page)
    assert sheet[0][2] == "Đơn vị báo cáo: Ủy ban nhân dân thành phố Bắc Ninh"
    assert csp == []
    context.close()
