"""Poll pages of the year-end conference (issue 4 items 2, 3; RULES.md 28, 29, 33): create
a poll, open / close / publish, voting cards with QR codes, the card ballot (no account) and
the logged-in delegate's vote — refusals with nothing written."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import award_poll

from thidua.voting import services
from thidua.voting.models import Participation, Poll, SealedBallot, VotingCard
from voting.box import sealed_box

from .cards import card_link, cast_card, open_card, split
from .conftest import matrix, outcome
from .page import inline_code, parse


@pytest.fixture
def poll(world, present):
    return award_poll(world, present)


@pytest.fixture
def opened(world, poll):
    return services.open_poll(world.actor("leader"), poll)


def card_links(response):
    return [a.attrs["href"] for a in parse(response).by_id("cac-the").find_all("a")]


def issue(client, poll):
    """Issue the cards (a POST) and open the cards page it leads to."""
    response = client.post(reverse("voting_poll_cards_issue", args=[poll.pk]))
    assert response["Location"] == reverse("voting_poll_cards", args=[poll.pk])
    return client.get(response["Location"])


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=200, secretariat=200, leader=200, officer=200, peer=200, delegate=200,
    other_secretariat=404, outsider=404, nobody=404, anonymous="login"))
def test_poll_page_matrix(world, poll, as_who, who, expected):
    assert outcome(as_who(who).get(reverse("voting_poll", args=[poll.pk]))) == expected


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=302, secretariat=302, leader=302, officer=403, peer=403, delegate=403,
    other_secretariat=404, outsider=404, nobody=404, anonymous="login"))
def test_create_poll_matrix(world, present, as_who, who, expected):
    response = as_who(who).post(reverse("voting_poll_create", args=[present.pk]),
                                {"kind": "award_proposal", "award_form": "certificate_of_merit"})
    assert outcome(response) == expected
    assert Poll.objects.count() == (1 if expected == 302 else 0)


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=302, secretariat=302, leader=302, officer=403, peer=403, delegate=403,
    other_secretariat=404, outsider=404, nobody=404, anonymous="login"))
def test_open_matrix(world, poll, as_who, who, expected):
    response = as_who(who).post(reverse("voting_poll_step", args=[poll.pk, "mo"]))
    assert outcome(response) == expected
    poll.refresh_from_db()
    assert poll.state == ("open" if expected == 302 else "created")


@pytest.mark.parametrize(("who", "expected"), matrix(
    admin=302, secretariat=302, leader=302, officer=403, peer=403, delegate=403,
    other_secretariat=404, outsider=404, nobody=404, anonymous="login"))
def test_cards_matrix(world, opened, as_who, who, expected):
    response = as_who(who).post(reverse("voting_poll_cards_issue", args=[opened.pk]))
    assert outcome(response) == expected
    assert VotingCard.objects.count() == (5 if expected == 302 else 0)
    page = as_who(who).get(reverse("voting_poll_cards", args=[opened.pk]))
    assert outcome(page) == (200 if expected == 302 else expected)


def test_cards_page_reload_shows_the_same_live_cards_and_revokes_nothing(world, opened,
                                                                         as_who):
    """Issue 11 item 10: reloading the cards page, or making the sheet of cards as DOCX,
    neither issues nor revokes a card; the printed tokens keep working."""
    leader = as_who("leader")
    url = reverse("voting_poll_cards", args=[opened.pk])
    assert card_links(leader.get(url)) == []  # opening the page issued nothing
    assert VotingCard.objects.count() == 0
    first = card_links(issue(leader, opened))
    assert len(first) == 5
    again = leader.get(url)
    assert card_links(again) == first
    assert parse(again).by_id("the-da-phat").text.startswith("5 thẻ đã phát, chưa dùng.")
    sheet = leader.get(reverse("document_draft", args=["the-bieu-quyet", opened.pk]))
    assert sheet.status_code == 200
    assert card_links(leader.get(url)) == first
    assert (VotingCard.objects.count(),
            VotingCard.objects.filter(revoked=True).count()) == (5, 0)
    # Each printed token still opens its ballot and votes.
    response = cast_card(Client(), first[0], {"candidates": [str(opened.candidates.first().pk)]})
    assert [parse(response).by_id("ma-bien-nhan").text] == [b[0] for b in sealed_box(opened)]
    # The used card leaves the sheet; the four others are the same as printed.
    assert card_links(leader.get(url)) == first[1:]
    # Issuing again is the explicit step that revokes the unused ones.
    second = card_links(issue(leader, opened))
    assert len(second) == 4 and not set(second) & set(first)
    assert VotingCard.objects.filter(revoked=True).count() == 4


def test_create_poll_shows_candidates_with_score_and_rank(world, present, as_who):
    client = as_who("leader")
    response = client.post(reverse("voting_poll_create", args=[present.pk]),
                           {"kind": "award_proposal", "award_form": "certificate_of_merit"})
    poll = Poll.objects.get()
    assert response["Location"] == reverse("voting_poll", args=[poll.pk])
    root = parse(client.get(response["Location"]))
    rows = [[td.text for td in tr.find_all("td")]
            for tr in root.by_id("bang-ung-vien").find("tbody").find_all("tr")]
    names = [c.unit.name for c in poll.candidates.select_related("unit")]
    assert [r[0] for r in rows] == names and len(names) == 5
    assert root.by_id("trang-thai-bo-phieu").text == "Mới tạo"
    assert inline_code(root) == []


def test_bad_poll_kind_is_refused(world, present, as_who):
    response = as_who("leader").post(reverse("voting_poll_create", args=[present.pk]),
                                     {"kind": "phieu-gia"})
    assert response.status_code == 400
    assert "Loại cuộc bỏ phiếu không hợp lệ." in [li.text for li in parse(response).find_all("li")]
    assert Poll.objects.count() == 0


def test_open_without_quorum_is_refused(world, poll, present, as_who):
    for code in ("KT1", "KT2"):
        services.record_attendance(world.actor("leader"), present, world.units[code].id,
                                   present=False, absence_reason="Ốm")
    response = as_who("leader").post(reverse("voting_poll_step", args=[poll.pk, "mo"]))
    assert response.status_code == 409
    assert [li.text for li in parse(response).find(class_="error-summary").find_all("li")] == [
        "3/5 đơn vị có mặt < 2/3 (cần ít nhất 4): chưa đủ số đơn vị để biểu quyết "
        "(Quy tắc 28)."]
    poll.refresh_from_db()
    assert poll.state == "created"


def test_unknown_step_is_404(world, poll, as_who):
    response = as_who("leader").post(reverse("voting_poll_step", args=[poll.pk, "xoa"]))
    assert response.status_code == 404


def test_card_sheet_has_a_qr_code_per_present_member(world, opened, as_who):
    response = issue(as_who("leader"), opened)
    root = parse(response)
    images = root.by_id("cac-the").find_all("img")
    assert len(images) == 5
    assert all(i.attrs["src"].startswith("data:image/svg+xml;base64,") for i in images)
    links = card_links(response)
    assert all(re.fullmatch(rf"http://testserver/bo-phieu/{opened.pk}/phieu/#phieu_[\w-]+", h)
               for h in links)
    assert inline_code(root) == []


def test_card_vote_shows_receipt_and_refuses_reuse(world, opened, client, as_who):
    link = card_links(issue(as_who("leader"), opened))[0]
    client.logout()
    opening = client.get(split(link)[0])  # what the QR code opens: no token reaches us
    assert opening.status_code == 200 and parse(opening).by_id("mo-phieu") is not None
    assert inline_code(parse(opening)) == []
    root = parse(open_card(client, link))
    boxes = root.find("form", class_="form-phieu").find_all("input", type="checkbox")
    assert len(boxes) == 5
    assert inline_code(root) == []
    first = boxes[0].attrs["value"]
    response = cast_card(client, link, {"candidates": [first]})
    assert response.status_code == 200
    receipt = parse(response).by_id("ma-bien-nhan").text
    assert sealed_box(opened) == [(receipt, (int(first),), True, "electronic")]
    again = open_card(client, link)
    assert again.status_code == 409
    assert parse(again).by_id("tu-choi").find("p").text == services.USED_CARD
    again = cast_card(client, link, {"candidates": [first]})
    assert again.status_code == 409
    assert parse(again).by_id("tu-choi").find("p").text == services.USED_CARD
    assert (SealedBallot.objects.count(), Participation.objects.count()) == (1, 1)


def test_a_revoked_card_is_refused_in_the_same_words_on_its_page_and_by_the_api(
        world, opened, client, as_who):
    """RULES.md 29: cards issued again revoke the earlier ones. The old card's page says
    so before any mark, sending the form says the same, and the API refuses it in the
    same words (one function states the refusal: `card_refusal` / `cast_with_card`);
    nothing is written."""
    old = card_links(issue(as_who("leader"), opened))[0]
    issue(as_who("leader"), opened)  # again: the first cards are revoked
    client.logout()
    page = open_card(client, old)
    assert page.status_code == 409
    assert parse(page).by_id("tu-choi").find("p").text == services.REVOKED_CARD
    assert not parse(page).find_all("input", type="checkbox")
    first = str(opened.candidates.first().pk)
    sent = cast_card(client, old, {"candidates": [first]})
    assert sent.status_code == 409
    assert parse(sent).by_id("tu-choi").find("p").text == services.REVOKED_CARD
    api = client.post(f"/api/v1/polls/{opened.pk}/card-ballots",
                      {"token": split(old)[1], "choices": [int(first)]},
                      content_type="application/json")
    assert (api.status_code, api.json()) == (409, {
        "detail": services.REVOKED_CARD,
        "errors": [{"field": None, "message": services.REVOKED_CARD}]})
    assert (SealedBallot.objects.count(), Participation.objects.count()) == (0, 0)
    assert VotingCard.objects.filter(used=True).count() == 0


def test_too_many_marks_is_refused_and_nothing_written(world, opened, client, as_who):
    link = card_links(issue(as_who("leader"), opened))[0]
    client.logout()
    ids = [str(c.pk) for c in opened.candidates.all()][:opened.quota + 1]
    assert len(ids) == opened.quota + 1
    response = cast_card(client, link, {"candidates": ids})
    assert response.status_code == 400
    assert [li.text for li in parse(response).find(class_="error-summary").find_all("li")] == [
        f"Chỉ được chọn tối đa {opened.quota} ứng viên (Quy tắc 33)."]
    assert (SealedBallot.objects.count(), Participation.objects.count()) == (0, 0)
    assert VotingCard.objects.filter(used=True).count() == 0


def test_poll_not_open_and_forged_poll_id(world, poll, client, as_who):
    link = card_links(issue(as_who("leader"), poll)).pop(0)
    client.logout()
    response = open_card(client, link)
    assert response.status_code == 409
    assert parse(response).by_id("tu-choi").find("p").text == (
        "Cuộc bỏ phiếu chưa mở hoặc đã kết thúc: không nhận phiếu.")
    ids = [str(poll.candidates.first().pk)]
    assert cast_card(client, link, {"candidates": ids}).status_code == 409
    token = split(link)[1]
    forged = reverse("voting_ballot", args=[poll.pk + 1000]) + "#" + token
    assert open_card(client, forged).status_code == 404
    assert cast_card(client, forged, {"candidates": ids}).status_code == 404
    assert open_card(client, card_link(poll, "phieu_sai")).status_code == 404
    assert cast_card(client, card_link(poll, ""), {"candidates": ids}).status_code == 404
    assert (SealedBallot.objects.count(), Participation.objects.count()) == (0, 0)


def test_logged_in_delegate_votes_once(world, opened, as_who):
    client = as_who("delegate")
    url = reverse("voting_poll", args=[opened.pk])
    form = parse(client.get(url)).find("form", class_="form-phieu")
    assert form.attrs["action"] == reverse("voting_delegate_vote", args=[opened.pk])
    first = str(opened.candidates.first().pk)
    response = client.post(form.attrs["action"], {"candidates": [first]})
    assert response.status_code == 200
    receipt = parse(response).by_id("ma-bien-nhan").text
    assert [b[0] for b in sealed_box(opened)] == [receipt]
    again = client.post(form.attrs["action"], {"candidates": [first]})
    assert again.status_code == 409
    assert [li.text for li in parse(again).find(class_="error-summary").find_all("li")] == [
        services.ALREADY_VOTED]
    assert SealedBallot.objects.count() == 1


def test_officer_without_delegate_role_cannot_vote(world, opened, as_who):
    response = as_who("officer").post(reverse("voting_delegate_vote", args=[opened.pk]),
                                      {"candidates": [str(opened.candidates.first().pk)]})
    assert response.status_code == 403
    assert SealedBallot.objects.count() == 0


def test_close_and_publish(world, opened, as_who):
    client = as_who("leader")
    assert client.post(reverse("voting_poll_step", args=[opened.pk, "ket-thuc"])).status_code == 302
    assert client.post(reverse("voting_poll_step", args=[opened.pk, "cong-bo"])).status_code == 302
    opened.refresh_from_db()
    assert opened.state == "published"


def test_card_ballots_are_rate_limited_per_address(world, opened, client, as_who, monkeypatch):
    """The API's scope "voting_card" (core/ratelimit.py) throttles the page too: 429, nothing
    written (the limit lowered through its setting for the test)."""
    from thidua.core import ratelimit

    monkeypatch.setitem(ratelimit.LIMITS, "voting_card", (1, 60))
    links = card_links(issue(as_who("leader"), opened))
    client.logout()
    first = str(opened.candidates.first().pk)
    assert cast_card(client, links[0], {"candidates": [first]}).status_code == 200
    assert cast_card(client, links[1], {"candidates": [first]}).status_code == 429
    assert (SealedBallot.objects.count(), VotingCard.objects.filter(used=True).count()) == (1, 1)
