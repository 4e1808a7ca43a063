"""End to end in Debian's Chromium at 390 px (a phone): the province's secretariat finds
its signing certificate page from its home (the province page) by a link, is told in
Vietnamese what is wrong with an empty form, a file that is no PKCS#12 and a wrong
passphrase (nothing kept), then loads the signer's certificate and sees it listed. With no
PKCS#11 library allowed on the server, the token part says so instead of offering a form
that could only be refused."""

import datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from tests.documents.test_digital_signature import PASSPHRASE, SIGNER, _certificate

from thidua.documents.models import SigningCertificate

from .test_unit_pledge_flow import log_in

pytestmark = pytest.mark.browser


def _signer_p12() -> bytes:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _certificate("CA thử nghiệm thidua", "CA thử nghiệm thidua", ca_key, ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = _certificate(SIGNER, "CA thử nghiệm thidua", key, ca_key, ca=False)
    return pkcs12.serialize_key_and_certificates(
        b"signer", key, leaf, [ca], serialization.BestAvailableEncryption(PASSPHRASE.encode()))


def test_secretariat_loads_the_provinces_certificate(transactional_db, world, live_server,
                                                    browser):
    from playwright.sync_api import expect

    base = live_server.url
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    csp = []
    page.on("console", lambda message: csp.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in(page, base, "thuong_truc")
    page.goto(f"{base}/")  # the secretariat's home is its province page
    page.locator("#lien-ket-chung-thu-so").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Chứng thư số ký văn bản — tỉnh Bắc Ninh")

    certificate_form = page.locator("form").filter(has_text="Nạp chứng thư số")
    certificate_form.get_by_role("button", name="Nạp chứng thư số").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Chưa chọn tệp chứng thư số (.p12 hoặc .pfx).")

    certificate_form = page.locator("form").filter(has_text="Nạp chứng thư số")
    certificate_form.get_by_label("Tệp chứng thư số (.p12, .pfx)").set_input_files(
        {"name": "bien-ban.p12", "mimeType": "application/x-pkcs12",
         "buffer": "Biên bản họp khối".encode()})
    certificate_form.get_by_role("button", name="Nạp chứng thư số").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Không mở được tệp chứng thư số: sai mật khẩu hoặc tệp không phải PKCS#12")

    p12 = {"name": "nguyen-van-an.p12", "mimeType": "application/x-pkcs12",
           "buffer": _signer_p12()}
    certificate_form = page.locator("form").filter(has_text="Nạp chứng thư số")
    certificate_form.get_by_label("Tệp chứng thư số (.p12, .pfx)").set_input_files(p12)
    certificate_form.get_by_label("Mật khẩu của tệp").fill("sai-mat-khau")
    certificate_form.get_by_role("button", name="Nạp chứng thư số").click()
    expect(page.locator(".error-summary")).to_contain_text("sai mật khẩu")
    assert SigningCertificate.objects.count() == 0

    # No PKCS#11 library allowed on this server: the page says so, and offers no token
    # form that could only be refused.
    expect(page.locator("#token-ky-so")).to_contain_text(
        "Máy chủ chưa cho phép thư viện PKCS#11 nào nên chưa cấu hình được token")
    expect(page.get_by_role("button", name="Cấu hình token")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    certificate_form = page.locator("form").filter(has_text="Nạp chứng thư số")
    certificate_form.get_by_label("Tệp chứng thư số (.p12, .pfx)").set_input_files(p12)
    certificate_form.get_by_label("Mật khẩu của tệp").fill(PASSPHRASE)
    certificate_form.get_by_role("button", name="Nạp chứng thư số").click()
    expect(page.locator(".message.success")).to_have_text("Đã nạp chứng thư số.")
    row = page.locator("table tbody tr")
    expect(row).to_contain_text(SIGNER)
    expect(row).to_contain_text("Tệp PKCS#12")
    next_year = datetime.date.today() + datetime.timedelta(days=365)
    expect(row).to_contain_text(f"{next_year:%d/%m/%Y}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert list(SigningCertificate.objects.values_list("subject", "unit")) == [(SIGNER, None)]

    page.get_by_role("link", name="← Bắc Ninh").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bắc Ninh")
    assert csp == []
    context.close()
