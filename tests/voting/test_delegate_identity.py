"""One vote per delegate, whichever way they vote (RULES.md 29, setting `vote_per:
delegate`): the vote is keyed by the delegate — the unit and the name written on its
attendance row — not by the card, the account or the paper ballot. A delegate who voted
with their card cannot vote again logged in, and the other way round; a logged-in vote
stops their card, a new card and a paper ballot for them. A logged-in delegate must be
named on their unit's attendance row."""

import unicodedata

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from tests.factories import award_poll, candidate_ids, mark_present

from api.conftest import Api
from thidua.core.errors import Conflict
from thidua.core.models import AuditEvent
from thidua.voting import services
from thidua.voting.domain.delegates import delegate_key, delegate_names, named_delegate
from thidua.voting.models import (
    Ballot,
    BallotChoice,
    PaperBallotIssue,
    Participation,
    Poll,
    SealedBallot,
    VotingCard,
)
from web.cards import card_link, open_card
from web.page import parse

# The world's delegate account (KT3) is "Dai Bieu"; KT3 has a second delegate.
NAMES = {"KT1": "Nguyễn Văn An; Trần Thị Bình", "KT2": "Lê Văn Cường",
         "KT3": "Dai Bieu; Hoàng Văn Em", "KT5": "Đỗ Văn Hải"}


def attend(world, conference, names):
    leader = world.actor("leader")
    for code, written in names.items():
        services.record_attendance(leader, conference, world.units[code].id, present=True,
                                   delegate_name=written)
    services.record_attendance(leader, conference, world.units["KT4"].id, present=False,
                               absence_reason="Đi công tác")


def delegate_poll(world, conference):
    poll = award_poll(world, conference)
    Poll.objects.filter(pk=poll.pk).update(vote_per="delegate")
    poll.refresh_from_db()
    return services.open_poll(world.actor("leader"), poll)


@pytest.fixture
def per_delegate(world, conference):
    attend(world, conference, NAMES)
    return delegate_poll(world, conference)


def cards_by_name(world, poll):
    return {c.card.delegate_name: (c.card.pk, c.token)
            for c in services.issue_cards(world.actor("leader"), poll)}


def rows():
    """Everything a vote or a paper issue writes."""
    return (Participation.objects.count(), Ballot.objects.count(),
            BallotChoice.objects.count(), VotingCard.objects.filter(used=True).count(),
            VotingCard.objects.filter(revoked=True).count(), SealedBallot.objects.count(),
            list(PaperBallotIssue.objects.values_list("issued", flat=True)),
            AuditEvent.objects.count())


# --- the key (pure) -----------------------------------------------------------------------

@pytest.mark.parametrize(("written", "typed"), [
    ("Trần  Văn Hùng", "trần văn hùng"), (" TRẦN VĂN HÙNG ", "Trần Văn Hùng"),
    ("Tra\u0302\u0300n Văn Hùng", "Trần Văn Hùng"),  # decomposed (NFD) and composed
    ("Trần\tVăn\u00a0Hùng", "Trần Văn Hùng")])
def test_rules_29_one_key_for_the_spellings_of_one_name(written, typed):
    """RULES.md 29: case, spaces and Unicode composition do not make another delegate."""
    assert delegate_key(7, written) == delegate_key(7, typed)
    assert named_delegate(f"Lê Văn Cường; {written}", typed) == unicodedata.normalize(
        "NFC", " ".join(written.split()))


def test_rules_29_keys_differ_by_unit_and_by_name_and_fit_the_column():
    """RULES.md 29: the same name in another unit is another delegate; the key fits the
    40-character voter key and names neither the unit nor the person."""
    key = delegate_key(7, "Trần Văn Hùng")
    assert key != delegate_key(8, "Trần Văn Hùng")
    assert key != delegate_key(7, "Trần Văn Hưng")
    assert key != delegate_key(71, "") and delegate_key(7, "1") != delegate_key(71, "")
    assert key.startswith("del:") and len(key) == 36 <= 40
    assert "Hùng" not in key and "hùng" not in key
    assert named_delegate("Lê Văn Cường", "Trần Văn Hùng") is None
    assert named_delegate("Lê Văn Cường", "  ") is None
    assert delegate_names("Trần Văn Hùng; trần  văn hùng; Lê Văn Cường") == [
        "Trần Văn Hùng", "Lê Văn Cường"]


@given(st.integers(1, 10**9), st.text(max_size=30), st.lists(st.sampled_from(
    [" ", "  ", "\t"]), min_size=1, max_size=3))
def test_rules_29_key_ignores_case_and_spacing_property(unit_id, name, spaces):
    """RULES.md 29: any name, re-spaced and upper-cased, keys the same delegate."""
    respaced = spaces[0] + spaces[-1].join(name.split()).upper() + spaces[-1]
    if name.upper().casefold() == name.casefold():  # upper() may not round-trip (ß, ﬁ…)
        assert delegate_key(unit_id, respaced) == delegate_key(unit_id, name)
    assert delegate_key(unit_id, name) != delegate_key(unit_id + 1, name)


# --- card and login -----------------------------------------------------------------------

def test_rules_29_card_then_login_is_refused_nothing_written(world, per_delegate):
    """RULES.md 29: Dai Bieu voted with their card; logged in, the same delegate is
    refused and nothing is written."""
    poll = per_delegate
    cards = cards_by_name(world, poll)
    [kt2] = candidate_ids(poll, world, "KT2")
    services.cast_with_card(cards["Dai Bieu"][1], poll.pk, [kt2])
    before = rows()
    with pytest.raises(Conflict) as refused:
        services.cast_as_delegate(world.actor("delegate"), poll.pk, [kt2])
    assert str(refused.value) == services.ALREADY_VOTED
    assert rows() == before == (1, 0, 0, 1, 0, 1, [], before[-1])
    assert list(Participation.objects.values_list("voter_key", flat=True)) == [
        delegate_key(world.units["KT3"].id, "Dai Bieu")]


def test_rules_29_login_then_card_is_refused_and_no_new_card_for_that_delegate(
        world, per_delegate, client):
    """RULES.md 29: after Dai Bieu votes logged in, their card is refused (its page says
    so before any choice), a new issue gives them no card but gives Hoàng Văn Em, the
    other delegate of KT3, one; the roll shows Dai Bieu as voted."""
    poll = per_delegate
    cards = cards_by_name(world, poll)
    [kt2] = candidate_ids(poll, world, "KT2")
    services.cast_as_delegate(world.actor("delegate"), poll.pk, [kt2])
    before = rows()
    with pytest.raises(Conflict) as refused:
        services.cast_with_card(cards["Dai Bieu"][1], poll.pk, [kt2])
    assert str(refused.value) == services.ALREADY_VOTED
    assert rows() == before
    assert not VotingCard.objects.get(pk=cards["Dai Bieu"][0]).used
    page = open_card(client, card_link(poll, cards["Dai Bieu"][1]))
    assert services.ALREADY_VOTED in parse(page).text
    assert not parse(page).find_all("input", name="candidates")

    again = cards_by_name(world, poll)
    assert sorted(again) == sorted(["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường",
                                    "Hoàng Văn Em", "Đỗ Văn Hải"])
    services.cast_with_card(again["Hoàng Văn Em"][1], poll.pk, [])
    roll = {r.name: (r.voted, r.holds_card) for r in services.delegate_roll(poll)}
    assert roll["Dai Bieu"] == (True, False) and roll["Hoàng Văn Em"] == (True, False)
    assert roll["Lê Văn Cường"] == (False, True)
    assert Participation.objects.filter(poll=poll).count() == 2


def test_rules_29_login_then_paper_for_their_card_is_refused_nothing_written(
        world, per_delegate, client_for):
    """RULES.md 29: no paper ballot for the card of a delegate who voted logged in (alone
    or with another delegate's card); the paper page does not offer that card."""
    poll, leader = per_delegate, world.actor("leader")
    cards = cards_by_name(world, poll)
    services.cast_as_delegate(world.actor("delegate"), poll.pk, [])
    before = rows()
    for chosen in ([cards["Dai Bieu"][0]], [cards["Hoàng Văn Em"][0], cards["Dai Bieu"][0]]):
        with pytest.raises(Conflict) as refused:
            services.issue_paper_ballots(leader, poll, card_ids=chosen)
        assert str(refused.value) == (
            f"Đại biểu Dai Bieu ({world.units['KT3'].name}) đã bỏ phiếu điện tử: không phát "
            "phiếu giấy, mỗi đại biểu một phiếu (Quy tắc 29).")
    assert rows() == before
    root = parse(client_for(world.users["leader"]).get(reverse("voting_paper", args=[poll.pk])))
    offered = {int(box.attrs["value"]) for box in root.find_all("input", name="cards")}
    assert cards["Dai Bieu"][0] not in offered and cards["Hoàng Văn Em"][0] in offered


def test_rules_29_paper_then_login_is_refused(world, per_delegate):
    """RULES.md 29: a delegate handed a paper ballot for their card does not vote again
    logged in."""
    poll, leader = per_delegate, world.actor("leader")
    cards = cards_by_name(world, poll)
    services.issue_paper_ballots(leader, poll, card_ids=[cards["Dai Bieu"][0]])
    before = rows()
    with pytest.raises(Conflict) as refused:
        services.cast_as_delegate(world.actor("delegate"), poll.pk, [])
    assert str(refused.value) == services.ALREADY_VOTED
    assert rows() == before


def test_rules_29_login_twice_is_refused(world, per_delegate):
    """RULES.md 29: one logged-in vote per delegate."""
    poll = per_delegate
    services.cast_as_delegate(world.actor("delegate"), poll.pk, [])
    before = rows()
    with pytest.raises(Conflict) as refused:
        services.cast_as_delegate(world.actor("delegate"), poll.pk, [])
    assert str(refused.value) == services.ALREADY_VOTED
    assert rows() == before


# --- a delegate account not named in the attendance ---------------------------------------

def test_rules_29_a_delegate_not_named_on_the_attendance_row_is_refused(world, conference):
    """RULES.md 29: the account's name must be one of its unit's delegates as written at
    the roll call; refused with the reason, nothing written (API: 409, same sentence)."""
    attend(world, conference, {**NAMES, "KT3": "Hoàng Văn Em"})
    poll = delegate_poll(world, conference)
    before = rows()
    message = (f"Tên của bạn (Dai Bieu) không có trong danh sách đại biểu có mặt của đơn vị "
               f"{world.units['KT3'].name}; nhờ thư ký điểm danh ghi tên bạn (Quy tắc 29).")
    with pytest.raises(Conflict) as refused:
        services.cast_as_delegate(world.actor("delegate"), poll.pk, [])
    assert str(refused.value) == message
    response = Api(world.users["delegate"]).post(f"/polls/{poll.pk}/ballots", {"choices": []})
    assert response.status_code == 409 and response.json()["detail"] == message
    world.users["delegate"].full_name = "  "
    world.users["delegate"].save(update_fields=["full_name"])
    with pytest.raises(Conflict) as unnamed:
        services.cast_as_delegate(world.actor("delegate"), poll.pk, [])
    assert "(tài khoản chưa ghi họ tên)" in str(unnamed.value)
    assert rows() == before


def test_rules_29_the_name_matches_whatever_its_case_and_spacing(world, conference):
    """RULES.md 29: "  dai   BIEU " at the roll call is the account "Dai Bieu": the
    logged-in vote counts as that delegate, whose card is then refused."""
    attend(world, conference, {**NAMES, "KT3": "Hoàng Văn Em;  dai   BIEU "})
    poll = delegate_poll(world, conference)
    cards = cards_by_name(world, poll)
    assert "dai BIEU" in cards
    services.cast_as_delegate(world.actor("delegate"), poll.pk, [])
    assert list(Participation.objects.values_list("voter_key", flat=True)) == [
        delegate_key(world.units["KT3"].id, "Dai Bieu")]
    with pytest.raises(Conflict):
        services.cast_with_card(cards["dai BIEU"][1], poll.pk, [])
    assert sorted(cards_by_name(world, poll)) == sorted(
        ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Hoàng Văn Em", "Đỗ Văn Hải"])


# --- one vote per unit: as before ---------------------------------------------------------

def test_rules_29_per_unit_the_unit_votes_once_whoever_is_named(world, conference):
    """RULES.md 29 (per unit): the key is the unit; the account votes whatever name the
    roll call wrote, and the unit's card is then refused."""
    mark_present(world, conference)  # KT3's delegate written "Đại biểu KT3", not "Dai Bieu"
    poll = services.open_poll(world.actor("leader"), award_poll(world, conference))
    token = {c.card.unit.code: c.token
             for c in services.issue_cards(world.actor("leader"), poll)}["KT3"]
    services.cast_as_delegate(world.actor("delegate"), poll.pk, [])
    assert list(Participation.objects.values_list("voter_key", flat=True)) == [
        f"unit:{world.units['KT3'].id}"]
    with pytest.raises(Conflict) as refused:
        services.cast_with_card(token, poll.pk, [])
    assert str(refused.value) == services.ALREADY_VOTED
