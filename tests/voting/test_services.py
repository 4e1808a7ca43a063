"""Voting services on the database: the conference, attendance and quorum (RULES.md 28),
polls with the rulebook's settings, cards, delegates, paper ballots with reconciliation,
close with the count (31–34) and its run-off (32), publication with the digest, receipts."""

import datetime
import hashlib

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import award_poll, candidate_ids, cards_by_unit, held_today, mark_present

from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.models import AuditEvent
from thidua.law.award_forms import AwardForm
from thidua.voting import services
from thidua.voting.domain.tally import ballot_box_digest
from thidua.voting.models import (
    Attendance,
    Ballot,
    BallotChoice,
    Candidate,
    Participation,
    Poll,
    SealedBallot,
    VotingCard,
)


def actions():
    return [e.action for e in AuditEvent.objects.filter(action__startswith="voting.")
            .order_by("id")]


def test_conference_with_attendance_for_every_member(world, conference):
    rows = Attendance.objects.filter(conference=conference)
    assert {r.unit.code for r in rows} == {"KT1", "KT2", "KT3", "KT4", "KT5"}
    assert not any(r.present for r in rows)
    assert actions() == ["voting.conference.create"]
    with pytest.raises(Conflict):
        services.create_conference(world.actor("leader"), world.bloc_years["KT"],
                                   held_at=held_today(), place="X", chair="Y", secretary="Z")


@pytest.mark.parametrize("who", ["officer", "peer", "delegate", "outsider",
                                 "other_secretariat", "nobody"])
def test_only_the_leader_or_the_province_create_a_conference(world, who):
    with pytest.raises(Forbidden):
        services.create_conference(world.actor(who), world.bloc_years["KT"],
                                   held_at=held_today(), place="X", chair="Y", secretary="Z")


def test_quorum_is_rule_28_and_gates_opening(world, conference):
    poll = award_poll(world, conference)
    mark_present(world, conference, ["KT1", "KT2", "KT3"])
    q = services.conference_quorum(conference)
    assert (q.present, q.members, q.minimum, q.met) == (3, 5, 4, False)
    with pytest.raises(Conflict) as refused:
        services.open_poll(world.actor("leader"), poll)
    assert "3/5 đơn vị có mặt < 2/3 (cần ít nhất 4)" in str(refused.value)
    assert Poll.objects.get(pk=poll.pk).state == "created"
    mark_present(world, conference, ["KT4"])
    assert services.open_poll(world.actor("leader"), poll).state == "open"


def test_absence_needs_a_reason(world, conference):
    with pytest.raises(DomainError):
        services.record_attendance(world.actor("leader"), conference, world.units["KT2"].id,
                                   present=False)
    row = services.record_attendance(world.actor("leader"), conference, world.units["KT2"].id,
                                     present=False, absence_reason="Đi công tác")
    assert (row.present, row.absence_reason) == (False, "Đi công tác")
    with pytest.raises(NotFound):
        services.record_attendance(world.actor("leader"), conference, world.units["VX1"].id,
                                   present=True)


def test_poll_copies_the_rulebook_and_snapshots_candidates(world, present):
    poll = award_poll(world, present)
    assert (poll.quota, poll.threshold_comparison, poll.threshold_numerator,
            poll.threshold_denominator, poll.base, poll.vote_per) == (
        2, "more_than", 1, 2, "members", "unit")  # 5 members → 2 Bằng khen (RULES.md 26)
    assert "Ngưỡng: hơn 1/2" in poll.citation and "Thực tiễn" in poll.citation
    assert [c.unit.code for c in poll.candidates.all()] == ["KT1", "KT2", "KT3", "KT4", "KT5"]
    flag = award_poll(world, present, AwardForm.PROVINCIAL_FLAG, ["KT2", "KT3"])
    assert flag.quota == 1
    with pytest.raises(DomainError):
        award_poll(world, present, AwardForm.EXCELLENT_COLLECTIVE)  # not a secret ballot form
    with pytest.raises(DomainError):
        award_poll(world, present, AwardForm.PROVINCIAL_FLAG, ["KT2", "VX1"])


def test_candidates_frozen_when_the_poll_opens(world, present):
    poll = award_poll(world, present)
    services.set_candidates(world.actor("leader"), poll, [world.units["KT2"].id])
    assert [c.unit.code for c in poll.candidates.all()] == ["KT2"]
    services.open_poll(world.actor("leader"), poll)
    with pytest.raises(Conflict):
        services.set_candidates(world.actor("leader"), poll, [world.units["KT3"].id])


def test_open_close_publish_are_idempotent(world, open_poll):
    leader = world.actor("leader")
    assert services.open_poll(leader, open_poll).state == "open"
    services.close_poll(leader, open_poll)
    assert services.close_poll(leader, open_poll).state == "closed"
    with pytest.raises(Conflict):
        services.open_poll(leader, open_poll)
    services.publish_poll(leader, open_poll)
    assert services.publish_poll(leader, open_poll).state == "published"
    assert actions().count("voting.poll.close") == 1
    assert actions().count("voting.poll.publish") == 1


def test_a_full_poll_cards_delegate_paper_count_and_publication(world, open_poll):
    leader, poll = world.actor("leader"), open_poll
    cards = cards_by_unit(world, poll)
    assert set(cards) == {"KT1", "KT2", "KT3", "KT4", "KT5"}
    assert VotingCard.objects.filter(poll=poll).count() == 5
    kt1, kt2, kt4 = candidate_ids(poll, world, "KT1", "KT2", "KT4")
    r1 = services.cast_with_card(cards["KT1"], poll.pk, [kt1, kt2])
    r2 = services.cast_with_card(cards["KT2"], poll.pk, [kt1])
    # KT3's delegate votes logged in; KT3's card is then refused.
    r3 = services.cast_as_delegate(world.actor("delegate"), poll.pk, [kt1, kt4])
    with pytest.raises(Conflict) as again:
        services.cast_with_card(cards["KT3"], poll.pk, [kt2])
    assert "đã bỏ phiếu" in str(again.value)
    # KT4 and KT5 get paper ballots: one comes back over-marked, one never comes back.
    codes = services.issue_paper_ballots(leader, poll, [world.units["KT4"].id,
                                                        world.units["KT5"].id])
    assert len(codes) == 2
    with pytest.raises(Conflict):
        services.cast_with_card(cards["KT4"], poll.pk, [kt1])
    services.enter_paper_ballot(leader, poll, codes[0], [kt1, kt2, kt4])
    with pytest.raises(Conflict):
        services.enter_paper_ballot(leader, poll, codes[0], [kt1])
    with pytest.raises(Conflict) as unreconciled:
        services.close_poll(leader, poll)
    assert "phát ra 2 = thu về 1 + không thu về chưa ghi" in str(unreconciled.value)
    with pytest.raises(DomainError):
        services.reconcile_paper(leader, poll, unreturned=0)
    check = services.reconcile_paper(leader, poll, unreturned=1)
    assert check.sentence == ("Phiếu giấy: phát ra 2 = thu về 1 + không thu về 1; thu về 1 = "
                              "hợp lệ 0 + không hợp lệ 1: khớp")
    turnout = services.turnout(poll)
    assert (turnout.voted, turnout.expected) == (5, 5)

    services.close_poll(leader, poll)
    result = services.result(leader, Poll.objects.get(pk=poll.pk))
    t = result.tally
    assert (t.cast, t.valid, t.invalid, t.base) == (4, 3, 1, 5)
    assert [(r.candidate.label, r.votes, r.passed) for r in t.results] == [
        ("Sở Công Thương", 3, True), ("Sở Tài chính", 1, False), ("Sở Xây dựng", 0, False),
        ("Đài Phát thanh", 1, False), ("Ban Quản lý dự án", 0, False)]
    assert t.results[0].sentence == "3 phiếu / 5 thành viên = 60,00 % > 1/2: đạt"
    assert t.selected == (kt1,)
    with pytest.raises(Conflict):
        services.result(world.actor("officer"), poll)  # not before publication

    services.publish_poll(leader, poll)
    published = services.result(world.actor("officer"), Poll.objects.get(pk=poll.pk))
    assert [b.receipt_code for b in published.ballots] == sorted([r1, r2, r3, codes[0]])
    assert published.digest == ballot_box_digest(published.ballots, published.numbers)
    # The list behind the digest: ballot-paper numbers, never ids; its SHA-256 is the digest.
    numbers = dict(poll.candidates.values_list("id", "position"))
    assert published.numbers == numbers and sorted(numbers.values()) == [1, 2, 3, 4, 5]
    listing = services.box_listing(Poll.objects.get(pk=poll.pk))
    marks = ",".join(str(n) for n in sorted((numbers[kt1], numbers[kt2])))
    assert f"{r1};valid;{marks}\n" in listing and len(listing.splitlines()) == 4
    assert hashlib.sha256(listing.encode()).hexdigest() == published.digest
    receipt = services.check_receipt(poll.pk, r1.lower())
    assert (receipt.receipt_code, receipt.valid, receipt.choices) == (r1, True,
                                                                      tuple(sorted([kt1, kt2])))
    assert services.check_receipt(poll.pk, codes[0]).valid is False
    with pytest.raises(NotFound):
        services.check_receipt(poll.pk, "AAAAA-AAAAA")
    stored = Poll.objects.get(pk=poll.pk).result
    assert (stored["ballots_cast"], stored["valid"], stored["invalid"],
            stored["participations"]) == (4, 3, 1, 5)
    assert [e for e in actions() if "cast" in e or "ballot" in e] == []


def test_rule_33_an_over_marked_ballot_is_invalid_and_counted_apart(world, open_poll):
    """RULES.md 33 on the database: a card marking more names than the quota is refused
    with nothing written; an over-marked paper ballot is stored invalid, its marks count
    for no one, and the count shows it apart."""
    leader, poll = world.actor("leader"), open_poll
    assert poll.quota == 2
    cards = cards_by_unit(world, poll)
    kt1, kt2, kt3, kt4 = candidate_ids(poll, world, "KT1", "KT2", "KT3", "KT4")
    with pytest.raises(DomainError):
        services.cast_with_card(cards["KT1"], poll.pk, [kt1, kt2, kt3])
    assert (Ballot.objects.filter(poll=poll).count(),
            Participation.objects.filter(poll=poll).count()) == (0, 0)
    services.cast_with_card(cards["KT1"], poll.pk, [kt1, kt2])
    services.cast_with_card(cards["KT2"], poll.pk, [kt1])
    codes = services.issue_paper_ballots(leader, poll, [world.units[c].id
                                                        for c in ("KT3", "KT4", "KT5")])
    services.enter_paper_ballot(leader, poll, codes[0], [kt1, kt2, kt3])
    services.enter_paper_ballot(leader, poll, codes[1], [kt2, kt3])
    services.enter_paper_ballot(leader, poll, codes[2], [kt1, kt2, kt3, kt4])
    services.reconcile_paper(leader, poll, unreturned=0)
    services.close_poll(leader, poll)
    assert sorted(Ballot.objects.filter(poll=poll).values_list("valid", flat=True)) == [
        False, False, True, True, True]
    t = services.result(leader, Poll.objects.get(pk=poll.pk)).tally
    assert (t.cast, t.valid, t.invalid) == (5, 3, 2)
    assert [(r.candidate.label, r.votes) for r in t.results] == [
        ("Sở Công Thương", 2), ("Sở Tài chính", 2), ("Sở Xây dựng", 1), ("Đài Phát thanh", 0),
        ("Ban Quản lý dự án", 0)]
    stored = Poll.objects.get(pk=poll.pk).result
    assert (stored["ballots_cast"], stored["valid"], stored["invalid"]) == (5, 3, 2)


def test_quota_cut_by_votes_and_no_winner_without_a_majority(world, present):
    leader = world.actor("leader")
    poll = services.open_poll(leader, award_poll(world, present, AwardForm.PROVINCIAL_FLAG,
                                                  ["KT2", "KT3", "KT4"]))
    kt2, kt3, kt4 = candidate_ids(poll, world, "KT2", "KT3", "KT4")
    cards = cards_by_unit(world, poll)
    for code, marks in zip(["KT1", "KT2", "KT3", "KT4", "KT5"],
                           [[kt2], [kt3], [kt2], [kt3], [kt2]], strict=True):
        services.cast_with_card(cards[code], poll.pk, marks)
    services.close_poll(leader, poll)
    assert Poll.objects.get(pk=poll.pk).result["selected"] == [kt2]
    assert not Poll.objects.filter(run_off_of=poll).exists()

    # RULES.md 22 before the ballot: KT2, chosen for the flag, stands apart with why.
    poll2 = award_poll(world, present, AwardForm.CERTIFICATE_OF_MERIT)
    assert [(e["name"], e["rules"]) for e in poll2.ineligible] == [("Sở Tài chính", [22])]
    assert [c.unit.code for c in poll2.candidates.all()] == ["KT1", "KT3", "KT4", "KT5"]
    poll2 = services.open_poll(leader, services.set_candidates(
        leader, poll2, [world.units[c].id for c in ("KT3", "KT4", "KT5")]))
    a, b, c = candidate_ids(poll2, world, "KT3", "KT4", "KT5")
    cards = cards_by_unit(world, poll2)
    for code in ["KT1", "KT2", "KT3", "KT4", "KT5"]:
        services.cast_with_card(cards[code], poll2.pk, [a, b] if code != "KT5" else [c, b])
    # b: 5, a: 4, c: 1 → quota 2: b, then a.
    services.close_poll(leader, poll2)
    assert Poll.objects.get(pk=poll2.pk).result["selected"] == [b, a]

    # No ranking published: RULES 20 cannot be checked, so both stand only by override.
    why = "Khối chưa công bố xếp hạng; hội nghị thống nhất đưa vào để biểu quyết"
    poll3 = services.open_poll(leader, award_poll(
        world, present, AwardForm.GOVERNMENT_FLAG, ["KT2", "KT3"],
        overrides={"KT2": why, "KT3": why}))
    a, b = candidate_ids(poll3, world, "KT2", "KT3")
    cards = cards_by_unit(world, poll3)
    for code in ["KT1", "KT2", "KT3", "KT4", "KT5"]:
        services.cast_with_card(cards[code], poll3.pk, [a, b][:1] if code in ("KT1",) else [])
    services.close_poll(leader, poll3)
    # Only 1 vote each or none: nobody passes 1/2 of 5 → no winner, no run-off.
    assert Poll.objects.get(pk=poll3.pk).result["selected"] == []


def test_tied_candidates_go_to_a_run_off_poll_among_them(world, present):
    leader = world.actor("leader")
    poll = services.open_poll(leader, award_poll(world, present, AwardForm.CERTIFICATE_OF_MERIT,
                                                  ["KT2", "KT3", "KT4"]))
    a, b, c = candidate_ids(poll, world, "KT2", "KT3", "KT4")
    cards = cards_by_unit(world, poll)
    marks = {"KT1": [a, b], "KT2": [a, b], "KT3": [a, c], "KT4": [a, c], "KT5": [b, c]}
    for code, chosen in marks.items():
        services.cast_with_card(cards[code], poll.pk, chosen)
    # a: 4, b: 3, c: 3 — all pass (> 1/2 of 5); 2 seats: a, then b and c tie for one.
    closed = services.close_poll(leader, Poll.objects.get(pk=poll.pk))
    result = closed.result
    assert result["selected"] == [a]
    assert result["run_off"] == [b, c] and result["run_off_seats"] == 1
    run_off = Poll.objects.get(run_off_of=poll)
    assert (run_off.state, run_off.quota) == ("created", 1)
    assert [c.unit.code for c in run_off.candidates.all()] == ["KT3", "KT4"]
    assert "Quy tắc 32" in result["explanations"][0]
    assert result["run_off_poll"] == run_off.pk
    services.open_poll(leader, run_off)
    r2, r3 = candidate_ids(run_off, world, "KT3", "KT4")
    cards = cards_by_unit(world, run_off)
    for code, chosen in {"KT1": [r2], "KT2": [r3], "KT3": [r2], "KT4": [], "KT5": []}.items():
        services.cast_with_card(cards[code], run_off.pk, chosen)
    closed = services.close_poll(leader, run_off)
    assert closed.result["selected"] == [r2]


def test_leader_election_rotation_and_deputy_not_leader(world, present):
    leader = world.actor("leader")
    # KT1 leads this year: it cannot stand for leader next year (RULES.md 4).
    poll = services.create_poll(leader, present, Poll.Kind.LEADER_ELECTION)
    assert [c.unit.code for c in poll.candidates.all()] == ["KT2", "KT3", "KT4", "KT5"]
    assert poll.quota == 1
    assert ("Không ứng cử: Sở Công Thương là Trưởng khối năm "
            f"{world.year.year}: không làm Trưởng khối năm {world.year.year + 1}") in poll.citation
    with pytest.raises(DomainError):  # the full member list, KT1 included, is refused
        services.create_poll(leader, present, Poll.Kind.LEADER_ELECTION,
                             unit_ids=[world.units[c].id for c in
                                       ["KT1", "KT2", "KT3", "KT4", "KT5"]])
    with pytest.raises(DomainError) as refused:
        services.set_candidates(leader, poll, [world.units["KT1"].id, world.units["KT2"].id])
    assert "Quy tắc 4" in str(refused.value)
    with pytest.raises(Conflict):
        services.create_poll(leader, present, Poll.Kind.DEPUTY_ELECTION)
    services.open_poll(leader, poll)
    [kt2] = candidate_ids(poll, world, "KT2")
    cards = cards_by_unit(world, poll)
    for code in ["KT1", "KT2", "KT3"]:
        services.cast_with_card(cards[code], poll.pk, [kt2])
    services.close_poll(leader, poll)
    deputy = services.create_poll(leader, present, Poll.Kind.DEPUTY_ELECTION)
    assert [c.unit.code for c in deputy.candidates.all()] == ["KT1", "KT3", "KT4", "KT5"]


def test_cards_and_delegates_bad_input_nothing_written(world, open_poll):
    poll = open_poll
    cards = cards_by_unit(world, poll)
    kt1, kt2, kt3 = candidate_ids(poll, world, "KT1", "KT2", "KT3")

    def nothing_written():
        assert SealedBallot.objects.count() == Ballot.objects.count() == 0
        assert BallotChoice.objects.count() == 0
        assert Participation.objects.count() == 0
        assert not VotingCard.objects.filter(used=True).exists()

    cases = [
        (NotFound, ("phieu_sai", poll.pk, [kt1])),  # unknown token
        (NotFound, (cards["KT1"], poll.pk + 999, [kt1])),  # forged poll id
        (NotFound, (cards["KT1"], str(poll.pk), [kt1])),
        (DomainError, (cards["KT1"], poll.pk, [kt1, kt2, kt3])),  # too many marks
        (DomainError, (cards["KT1"], poll.pk, [999_999])),  # unknown candidate
        (DomainError, (cards["KT1"], poll.pk, [kt1, kt1])),
        (DomainError, (cards["KT1"], poll.pk, "1,2")),
    ]
    for error, args in cases:
        with pytest.raises(error):
            services.cast_with_card(*args)
        nothing_written()
    # An expired card.
    VotingCard.objects.filter(unit=world.units["KT2"]).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(Conflict) as expired:
        services.cast_with_card(cards["KT2"], poll.pk, [kt1])
    assert "hết hạn" in str(expired.value)
    nothing_written()
    # A reused card.
    services.cast_with_card(cards["KT1"], poll.pk, [kt1])
    with pytest.raises(Conflict) as reused:
        services.cast_with_card(cards["KT1"], poll.pk, [kt2])
    assert str(reused.value) == services.USED_CARD
    assert (SealedBallot.objects.count(), Participation.objects.count()) == (1, 1)
    # A card of another poll does not vote here.
    other = services.open_poll(world.actor("leader"),
                               award_poll(world, poll.conference, AwardForm.PROVINCIAL_FLAG))
    other_cards = cards_by_unit(world, other)
    with pytest.raises(NotFound):
        services.cast_with_card(other_cards["KT3"], poll.pk, [kt1])
    # A poll not open.
    services.close_poll(world.actor("leader"), poll)
    with pytest.raises(Conflict):
        services.cast_with_card(cards["KT3"], poll.pk, [kt1])
    assert Ballot.objects.filter(poll=poll).count() == 1


@pytest.mark.parametrize("who", ["secretariat", "officer", "admin", "leader"])
def test_observers_and_officers_do_not_vote(world, open_poll, who):
    [kt1] = candidate_ids(open_poll, world, "KT1")
    with pytest.raises(Forbidden):
        services.cast_as_delegate(world.actor(who), open_poll.pk, [kt1])
    assert SealedBallot.objects.count() == Ballot.objects.count() == 0


def test_outsiders_do_not_find_the_poll(world, open_poll):
    [kt1] = candidate_ids(open_poll, world, "KT1")
    for who in ["outsider", "other_secretariat", "nobody"]:
        with pytest.raises(NotFound):
            services.cast_as_delegate(world.actor(who), open_poll.pk, [kt1])


def test_a_delegate_of_an_absent_unit_does_not_vote(world, conference):
    mark_present(world, conference, ["KT1", "KT2", "KT4", "KT5"])
    poll = services.open_poll(world.actor("leader"), award_poll(world, conference))
    [kt1] = candidate_ids(poll, world, "KT1")
    with pytest.raises(Conflict):
        services.cast_as_delegate(world.actor("delegate"), poll.pk, [kt1])
    assert "KT3" not in cards_by_unit(world, poll)


@pytest.mark.parametrize("who", ["officer", "peer", "delegate", "outsider",
                                 "other_secretariat"])
def test_only_those_who_run_the_conference_manage_polls(world, open_poll, who):
    actor = world.actor(who)
    for call in (lambda: services.close_poll(actor, open_poll),
                 lambda: services.issue_cards(actor, open_poll),
                 lambda: services.issue_paper_ballots(actor, open_poll,
                                                      [world.units["KT1"].id]),
                 lambda: services.enter_paper_ballot(actor, open_poll, "X", []),
                 lambda: services.create_poll(actor, open_poll.conference,
                                              Poll.Kind.LEADER_ELECTION)):
        with pytest.raises(Forbidden):
            call()
    assert Poll.objects.get(pk=open_poll.pk).state == "open"
    assert not VotingCard.objects.exists()


def test_a_committee_member_with_an_account_enters_paper_ballots(world, open_poll):
    services.set_committee(world.actor("leader"), open_poll.conference,
                           [("Lê Văn C", "Trưởng ban", world.users["peer"]),
                            ("Phạm Thị D", "Thành viên", None)])
    codes = services.issue_paper_ballots(world.actor("leader"), open_poll,
                                         [world.units["KT1"].id])
    [kt2] = candidate_ids(open_poll, world, "KT2")
    ballot = services.enter_paper_ballot(world.actor("peer"), open_poll, codes[0], [kt2])
    assert (ballot.receipt_code, ballot.valid, ballot.choices) == (codes[0], True, (kt2,))
    assert list(SealedBallot.objects.values_list("source", "paper_valid")) == [("paper", True)]
    assert Candidate.objects.filter(pk=kt2).exists()


def test_counted_polls_feed_the_award_allocation(world, present):
    from thidua.law.allocation import PollResult

    leader = world.actor("leader")
    poll = services.open_poll(leader, award_poll(world, present, AwardForm.CERTIFICATE_OF_MERIT,
                                                  ["KT2", "KT3", "KT4"]))
    a, b, c = candidate_ids(poll, world, "KT2", "KT3", "KT4")
    cards = cards_by_unit(world, poll)
    marks = {"KT1": [a, b], "KT2": [a, b], "KT3": [a, c], "KT4": [a, c], "KT5": [b, c]}
    for code, chosen in marks.items():
        services.cast_with_card(cards[code], poll.pk, chosen)
    services.close_poll(leader, poll)
    kt2, kt3, kt4 = (world.units[x].id for x in ("KT2", "KT3", "KT4"))
    polls, run_offs = services.allocation_inputs(present)
    form = AwardForm.CERTIFICATE_OF_MERIT
    # No ranking published: the ballots showed no score, and the allocation is told so.
    assert polls == [PollResult(form, kt2, 4, True, None),
                     PollResult(form, kt3, 3, True, None),
                     PollResult(form, kt4, 3, True, None)]
    assert run_offs == {}
    run_off = services.open_poll(leader, Poll.objects.get(run_off_of=poll))
    r3, r4 = candidate_ids(run_off, world, "KT3", "KT4")
    cards = cards_by_unit(world, run_off)
    for code, chosen in {"KT1": [r3], "KT2": [r4], "KT3": [r3]}.items():
        services.cast_with_card(cards[code], run_off.pk, chosen)
    services.close_poll(leader, run_off)
    assert services.allocation_inputs(present)[1] == {form: [{kt3: 2, kt4: 1}]}


def test_the_projector_may_lag_the_officers_page_counts_now(world, open_poll, client):
    """A ballot does not drop the projector's cached turnout (a write less on the
    busiest path, bench/voting.py): the projector may show the count of up to
    TURNOUT_SECONDS ago, while the officer's poll page — whose close step names the
    count — counts afresh."""
    cards = cards_by_unit(world, open_poll)
    services.cast_with_card(cards["KT1"], open_poll.pk, [])
    assert services.turnout(open_poll).voted == 1  # cached now
    services.cast_with_card(cards["KT2"], open_poll.pk, [])
    assert (services.turnout(open_poll).voted,
            services.turnout(open_poll, fresh=True).voted) == (1, 2)
    assert services.TURNOUT_SECONDS == 2
    client.force_login(world.users["leader"])
    page = client.get(reverse("voting_poll", args=[open_poll.pk])).content.decode()
    assert f"«{open_poll.title}» với 2/5 phiếu?" in page
