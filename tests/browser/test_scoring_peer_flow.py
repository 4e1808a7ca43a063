"""In Debian's Chromium at 390 px: a unit officer cross-scores a unit that never reported
on its target (RULES.md 13, 15). The sheet says what is missing and links to the unit's
targets, progress and evidence; the officer fills every line in one save, records a
reasoned «Không đủ căn cứ» for I.1 and submits — one unit's missing report blocks nothing."""

import pytest

from .test_scoring_flow import watch_csp
from .test_unit_pledge_flow import log_in

pytestmark = pytest.mark.browser

# KT2's sheet as KT1 types it: label → value (select: option label; else typed).
TYPED = [("Mức điểm I.2", "10,00"), ("Mức điểm I.3", "5,00"),
         ("Số lỗi (lần vi phạm) II.1", "0"), ("Số lỗi (lần vi phạm) II.2", "0"),
         ("Số lượng II.3", "3"), ("Số lỗi (lần vi phạm) IV.1", "0"),
         ("Số lỗi (lần vi phạm) V.1", "0"), ("Số lượng B.1", "0"), ("Số lượng B.2", "0"),
         ("Số lượng B.3", "1"), ("Số lượng P.1", "0")]


def test_a_peer_scores_a_unit_without_progress_report_in_one_save(transactional_db, world,
                                                                   live_server, browser,
                                                                   tmp_path):
    from playwright.sync_api import expect

    from scoring.flow import import_par, move_to, prepare
    from thidua.org.domain.phases import Phase
    from thidua.scoring import services
    from thidua.scoring.models import ScoreSheet

    bloc_year, _, _ = prepare(world, unreported=("KT2",))
    import_par(world, bloc_year)
    move_to(world, bloc_year, Phase.APPRAISAL)
    services.generate_assignments(world.actor("leader"), bloc_year)
    base = live_server.url
    problems = []
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    watch_csp(page, problems)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, base, "can_bo")
    page.goto(f"{base}/khoi/{bloc_year.pk}/cham-cheo/")
    expect(page.locator("#tien-do-khoi")).to_have_text(
        "Cả khối: đã gửi 0/20 phiếu chấm chéo, 0/5 phiếu tự chấm điểm.")
    page.get_by_role("button", name="Chấm Sở Tài chính").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chấm chéo: Sở Tài chính")
    i1 = page.locator("[data-code='I.1']")
    expect(i1.locator(".thieu-so-lieu")).to_contain_text(
        "chỉ tiêu “Tỷ lệ hồ sơ giải quyết đúng hạn” chưa có kết quả báo cáo (Quy tắc 15).")
    expect(page.get_by_role("link", name="Hồ sơ của Sở Tài chính: chỉ tiêu đăng ký, báo cáo "
                                          "tiến độ và minh chứng")).to_be_visible()

    for label, value in TYPED:
        field = page.get_by_label(label, exact=True)
        if label.startswith("Mức điểm"):
            field.select_option(label=value)
        else:
            field.fill(value)
    page.get_by_label("Không đủ căn cứ để chấm I.1").check()
    page.get_by_label("Ghi chú I.1").fill("Sở Tài chính chưa gửi báo cáo kết quả thực hiện "
                                         "chỉ tiêu năm")
    page.screenshot(path=str(tmp_path / "phieu-cham-cheo-390.png"), full_page=True)
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.get_by_text("Đã lưu phiếu chấm.")).to_be_visible()
    expect(i1.locator(".khong-du-can-cu")).to_have_text("Không đủ căn cứ")
    expect(i1.locator(".diem-dong")).to_have_text("0,00")
    # 0 + 10 + 5 + 5 + 5 + 3 + 13,5 (PAR) + 10 + 10; B.3 +2.
    expect(page.locator("#tong-diem-so")).to_have_text("61,50 / 100,00")
    page.get_by_role("button", name="Gửi phiếu chấm").click()
    expect(page.locator("#trang-thai-phieu .badge")).to_have_text("Đã gửi")
    sheet = ScoreSheet.objects.get(kind="peer", scorer_unit=world.units["KT1"],
                                   scored_unit=world.units["KT2"])
    assert (sheet.status, str(sheet.final)) == ("submitted", "63.50")
    page.goto(f"{base}/khoi/{bloc_year.pk}/cham-cheo/")
    expect(page.locator("#tien-do-khoi")).to_have_text(
        "Cả khối: đã gửi 1/20 phiếu chấm chéo, 0/5 phiếu tự chấm điểm.")
    context.close()
    assert problems == []
