"""The layout: CSP enforced and honoured (nothing inline), htmx vendored and configured,
skip link, navigation by role, Vietnamese error pages."""

import json
from pathlib import Path

import pytest

import thidua.web
from thidua.pledges.models import Evidence

from .conftest import register, report, start_year
from .page import inline_code, parse

STATIC = Path(thidua.web.__file__).parent / "static" / "web"


@pytest.fixture
def busy_world(world):
    """Every page has something to show: a submitted pledge with a check-in and evidence."""
    start_year(world)
    registration = register(world, "officer", "KT1", targets=2)
    report(world, "officer", registration.targets.first())
    register(world, "peer", "KT2", submit=False)
    return world, registration


def pages(world, registration):
    target = registration.targets.first()
    evidence = Evidence.objects.get()
    unit = world.units["KT1"]
    return [
        ("anonymous", "/dang-nhap/"),
        ("admin", "/"),
        ("secretariat", "/tinh/BN/"),
        ("leader", f"/khoi/{world.bloc_years['KT'].pk}/"),
        ("officer", f"/don-vi/{unit.pk}/"),
        ("officer", f"/dang-ky/{registration.pk}/"),
        ("officer", f"/chi-tieu/{target.pk}/bao-cao/"),
        ("officer", "/don-vi/?q=so"),
        ("admin", "/nhat-ky/"),
        ("officer", "/ma-truy-cap/"),
        ("nobody", "/"),
        ("outsider", f"/don-vi/{unit.pk}/"),  # 404 page
        ("leader", "/nhat-ky/"),  # 403 page
        ("officer", f"/minh-chung/{evidence.pk + 1000}/"),
    ]


def test_every_page_sends_the_csp_and_has_nothing_inline(busy_world, as_who):
    world, registration = busy_world
    for who, url in pages(world, registration):
        response = as_who(who).get(url)
        assert response.status_code in {200, 403, 404}, (who, url, response.status_code)
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", url
        assert directives["style-src"] == "'self'", url
        assert directives["frame-ancestors"] == "'none'", url
        assert response["X-Content-Type-Options"] == "nosniff"
        root = parse(response)
        assert inline_code(root) == [], (who, url)
        assert root.find("html").attrs["lang"] == "vi"
        scripts = [s.attrs["src"] for s in root.find_all("script")]
        assert scripts == ["/static/web/vendor/htmx.min.js", "/static/web/js/thidua.js"], url


def test_htmx_is_configured_for_csp_and_sends_the_csrf_token(world, as_who):
    client = as_who("officer")
    response = client.get("/ma-truy-cap/")
    root = parse(response)
    config = json.loads(root.find("meta", name="htmx-config").attrs["content"])
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    headers = json.loads(root.find("body").attrs["hx-headers"])
    assert headers["X-CSRFToken"]
    assert headers["X-CSRFToken"] == root.find("input", name="csrfmiddlewaretoken").attrs[
        "value"]


def test_htmx_is_vendored_version_2_with_its_licence():
    script = (STATIC / "vendor" / "htmx.min.js").read_text()
    assert 'version:"2.' in script
    assert "Zero-Clause BSD" in (STATIC / "vendor" / "htmx.LICENSE").read_text() or \
        "BSD" in (STATIC / "vendor" / "htmx.LICENSE").read_text()


def test_static_files_are_served(world, client):
    for path in ["/static/web/thidua.css", "/static/web/vendor/htmx.min.js",
                 "/static/web/js/thidua.js"]:
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else \
            response.content
        assert body


def test_skip_link_points_at_main(world, as_who):
    root = parse(as_who("officer").get("/don-vi/"))
    skip = root.with_class("skip-link", "a")[0]
    assert skip.attrs["href"] == "#noi-dung"
    assert root.find("main").attrs["id"] == "noi-dung"


@pytest.mark.parametrize(("who", "links"), [
    ("admin", ["Trang chính", "Tìm đơn vị", "Nhật ký", "Người dùng", "Mã truy cập API"]),
    ("secretariat", ["Trang chính", "Tìm đơn vị", "Nhật ký", "Người dùng",
                     "Mã truy cập API"]),
    ("leader", ["Trang chính", "Tìm đơn vị", "Mã truy cập API"]),
    ("officer", ["Trang chính", "Tìm đơn vị", "Mã truy cập API"]),
    ("nobody", ["Trang chính", "Tìm đơn vị", "Mã truy cập API"]),
])
def test_navigation_by_role(world, as_who, who, links):
    root = parse(as_who(who).get("/don-vi/"))
    nav = root.find("nav", aria_label="Điều hướng chính")
    assert [a.text for a in nav.find_all("a")] == links
    logout = nav.find("form")
    assert logout.attrs["method"] == "post" and logout.attrs["action"] == "/dang-xuat/"


def test_not_found_and_forbidden_pages_are_in_vietnamese(world, as_who):
    client = as_who("officer")
    missing = client.get("/khoi/999999/")
    assert missing.status_code == 404
    assert parse(missing).find("h1").text == "Không tìm thấy trang"
    forbidden = client.get("/nhat-ky/")
    assert forbidden.status_code == 403
    assert parse(forbidden).find("h1").text == "Bạn không có quyền thực hiện thao tác này"


def test_server_error_page_is_standalone_and_in_vietnamese():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    root = parse(html)
    assert root.find("h1").text == "Đã có lỗi ở máy chủ"
    assert inline_code(root) == []


def test_a_stale_csrf_token_gets_a_vietnamese_page(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["officer"])
    response = client.post("/ma-truy-cap/", {"name": "x"})
    assert response.status_code == 403
    assert parse(response).find("h1").text == "Phiên làm việc đã hết hạn"
