"""End to end in Debian's Chromium: a unit officer registers, submits and reports progress
with an evidence PDF; the bloc leader then sees the unit as registered."""

import re

import pytest

from thidua.core.models import User
from thidua.org import services as org_services
from thidua.org.domain.phases import Phase

PASSWORD = "mat-khau-thu-nghiem-2026"  # the world fixture's password
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
       b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")

pytestmark = pytest.mark.browser


def settled(page, selector):
    """htmx wires up swapped-in content once it has settled (it then drops `htmx-added`);
    a person never clicks that fast, a robot does."""
    from playwright.sync_api import expect

    expect(page.locator(selector)).not_to_have_class(re.compile(r"\bhtmx-(added|settling)\b"))


def log_in(page, base, username):
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    if "/xac-thuc-hai-buoc/thiet-lap/" in page.url:
        # Leaders, the secretariat and admins enrol a second factor first (core.twofactor):
        # the secret shown under the QR code, a code from it, the backup codes once.
        # The confirmation answers on the same address: wait for the codes themselves
        # (count() does not wait, and read the page before the answer had come).
        import pyotp
        from playwright.sync_api import expect

        secret = page.locator("#khoa-bi-mat").inner_text().strip()
        page.get_by_label("Mã xác thực").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Xác nhận và bật").click()
        expect(page.locator("#ma-du-phong li")).to_have_count(10)
        page.get_by_role("link", name="Tiếp tục").click()
        page.wait_for_load_state()


def test_unit_pledge_flow(transactional_db, world, live_server, browser, tmp_path):
    from playwright.sync_api import expect

    org_services.move_phase(world.actor("admin"), world.bloc_years["KT"], Phase.IN_PROGRESS)
    base = live_server.url
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    csp_violations = []
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    # The unit officer lands on their unit and opens a registration.
    log_in(page, base, "can_bo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sở Công Thương")
    page.get_by_role("button", name=re.compile("Lập bản đăng ký thi đua")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Bản đăng ký thi đua năm {world.year.year}")

    # Titles, saved through htmx (the section is replaced in place).
    page.get_by_label("Cờ thi đua của UBND tỉnh").check()
    page.get_by_label("Tập thể lao động xuất sắc").check()
    page.get_by_role("button", name="Lưu danh hiệu").click()
    expect(page.locator("#muc-danh-hieu [role=status]")).to_have_text("Đã lưu")
    settled(page, "#muc-danh-hieu")

    # Two targets, each added through htmx.
    targets = [("Tỷ lệ hồ sơ giải quyết đúng hạn", "80", "100", "%"),
               ("Số sáng kiến được công nhận", "0", "10", "sáng kiến")]
    for number, (indicator, baseline, value, measure) in enumerate(targets, 1):
        form = page.locator("#form-chi-tieu")
        form.get_by_label("Tên chỉ tiêu").fill(indicator)
        form.get_by_label("Giá trị xuất phát").fill(baseline)
        form.get_by_label("Giá trị mục tiêu").fill(value)
        form.get_by_label("Đơn vị tính").fill(measure)
        form.get_by_label("Thời hạn").fill(f"{world.year.year}-12-31")
        # Wait for the server's answer to this add (the swap follows it).
        with page.expect_response(lambda r: r.request.method == "POST"
                                  and "/chi-tieu/" in r.url):
            form.get_by_role("button", name="Thêm chỉ tiêu").click()
        expect(page.locator("#bang-chi-tieu tbody tr")).to_have_count(number)
        settled(page, "#muc-chi-tieu")
    expect(page.locator("#tieu-de-chi-tieu")).to_have_text("Chỉ tiêu (2)")

    page.get_by_role("button", name="Gửi bản đăng ký").click()
    expect(page.locator("#trang-thai-dang-ky .badge").first).to_have_text("Đã đăng ký")

    # Progress on the first target, with an evidence PDF.
    evidence = tmp_path / "Biên bản kiểm tra.pdf"
    evidence.write_bytes(PDF)
    page.get_by_role("link", name="Báo cáo tiến độ", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Báo cáo tiến độ: Tỷ lệ hồ sơ giải quyết đúng hạn")
    page.get_by_label("Kết quả đạt được").fill("95")
    page.get_by_label("Ghi chú").fill("Quý III đạt 95 %")
    page.get_by_label("Tệp minh chứng").set_input_files(str(evidence))
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator(".message.success")).to_have_text(
        "Đã báo cáo tiến độ chỉ tiêu “Tỷ lệ hồ sơ giải quyết đúng hạn”.")
    assert asked == ["Gửi báo cáo tiến độ “Tỷ lệ hồ sơ giải quyết đúng hạn”? Báo cáo đã gửi "
                     "và minh chứng kèm theo không sửa, không xóa được."]
    bar = page.locator("article.chi-tieu").first.locator("progress")
    expect(bar).to_have_attribute("value", "75")  # (95 − 80) / (100 − 80)
    expect(page.locator("article.chi-tieu").first.locator(".phan-tram")).to_have_text("75 %")
    expect(page.get_by_role("link", name="Biên bản kiểm tra.pdf")).to_be_visible()

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")

    # The bloc leader's officer sees the unit as registered.
    log_in(page, base, "truong_khoi")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Khối Kinh tế — năm {world.year.year}")
    row = page.locator('#bang-thanh-vien tr[data-unit="KT1"]')
    expect(row.locator(".trang-thai")).to_have_text("Đã đăng ký")
    expect(page.locator('#bang-thanh-vien tr[data-unit="KT2"] .trang-thai')).to_have_text(
        "Chưa đăng ký")
    assert csp_violations == []
    assert User.objects.filter(username="truong_khoi").exists()
    context.close()
