"""End to end in Debian's Chromium at 390 px: a unit officer fills its self-assessment in
one save, attaches evidence and submits (RULES.md 12); the bloc leader appraises one
criterion with a reason; the unit then sees the change and the reason in its breakdown.
A published ranking draws its chart from a JSON block under the CSP."""

import re

import pytest

from .test_unit_pledge_flow import PDF, log_in, settled

pytestmark = pytest.mark.browser


def signed_in_context(browser, live_server, client, user):
    """A browser session for a user whose role needs a second factor: the session is made
    by the test client (login and the second factor are tested elsewhere)."""
    client.force_login(user)
    try:
        from thidua.core.twofactor import mark_verified
    except ImportError:
        pass
    else:
        session = client.session
        mark_verified(session, user)
        session.save()
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    return context


def watch_csp(page, problems):
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("dialog", lambda dialog: dialog.accept())


# What the officer enters: label → value (select: option label; else typed).
TYPED = [("Mức điểm I.2", "10,00"), ("Mức điểm I.3", "5,00"),
         ("Số lỗi (lần vi phạm) II.1", "0"), ("Số lỗi (lần vi phạm) II.2", "1"),
         ("Số lượng II.3", "3"), ("Số lỗi (lần vi phạm) IV.1", "0"),
         ("Số lỗi (lần vi phạm) V.1", "0"), ("Số lượng B.1", "0"), ("Số lượng B.2", "0"),
         ("Số lượng B.3", "1"), ("Số lượng P.1", "0")]


def test_self_assessment_appraisal_and_the_unit_sees_why(transactional_db, world,
                                                         live_server, browser, tmp_path,
                                                         client):
    from playwright.sync_api import expect

    from scoring.flow import import_par, move_to, prepare
    from thidua.org.domain.phases import Phase
    from thidua.scoring.models import ScoreChange, ScoreSheet

    bloc_year, table, _ = prepare(world)
    import_par(world, bloc_year)
    base = live_server.url
    problems = []

    # The unit officer opens its self-assessment from the bloc year page.
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    watch_csp(page, problems)
    log_in(page, base, "can_bo")
    page.goto(f"{base}/khoi/{bloc_year.pk}/")
    page.get_by_role("link", name="Tự chấm điểm").first.click()
    page.get_by_role("button", name="Bắt đầu tự chấm điểm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tự chấm điểm: Sở Công Thương")
    # Computed criteria are already there: I.1 by RULES.md 15, III.1 imported.
    expect(page.locator("#tong-diem-so")).to_have_text("34,50 / 100,00")

    # A refused line says why on the line and keeps what was typed; nothing is saved.
    page.get_by_label("Mức điểm I.2", exact=True).select_option(label="10,00")
    page.get_by_label("Số lỗi (lần vi phạm) II.1", exact=True).fill("ba")
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.locator("[data-code='II.1'] .error-summary")).to_contain_text(
        "số lỗi phải là số nguyên không âm.")
    expect(page.get_by_label("Số lỗi (lần vi phạm) II.1", exact=True)).to_have_value("ba")
    expect(page.locator("#tong-diem-so")).to_have_text("34,50 / 100,00")
    assert not ScoreSheet.objects.get(kind="self").scores.filter(criterion__code="I.2")

    # The whole sheet, one save: the running total and the section sums follow.
    section_i = table.criteria.get(code="I")
    for label, value in TYPED:
        field = page.get_by_label(label, exact=True)
        if label.startswith("Mức điểm"):
            field.select_option(label=value)
        else:
            field.fill(value)
    page.get_by_label("Ghi chú II.3").fill("Ba điển hình được UBND tỉnh biểu dương")
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.get_by_text("Đã lưu phiếu chấm.")).to_be_visible()
    # 22,50 + 10 + 5 + 5 + 4 + 3 + 12 + 10 + 10 = 81,50 in the frame; bonus 2 outside it.
    expect(page.locator("#tong-diem-so")).to_have_text("81,50 / 100,00")
    expect(page.locator("#tong-cuoi")).to_have_text("83,50")
    expect(page.locator(f"#nhom-{section_i.pk}")).to_have_text("Đạt 37,50")

    # Submitting without the evidence I.1 requires is refused, naming it (RULES.md 12).
    page.get_by_role("button", name="Gửi phiếu chấm").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Tiêu chí I.1 “Tiêu chí I.1”: cần tệp minh chứng hoặc ghi chú giải trình (Quy tắc 12).")

    evidence = tmp_path / "Báo cáo kết quả chỉ tiêu.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Tệp minh chứng I.1 (PDF, ảnh, Word, Excel)").set_input_files(
        str(evidence))
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.locator("[data-code='I.1']").get_by_role(
        "link", name="Báo cáo kết quả chỉ tiêu.pdf")).to_be_visible()
    page.get_by_role("button", name="Gửi phiếu chấm").click()
    expect(page.locator("#trang-thai-phieu .badge")).to_have_text("Đã gửi")
    sheet = ScoreSheet.objects.get(kind="self", scored_unit=world.units["KT1"])
    assert (sheet.status, str(sheet.final)) == ("submitted", "83.50")
    context.close()

    # The leader appraises I.2 with a reason and submits the appraisal.
    move_to(world, bloc_year, Phase.APPRAISAL)
    leader = signed_in_context(browser, live_server, client, world.users["leader"])
    page = leader.new_page()
    watch_csp(page, problems)
    page.goto(f"{base}/khoi/{bloc_year.pk}/tham-dinh/")
    expect(page.locator("#luoi-tham-dinh tr[data-unit='KT1'] td").nth(1)).to_have_text("10,00")
    page.get_by_role("button", name="Thẩm định Sở Công Thương").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thẩm định: Sở Công Thương")
    row = page.locator("[data-code='I.2']")
    row.get_by_label("Mức điểm I.2").select_option(label="5,00")
    row.get_by_label("Lý do thay đổi I.2").fill("Hai văn bản tham mưu ban hành chậm kế hoạch")
    row.get_by_role("button", name="Lưu I.2").click()
    expect(row.get_by_role("status")).to_have_text("Đã lưu")
    expect(row.locator(".lich-su")).to_contain_text(
        "10,00 → 5,00. Lý do: Hai văn bản tham mưu ban hành chậm kế hoạch")
    expect(page.locator("#tong-cuoi")).to_have_text("78,50")
    settled(page, "[data-code='I.2']")
    sheet_url = page.url
    # From the grid, a cell opens its row in place (htmx): I.3 raised, with its reason.
    page.goto(f"{base}/khoi/{bloc_year.pk}/tham-dinh/")
    expect(page.locator("#luoi-tham-dinh tr[data-unit='KT1'] td").nth(1)).to_contain_text(
        "5,00")
    page.locator("#luoi-tham-dinh tr[data-unit='KT1'] td").nth(2).get_by_role("link").click()
    editor = page.locator("#o-sua")
    editor.get_by_label("Mức điểm I.3").select_option(label="10,00")
    editor.get_by_label("Lý do thay đổi I.3").fill("Bổ sung văn bản tham mưu được ban hành")
    editor.get_by_role("button", name="Lưu I.3").click()
    expect(editor.get_by_role("status")).to_have_text("Đã lưu")
    expect(editor.locator(".lich-su")).to_contain_text("5,00 → 10,00")
    # The grid's cell and the unit's total follow without a reload.
    kt1, i3 = world.units["KT1"], table.criteria.get(code="I.3")
    expect(page.locator(f"#o-{kt1.pk}-{i3.pk}")).to_have_text("10,00 sửa")
    expect(page.locator(f"#tong-{kt1.pk}")).to_have_text("83,50")
    page.goto(sheet_url)
    expect(page.locator("#tong-cuoi")).to_have_text("83,50")
    page.get_by_role("button", name="Gửi phiếu chấm").click()
    expect(page.locator("#trang-thai-phieu .badge")).to_have_text("Đã gửi")
    changes = [(c.score.criterion.code, str(c.old_points), str(c.new_points))
               for c in ScoreChange.objects.select_related("score__criterion").order_by("id")]
    assert changes == [("I.2", "10.00", "5.00"), ("I.3", "5.00", "10.00")]
    leader.close()

    # The unit sees the change, who made it and why.
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    watch_csp(page, problems)
    log_in(page, base, "can_bo")
    page.goto(f"{base}/khoi/{bloc_year.pk}/ket-qua/{world.units['KT1'].pk}/")
    row = page.locator("#bang-ket-qua tr[data-code='I.2']")
    expect(row.locator(".diem-tu-cham")).to_have_text("10,00")
    expect(row.locator(".diem-tham-dinh")).to_have_text("5,00")
    expect(row.locator(".lich-su")).to_contain_text(re.compile(
        r"Truong Khoi: 10,00 → 5,00\. Lý do: Hai văn bản tham mưu ban hành chậm kế hoạch"))
    expect(page.locator("#bang-ket-qua tr[data-code='I.1']")).to_contain_text(
        "Báo cáo kết quả chỉ tiêu.pdf")
    context.close()
    assert problems == []


def test_published_ranking_draws_its_charts_under_the_csp(transactional_db, world,
                                                          live_server, browser):
    from playwright.sync_api import expect

    from web.scoring_world import published_year

    bloc_year, _ = published_year(world)
    problems = []
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    watch_csp(page, problems)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server.url, "can_bo")
    page.goto(f"{live_server.url}/khoi/{bloc_year.pk}/xep-hang/")
    expect(page.locator("#bieu-do-nhom")).to_have_attribute("data-drawn", "true")
    page.get_by_role("link", name="Sở Công Thương").first.click()
    expect(page.locator("#bieu-do-radar")).to_have_attribute("data-drawn", "true")
    context.close()
    assert problems == []
