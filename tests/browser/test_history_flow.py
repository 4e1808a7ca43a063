"""End to end in Debian's Chromium at 390 px (a phone): the province's secretariat opens
"the years before" from the province page, records last year's provincial flag of a unit
and last year's bloc leader with their papers, and sees the unit's award history carry
this year's bonus (issue 14: history as data; RULES.md 4, 11). A refused entry (a
decision dated tomorrow) is told in Vietnamese and keeps what was typed."""

import datetime
import re

import pytest

from thidua.awards.models import Award
from thidua.org.models import PastLeader

from .test_unit_pledge_flow import log_in

pytestmark = pytest.mark.browser


def test_secretariat_records_last_year(transactional_db, world, live_server, browser):
    from playwright.sync_api import expect

    base, this = live_server.url, world.year.year
    last = this - 1
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    dialogs, csp = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.on("console", lambda message: csp.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in(page, base, "thuong_truc")
    page.goto(f"{base}/tinh/BN/")
    page.locator("#lien-ket-nam-truoc").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Khen thưởng và Trưởng khối các năm trước")

    form = page.locator("#form-khen-thuong")
    form.get_by_label("Năm thi đua").fill(str(last))
    form.get_by_label("Đơn vị").select_option(label="Sở Tài chính (KT2)")
    form.get_by_label("Hình thức khen thưởng").select_option("provincial_flag")
    form.get_by_label("Số quyết định").fill("3120/QĐ-UBND")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    form.get_by_label("Ngày quyết định").fill(tomorrow.isoformat())
    form.get_by_role("button", name="Ghi khen thưởng").click()
    expect(page.locator(".error-summary")).to_contain_text(
        f"Ngày quyết định {tomorrow:%d/%m/%Y} chưa đến")
    expect(page.locator("#form-khen-thuong").get_by_label("Số quyết định")).to_have_value(
        "3120/QĐ-UBND")
    assert Award.objects.count() == 0

    form = page.locator("#form-khen-thuong")
    form.get_by_label("Ngày quyết định").fill(f"{this}-01-15")
    form.get_by_role("button", name="Ghi khen thưởng").click()
    expect(page.locator("#bang-khen-thuong tr[data-unit='KT2']")).to_contain_text(
        f"Số 3120/QĐ-UBND ngày 15/01/{this}")

    form = page.locator("#form-truong-khoi")
    form.get_by_label("Năm thi đua").fill(str(last))
    form.get_by_label("Khối, cụm thi đua").select_option(label="Khối Kinh tế")
    form.get_by_label("Đơn vị Trưởng khối").select_option(label="Sở Tài chính (KT2)")
    form.get_by_label("Số biên bản hoặc quyết định").fill("05/BB-KTĐ")
    form.get_by_label("Ngày văn bản").fill(f"{last - 1}-12-20")
    form.get_by_role("button", name="Ghi Trưởng khối").click()
    expect(page.locator("#bang-truong-khoi tr[data-bloc='KT']")).to_contain_text(
        f"Sở Tài chính Số 05/BB-KTĐ ngày 20/12/{last - 1}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{base}/don-vi/{world.units['KT2'].pk}/khen-thuong/")
    expect(page.locator("#lich-su-khen-thuong")).to_contain_text("Cờ thi đua của UBND tỉnh")
    expect(page.locator("#diem-thuong")).to_contain_text(
        re.compile(f"Điểm thưởng năm {this} \\(Quy tắc 11\\): Được tặng Cờ thi đua của UBND "
                   f"tỉnh năm {last}"))
    assert list(PastLeader.objects.values_list("leader_unit__code", "emulation_year__year")
                ) == [("KT2", last)]
    assert (dialogs, csp) == ([], [])
    context.close()
