"""End to end in Debian's Chromium (issue 5): the leader opens the what-if preview, the
province's secretariat returns the proposal with a reason, the leader resubmits, the
secretariat accepts and records the chairman's decision, and the unit sees the award in
its history."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.browser


def signed_in(browser, live_server, user):
    """A browser session made by the test client (sign-in and its second factor are
    tested elsewhere; force_login marks both done)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    page = context.new_page()
    # The proposal's steps and the decision ask first (data-confirm): the user says yes.
    page.on("dialog", lambda dialog: dialog.accept())
    problems = []
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error" else None)
    return page, problems


def test_what_if_return_resubmit_decide_history(transactional_db, world, live_server, browser):
    from playwright.sync_api import expect

    from awards.conftest import conference_day, polls, prepare_kt
    from thidua.awards import proposals as service

    kt = prepare_kt(world)
    base = live_server.url
    year = world.year.year

    # The leader, before the conference: the what-if preview from the bloc year page.
    leader, leader_problems = signed_in(browser, live_server, world.users["leader"])
    leader.goto(f"{base}/khoi/{kt.pk}/")
    leader.get_by_role("link", name="Dự kiến kết quả bình xét").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text(
        f"Dự kiến kết quả bình xét năm {year}")
    leader.get_by_label(re.compile("Ngày hội nghị")).fill(conference_day(world).isoformat())
    leader.get_by_role("button", name="Xem theo ngày này").click()
    prov = leader.locator("#du-kien-provincial_flag")
    expect(prov.locator("tr[data-unit=KT2] td[data-label='Dự kiến']")).to_have_text(
        "Sát ranh giới")
    expect(prov.locator("tr[data-unit=KT5]")).to_contain_text(
        "cần vượt 3 đơn vị xếp trên (về số phiếu) để vào chỉ tiêu")
    expect(leader.locator("#du-kien-government_flag tr[data-unit=KT1]")).to_contain_text(
        "Chắc chắn trong chỉ tiêu")

    # After the vote: the poll results come in as data (the voting app's published
    # results); the leader sends the dossier from its page.
    proposal = service.assemble_proposal(world.actor("leader"), kt, polls(world),
                                         conference_date=conference_day(world))
    leader.goto(f"{base}/khoi/{kt.pk}/khen-thuong/de-nghi/")
    expect(leader.locator("#bang-de-nghi tbody tr")).to_have_count(4)
    leader.get_by_role("button", name="Gửi tỉnh").click()
    expect(leader.locator("#trang-thai-ho-so")).to_have_text("Đã gửi tỉnh")

    # The secretariat returns it with a reason.
    secretariat, secretariat_problems = signed_in(browser, live_server,
                                                  world.users["secretariat"])
    secretariat.goto(f"{base}/tinh/BN/khen-thuong/{year}/")
    card = secretariat.locator("article[data-bloc=KT]")
    expect(card.locator(".trang-thai")).to_have_text("Đã gửi tỉnh")
    card.get_by_role("link", name="Mở hồ sơ").click()
    secretariat.get_by_label("Lý do trả lại").fill("Thiếu báo cáo thành tích của Sở Xây dựng")
    secretariat.get_by_role("button", name="Trả lại").click()
    expect(secretariat.locator("#trang-thai-ho-so")).to_have_text("Tỉnh trả lại")
    expect(secretariat.locator("#ly-do-tra-lai")).to_contain_text(
        "Thiếu báo cáo thành tích của Sở Xây dựng")

    # The leader reads the reason and resubmits.
    leader.reload()
    expect(leader.locator("#ly-do-tra-lai")).to_contain_text("Thiếu báo cáo thành tích")
    leader.get_by_role("button", name="Gửi lại").click()
    expect(leader.locator("#trang-thai-ho-so")).to_have_text("Đã gửi lại")

    # The secretariat accepts, then records the chairman's decision.
    secretariat.reload()
    secretariat.get_by_role("button", name="Tiếp nhận").click()
    expect(secretariat.locator("#trang-thai-ho-so")).to_have_text("Tỉnh đã tiếp nhận")
    secretariat.goto(f"{base}/tinh/BN/khen-thuong/{year}/")
    expect(secretariat.locator("#tran-co-chinh-phu")).to_contain_text("Trong giới hạn")
    form = secretariat.locator("#form-quyet-dinh")
    form.get_by_label("Số quyết định").fill("25/QĐ-UBND")
    form.get_by_label("Ngày quyết định").fill(f"{year + 1}-01-20")
    form.get_by_label("Người ký").fill("Nguyễn Văn Chủ tịch")
    awarded = form.locator("fieldset").filter(has_text="Được khen thưởng").first
    for name in ("Sở Tài chính — Cờ thi đua của UBND tỉnh",
                 "Sở Xây dựng — Bằng khen của Chủ tịch UBND tỉnh"):
        awarded.get_by_label(name).check()
    refused = form.locator("fieldset").filter(has_text="Không được khen thưởng")
    refused.get_by_label("Sở Công Thương — Cờ thi đua của Chính phủ").check()
    refused.get_by_label("Đài Phát thanh — Bằng khen của Chủ tịch UBND tỉnh").check()
    form.get_by_role("button", name="Ghi quyết định").click()
    expect(secretariat.locator(".messages")).to_contain_text("Đã ghi Quyết định số 25/QĐ-UBND")
    expect(secretariat.locator("article[data-bloc=KT] .trang-thai")).to_have_text(
        "Đã có quyết định")
    proposal.refresh_from_db()
    assert proposal.state == "decided"

    # The unit (Sở Tài chính, KT2) sees the award in its history.
    unit, unit_problems = signed_in(browser, live_server, world.users["peer"])
    unit.goto(f"{base}/don-vi/{world.units['KT2'].pk}/")
    unit.get_by_role("link", name="Quá trình khen thưởng của đơn vị").click()
    row = unit.locator(f"#lich-su-khen-thuong tr[data-year='{year}']")
    expect(row).to_contain_text("Cờ thi đua của UBND tỉnh")
    expect(row).to_contain_text(f"Số 25/QĐ-UBND ngày 20/01/{year + 1}")
    expect(unit.locator("#diem-thuong")).to_contain_text(f"Điểm thưởng năm {year + 1}")
    assert leader_problems == secretariat_problems == unit_problems == []
