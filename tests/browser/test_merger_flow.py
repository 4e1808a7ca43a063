"""End to end in Debian's Chromium at 390 px (a phone): the province's secretariat opens
"Nhập tỉnh hợp nhất…" from the setup page reached from its home (the province page), is
told in Vietnamese what an empty form and a file that is not an export lack (nothing
written), previews Bắc Giang's export (every colliding code remapped), confirms the
irreversible step and sees the units carried into Bắc Ninh (Nghị quyết 202/2025/QH15)."""

import pytest
from tests.exchange.test_merger import MERGED_ON, RESOLUTION, relabelled

from thidua.exchange import envelope, export
from thidua.org.models import Province, Unit

from .test_unit_pledge_flow import log_in

pytestmark = pytest.mark.browser


def test_secretariat_merges_another_provinces_export(transactional_db, world, live_server,
                                                     browser):
    from playwright.sync_api import expect

    export_file = envelope.dumps(relabelled(export.export_province("BN"))).encode()
    units_before = Unit.objects.count()
    base = live_server.url
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    dialogs, csp = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.on("console", lambda message: csp.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in(page, base, "thuong_truc")
    page.goto(f"{base}/")  # the secretariat's home is its province page
    page.get_by_role("link", name="Thiết lập đơn vị, khối, năm thi đua").click()
    page.locator("#lien-ket-hop-nhat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nhập một tỉnh hợp nhất vào tỉnh Bắc Ninh")

    page.get_by_role("button", name="Xem trước").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Chưa chọn tệp xuất dữ liệu tỉnh.")
    expect(summary).to_contain_text("Cần ngày hợp nhất có hiệu lực.")
    expect(summary).to_contain_text("Cần ghi văn bản hợp nhất.")

    form = page.locator("#form-hop-nhat")
    form.get_by_label("Ngày hợp nhất có hiệu lực").fill(MERGED_ON.isoformat())
    form.get_by_label("Văn bản hợp nhất").fill(RESOLUTION)
    form.get_by_label("Tệp xuất dữ liệu của tỉnh nhập vào (.json)").set_input_files(
        {"name": "bac-giang.json", "mimeType": "application/json",
         "buffer": "Danh sách đơn vị Bắc Giang".encode()})
    form.get_by_role("button", name="Xem trước").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Tệp không phải JSON hợp lệ (tệp xuất dữ liệu tỉnh).")
    assert not Province.objects.filter(code="BG").exists()

    form = page.locator("#form-hop-nhat")
    expect(form.get_by_label("Văn bản hợp nhất")).to_have_value(RESOLUTION)
    form.get_by_label("Ngày hợp nhất có hiệu lực").fill(MERGED_ON.isoformat())
    form.get_by_label("Tệp xuất dữ liệu của tỉnh nhập vào (.json)").set_input_files(
        {"name": "bac-giang.json", "mimeType": "application/json", "buffer": export_file})
    form.get_by_role("button", name="Xem trước").click()
    expect(page.locator("#tieu-de-xem-truoc")).to_have_text(
        "Xem trước: tỉnh Bắc Giang vào tỉnh Bắc Ninh từ ngày 01/07/2025")
    expect(page.locator("#bang-don-vi-hop-nhat tr[data-code='KT1']")).to_contain_text(
        "KT1-BG")
    expect(page.locator("#bang-khoi-hop-nhat tr[data-code='VX']")).to_contain_text("VX-BG")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not Province.objects.filter(code="BG").exists()  # the preview writes nothing

    page.get_by_role("button", name="Xác nhận hợp nhất").click()
    expect(page.locator(".message.success")).to_contain_text(
        "Đã hợp nhất tỉnh Bắc Giang vào tỉnh Bắc Ninh: 10 đơn vị, 2 khối, cụm")
    expect(page.locator("#bang-don-vi tr[data-unit='KT1-BG']")).to_contain_text("Sở Công Thương")
    assert dialogs == [
        "Hợp nhất tỉnh Bắc Giang vào tỉnh Bắc Ninh? Việc này không hoàn tác được."]
    former = Province.objects.get(code="BG")
    assert (former.merged_into, former.merged_on) == (world.province, MERGED_ON)
    assert Unit.objects.filter(province=world.province, territory=former).count() == 10
    assert Unit.objects.count() > units_before

    # Issue 14: the former province is readable from the dashboard, and read-only.
    page.goto(f"{base}/")
    page.locator("#tinh-da-hop-nhat").get_by_role("link", name="Tỉnh Bắc Giang").click()
    expect(page.locator("#tinh-cu")).to_contain_text(
        "Tỉnh Bắc Giang đã hợp nhất vào tỉnh Bắc Ninh từ ngày 01/07/2025")
    expect(page.locator("#tinh-cu")).to_contain_text("chỉ để xem")
    expect(page.locator("#khoi-can-chu-y")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Its proposals and decisions, read with nothing to record.
    page.locator("#lien-ket-khen-thuong").click()
    assert "/tinh/BG/khen-thuong/" in page.url
    expect(page.locator("#chi-xem")).to_be_visible()
    expect(page.locator("main form[method=post]")).to_have_count(0)
    page.go_back()
    page.locator("#lien-ket-nam-truoc").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Khen thưởng và Trưởng khối các năm trước")
    assert "/tinh/BG/" in page.url
    expect(page.locator("main form[method=post]")).to_have_count(0)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bắc Ninh")
    assert csp == []
    context.close()
