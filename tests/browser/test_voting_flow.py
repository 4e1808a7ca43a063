"""End to end in Debian's Chromium (issue 4): the secretary opens a poll and prints the
voting cards; two delegates vote from their card links on a phone (no account); the chair
closes and publishes; the result and the receipt check show the right numbers."""

import re

import pytest
from django.test import Client
from tests import factories

from thidua.voting import services
from voting.box import sealed_box

pytestmark = pytest.mark.browser
RECEIPT = re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]+$")


def signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="vi-VN", viewport={"width": 1024, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    return watched(context.new_page())


def watched(page):
    # Opening, closing, publishing and issuing cards ask first (data-confirm): yes.
    page.on("dialog", lambda dialog: dialog.accept())
    problems = []
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error" else None)
    return page, problems


def test_open_vote_by_card_close_publish_check(transactional_db, world, live_server, browser):
    from playwright.sync_api import expect

    poll = factories.award_poll(world, factories.conference(world, present=factories.KT))
    names = [c.unit.name for c in poll.candidates.select_related("unit")]
    base = live_server.url

    # The secretary: from the conference page to the poll, open it, print the cards.
    secretary, secretary_problems = signed_in(browser, live_server, world.users["leader"])
    secretary.goto(f"{base}/khoi/{world.bloc_years['KT'].pk}/hoi-nghi/")
    expect(secretary.locator("#so-dai-bieu")).to_have_text(
        "5/5 đơn vị có mặt ≥ 2/3 (cần ít nhất 4): đủ số đơn vị để biểu quyết (Quy tắc 28)")
    secretary.get_by_role("link", name=poll.title, exact=True).click()
    secretary.get_by_role("button", name="Mở bỏ phiếu").click()
    expect(secretary.locator("#trang-thai-bo-phieu")).to_have_text("Đang bỏ phiếu")
    secretary.get_by_role("button", name="Phát thẻ biểu quyết (in thẻ có mã QR)").click()
    expect(secretary.locator("#cac-the img.qr")).to_have_count(5)
    links = secretary.locator("#cac-the .the-lien-ket a").evaluate_all(
        "els => els.map(e => e.href)")

    # Two delegates, each on a phone with the card's link (no account).
    receipts = []
    for link in links[:2]:
        context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
        phone, problems = watched(context.new_page())
        phone.goto(link)
        boxes = phone.locator("form.form-phieu input[type=checkbox]")
        expect(boxes).to_have_count(5)
        for i in range(poll.quota):
            boxes.nth(i).check()
        if poll.quota < 5:  # the static script disables the boxes beyond the quota
            expect(boxes.nth(poll.quota)).to_be_disabled()
            for i in range(1, poll.quota):
                boxes.nth(i).uncheck()
        phone.get_by_role("button", name="Gửi phiếu").click()
        receipt = phone.locator("#ma-bien-nhan")
        expect(receipt).to_have_text(RECEIPT)
        receipts.append(receipt.inner_text())
        assert problems == []
        phone.goto(link)  # the card a second time: refused (answered 409)
        expect(phone.locator("#tu-choi p")).to_have_text(services.USED_CARD)
        context.close()
    assert [b[0] for b in sealed_box(poll)] == sorted(receipts)

    # The projector shows 2/5; the chair closes and publishes.
    secretary.goto(f"{base}/bo-phieu/{poll.pk}/trinh-chieu/")
    expect(secretary.locator("#da-nhan")).to_have_text("2")
    expect(secretary.locator("#du-kien")).to_have_text("5")
    secretary.goto(f"{base}/bo-phieu/{poll.pk}/")
    secretary.get_by_role("button", name="Kết thúc bỏ phiếu").click()
    expect(secretary.locator("#trang-thai-bo-phieu")).to_have_text("Đã kết thúc bỏ phiếu")
    secretary.get_by_role("button", name="Công bố kết quả").click()
    expect(secretary.locator("#trang-thai-bo-phieu")).to_have_text("Đã công bố")
    secretary.get_by_role("link", name="Kết quả").click()
    expect(secretary.locator("#so-phieu-ket-qua")).to_have_text("2")
    first_row = secretary.locator("#bang-ket-qua tbody tr").first
    expect(first_row.locator("td").nth(0)).to_have_text(names[0])
    expect(first_row.locator("td").nth(1)).to_have_text("2")
    expect(secretary.locator("#bang-phieu tbody tr")).to_have_count(2)
    assert secretary_problems == []

    # A delegate checks their receipt on the public page.
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    phone, problems = watched(context.new_page())
    phone.goto(f"{base}/kiem-tra-phieu/{poll.pk}/")
    phone.get_by_label("Mã biên nhận").fill(receipts[0])
    phone.get_by_role("button", name="Kiểm tra").click()
    expect(phone.locator("#phieu-da-tinh h2")).to_have_text(
        f"Phiếu {receipts[0]} có trong danh sách đã công bố")
    expect(phone.locator("#phieu-da-tinh")).to_contain_text(f"Lựa chọn: 1. {names[0]}")
    assert problems == []
