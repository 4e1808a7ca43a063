"""Conference day in Debian's Chromium, through the pages only (issue 11 items 10–12), with
the leader's screen at 390 px and at 1366 px and the delegates on 390 px phones:

the roll call with "Tất cả có mặt" then one unit absent with its reason (the quorum live,
RULES 28); an award poll opened, voted, closed and published, each irreversible step
confirmed in a dialog that names its consequence; a blank ballot asked about first
(dismissed: nothing cast; accepted: cast); the leader election ending 2–2, the
"Bỏ phiếu lại" button, and the next round deciding (RULES 31, 32); the receipt check
finding a ballot from its code typed in lower case without the hyphen; and, all along,
where the conference stands and what is next."""

import re

import pytest
from django.test import Client
from tests.factories import at_conference, held_today, make_eligible

from thidua.voting.models import Poll, SealedBallot

pytestmark = pytest.mark.browser
RECEIPT = re.compile(r"^[2-9A-Z]{5}-[2-9A-Z]{5}$")
BLANK = "Bạn chưa chọn ai. Gửi phiếu trắng? Không sửa lại được."
PHONE = {"width": 390, "height": 844}


class Dialogs:
    """Every confirm() the page asks, answered yes (or no while `answer` is False)."""

    def __init__(self, page):
        self.seen, self.answer = [], True
        page.on("dialog", self.handle)

    def handle(self, dialog):
        self.seen.append(dialog.message)
        if self.answer:
            dialog.accept()
        else:
            dialog.dismiss()

    def take(self):
        seen, self.seen = self.seen, []
        return seen


def open_page(browser, live_server, viewport, user=None):
    context = browser.new_context(locale="vi-VN", viewport=viewport)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                              "url": live_server.url}])
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error" else None)
    return page, Dialogs(page), problems


def fits(page, width):
    """Nothing wider than the screen (no sideways scrolling on a phone)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def vote_with_card(phone, link, names):
    from playwright.sync_api import expect

    phone.goto(link)
    form = phone.locator("form.form-phieu")
    for name in names:
        form.get_by_label(name, exact=True).check()
    phone.get_by_role("button", name="Gửi phiếu", exact=True).click()
    expect(phone.locator("#ma-bien-nhan")).to_have_text(RECEIPT)
    return phone.locator("#ma-bien-nhan").inner_text()


def issue_cards(page, dialogs):
    from playwright.sync_api import expect

    page.get_by_role("button", name="Phát thẻ biểu quyết (in thẻ có mã QR)").click()
    expect(page.locator("#cac-the")).to_be_visible()
    assert dialogs.take() == [
        "Phát thẻ biểu quyết cho các đơn vị có mặt chưa bỏ phiếu? Mọi thẻ đã phát mà chưa "
        "dùng bị thu hồi, thẻ đã in không dùng được nữa."]
    cards = page.locator("#cac-the li.the")
    return {cards.nth(i).locator(".the-don-vi strong").inner_text():
            cards.nth(i).locator(".the-lien-ket a").get_attribute("href")
            for i in range(cards.count())}


def close_and_publish(page, dialogs, title, voted):
    from playwright.sync_api import expect

    page.get_by_role("button", name="Kết thúc bỏ phiếu").click()
    expect(page.locator("#trang-thai-bo-phieu")).to_have_text("Đã kết thúc bỏ phiếu")
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(page.locator("#trang-thai-bo-phieu")).to_have_text("Đã công bố")
    assert dialogs.take() == [
        f"Kết thúc bỏ phiếu «{title}» với {voted} phiếu? Không nhận thêm phiếu nào, thẻ chưa "
        "dùng bị thu hồi, kết quả kiểm phiếu được lưu; không mở lại được.",
        f"Công bố kết quả «{title}»? Mọi người trong khối thấy kết quả và danh sách phiếu "
        "theo mã biên nhận; không rút lại được."]


def create_poll(page, dialogs, base, bloc_year_pk, kind, award_form=""):
    from playwright.sync_api import expect

    page.goto(f"{base}/khoi/{bloc_year_pk}/hoi-nghi/")
    form = page.locator("form.form-bo-phieu")
    form.get_by_label("Loại cuộc bỏ phiếu").select_option(label=kind)
    if award_form:
        form.get_by_label("Hình thức khen thưởng (khi bình xét)").select_option(
            label=award_form)
    page.get_by_role("button", name="Lập cuộc bỏ phiếu").click()
    expect(page.locator("#trang-thai-bo-phieu")).to_have_text("Mới tạo")
    title = page.locator("h1").inner_text()
    page.get_by_role("button", name="Mở bỏ phiếu").click()
    expect(page.locator("#trang-thai-bo-phieu")).to_have_text("Đang bỏ phiếu")
    assert dialogs.take() == [
        f"Mở bỏ phiếu «{title}»? Danh sách ứng viên được cố định, không sửa được nữa; đại "
        "biểu bắt đầu bỏ phiếu."]
    return page.url, title


def delegate_votes(delegate, base, bloc_year_pk, title, name):
    """The logged-in delegate (KT3) on a phone: the open vote first on the conference page,
    one tap to the ballot at the top of the poll page."""
    from playwright.sync_api import expect

    delegate.goto(f"{base}/khoi/{bloc_year_pk}/hoi-nghi/")
    button = delegate.locator("#dang-bo-phieu a", has_text=title)
    expect(button).to_have_text(f"Bỏ phiếu: {title}")
    box = button.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]  # seen without scrolling
    button.click()
    form = delegate.locator("#bo-phieu form.form-phieu")
    expect(form).to_be_visible()
    assert form.bounding_box()["y"] < PHONE["height"]
    form.get_by_label(name, exact=True).check()
    delegate.get_by_role("button", name="Gửi phiếu", exact=True).click()
    expect(delegate.locator("#ma-bien-nhan")).to_have_text(RECEIPT)
    fits(delegate, PHONE["width"])


@pytest.mark.parametrize("width", [390, 1366])
def test_a_conference_day_through_the_pages(transactional_db, world, live_server, browser,
                                            width):
    from playwright.sync_api import expect

    base, bloc_year = live_server.url, world.bloc_years["KT"]
    make_eligible(bloc_year)  # an award poll lists the eligible units (issue 11 item 2)
    at_conference(bloc_year)  # polls open in the conference phase (issue 11 item 9)
    viewport = PHONE if width == 390 else {"width": 1366, "height": 900}
    page, dialogs, problems = open_page(browser, live_server, viewport, world.users["leader"])
    delegate, delegate_dialogs, delegate_problems = open_page(browser, live_server, PHONE,
                                                              world.users["delegate"])
    phone, phone_dialogs, phone_problems = open_page(browser, live_server, PHONE)
    name = {code: world.units[code].name for code in ("KT1", "KT2", "KT3", "KT4", "KT5")}

    # The leader creates the conference; the page says what comes first.
    page.goto(f"{base}/khoi/{bloc_year.pk}/hoi-nghi/")
    form = page.locator("form.form-hoi-nghi")
    form.get_by_label("Thời gian (ngày và giờ)").fill(held_today().strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Địa điểm").fill("Hội trường tỉnh")
    form.get_by_label("Chủ trì").fill("Nguyễn Văn A")
    form.get_by_label("Thư ký").fill("Trần Thị B")
    page.get_by_role("button", name="Lập hội nghị").click()
    expect(page.locator("#viec-tiep-theo")).to_have_text(
        "Việc tiếp theo: Điểm danh: bấm «Tất cả có mặt» rồi sửa đơn vị vắng (ghi lý do), lưu "
        "một lần.")

    # Roll call: one unit's delegate typed, "Tất cả có mặt", then KT5 absent with a reason.
    row = page.locator(f"#diem-danh-{world.units['KT1'].pk}")
    row.get_by_label(f"Đại biểu của {name['KT1']}").fill("Nguyễn An")
    page.get_by_role("button", name="Tất cả có mặt").click()
    expect(page.locator("ul.messages")).to_have_text("Đã lưu điểm danh: 5/5 đơn vị có mặt.")
    expect(page.locator("#so-dai-bieu")).to_have_text(
        "5/5 đơn vị có mặt ≥ 2/3 (cần ít nhất 4): đủ số đơn vị để biểu quyết (Quy tắc 28)")
    expect(row.get_by_label(f"Đại biểu của {name['KT1']}")).to_have_value("Nguyễn An")
    row = page.locator(f"#diem-danh-{world.units['KT5'].pk}")
    row.get_by_label("Vắng", exact=True).check()
    row.get_by_label(f"Lý do vắng của {name['KT5']}").fill("Đi công tác")
    expect(page.locator("#co-mat-tam-tinh")).to_have_text(
        "Đang chọn (chưa lưu): 4/5 có mặt, 1 vắng, 0 chưa điểm danh — đủ số đơn vị để biểu "
        "quyết (cần ít nhất 4).")
    fits(page, viewport["width"])
    page.get_by_role("button", name="Lưu điểm danh").first.click()
    expect(page.locator("ul.messages")).to_have_text("Đã lưu điểm danh: 4/5 đơn vị có mặt.")
    expect(page.locator("#so-dai-bieu")).to_have_text(
        "4/5 đơn vị có mặt ≥ 2/3 (cần ít nhất 4): đủ số đơn vị để biểu quyết (Quy tắc 28)")
    expect(row.get_by_label(f"Lý do vắng của {name['KT5']}")).to_have_value("Đi công tác")
    expect(page.locator("#buoc-quorum .badge")).to_have_text("Xong")
    expect(page.locator("#viec-tiep-theo")).to_have_text(
        "Việc tiếp theo: Lập cuộc bỏ phiếu bình xét cho từng hình thức khen thưởng")
    assert dialogs.take() == []  # a roll call can be saved again: it does not ask

    # The award poll: opened (confirmed), the logged-in delegate votes first.
    poll_url, title = create_poll(page, dialogs, base, bloc_year.pk,
                                  "Bình xét đề nghị khen thưởng",
                                  "Bằng khen của Chủ tịch UBND tỉnh")
    delegate_votes(delegate, base, bloc_year.pk, title, name["KT1"])
    links = issue_cards(page, dialogs)
    assert sorted(links) == sorted([name["KT1"], name["KT2"], name["KT4"]])
    receipts = [vote_with_card(phone, links[name["KT1"]], [name["KT1"], name["KT2"]])]

    # A blank ballot: the question first; "no" casts nothing, "yes" casts it.
    phone.goto(links[name["KT2"]])
    phone_dialogs.answer = False
    phone.get_by_role("button", name="Gửi phiếu", exact=True).click()
    assert phone_dialogs.take() == [BLANK]
    expect(phone.locator("form.form-phieu")).to_be_visible()
    assert SealedBallot.objects.count() == 2
    phone_dialogs.answer = True
    phone.get_by_role("button", name="Gửi phiếu", exact=True).click()
    expect(phone.locator("#ma-bien-nhan")).to_have_text(RECEIPT)
    assert phone_dialogs.take() == [BLANK]
    blank = phone.locator("#ma-bien-nhan").inner_text()
    receipts.append(vote_with_card(phone, links[name["KT4"]], [name["KT1"]]))
    fits(phone, PHONE["width"])

    page.goto(poll_url)
    expect(page.locator("#da-bo-phieu")).to_have_text("4/4")
    close_and_publish(page, dialogs, title, "4/4")

    # The leader election: 2–2 of 5 members elects nobody (more than 1/2 is 3).
    election_url, election = create_poll(page, dialogs, base, bloc_year.pk, "Bầu Trưởng khối")
    delegate_votes(delegate, base, bloc_year.pk, election, name["KT2"])
    links = issue_cards(page, dialogs)
    for voter, chosen in (("KT1", "KT3"), ("KT2", "KT3"), ("KT4", "KT2")):
        vote_with_card(phone, links[name[voter]], [name[chosen]])
    page.goto(election_url)
    page.get_by_role("button", name="Kết thúc bỏ phiếu").click()
    expect(page.locator("#trang-thai-bo-phieu")).to_have_text("Đã kết thúc bỏ phiếu")
    dialogs.take()
    expect(page.locator("#ly-do-bo-phieu-lai")).to_have_text(
        "Chưa bầu đủ: 0/1 người đạt ngưỡng (cần hơn 1/2 của 5 thành viên, tức ít nhất 3 "
        f"phiếu). Bầu lại giữa những người nhiều phiếu nhất: {name['KT2']} (2 phiếu), "
        f"{name['KT3']} (2 phiếu); vẫn phải đạt ngưỡng (Quy tắc 31, 32).")
    page.goto(f"{base}/khoi/{bloc_year.pk}/hoi-nghi/")
    expect(page.locator("#viec-tiep-theo")).to_have_text(
        f"Việc tiếp theo: Bỏ phiếu lại sau «{election}»")
    page.locator("#viec-tiep-theo a").click()

    # The button: the next round among the two, opened at once.
    page.get_by_role("button", name=f"Bỏ phiếu lại giữa {name['KT2']}, {name['KT3']}").click()
    expect(page.locator("h1")).to_have_text(f"{election} (vòng 2)")
    expect(page.locator("#trang-thai-bo-phieu")).to_have_text("Đang bỏ phiếu")
    assert dialogs.take() == [
        f"Mở bỏ phiếu lại giữa {name['KT2']}, {name['KT3']} (1 suất)? Cuộc bỏ phiếu lại mở "
        "ngay với danh sách này, không sửa được; phát thẻ mới cho đại biểu có mặt. Kết quả "
        "lần này được giữ nguyên trong biên bản."]
    expect(page.locator("#bang-ung-vien tbody tr")).to_have_count(2)
    round_url = page.url
    delegate_votes(delegate, base, bloc_year.pk, f"{election} (vòng 2)", name["KT2"])
    links = issue_cards(page, dialogs)
    for voter, chosen in (("KT1", "KT2"), ("KT2", "KT2"), ("KT4", "KT3")):
        vote_with_card(phone, links[name[voter]], [name[chosen]])
    page.goto(round_url)
    close_and_publish(page, dialogs, f"{election} (vòng 2)", "4/4")
    page.get_by_role("link", name="Kết quả").click()
    rows = page.locator("#bang-ket-qua tbody tr")
    expect(rows.nth(0).locator("td")).to_have_text([
        name["KT2"], "3", "3 phiếu / 5 thành viên = 60,00 % > 1/2: đạt", "trúng (trong chỉ tiêu)"])
    # The first round is still to publish (its minutes keep it); then the leader is elected.
    page.goto(f"{base}/khoi/{bloc_year.pk}/hoi-nghi/")
    expect(page.locator("#viec-tiep-theo")).to_have_text(
        f"Việc tiếp theo: Công bố kết quả «{election}»")
    page.locator("#viec-tiep-theo a").click()
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(page.locator("#trang-thai-bo-phieu")).to_have_text("Đã công bố")
    assert len(dialogs.take()) == 1
    expect(page.locator("#den-bo-phieu-lai")).to_have_text(f"{election} (vòng 2) — Đã công bố")
    page.goto(f"{base}/khoi/{bloc_year.pk}/hoi-nghi/")
    expect(page.locator("#buoc-leader")).to_have_text(re.compile(
        rf"Xong Đã bầu Trưởng khối: {name['KT2']}\.$"))
    expect(page.locator("#viec-tiep-theo")).to_have_text(
        f"Việc tiếp theo: Lập cuộc bầu Phó khối năm {world.year.year + 1}")
    assert Poll.objects.filter(conference__bloc_year=bloc_year).count() == 3

    # A delegate checks the blank ballot, typing the code in lower case without the hyphen.
    phone.goto(f"{base}/kiem-tra-phieu/{Poll.objects.get(title=title).pk}/")
    phone.get_by_label("Mã biên nhận").fill(blank.replace("-", "").lower())
    phone.get_by_role("button", name="Kiểm tra").click()
    expect(phone.locator("#phieu-da-tinh h2")).to_have_text(
        f"Phiếu {blank} có trong danh sách đã công bố")
    expect(phone.locator("#phieu-da-tinh")).to_contain_text("Lựa chọn: (phiếu trắng)")
    fits(phone, PHONE["width"])
    assert problems == delegate_problems == phone_problems == []
    assert delegate_dialogs.take() == []
    assert len(receipts) == 2
