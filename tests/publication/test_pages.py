"""The press release pages (who may edit: the leader and the province; a member 403,
outside the bloc 404) and the public results page and index (no sign-in; only what is
published — every negative test has unpublished data present)."""

import pytest
from django.urls import reverse
from tests.concurrency import run_threads
from tests.factories import WHO

from awards.conftest import prepare_kt
from thidua.awards import proposals
from thidua.core import ratelimit
from thidua.publication import services
from thidua.publication.models import PageView, PressRelease, PressReleaseRevision
from thidua.voting import queries as voting_queries
from thidua.voting.models import Poll
from web.conftest import matrix, outcome
from web.page import parse

from .conftest import publish_election

pytestmark = pytest.mark.django_db

PRESS_MATRIX = matrix(admin=200, secretariat=200, leader=200, officer=403, peer=403,
                      delegate=403, outsider=404, other_secretariat=404, nobody=404,
                      anonymous="login")


@pytest.fixture
def kt(world):
    return prepare_kt(world)


@pytest.mark.parametrize(("who", "expected"), PRESS_MATRIX)
def test_press_pages_matrix(world, as_who, who, expected):
    kt = world.bloc_years["KT"]
    services.generate(world.actor("leader"), kt)
    client = as_who(who)
    assert outcome(client.get(reverse("publication_press", args=[kt.pk]))) == expected
    assert outcome(client.get(reverse("publication_press_preview", args=[kt.pk]))) == expected
    posted = outcome(client.post(reverse("publication_press_publish", args=[kt.pk])))
    assert posted == (302 if expected == 200 else expected)
    # Only the allowed published; the refused changed nothing.
    assert PressReleaseRevision.objects.count() == (1 if expected == 200 else 0)


def test_press_page_flow(world, kt, as_who):
    client = as_who("leader")
    page = parse(client.get(reverse("publication_press", args=[kt.pk])).content.decode())
    assert page.by_id("trang-thai-thong-cao").text == "Chưa có bản thảo"
    assert page.by_id("chua-co-thong-cao").text == "Chưa có bản thảo thông cáo báo chí."
    response = client.post(reverse("publication_press_generate", args=[kt.pk]))
    assert response.status_code == 302
    release = PressRelease.objects.get()
    page = parse(client.get(reverse("publication_press", args=[kt.pk])).content.decode())
    assert page.by_id("trang-thai-thong-cao").text == "Bản thảo, chưa công bố"
    assert page.by_id("id_title").attrs["value"] == release.title

    # A bad edit: the page again with the user's text and the reasons; nothing saved.
    response = client.post(reverse("publication_press_save", args=[kt.pk]),
                           {"title": "Tiêu đề mới", "lead": "", "body": "Đoạn một."})
    assert response.status_code == 400
    page = parse(response.content.decode())
    assert [li.text for li in page.find("div", class_="error-summary").find_all("li")] == [
        "Sapo không được để trống."]
    assert page.by_id("id_title").attrs["value"] == "Tiêu đề mới"
    assert PressRelease.objects.get().title == release.title

    client.post(reverse("publication_press_save", args=[kt.pk]),
                {"title": "Tiêu đề mới", "lead": "Sapo mới.", "body": "Đoạn một.\r\n\r\nĐoạn hai."})
    preview = parse(client.get(reverse("publication_press_preview", args=[kt.pk]))
                    .content.decode()).by_id("thong-cao")
    assert [preview.find("h1").text] + [p.text for p in preview.find_all("p")] == [
        "Tiêu đề mới", "Sapo mới.", "Đoạn một.", "Đoạn hai."]
    page = parse(client.get(reverse("publication_press", args=[kt.pk])).content.decode())
    assert page.by_id("phan-da-sua").text.startswith("Phần bạn đã sửa: tiêu đề, sapo, nội dung.")
    response = client.post(reverse("publication_press_generate", args=[kt.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Đã tạo lại từ số liệu; giữ nguyên phần bạn đã sửa: tiêu đề, sapo, nội dung."]
    assert PressRelease.objects.get().title == "Tiêu đề mới"
    response = client.post(reverse("publication_press_publish", args=[kt.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Đã công bố thông cáo báo chí (lần 1)."]
    page = parse(response.content.decode())
    assert page.by_id("trang-thai-thong-cao").text == "Đã công bố"
    assert page.by_id("lan-cong-bo").text == "1"
    # The bloc year page links both pages.
    links = parse(client.get(reverse("bloc_year", args=[kt.pk])).content.decode()).by_id(
        "lien-ket-cong-bo").find_all("a")
    assert [(a.attrs["href"], a.text) for a in links] == [
        (f"/khoi/{kt.pk}/thong-cao/", "Thông cáo báo chí"),
        (f"/cong-khai/khoi/{kt.pk}/", "Trang kết quả công khai (không cần đăng nhập)")]
    links = parse(as_who("officer").get(reverse("bloc_year", args=[kt.pk])).content.decode()
                  ).by_id("lien-ket-cong-bo").find_all("a")
    assert [a.text for a in links] == ["Trang kết quả công khai (không cần đăng nhập)"]


def public_page(client, bloc_year, **headers):
    response = client.get(reverse("publication_public", args=[bloc_year.pk]), **headers)
    assert response.status_code == 200
    return parse(response.content.decode())


def test_public_page_shows_only_what_is_published(world, scene, client):
    """Unpublished beside published: the counted election (not published), the draft
    proposal, the press release's draft and its unpublished edit."""
    bloc_year, leader = scene.bloc_year, world.actor("leader")
    proposal = proposals.assemble_proposal(leader, bloc_year)
    release, _ = services.generate(leader, bloc_year)
    services.edit(leader, bloc_year, title="BẢN NHÁP CHƯA CÔNG BỐ", lead="Sapo nháp.",
                  body="Nội dung nháp.")
    page = public_page(client, bloc_year)
    text = page.text
    assert page.find("h1").text == f"Khối Kinh tế — kết quả thi đua năm {bloc_year.year}"
    assert [[td.text for td in tr.find_all("td")]
            for tr in page.by_id("bang-xep-hang").find("tbody").find_all("tr")] == [
        ["1", "Sở Công Thương", "90,00"], ["2", "Sở Tài chính", "89,00"],
        ["3", "Sở Xây dựng", "88,00"], ["4", "Đài Phát thanh", "87,00"],
        ["5", "Ban Quản lý dự án", "86,00"]]
    sections = page.with_class("cuoc-bo-phieu")
    assert [s.attrs["id"] for s in sections] == [f"cuoc-bo-phieu-{scene.prov.pk}",
                                                 f"cuoc-bo-phieu-{scene.cert.pk}"]
    prov = sections[0]
    assert [[td.text for td in tr.find_all("td")][:2] + [tr.find_all("td")[3].text]
            for tr in prov.find("table").find("tbody").find_all("tr")] == [
        ["Sở Tài chính", "4", "Đạt"], ["Sở Xây dựng", "1", "Không đạt"]]
    published_codes = [b.receipt_code for b in voting_queries.published_ballots(
        Poll.objects.get(pk=scene.prov.pk))]
    assert len(published_codes) == 5
    assert [tr.find("td").text for tr in prov.find(id=f"phieu-{scene.prov.pk}")
            .find("tbody").find_all("tr")] == published_codes == sorted(published_codes)
    # The receipt check is the voting app's own page.
    assert prov.find("form").attrs["action"] == f"/kiem-tra-phieu/{scene.prov.pk}/"
    assert page.by_id("truong-khoi-nam-sau") is None
    assert scene.election.title not in text
    assert page.by_id("chua-de-nghi").text == "Chưa gửi hồ sơ đề nghị khen thưởng."
    assert page.by_id("thong-cao") is None and "NHÁP" not in text.upper()

    # Published: the press release's revision (not the later edit), the sent proposal,
    # the election.
    revision = services.publish(leader, bloc_year)
    services.edit(leader, bloc_year, title="SỬA SAU KHI CÔNG BỐ", lead="Sapo nháp.",
                  body="Nội dung nháp.")
    proposals.move_proposal(leader, proposal, "submit")
    publish_election(world, scene.election)
    page = public_page(client, bloc_year)
    article = page.by_id("thong-cao")
    assert article.find("h2").text == revision.title == "BẢN NHÁP CHƯA CÔNG BỐ"
    assert "SỬA SAU KHI CÔNG BỐ" not in page.text
    assert page.by_id("truong-khoi-nam-sau").text == (
        f"Trưởng khối năm {bloc_year.year + 1}: Đài Phát thanh.")
    assert [[td.text for td in tr.find_all("td")]
            for tr in page.by_id("bang-de-nghi").find("tbody").find_all("tr")] == [
        ["Cờ thi đua của UBND tỉnh", "Sở Tài chính", "4", "Chờ quyết định"],
        ["Bằng khen của Chủ tịch UBND tỉnh", "Sở Xây dựng", "4", "Chờ quyết định"]]


def test_nothing_published_is_not_found_and_the_index_lists_only_published(world, kt, client):
    """VX and the other province's bloc have nothing published: 404 (the KT ranking is)."""
    for code in ("VX", "HN"):
        response = client.get(reverse("publication_public", args=[world.bloc_years[code].pk]))
        assert response.status_code == 404
    assert client.get(reverse("publication_public", args=[999_999])).status_code == 404
    page = parse(client.get(reverse("publication_public_index", args=["BN"])).content.decode())
    assert [(a.attrs["href"], a.text) for a in page.by_id("danh-sach-khoi").find_all("a")] == [
        (f"/cong-khai/khoi/{kt.pk}/", f"Khối Kinh tế — năm {kt.year}")]
    page = parse(client.get(reverse("publication_public_index", args=["HN"])).content.decode())
    assert page.by_id("chua-cong-bo").text == "Chưa có khối, cụm nào công bố kết quả."
    assert client.get(reverse("publication_public_index", args=["XX"])).status_code == 404
    assert PageView.objects.count() == 0  # a 404 counts nobody


def test_the_counter_counts_a_visitor_once_a_day(world, kt, client):
    firefox, chrome = {"HTTP_USER_AGENT": "Firefox/140"}, {"HTTP_USER_AGENT": "Chrome/141"}
    assert public_page(client, kt, **firefox).by_id("so-luot-xem").text == "1"
    assert public_page(client, kt, **firefox).by_id("so-luot-xem").text == "1"
    assert public_page(client, kt, **chrome).by_id("so-luot-xem").text == "2"
    assert public_page(client, kt, REMOTE_ADDR="10.1.2.3", **chrome).by_id(
        "so-luot-xem").text == "3"
    rows = list(PageView.objects.values_list("day", "visitor"))
    day = rows[0][0]
    assert sorted(v for _, v in rows) == sorted([
        services.visitor_key("127.0.0.1", "Firefox/140", day),
        services.visitor_key("127.0.0.1", "Chrome/141", day),
        services.visitor_key("10.1.2.3", "Chrome/141", day)])
    assert all("127.0.0.1" not in v and len(v) == 64 for _, v in rows)
    # Tomorrow the same visitor counts again (under a key unlinkable to today's).
    services.record_view(kt, "127.0.0.1", "Firefox/140", day=day.replace(day=1)
                         if day.day != 1 else day.replace(day=2))
    assert PageView.objects.count() == 4


def test_the_public_pages_are_rate_limited(world, kt, client, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "public", (2, 60))
    url = reverse("publication_public", args=[kt.pk])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(reverse("publication_public_index", args=["BN"])).status_code == 429


def test_concurrent_first_visits_make_one_row(file_db, world):
    bloc_year = world.bloc_years["KT"]
    results, errors = run_threads(
        [lambda: services.record_view(bloc_year, "10.0.0.9", "Firefox/140")] * 20)
    assert errors == []
    assert PageView.objects.filter(bloc_year=bloc_year).count() == 1


def test_every_role_reads_the_same_public_page(world, kt, as_who):
    """Signed in or not, the public page is the same published data."""
    pages = {who: as_who(who).get(reverse("publication_public", args=[kt.pk])).status_code
             for who in WHO}
    assert set(pages.values()) == {200}


def test_the_public_page_query_count_does_not_grow_with_ballots(world, scene, client,
                                                                django_assert_max_num_queries):
    """Two published polls of five ballots each, the ranking, the proposal: a fixed number
    of queries (three per published poll — ballots, their marks, the candidates' numbers —
    none per ballot, unit or row)."""
    url = reverse("publication_public", args=[scene.bloc_year.pk])
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
