"""End to end in Debian's Chromium at 390 px (a phone): a unit officer enters the unit's
year facts with an evidence file from the unit's page; the bloc leader finds them in the
bloc's list and confirms them (a dialog names the consequence); the unit then reads
them as confirmed (issue 11 item 1; RULES.md 19a)."""

import re

import pytest

from thidua.awards.models import UnitYearFacts

from .test_unit_pledge_flow import PDF, log_in

pytestmark = pytest.mark.browser


def test_unit_enters_year_facts_and_the_leader_confirms(transactional_db, world, live_server,
                                                        browser, tmp_path, settings):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    base, year = live_server.url, world.year.year
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    dialogs, csp = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.on("console", lambda message: csp.append(message.text)
            if "Content Security Policy" in message.text else None)

    # The unit officer of Sở Tài chính, from the unit's page.
    log_in(page, base, "can_bo_khac")
    page.goto(f"{base}/don-vi/{world.units['KT2'].pk}/")
    page.get_by_role("link", name=re.compile(f"Số liệu năm {year}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Số liệu năm {year} của Sở Tài chính")
    expect(page.locator("#trang-thai-so-lieu")).to_contain_text("Chưa nhập")
    form = page.locator("#form-so-lieu")
    form.get_by_label(re.compile("Hoàn thành vượt mức chỉ tiêu")).select_option("yes")
    form.get_by_label(re.compile("Xếp loại hoàn thành nhiệm vụ")).select_option("excellent")
    form.get_by_label(re.compile("Xếp loại tổ chức đảng")).select_option("good")
    form.get_by_label(re.compile("Xếp loại Công đoàn cơ sở")).select_option("excellent")
    form.get_by_label(re.compile("Xếp loại Đoàn Thanh niên")).select_option("no_organisation")
    form.get_by_label(re.compile("Hình thức kỷ luật cao nhất")).select_option("none")
    form.get_by_label(re.compile("kết luận thanh tra")).select_option("no")
    form.get_by_label(re.compile("^Vụ việc đang xem xét")).select_option("none")
    form.get_by_label("Số thành viên của tập thể").fill("20")
    form.get_by_label("Số thành viên hoàn thành nhiệm vụ").fill("20")
    form.get_by_label("Số đạt «Lao động tiên tiến»").fill("15")
    form.get_by_label("Số đạt «Chiến sĩ thi đua cơ sở»").fill("2")
    form.get_by_label(re.compile("Ghi chú, minh chứng")).fill(
        "Quyết định xếp loại số 12/QĐ-ĐU ngày 10/12")
    pdf = tmp_path / "xep-loai.pdf"
    pdf.write_bytes(PDF)
    form.get_by_label("Tệp minh chứng").set_input_files(str(pdf))
    form.get_by_role("button", name="Lưu số liệu").click()
    expect(page.locator("#trang-thai-so-lieu")).to_contain_text("Chờ xác nhận")
    expect(page.locator("#tep-minh-chung")).to_contain_text("xep-loai.pdf")
    expect(page.locator("#so-lieu-da-nhap")).to_contain_text("Không có tổ chức")
    expect(page.get_by_role("button", name="Xác nhận số liệu")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()

    # The bloc's leader officer: the list, then the unit's facts, confirmed.
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    log_in(page, base, "truong_khoi")
    page.goto(f"{base}/khoi/{world.bloc_years['KT'].pk}/so-lieu-nam/")
    expect(page.locator("#tien-do-so-lieu")).to_have_text(
        "0/5 đơn vị đã được xác nhận; 1 chờ xác nhận, 0 bị trả lại, 4 chưa nhập.")
    page.locator("tr[data-unit='KT2']").get_by_role("link").click()
    expect(page.locator("#so-lieu-da-nhap")).to_contain_text("Hoàn thành tốt nhiệm vụ")
    page.get_by_role("button", name="Xác nhận số liệu").click()
    expect(page.locator("#trang-thai-so-lieu")).to_contain_text("Đã xác nhận")
    assert dialogs == [f"Xác nhận số liệu năm {year} của Sở Tài chính? Từ lúc này số liệu "
                       "được dùng để xét điều kiện khen thưởng."]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    facts = UnitYearFacts.objects.get(unit=world.units["KT2"])
    assert (facts.state, facts.confirmed_as, facts.evidence.count()) == (
        "confirmed", "leader", 1)
    page.goto(f"{base}/khoi/{world.bloc_years['KT'].pk}/so-lieu-nam/")
    expect(page.locator("tr[data-unit='KT2']")).to_have_attribute("data-state", "confirmed")
    assert csp == []
    context.close()
