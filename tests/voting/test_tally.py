"""The voting core (RULES.md 28, 31–34): exact thresholds, quorum, over-marked ballots,
the quota cut-off with its run-off, the result sentences and the ballot-box digest."""

import hashlib
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua.law.rulebook import FractionRule
from thidua.voting.domain.election import DEPUTY, LEADER, election_standing
from thidua.voting.domain.tally import (
    NOT_PASSED,
    OUTSIDE_QUOTA,
    RUN_OFF,
    SELECTED,
    BallotIn,
    BallotRefused,
    CandidateIn,
    PublishedBallot,
    ballot_box_digest,
    ballot_box_listing,
    ballot_is_valid,
    percent_text,
    quorum,
    tally,
)

HALF = FractionRule("more_than", Fraction(1, 2))
TWO_THIRDS = FractionRule("at_least", Fraction(2, 3))
SEVENTY = FractionRule("at_least", Fraction(70, 100))


def cands(n, scores=None):
    return [CandidateIn(i, f"Đơn vị {i}", None if scores is None else Fraction(scores[i - 1]),
                        None) for i in range(1, n + 1)]


def ballots(*rows, invalid=0):
    return [BallotIn(tuple(r)) for r in rows] + [BallotIn((), False)] * invalid


def test_more_than_half_of_12_is_7_with_the_sentence():
    [six, seven] = tally(candidates=cands(2), ballots=ballots(*[[1, 2]] * 6, *[[2]] * 1),
                         quota=2, members=12, present=12, rule=HALF,
                         base_kind="members").results
    assert (six.votes, six.passed) == (6, False)
    assert six.sentence == "6 phiếu / 12 thành viên = 50,00 % ≤ 1/2: không đạt"
    assert (seven.votes, seven.passed) == (7, True)
    assert seven.sentence == "7 phiếu / 12 thành viên = 58,33 % > 1/2: đạt"
    assert HALF.minimum(12) == 7


def test_at_least_two_thirds_of_9_is_6():
    assert TWO_THIRDS.minimum(9) == 6
    result = tally(candidates=cands(1), ballots=ballots(*[[1]] * 6, *[[]] * 3), quota=1,
                   members=9, present=9, rule=TWO_THIRDS, base_kind="members").results[0]
    assert result.sentence == "6 phiếu / 9 thành viên = 66,67 % ≥ 2/3: đạt"
    five = tally(candidates=cands(1), ballots=ballots(*[[1]] * 5, *[[]] * 4), quota=1,
                 members=9, present=9, rule=TWO_THIRDS, base_kind="members").results[0]
    assert (five.passed, five.sentence) == (
        False, "5 phiếu / 9 thành viên = 55,56 % < 2/3: không đạt")


def test_seventy_percent_written_as_a_percentage():
    result = tally(candidates=cands(1), ballots=ballots(*[[1]] * 7, *[[]] * 3), quota=1,
                   members=10, present=10, rule=SEVENTY, base_kind="valid_ballots").results[0]
    assert result.sentence == "7 phiếu / 10 phiếu hợp lệ = 70,00 % ≥ 70 %: đạt"


@pytest.mark.parametrize(("valid", "needed"), [(5, 3), (6, 4), (1, 1), (2, 2), (7, 4)])
def test_helios_majority_of_valid_ballots(valid, needed):
    for yes in range(valid + 1):
        rows = [[1]] * yes + [[2]] * (valid - yes)
        result = tally(candidates=cands(2), ballots=ballots(*rows), quota=1, members=12,
                       present=valid, rule=HALF, base_kind="valid_ballots")
        assert result.result_for(1).passed == (yes >= needed)


def test_a_tie_gives_no_winner():
    result = tally(candidates=cands(2), ballots=ballots(*[[1]] * 3, *[[2]] * 3), quota=1,
                   members=6, present=6, rule=HALF, base_kind="valid_ballots")
    assert [r.passed for r in result.results] == [False, False]
    assert result.selected == () and not result.needs_run_off


def test_base_present():
    result = tally(candidates=cands(1), ballots=ballots(*[[1]] * 5), quota=1, members=12,
                   present=9, rule=HALF, base_kind="present").results[0]
    assert result.sentence == "5 phiếu / 9 đơn vị có mặt = 55,56 % > 1/2: đạt"


def test_no_valid_ballot_passes_no_one_and_shows_no_percentage():
    result = tally(candidates=cands(1), ballots=ballots(invalid=2), quota=1, members=5,
                   present=5, rule=HALF, base_kind="valid_ballots")
    assert (result.cast, result.valid, result.invalid) == (2, 0, 2)
    assert result.results[0].sentence == "0 phiếu / 0 phiếu hợp lệ = — ≤ 1/2: không đạt"


def test_quorum_rule_28():
    at_least = quorum(8, 12, TWO_THIRDS)
    assert (at_least.met, at_least.minimum) == (True, 8)
    assert at_least.sentence == ("8/12 đơn vị có mặt ≥ 2/3 (cần ít nhất 8): đủ số đơn vị để "
                                 "biểu quyết (Quy tắc 28)")
    assert quorum(7, 12, TWO_THIRDS).met is False
    assert quorum(6, 9, TWO_THIRDS).met is True
    assert quorum(5, 9, TWO_THIRDS).met is False
    assert quorum(0, 0, TWO_THIRDS).met is False


def test_rule_33_over_marked_ballot_is_invalid_unknown_or_double_marks_refused():
    assert ballot_is_valid([1, 2], [1, 2, 3], 2) is True
    assert ballot_is_valid([1, 2, 3], [1, 2, 3], 2) is False  # RULES.md 33
    assert ballot_is_valid([], [1, 2, 3], 2) is True  # a blank ballot is valid
    with pytest.raises(BallotRefused):
        ballot_is_valid([4], [1, 2, 3], 2)
    with pytest.raises(BallotRefused):
        ballot_is_valid([1, 1], [1, 2, 3], 2)


def test_rule_33_over_marked_ballots_are_counted_separately():
    result = tally(candidates=cands(3), ballots=ballots([1], [1, 2], invalid=2), quota=2,
                   members=5, present=5, rule=HALF, base_kind="members")
    record = result.count_record()
    assert (record["ballots_cast"], record["valid"], record["invalid"]) == (4, 2, 2)
    assert [c["yes_votes"] for c in record["candidates"]] == [2, 1, 0]


def test_beyond_the_quota_votes_then_score():
    # 4 pass a quota of 2: 1 has 5 votes; 2 and 3 have 4 votes, 3 has the higher score.
    rows = [[1, 2, 3, 4]] * 3 + [[1, 2]] + [[1, 3]]
    result = tally(candidates=cands(4, ["90", "80", "85", "70"]), ballots=ballots(*rows),
                   quota=3, members=5, present=5, rule=HALF, base_kind="members")
    assert result.selected == (1, 3, 2)
    assert result.result_for(4).outcome == OUTSIDE_QUOTA
    quota_two = tally(candidates=cands(4, ["90", "80", "85", "70"]), ballots=ballots(*rows),
                      quota=2, members=5, present=5, rule=HALF, base_kind="members")
    assert quota_two.selected == (1, 3)
    assert [quota_two.result_for(i).outcome for i in (2, 4)] == [OUTSIDE_QUOTA, OUTSIDE_QUOTA]
    assert not quota_two.needs_run_off


def test_a_tie_at_the_cut_off_is_a_run_off_never_a_silent_cut():
    rows = [[1, 2, 3]] * 4 + [[1]]
    result = tally(candidates=cands(3, ["90", "80", "80"]), ballots=ballots(*rows), quota=2,
                   members=5, present=5, rule=HALF, base_kind="members")
    assert result.selected == (1,)
    assert (result.run_off_ids, result.run_off_seats) == ((2, 3), 1)
    assert [r.outcome for r in result.results] == [SELECTED, RUN_OFF, RUN_OFF]
    assert "Quy tắc 32" in result.explanations[0]


def test_a_run_off_counts_votes_only_and_may_tie_again():
    run_off = tally(candidates=cands(2), ballots=ballots([1], [2], [1]), quota=1, members=5,
                    present=5, rule=None, base_kind="valid_ballots",
                    excess_order=("votes", "run_off"))
    assert run_off.selected == (1,)
    again = tally(candidates=cands(2), ballots=ballots([1], [2]), quota=1, members=5,
                  present=5, rule=None, base_kind="valid_ballots",
                  excess_order=("votes", "run_off"))
    assert again.run_off_ids == (1, 2)


def test_percentages_use_the_decimal_comma_and_round_half_up():
    assert percent_text(7, 12) == "58,33 %"
    assert percent_text(2, 3) == "66,67 %"
    assert percent_text(1, 8) == "12,50 %"
    assert percent_text(1, 8, 0) == "13 %"
    assert percent_text(12, 12) == "100,00 %"


def test_the_digest_is_over_the_code_sorted_list_with_ballot_paper_numbers():
    """Candidate ids 41, 17, 90 are numbers 1, 2, 3 on the ballot paper: the list names the
    numbers (no database id), in code order, a line each with its newline."""
    numbers = {41: 1, 17: 2, 90: 3}
    box = [PublishedBallot("ZZ", True, (17, 41)), PublishedBallot("AA", False, (17, 41, 90)),
           PublishedBallot("MM", True, ())]
    listing = "AA;invalid;1,2,3\nMM;valid;\nZZ;valid;1,2\n"
    assert ballot_box_listing(box, numbers) == listing
    expected = hashlib.sha256(listing.encode()).hexdigest()
    assert ballot_box_digest(box, numbers) == expected
    assert ballot_box_digest(list(reversed(box)), numbers) == expected


def test_rotation_and_leader_not_deputy():
    standing = election_standing(LEADER, [1, 2, 3], year=2025, recent_leaders={2025: 1,
                                 2024: 2}, lookback_years=1, labels={1: "Sở A"})
    assert standing.eligible == (2, 3)
    assert [(e.unit_id, e.rule) for e in standing.excluded] == [(1, 4)]
    assert standing.excluded[0].sentence.startswith("Sở A là Trưởng khối năm 2025")
    two_years = election_standing(LEADER, [1, 2, 3], year=2025,
                                  recent_leaders={2025: 1, 2024: 2}, lookback_years=2)
    assert two_years.eligible == (3,)
    deputy = election_standing(DEPUTY, [1, 2, 3], year=2025, recent_leaders={2025: 1},
                               lookback_years=1, elected_leader=2)
    assert deputy.eligible == (1, 3)
    assert [(e.unit_id, e.rule) for e in deputy.excluded] == [(2, 2)]


# --- properties ------------------------------------------------------------------------------

@st.composite
def elections(draw):
    n = draw(st.integers(1, 6))
    quota = draw(st.integers(0, n))
    members = draw(st.integers(1, 15))
    rows = draw(st.lists(st.lists(st.integers(1, n), unique=True, max_size=n), max_size=15))
    scores = draw(st.lists(st.sampled_from(["80", "85", "90"]), min_size=n, max_size=n))
    return n, quota, members, rows, scores


@settings(max_examples=300, deadline=None)
@given(elections(), st.sampled_from([HALF, TWO_THIRDS, SEVENTY]),
       st.sampled_from(["members", "present", "valid_ballots"]))
def test_property_tally(case, rule, base_kind):
    n, quota, members, rows, scores = case
    marked = [BallotIn(tuple(r), ballot_is_valid(r, range(1, n + 1), quota)) for r in rows]
    result = tally(candidates=cands(n, scores), ballots=marked, quota=quota, members=members,
                   present=members, rule=rule, base_kind=base_kind)
    # Every ballot (one per participation) is counted once, valid or invalid.
    assert result.cast == len(rows) == result.valid + result.invalid
    assert result.valid == sum(len(r) <= quota for r in rows)
    passing = [r for r in result.results if r.passed]
    assert all(r.passed == (result.base > 0 and rule.is_met(r.votes, result.base))
               for r in result.results)
    # Never more selected than the quota; nobody passing is dropped without a reason.
    assert len(result.selected) <= quota
    assert {r.outcome for r in passing} <= {SELECTED, RUN_OFF, OUTSIDE_QUOTA}
    assert all(r.outcome == NOT_PASSED for r in result.results if not r.passed)
    if len(passing) <= quota:
        assert len(result.selected) == len(passing) and not result.needs_run_off
    else:
        # Selected + seats left for the run-off fill the quota exactly.
        assert len(result.selected) + result.run_off_seats == quota

        def key(r):
            return (-r.votes, -r.candidate.score)
        ordered = sorted(passing, key=key)
        if quota and key(ordered[quota - 1]) == key(ordered[quota]):
            # A tie across the cut-off always produces a run-off among all the tied.
            tied = {r.candidate.id for r in passing if key(r) == key(ordered[quota - 1])}
            assert set(result.run_off_ids) == tied
            assert 0 < result.run_off_seats < len(tied)
        else:
            assert not result.needs_run_off
