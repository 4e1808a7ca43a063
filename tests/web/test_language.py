"""The interface is Vietnamese whatever language the browser asks for (an officer's
browser is often set to English; Django's own strings must not turn English)."""

from .page import parse


def test_login_page_is_vietnamese_for_an_english_browser(db, client):
    page = parse(client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert [label.text for label in page.find_all("label")] == ["Tên đăng nhập", "Mật khẩu"]
    assert page.find("html").attrs["lang"] == "vi"
