"""In Debian's Chromium: the leader asks for the bloc pledge as PDF, the job page polls
(htmx, under the CSP) while the worker runs, the progress bar completes and the file
downloads."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

from .conftest import _reset_task_backends

pytestmark = pytest.mark.browser


def test_leader_makes_the_pledge_pdf_progress_completes_file_downloads(
        transactional_db, world, live_server, browser, settings, needs_libreoffice):
    from playwright.sync_api import expect

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _reset_task_backends()
    base = live_server.url
    # A browser session made by the test client (sign-in and its second factor are
    # tested elsewhere; force_login marks both done).
    client = Client()
    client.force_login(world.users["leader"])
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844},
                                  accept_downloads=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": base}])
    page = context.new_page()
    csp_violations = []
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{base}/khoi/{world.bloc_years['KT'].pk}/")
    page.get_by_role("link", name=re.compile("Giao ước thi đua của khối")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Giao ước thi đua")
    page.get_by_role("button", name="Tạo PDF").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạo PDF")
    expect(page.locator("#tien-do .badge")).to_have_text("Đang chờ")
    expect(page.locator("#thanh-tien-do")).to_have_attribute("value", "0")

    # The worker (here in-process, one batch) takes the job; the page follows by itself.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    expect(page.locator("#tien-do .badge")).to_have_text("Hoàn thành", timeout=15000)
    expect(page.locator("#thanh-tien-do")).to_have_attribute("value", "100")
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải PDF").click()
    download = info.value
    assert download.suggested_filename == f"giao-uoc-thi-dua-{world.year.year}-KT-du-thao.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    assert csp_violations == []
    context.close()
    _reset_task_backends()
