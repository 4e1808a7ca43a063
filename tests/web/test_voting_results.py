"""Paper ballots, projector, result and receipt check (issue 4 items 4, 6, 7; RULES.md 31–34)."""

import hashlib

import pytest
from django.urls import reverse

from thidua.voting import services
from thidua.voting.models import PaperBallotIssue, SealedBallot
from voting.box import sealed_box

from .conftest import matrix, outcome
from .page import inline_code, parse


def ids(poll):
    return [c.pk for c in poll.candidates.order_by("position", "id")]


def vote_cards(world, poll, choices):
    """Cast one card per entry of `choices`; returns the receipt codes."""
    cards = services.issue_cards(world.actor("leader"), poll)
    return [services.cast_with_card(card.token, poll.pk, chosen)
            for card, chosen in zip(cards, choices, strict=False)]


@pytest.fixture
def published(world, open_poll):
    first = ids(open_poll)[0]
    codes = vote_cards(world, open_poll, [[first], [first], [first], [], [first]])
    services.close_poll(world.actor("leader"), open_poll)
    services.publish_poll(world.actor("leader"), open_poll)
    open_poll.refresh_from_db()
    open_poll.codes = codes
    return open_poll


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=200, secretariat=200, leader=200, officer=403, peer=403, delegate=403,
    other_secretariat=404, outsider=404, nobody=404, anonymous="login"))
def test_paper_page_matrix(world, open_poll, as_who, who, expected):
    assert outcome(as_who(who).get(reverse("voting_paper", args=[open_poll.pk]))) == expected


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=200, secretariat=200, leader=200, officer=200, peer=200, delegate=200,
    other_secretariat=404, outsider=404, nobody=404, anonymous="login"))
def test_projector_matrix(world, open_poll, as_who, who, expected):
    assert outcome(as_who(who).get(reverse("voting_projector", args=[open_poll.pk]))) == expected
    assert outcome(as_who(who).get(
        reverse("voting_projector_count", args=[open_poll.pk]))) == expected


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=200, secretariat=200, leader=200, officer=200, peer=200, delegate=200,
    other_secretariat=404, outsider=404, nobody=404, anonymous="login"))
def test_published_result_matrix(world, published, as_who, who, expected):
    assert outcome(as_who(who).get(reverse("voting_result", args=[published.pk]))) == expected


def test_result_before_close_is_refused(world, open_poll, as_who):
    response = as_who("leader").get(reverse("voting_result", args=[open_poll.pk]))
    assert response.status_code == 409


def test_paper_ballots_issue_enter_reconcile(world, open_poll, as_who):
    client = as_who("leader")
    units = [world.units["KT1"].pk, world.units["KT2"].pk]
    response = client.post(reverse("voting_paper_issue", args=[open_poll.pk]), {"units": units})
    assert response.status_code == 200
    codes = [li.text for li in parse(response).by_id("ma-phieu-moi").find_all("li")]
    assert len(codes) == 2 and PaperBallotIssue.objects.get(poll=open_poll).issued == 2
    first = ids(open_poll)[0]
    response = client.post(reverse("voting_paper_enter", args=[open_poll.pk]),
                           {"code": codes[0], "candidates": [first]})
    assert parse(response).by_id("da-nhap").text == f"Đã nhập phiếu {codes[0]}: hợp lệ."
    over = ids(open_poll)[:open_poll.quota + 1]
    client.post(reverse("voting_paper_enter", args=[open_poll.pk]),
                {"code": codes[1].lower(), "candidates": over})
    assert [(b[0], b[2]) for b in sealed_box(open_poll)] == (
        sorted([(codes[0], True), (codes[1], False)]))
    again = client.post(reverse("voting_paper_enter", args=[open_poll.pk]),
                        {"code": codes[0], "candidates": [first]})
    assert again.status_code == 409
    assert [li.text for li in parse(again).find(class_="error-summary").find_all("li")] == [
        f"Phiếu giấy mã {codes[0]} đã được nhập."]
    assert SealedBallot.objects.filter(poll=open_poll).count() == 2
    bad = client.post(reverse("voting_paper_reconcile", args=[open_poll.pk]), {"unreturned": "1"})
    assert bad.status_code == 400
    assert [li.text for li in parse(bad).find(class_="error-summary").find_all("li")] == [
        "Phiếu giấy: phát ra 2 = thu về 2 + không thu về 1; thu về 2 = hợp lệ 1 + không hợp "
        "lệ 1: chưa khớp."]
    response = client.post(reverse("voting_paper_reconcile", args=[open_poll.pk]),
                           {"unreturned": "0"})
    root = parse(response)
    assert [td.text for td in root.by_id("bang-doi-chieu").find("tbody").find_all("td")] == [
        "2", "2", "1", "1", "0"]
    assert root.by_id("cau-doi-chieu").text.endswith(": khớp")
    assert inline_code(root) == []


def test_paper_entry_refuses_unknown_code(world, open_poll, as_who):
    response = as_who("leader").post(reverse("voting_paper_enter", args=[open_poll.pk]),
                                     {"code": "ZZZZZ-ZZZZ", "candidates": []})
    assert response.status_code == 400
    assert SealedBallot.objects.count() == 0


def test_projector_shows_count_only(world, open_poll, as_who):
    vote_cards(world, open_poll, [[ids(open_poll)[0]], [ids(open_poll)[1]]])
    response = as_who("peer").get(reverse("voting_projector_count", args=[open_poll.pk]))
    root = parse(response)
    count = root.by_id("so-phieu")
    assert (count.attrs["hx-trigger"], root.by_id("da-nhan").text,
            root.by_id("du-kien").text) == ("every 2s", "2", "5")
    names = [c.unit.name for c in open_poll.candidates.select_related("unit")]
    assert not any(name in response.content.decode() for name in names)
    assert inline_code(parse(as_who("peer").get(
        reverse("voting_projector", args=[open_poll.pk])))) == []


def test_published_result_and_receipt_check(world, published, as_who, client):
    response = as_who("peer").get(reverse("voting_result", args=[published.pk]))
    root = parse(response)
    outcome_ = services.result(world.actor("leader"), published)
    sentences = [tr.find_all("td")[2].text
                 for tr in root.by_id("bang-ket-qua").find("tbody").find_all("tr")]
    assert sentences == [r.sentence for r in outcome_.tally.results]
    codes = [tr.find("td").text for tr in root.by_id("bang-phieu").find("tbody").find_all("tr")]
    assert codes == sorted(published.codes)
    assert root.by_id("ma-hom-phieu").text == published.digest and len(published.digest) == 64
    assert inline_code(root) == []
    client.logout()
    url = reverse("voting_receipt_check", args=[published.pk])
    first_name = published.candidates.select_related("unit").order_by("position", "id")[0].unit.name
    found = parse(client.post(url, {"ma": published.codes[0].lower()})).by_id("phieu-da-tinh")
    assert found.find("h2").text == f"Phiếu {published.codes[0]} có trong danh sách đã công bố"
    assert found.find_all("p")[1].text == f"Lựa chọn: 1. {first_name}"
    missing = client.post(url, {"ma": "AAAAA-AAAA"})
    assert missing.status_code == 404


def test_the_ballot_list_file_hashes_to_the_digest(world, published, as_who, client):
    """Anyone (no sign-in) downloads the published list; `sha256sum` of it is the digest the
    page and the minutes print. Its lines use ballot-paper numbers, as the page shows them."""
    root = parse(as_who("peer").get(reverse("voting_result", args=[published.pk])))
    url = reverse("voting_ballot_list", args=[published.pk])
    assert root.by_id("tai-danh-sach-phieu").attrs["href"] == url
    shown = [[td.text for td in tr.find_all("td")]
             for tr in root.by_id("bang-phieu").find("tbody").find_all("tr")]
    client.logout()
    response = client.get(url)
    assert (response["Content-Type"], response["Content-Disposition"]) == (
        "text/plain; charset=utf-8", f'attachment; filename="hom-phieu-{published.pk}.txt"')
    assert hashlib.sha256(response.content).hexdigest() == published.digest
    lines = [line.split(";") for line in response.content.decode().splitlines()]
    names = dict(published.candidates.values_list("position", "unit__name"))
    assert [[code, {"valid": "Có", "invalid": "Không"}[valid],
             "; ".join(f"{n}. {name}" for n, name in ((int(n), names[int(n)])
                                                      for n in marks.split(",") if n))
             or "(phiếu trắng)"] for code, valid, marks in lines] == shown


def test_the_ballot_list_is_404_before_publication(world, open_poll, client):
    response = client.get(reverse("voting_ballot_list", args=[open_poll.pk]))
    assert response.status_code == 404 and not any(
        c.unit.name.encode() in response.content for c in open_poll.candidates.all())


def test_receipt_check_is_404_before_publication(world, open_poll, client):
    assert client.get(reverse("voting_receipt_check", args=[open_poll.pk])).status_code == 404
