"""RULES.md 32 lives in one function (law.excess.cut_at_quota): the count of a
poll (the minutes) and the allocation (the proposal) order and cut alike — issue 11 item 3:
with equal votes and equal final score the minutes called a run-off while the allocation
proposed one unit outright."""

import datetime
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.law import excess
from thidua.law.allocation import PollResult, RankedUnit, allocate
from thidua.law.excess import Entry, cut_at_quota
from thidua.law.rulebooks import rulebook_for
from thidua.voting.domain.tally import BallotIn, CandidateIn, tally

BOOK = rulebook_for("BN", datetime.date(2026, 1, 15))
THRESHOLD = BOOK.value("voting.threshold")
PROV = "provincial_flag"


def test_rule_32_votes_then_score_then_run_off():
    entries = [Entry("a", 9, Fraction(90)), Entry("b", 10, Fraction(80)),
               Entry("c", 9, Fraction(95)), Entry("d", 9, Fraction(90))]
    cut = cut_at_quota(entries, 2)
    assert cut.keys == ("b", "c")
    assert cut.tied == () and [e.key for e in cut.rest] == ["a", "d"]
    tie = cut_at_quota(entries, 3)
    assert (tie.keys, tie.tied_keys, tie.seats) == (("b", "c"), ("a", "d"), 1)
    decided = cut_at_quota(entries, 3, run_off={"a": 3, "d": 5})
    assert (decided.keys, decided.tied_keys, [e.key for e in decided.rest]) == (
        ("b", "c", "d"), (), ["a"])
    assert decided.by_run_off


def test_rule_32_a_missing_score_orders_no_one():
    entries = [Entry(1, 9, Fraction(90)), Entry(2, 9, None)]
    cut = cut_at_quota(entries, 1)
    assert (cut.keys, cut.tied_keys, cut.unscored) == ((), (1, 2), (2,))


def test_rule_32_equal_units_keep_the_ballot_order():
    entries = [Entry(7, 9, Fraction(80)), Entry(3, 9, Fraction(80)), Entry(5, 10, Fraction(1))]
    assert [e.key for e in excess.order_entries(entries)] == [5, 7, 3]
    assert cut_at_quota(entries, 3).keys == (5, 7, 3)


@st.composite
def poll_case(draw):
    n = draw(st.integers(2, 10))
    members = draw(st.integers(n, 12))
    quota = draw(st.integers(0, 4))
    scores = draw(st.lists(st.sampled_from([None, 80, 85, 85, 90]), min_size=n, max_size=n))
    # Few vote counts, so ties at the quota line are common.
    votes = draw(st.lists(st.sampled_from([members // 2, members // 2 + 1, members]),
                          min_size=n, max_size=n))
    ranks = draw(st.permutations(range(1, n + 1)))  # a ranking that disagrees with scores
    run_off = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return n, members, quota, scores, votes, ranks, run_off


@settings(max_examples=300, deadline=None)
@given(poll_case())
def test_rule_32_the_count_and_the_allocation_cut_alike(case):
    n, members, quota, scores, votes, ranks, run_off_votes = case
    units = list(range(1, n + 1))
    score = {u: Fraction(scores[u - 1]) if scores[u - 1] is not None else None for u in units}
    # The count: ballots giving each candidate its votes (all valid, within any quota as
    # the threshold alone is what matters here, so mark one name a ballot).
    ballots = [BallotIn((u,)) for u in units for _ in range(votes[u - 1])]
    counted = tally(candidates=[CandidateIn(u, f"Đơn vị {u}", score[u]) for u in units],
                    ballots=ballots, quota=quota, members=members, present=members,
                    rule=THRESHOLD, base_kind="members")
    # The allocation, from the same votes and the scores the ballot showed; the ranking
    # given beside them disagrees on purpose and must not matter.
    passed = {u: THRESHOLD.is_met(votes[u - 1], members) for u in units}
    polls = [PollResult(PROV, u, votes[u - 1], passed[u], score[u]) for u in units]
    allocation = allocate(
        rulebook=BOOK, eligibility={(u, PROV): True for u in units},
        ranking=[RankedUnit(u, ranks[u - 1], Fraction(200 + u)) for u in units],
        polls=polls, quotas={PROV: quota})
    assert allocation.proposals[PROV] == counted.selected
    assert tuple(t.unit_ids for t in allocation.ties) == (
        (counted.run_off_ids,) if counted.run_off_ids else ())
    # A run-off's votes, as its own count orders them, decide the same units both ways.
    if counted.run_off_ids:
        tied = counted.run_off_ids
        again = tally(candidates=[CandidateIn(u, "", score[u]) for u in tied],
                      ballots=[BallotIn((u,)) for u in tied for _ in range(run_off_votes[u - 1])],
                      quota=counted.run_off_seats, members=members, present=members,
                      rule=None, base_kind="valid_ballots", excess_order=("votes", "run_off"))
        decided = allocate(
            rulebook=BOOK, eligibility={(u, PROV): True for u in units},
            ranking=[RankedUnit(u, ranks[u - 1]) for u in units], polls=polls,
            quotas={PROV: quota},
            run_offs={PROV: {u: run_off_votes[u - 1] for u in tied}})
        assert decided.proposals[PROV] == counted.selected + again.selected
        assert tuple(t.unit_ids for t in decided.ties) == (
            (again.run_off_ids,) if again.run_off_ids else ())


def test_rule_32_a_run_off_that_ties_again_is_decided_by_the_next():
    entries = [Entry("a", 9, Fraction(85)), Entry("b", 9, Fraction(85)),
               Entry("c", 9, Fraction(85))]
    chain = [{"a": 2, "b": 2, "c": 1}, {"a": 1, "b": 3}]
    assert cut_at_quota(entries, 1, run_off=chain[:1]).tied_keys == ("a", "b")
    decided = cut_at_quota(entries, 1, run_off=chain)
    assert (decided.keys, decided.tied_keys, [e.key for e in decided.rest]) == (
        ("b",), (), ["a", "c"])
