"""Conference day through the pages (issue 11 items 10–12): a blank ballot is asked about
before it is cast (card page and logged-in page, with or without the script), the
"Bỏ phiếu lại" button after a tie or an election without a majority, the receipt check
reading lower case without a hyphen, where the conference stands and what is next for
the one running it, and the open vote first for a delegate."""

from django.urls import reverse
from tests.factories import (
    award_poll,
    candidate_ids,
    cards_by_unit,
    mark_present,
)

from thidua.core.models import AuditEvent
from thidua.voting import services
from thidua.voting.models import Participation, Poll, SealedBallot, VotingCard
from voting.box import sealed_box

from .cards import card_link, cast_card, open_card
from .page import inline_code, parse

BLANK = "Bạn chưa chọn ai. Gửi phiếu trắng? Không sửa lại được."


def nothing_cast():
    return (SealedBallot.objects.count(), Participation.objects.count(),
            VotingCard.objects.filter(used=True).count())


# --- the blank ballot asks first ------------------------------------------------------------

def test_a_blank_card_ballot_is_asked_about_before_it_is_cast(world, open_poll, client):
    token = cards_by_unit(world, open_poll)["KT1"]
    url, link = reverse("voting_ballot", args=[open_poll.pk]), card_link(open_poll, token)
    form = parse(open_card(client, link)).find("form", class_="form-phieu")
    # The question ballot.js asks, and the flag it sets when the voter says yes.
    assert form.attrs["data-blank-question"] == BLANK
    assert form.find("input", name="phieu_trang").attrs["value"] == ""

    # Sent with nothing ticked and no yes (the script did not run): the page asks.
    response = cast_card(client, link, {"phieu_trang": ""})
    assert response.status_code == 200
    root = parse(response)
    question = root.by_id("hoi-phieu-trang")
    assert question.find("h2").text == BLANK
    confirm = question.find("form")
    assert confirm.attrs["action"] == url
    assert confirm.find("input", name="phieu_trang").attrs["value"] == "1"
    assert confirm.find("input", name="the").attrs["value"] == token  # posted, never in a URL
    assert [b.text for b in confirm.find_all("button")] == ["Gửi phiếu trắng"]
    assert root.find("form", class_="form-phieu") is not None  # or choose after all
    assert inline_code(root) == []
    assert nothing_cast() == (0, 0, 0)

    # Yes: the blank ballot is cast, valid, with its receipt.
    response = cast_card(client, link, {"phieu_trang": "1"})
    receipt = parse(response).by_id("ma-bien-nhan").text
    assert sealed_box(open_poll) == [(receipt, (), True, "electronic")]
    assert nothing_cast() == (1, 1, 1)
    # A marked ballot never needs the yes.
    token = cards_by_unit(world, open_poll)["KT2"]
    first = candidate_ids(open_poll, world, "KT1")
    response = cast_card(client, card_link(open_poll, token), {"candidates": first})
    assert parse(response).by_id("ma-bien-nhan") is not None
    assert SealedBallot.objects.count() == 2


def test_a_logged_in_delegate_is_asked_too(world, open_poll, client):
    client.force_login(world.users["delegate"])
    url = reverse("voting_delegate_vote", args=[open_poll.pk])
    page = parse(client.get(reverse("voting_poll", args=[open_poll.pk])))
    assert page.find("form", class_="form-phieu").attrs["data-blank-question"] == BLANK
    root = parse(client.post(url, {}))
    assert root.by_id("hoi-phieu-trang").find("h2").text == BLANK
    assert root.by_id("form-phieu-trang").attrs["action"] == url
    assert nothing_cast() == (0, 0, 0)
    response = client.post(url, {"phieu_trang": "1"})
    assert parse(response).by_id("ma-bien-nhan") is not None
    assert Participation.objects.get().voter_key == f"unit:{world.units['KT3'].pk}"
    [(_, choices, _, _)] = sealed_box(open_poll)
    assert choices == ()


def test_the_ballot_comes_first_for_a_delegate(world, open_poll, client):
    """At 390 px the delegate sees the ballot before the candidates' table and the links."""
    client.force_login(world.users["delegate"])
    root = parse(client.get(reverse("voting_poll", args=[open_poll.pk])))
    ids = [e.attrs["id"] for e in root.iter() if e.attrs.get("id") in (
        "bo-phieu", "trang-thai-bo-phieu", "bang-ung-vien")]
    assert ids == ["bo-phieu", "trang-thai-bo-phieu", "bang-ung-vien"]
    # The conference page leads with the open vote, a button to it.
    root = parse(client.get(reverse("voting_conference", args=[open_poll.conference.bloc_year_id])))
    link = root.by_id("dang-bo-phieu").find("a")
    assert (link.text, link.attrs["href"]) == (
        f"Bỏ phiếu: {open_poll.title}", reverse("voting_poll", args=[open_poll.pk]) + "#bo-phieu")
    assert root.by_id("tien-trinh") is None  # the progress is for who runs the conference
    client.force_login(world.users["peer"])  # sees the vote, does not vote
    link = parse(client.get(reverse("voting_conference", args=[
        open_poll.conference.bloc_year_id]))).by_id("dang-bo-phieu").find("a")
    assert link.text == open_poll.title


# --- voting again ------------------------------------------------------------------------------

def test_the_vote_again_button_opens_the_next_round(world, present, client):
    leader = world.actor("leader")
    poll = services.open_poll(leader, services.create_poll(leader, present,
                                                           Poll.Kind.LEADER_ELECTION))
    cards = cards_by_unit(world, poll)
    for code, marks in {"KT1": ["KT2"], "KT2": ["KT3"], "KT3": ["KT2"], "KT4": ["KT3"],
                        "KT5": []}.items():
        services.cast_with_card(cards[code], poll.pk, candidate_ids(poll, world, *marks))
    services.close_poll(leader, poll)
    client.force_login(world.users["leader"])
    root = parse(client.get(reverse("voting_result", args=[poll.pk])))
    section = root.by_id("bo-phieu-lai")
    assert section.find("h2").text == "Chưa bầu được: bầu lại"
    assert root.by_id("ly-do-bo-phieu-lai").text == services.vote_again_plan(
        Poll.objects.get(pk=poll.pk)).sentence
    assert section.find("button").text == "Bỏ phiếu lại giữa Sở Tài chính, Sở Xây dựng"

    # Nobody else may press it; the page refuses with nothing written.
    client.force_login(world.users["peer"])
    url = reverse("voting_poll_step", args=[poll.pk, "bo-phieu-lai"])
    assert client.post(url).status_code == 403
    assert Poll.objects.count() == 1

    client.force_login(world.users["leader"])
    response = client.post(url)
    again = Poll.objects.get(conference=present, pk__gt=poll.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("voting_poll", args=[again.pk])
    assert (again.state, [c.unit.code for c in again.candidates.all()]) == (
        "open", ["KT2", "KT3"])
    # Pressed twice (a double tap, a reload): the same round, one event.
    assert client.post(url)["Location"] == reverse("voting_poll", args=[again.pk])
    assert AuditEvent.objects.filter(action="voting.poll.vote_again").count() == 1
    # The button has become a link to the round.
    link = parse(client.get(reverse("voting_poll", args=[poll.pk]))).by_id("den-bo-phieu-lai")
    assert (link.text, link.attrs["href"]) == (
        f"{again.title} — Đang bỏ phiếu", reverse("voting_poll", args=[again.pk]))
    # Before the count it is refused, in words.
    response = client.post(reverse("voting_poll_step", args=[again.pk, "bo-phieu-lai"]))
    assert response.status_code == 409
    assert [li.text for li in parse(response).find(class_="error-summary").find_all("li")] == [
        "Chỉ bỏ phiếu lại sau khi kết thúc bỏ phiếu và kiểm phiếu."]


def test_a_decided_poll_has_no_vote_again(world, open_poll, client):
    leader = world.actor("leader")
    cards = cards_by_unit(world, open_poll)
    for code in ("KT1", "KT2", "KT3"):
        services.cast_with_card(cards[code], open_poll.pk, candidate_ids(open_poll, world, "KT1"))
    services.close_poll(leader, open_poll)
    client.force_login(world.users["leader"])
    assert parse(client.get(reverse("voting_result", args=[open_poll.pk]))).by_id(
        "bo-phieu-lai") is None
    url = reverse("voting_poll_step", args=[open_poll.pk, "bo-phieu-lai"])
    assert client.post(url).status_code == 409
    assert Poll.objects.count() == 1


# --- the receipt check ---------------------------------------------------------------------

def test_the_receipt_page_finds_lower_case_without_hyphen(world, open_poll, client):
    code = services.cast_with_card(cards_by_unit(world, open_poll)["KT1"], open_poll.pk, [])
    services.close_poll(world.actor("leader"), open_poll)
    services.publish_poll(world.actor("leader"), open_poll)
    url = reverse("voting_receipt_check", args=[open_poll.pk])
    found = parse(client.post(url, {"ma": code.replace("-", "").lower()})).by_id("phieu-da-tinh")
    assert found.find("h2").text == f"Phiếu {code} có trong danh sách đã công bố"
    assert found.find_all("p")[1].text == "Lựa chọn: (phiếu trắng)"
    response = client.post(url, {"ma": "ooooo-ooooo"})
    assert response.status_code == 404
    assert [li.text for li in parse(response).find(class_="error-summary").find_all("li")] == [
        "Mã biên nhận không có chữ số 0, 1 và chữ cái I, L, O (để khỏi nhầm): kiểm tra lại "
        "các ký tự O."]
    # The API reads it the same way (one parser).
    response = client.post(f"/api/v1/polls/{open_poll.pk}/receipts",
                           {"receipt_code": code.replace("-", "").lower()},
                           content_type="application/json")
    assert (response.status_code, response.json()["receipt_code"]) == (200, code)


# --- where the conference stands ----------------------------------------------------------

def test_the_leader_sees_where_the_conference_stands_and_what_is_next(world, conference,
                                                                     client):
    client.force_login(world.users["leader"])
    url = reverse("voting_conference", args=[conference.bloc_year_id])
    root = parse(client.get(url))
    nxt = root.by_id("viec-tiep-theo").find("a")
    assert (nxt.text, nxt.attrs["href"]) == (
        "Điểm danh: bấm «Tất cả có mặt» rồi sửa đơn vị vắng (ghi lý do), lưu một lần.",
        "#diem-danh")
    assert [(li.attrs["id"], li.find("span").text) for li in
            root.by_id("tien-trinh").find("ol").find_all("li")] == [
        ("buoc-attendance", "Đang làm"), ("buoc-quorum", "Chưa đến"),
        ("buoc-awards", "Chưa đến"), ("buoc-leader", "Chưa đến"), ("buoc-deputy", "Chưa đến"),
        ("buoc-minutes", "Chưa đến")]
    assert root.by_id("buoc-attendance").attrs["aria-current"] == "step"
    mark_present(world, conference)
    poll = award_poll(world, conference)
    root = parse(client.get(url))
    nxt = root.by_id("viec-tiep-theo").find("a")
    assert (nxt.text, nxt.attrs["href"]) == (f"Mở bỏ phiếu «{poll.title}»",
                                             reverse("voting_poll", args=[poll.pk]))
    assert root.by_id("buoc-awards").text == (
        "Bình xét khen thưởng Đang làm 1 cuộc bỏ phiếu: 1 mới lập")
    assert root.by_id("buoc-attendance").find("span").text == "Xong"
