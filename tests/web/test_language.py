"""The interface is Vietnamese whatever language the browser asks for (an officer's
browser is often set to English; Django's own strings must not turn English)."""

from .page import parse


def test_login_page_is_vietnamese_for_an_english_browser(db, client):
    page = parse(client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    # The two-factor code is optional on this form (issue 13: a correct code lifts a lockout).
    assert [" ".join(label.text.split()) for label in page.find_all("label")] == [
        "Tên đăng nhập", "Mật khẩu", "Mã xác thực hai bước (không bắt buộc)"]
    assert page.find("html").attrs["lang"] == "vi"
