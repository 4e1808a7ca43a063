"""Paper ballots when the rulebook gives one vote per delegate (RULES.md 29, setting
`vote_per: delegate`): a paper ballot replaces one delegate's card, never the whole unit's;
the other delegates of the unit keep voting with their cards; the paper ballot cannot be
doubled; nothing links a card to a printed code."""

import pytest
from django.urls import reverse
from tests.factories import award_poll, candidate_ids

from api.conftest import Api
from thidua.core.errors import Conflict, DomainError
from thidua.core.models import AuditEvent
from thidua.voting import services
from thidua.voting.domain.delegates import delegate_key
from thidua.voting.models import (
    Ballot,
    PaperBallotIssue,
    Participation,
    Poll,
    SealedBallot,
    VotingCard,
)
from web.page import inline_code, parse

NAMES = {"KT1": "Nguyễn Văn An; Trần Thị Bình", "KT2": "Lê Văn Cường",
         "KT3": "Phạm Thị Dung; Hoàng Văn Em", "KT5": "Đỗ Văn Hải"}


def per_delegate_poll(world, conference, form):
    poll = award_poll(world, conference, form)
    Poll.objects.filter(pk=poll.pk).update(vote_per="delegate")
    poll.refresh_from_db()
    return services.open_poll(world.actor("leader"), poll)


@pytest.fixture
def per_delegate(world, conference):
    """KT1 (two delegates), KT2, KT3 (two), KT5 present with their delegates named; KT4
    absent. One award poll, one vote per delegate."""
    leader = world.actor("leader")
    for code, names in NAMES.items():
        services.record_attendance(leader, conference, world.units[code].id, present=True,
                                   delegate_name=names)
    services.record_attendance(leader, conference, world.units["KT4"].id, present=False,
                               absence_reason="Đi công tác")
    return per_delegate_poll(world, conference, "certificate_of_merit")


def cards_by_name(world, poll):
    """(card id, token) per delegate name, from a fresh issue of cards."""
    return {c.card.delegate_name: (c.card.pk, c.token)
            for c in services.issue_cards(world.actor("leader"), poll)}


def rows():
    return (Participation.objects.count(), SealedBallot.objects.count(),
            VotingCard.objects.filter(revoked=True).count(), AuditEvent.objects.count(),
            list(PaperBallotIssue.objects.values_list("issued", flat=True)))


def test_rules_29_paper_for_one_delegate_leaves_the_other_delegate_their_card(
        world, per_delegate):
    """RULES.md 29 (per delegate): paper for An's card refuses An's card; Bình, the other
    delegate of the same unit, still votes with hers."""
    poll, leader = per_delegate, world.actor("leader")
    cards = cards_by_name(world, poll)
    [kt2] = candidate_ids(poll, world, "KT2")
    [code] = services.issue_paper_ballots(leader, poll, card_ids=[cards["Nguyễn Văn An"][0]])
    assert list(Participation.objects.filter(poll=poll).values_list("voter_key", "source")) == [
        (delegate_key(world.units["KT1"].id, "Nguyễn Văn An"), "paper")]
    with pytest.raises(Conflict) as refused:
        services.cast_with_card(cards["Nguyễn Văn An"][1], poll.pk, [kt2])
    assert "đã nhận phiếu giấy" in str(refused.value)
    services.cast_with_card(cards["Trần Thị Bình"][1], poll.pk, [kt2])
    assert Participation.objects.filter(poll=poll).count() == 2
    # Cards issued again: An (paper) and Bình (voted) get none, the others do.
    again = cards_by_name(world, poll)
    assert sorted(again) == sorted(["Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em",
                                    "Đỗ Văn Hải"])
    assert services.turnout(poll).voted == 2 and code


def test_rules_29_paper_twice_for_the_same_card_is_refused_and_nothing_written(
        world, per_delegate):
    """RULES.md 29: one paper ballot per delegate; a second issue for the same card (alone
    or with a fresh one) is refused whole."""
    poll, leader = per_delegate, world.actor("leader")
    cards = cards_by_name(world, poll)
    an, dung = cards["Nguyễn Văn An"][0], cards["Phạm Thị Dung"][0]
    services.issue_paper_ballots(leader, poll, card_ids=[an])
    before = rows()
    for chosen in ([an], [dung, an]):
        with pytest.raises(Conflict) as refused:
            services.issue_paper_ballots(leader, poll, card_ids=chosen)
        assert str(refused.value) == (
            f"Đại biểu Nguyễn Văn An ({world.units['KT1'].name}) đã nhận phiếu giấy: mỗi đại "
            "biểu một phiếu (Quy tắc 29).")
    assert rows() == before
    assert not VotingCard.objects.get(pk=dung).revoked


def test_rules_29_a_used_card_gets_no_paper_ballot(world, per_delegate):
    """RULES.md 29: a delegate who voted with their card gets no paper ballot."""
    poll, leader = per_delegate, world.actor("leader")
    cards = cards_by_name(world, poll)
    services.cast_with_card(cards["Lê Văn Cường"][1], poll.pk, [])
    before = rows()
    with pytest.raises(Conflict) as refused:
        services.issue_paper_ballots(leader, poll, card_ids=[cards["Lê Văn Cường"][0]])
    assert "đã bỏ phiếu bằng thẻ" in str(refused.value)
    assert rows() == before


def test_rules_29_unit_ids_on_a_per_delegate_poll_and_cards_on_a_per_unit_poll_are_refused(
        world, per_delegate):
    """RULES.md 29: the ids must be of the kind the poll votes by; none at all is refused."""
    poll, leader = per_delegate, world.actor("leader")
    cards = cards_by_name(world, poll)
    before = rows()
    with pytest.raises(DomainError) as units:
        services.issue_paper_ballots(leader, poll, [world.units["KT1"].id])
    assert str(units.value) == (
        "Cuộc bỏ phiếu này mỗi đại biểu một phiếu (Quy tắc 29): chọn thẻ của đại biểu nhận "
        "phiếu giấy, không chọn đơn vị.")
    with pytest.raises(DomainError) as both:
        services.issue_paper_ballots(leader, poll, [world.units["KT1"].id],
                                     [cards["Lê Văn Cường"][0]])
    assert str(both.value) == str(units.value)
    with pytest.raises(DomainError) as empty:
        services.issue_paper_ballots(leader, poll)
    assert str(empty.value) == "Chọn ít nhất một thẻ đại biểu nhận phiếu giấy."
    Poll.objects.filter(pk=poll.pk).update(vote_per="unit")
    poll.refresh_from_db()
    with pytest.raises(DomainError) as per_unit:
        services.issue_paper_ballots(leader, poll, card_ids=[cards["Lê Văn Cường"][0]])
    assert "mỗi đơn vị một phiếu (Quy tắc 29)" in str(per_unit.value)
    assert rows() == before


def test_rules_29_a_card_of_another_poll_is_refused(world, per_delegate):
    """RULES.md 29: only this poll's cards; another poll's card id is unknown here."""
    poll, leader = per_delegate, world.actor("leader")
    cards_by_name(world, poll)
    other = per_delegate_poll(world, poll.conference, "provincial_flag")
    [(foreign, _)] = [v for k, v in cards_by_name(world, other).items() if k == "Đỗ Văn Hải"]
    before = rows()
    for chosen in ([foreign], [foreign + 10_000], [2**70]):
        with pytest.raises(DomainError) as refused:
            services.issue_paper_ballots(leader, poll, card_ids=chosen)
        assert str(refused.value) == "Thẻ biểu quyết đã chọn không thuộc cuộc bỏ phiếu này."
    assert rows() == before
    assert not VotingCard.objects.get(pk=foreign).revoked


def test_rules_29_and_34_reconciliation_adds_up_with_cards_and_paper_mixed(world, per_delegate):
    """RULES.md 29, 34: per delegate, 3 card votes and 3 paper ballots (one over-marked, one
    never returned): issued = returned + unreturned, returned = valid + invalid, and the
    count holds every ballot."""
    poll, leader = per_delegate, world.actor("leader")
    cards = cards_by_name(world, poll)
    kt1, kt2, kt3 = candidate_ids(poll, world, "KT1", "KT2", "KT3")
    for name in ("Trần Thị Bình", "Lê Văn Cường", "Hoàng Văn Em"):
        services.cast_with_card(cards[name][1], poll.pk, [kt2])
    codes = services.issue_paper_ballots(
        leader, poll, card_ids=[cards[n][0] for n in ("Nguyễn Văn An", "Phạm Thị Dung")])
    codes += services.issue_paper_ballots(leader, poll, card_ids=[cards["Đỗ Văn Hải"][0]])
    assert len(set(codes)) == 3
    services.enter_paper_ballot(leader, poll, codes[0], [kt1])
    services.enter_paper_ballot(leader, poll, codes[1], [kt1, kt2, kt3][:poll.quota + 1])
    check = services.reconcile_paper(leader, poll, unreturned=1)
    assert (check.issued, check.returned, check.valid, check.invalid, check.unreturned) == (
        3, 2, 1, 1, 1)
    assert check.adds_up
    assert services.turnout(poll).voted == 6 == Participation.objects.filter(poll=poll).count()
    services.close_poll(leader, poll)
    closed = AuditEvent.objects.get(action="voting.poll.close").after
    assert (closed["ballots_cast"], closed["valid"], closed["invalid"]) == (5, 4, 1)
    assert Ballot.objects.filter(poll=poll, source="paper").count() == 2


def test_rules_29_secrecy_the_audit_log_links_no_card_to_a_code(world, per_delegate):
    """RULES.md 29–30: the audit event of an issue says how many ballots were handed,
    neither to which cards nor a receipt code; no code is stored at all."""
    poll, leader = per_delegate, world.actor("leader")
    cards = cards_by_name(world, poll)
    chosen = [cards["Nguyễn Văn An"][0], cards["Hoàng Văn Em"][0]]
    codes = services.issue_paper_ballots(leader, poll, card_ids=chosen)
    event = AuditEvent.objects.get(action="voting.paper.issue")
    assert event.after == {"handed": 2}
    for event in AuditEvent.objects.all():
        text = f"{event.before} {event.after} {event.reason} {event.object_id}"
        assert not any(code in text for code in codes), event.action
    for key in Participation.objects.values_list("voter_key", flat=True):
        assert not any(code in key for code in codes)


def test_rules_29_paper_page_per_delegate_lists_cards_and_issues_for_the_chosen(
        world, per_delegate, client_for):
    """RULES.md 29: the page lists each usable card as unit — delegate; posting `cards`
    issues paper for those delegates only; a bad id shows the page again (400), nothing
    written."""
    poll = per_delegate
    cards = cards_by_name(world, poll)
    client = client_for(world.users["leader"])
    url = reverse("voting_paper", args=[poll.pk])
    root = parse(client.get(url))
    labels = {int(box.attrs["value"]): root.find("label", for_=box.attrs["id"]).text
              for box in root.find_all("input", name="cards")}
    assert labels[cards["Nguyễn Văn An"][0]] == f"{world.units['KT1'].name} — Nguyễn Văn An"
    assert len(labels) == 6 and not root.find_all("input", name="units")
    assert inline_code(root) == []

    issue = reverse("voting_paper_issue", args=[poll.pk])
    an, binh = cards["Nguyễn Văn An"][0], cards["Trần Thị Bình"][0]
    response = client.post(issue, {"cards": [an]})
    assert response.status_code == 200
    root = parse(response)
    codes = [li.text for li in root.by_id("ma-phieu-moi").find_all("li")]
    assert len(codes) == 1 and PaperBallotIssue.objects.get(poll=poll).issued == 1
    assert list(Participation.objects.values_list("voter_key", flat=True)) == [
        delegate_key(world.units["KT1"].id, "Nguyễn Văn An")]
    assert list(VotingCard.objects.filter(revoked=True).values_list("pk", flat=True)) == [an]
    left = {int(b.attrs["value"]) for b in root.find_all("input", name="cards")}
    assert an not in left and binh in left and len(left) == 5

    before = rows()
    for data, message in [
            ({"cards": ["abc"]}, "Danh sách đơn vị hoặc thẻ đại biểu không hợp lệ."),
            ({"units": [world.units["KT2"].pk]}, "Cuộc bỏ phiếu này mỗi đại biểu một phiếu "
             "(Quy tắc 29): chọn thẻ của đại biểu nhận phiếu giấy, không chọn đơn vị."),
            ({"cards": [an + 10_000]}, "Thẻ biểu quyết đã chọn không thuộc cuộc bỏ phiếu này.")]:
        bad = client.post(issue, data)
        assert bad.status_code == 400, data
        assert [li.text for li in parse(bad).find(class_="error-summary").find_all("li")] == [
            message]
    assert rows() == before


def test_rules_29_api_issues_paper_by_card_ids_and_refuses_the_wrong_kind(world, per_delegate):
    """RULES.md 29 over the API: `card_ids` on a per-delegate poll; `unit_ids`, both lists
    or neither answer 400 with the reason, nothing written; a second issue answers 409."""
    poll, leader = per_delegate, Api(world.users["leader"])
    cards = cards_by_name(world, poll)
    url = f"/polls/{poll.pk}/paper-ballots/issue"
    issued = leader.post(url, {"card_ids": [cards["Lê Văn Cường"][0]]})
    assert issued.status_code == 201 and len(issued.json()["codes"]) == 1
    before = rows()
    for body in ({"unit_ids": [world.units["KT1"].id]}, {},
                 {"unit_ids": [world.units["KT1"].id], "card_ids": [cards["Đỗ Văn Hải"][0]]}):
        refused = leader.post(url, body)
        assert refused.status_code == 400, body
        assert "Quy tắc 29" in refused.json()["detail"] or "Chọn ít nhất" in (
            refused.json()["detail"])
    again = leader.post(url, {"card_ids": [cards["Lê Văn Cường"][0]]})
    assert again.status_code == 409 and "đã nhận phiếu giấy" in again.json()["detail"]
    assert rows() == before
