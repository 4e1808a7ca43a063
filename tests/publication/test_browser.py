"""End to end in Debian's Chromium (issue 6 item 7): a visitor who is not signed in opens
the demo bloc's public results page from the province's index and reads the published
ranking and press release; the counter counts that visitor once for the day, another
browser once more. No CSP violation on the way."""

import pytest
from django.utils import timezone

from thidua.core.numbers import vi_number
from thidua.demo import loader
from thidua.org.models import BlocYear
from thidua.org.rules import actor_for
from thidua.publication import services
from thidua.publication.models import PageView
from thidua.scoring.models import RankingRow

pytestmark = pytest.mark.browser


def visitor(browser, user_agent, problems):
    page = browser.new_context(locale="vi-VN", user_agent=user_agent,
                               viewport={"width": 1024, "height": 900}).new_page()
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text or m.type == "error" else None)
    return page


def test_a_visitor_reads_the_demo_bloc_public_page(transactional_db, live_server, browser,
                                                   settings, tmp_path):
    from playwright.sync_api import expect

    from thidua.core.models import User

    settings.MEDIA_ROOT = tmp_path
    loader.load()
    bloc_year = BlocYear.objects.get(bloc__code="KTKT",
                                     emulation_year__year=timezone.localdate().year)
    # The demo publishes the ranking; the leader writes and publishes the press release.
    leader = actor_for(User.objects.get(username="truongkhoi"))
    services.generate(leader, bloc_year)
    revision = services.publish(leader, bloc_year)
    rows = [[str(r.rank), r.unit.name, vi_number(r.final)] for r in RankingRow.objects.filter(
        ranking__table__bloc_year=bloc_year).select_related("unit").order_by("rank", "id")]
    assert len(rows) == 12
    base = live_server.url
    problems = []

    page = visitor(browser, "Trinh duyet A/1.0", problems)
    page.goto(f"{base}/cong-khai/tinh/BN/")
    page.get_by_role("link", name=f"{bloc_year.bloc.name} — năm {bloc_year.year}").click()
    expect(page.locator("h1")).to_have_text(
        f"{bloc_year.bloc.name} — kết quả thi đua năm {bloc_year.year}")
    expect(page.locator("#thong-cao h2")).to_have_text(revision.title)
    expect(page.locator("#thong-cao .sapo")).to_have_text(revision.lead)
    cells = [row.locator("td").all_inner_texts()
             for row in page.locator("#bang-xep-hang tbody tr").all()]
    assert [[c.replace(" (đồng hạng)", "") for c in row] for row in cells] == rows
    expect(page.locator("#so-luot-xem")).to_have_text("1")
    expect(page.locator("#chua-bo-phieu")).to_have_text("Chưa công bố kết quả bỏ phiếu.")
    assert page.locator(".site-nav").count() == 0  # nobody is signed in

    page.reload()
    expect(page.locator("#so-luot-xem")).to_have_text("1")
    other = visitor(browser, "Trinh duyet B/2.0", problems)
    other.goto(f"{base}/cong-khai/khoi/{bloc_year.pk}/")
    expect(other.locator("#so-luot-xem")).to_have_text("2")
    assert PageView.objects.filter(bloc_year=bloc_year).count() == 2
    # Printed, the page keeps the results and drops the forms and the site's frame.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("#bang-xep-hang")).to_be_visible()
    assert problems == []
