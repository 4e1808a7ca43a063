"""Ranking with a tie-break chain (scoring.domain.ranking): RULES.md 16, and the ranking
stability check."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.scoring.domain.aggregation import (
    APPRAISED,
    MEAN,
    MEDIAN,
    TRIMMED_MEAN,
    SheetValues,
    UnitResult,
    UnitSheets,
)
from thidua.scoring.domain.ranking import DEFAULT_CHAIN, RankedUnit, RankShift, rank, stability


def result(unit_id, final, section_i=0, penalty=0):
    return UnitResult(unit_id, None if final is None else Fraction(final), MEAN, False, Fraction(0),
                      Fraction(penalty), {"I": Fraction(section_i)}, 3, None)


def test_rule_16_default_chain_section_then_penalty_then_vote():
    ranking = rank([
        result(1, 90, section_i=45, penalty=0),
        result(2, 95, section_i=40),
        result(3, 90, section_i=48, penalty=0),  # beats 1 on section I
        result(4, 88, section_i=44, penalty=0),
        result(5, 88, section_i=44, penalty=5),  # loses to 4 on penalty
        result(6, 80, section_i=40, penalty=0),
        result(7, 80, section_i=40, penalty=0),  # equal everywhere: the vote decides
        result(8, 70),
        result(9, None),  # no score: not ranked, listed
    ])
    assert ranking.rows == (
        RankedUnit(2, 1, Fraction(95)),
        RankedUnit(3, 2, Fraction(90), decided_by="section:I"),
        RankedUnit(1, 3, Fraction(90), decided_by="section:I"),
        RankedUnit(4, 4, Fraction(88), decided_by="fewer_penalty"),
        RankedUnit(5, 5, Fraction(88), decided_by="fewer_penalty"),
        RankedUnit(6, 6, Fraction(80), tied=True, tie_needs="vote"),
        RankedUnit(7, 6, Fraction(80), tied=True, tie_needs="vote"),
        RankedUnit(8, 8, Fraction(70)),
    )
    assert ranking.missing == (9,)
    assert ranking.ties == [[6, 7]]


def test_rule_16_chain_is_configurable_and_runs_out_into_a_tie():
    units = [result(1, 90, section_i=45, penalty=5), result(2, 90, section_i=40, penalty=0)]
    assert [r.unit_id for r in rank(units, ["fewer_penalty"]).rows] == [2, 1]
    assert [r.unit_id for r in rank(units, ["section:I"]).rows] == [1, 2]
    tie = rank(units, []).rows  # no chain at all: only people can decide
    assert [(r.rank, r.tied, r.tie_needs) for r in tie] == [(1, True, "vote"), (1, True, "vote")]


def test_a_partial_tie_break_keeps_the_rest_tied_with_competition_ranks():
    units = [result(1, 90, 45), result(2, 90, 45), result(3, 90, 50), result(4, 99)]
    rows = rank(units).rows
    assert [(r.unit_id, r.rank, r.tied) for r in rows] == [
        (4, 1, False), (3, 2, False), (1, 3, True), (2, 3, True)]


def test_unknown_chain_step_is_refused():
    with pytest.raises(ValueError):
        rank([result(1, 90)], ["coin_toss"])


units_strategy = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 3), st.integers(0, 2)),
    min_size=0, max_size=12,
).map(lambda rows: [result(i, 80 + f, 40 + s, p) for i, (f, s, p) in enumerate(rows)])


@given(units_strategy, st.randoms())
def test_property_permuting_input_never_changes_the_ranking_rule_16(units, rnd):
    shuffled = list(units)
    rnd.shuffle(shuffled)
    assert rank(units) == rank(shuffled)


def chain_key(unit):
    return (-unit.final, -unit.sections["I"], unit.penalty)


@given(units_strategy)
def test_property_ties_reported_exactly_when_final_and_whole_chain_equal_rule_16(units):
    rows = {r.unit_id: r for r in rank(units).rows}
    by_id = {u.unit_id: u for u in units}
    for a in by_id:
        for b in by_id:
            if a == b:
                continue
            x, y = by_id[a], by_id[b]
            same = (x.final, x.sections["I"], x.penalty) == (y.final, y.sections["I"], y.penalty)
            assert (rows[a].rank == rows[b].rank) == same
            if same:
                assert rows[a].tied and rows[a].tie_needs == "vote"
            # order agrees with the chain, lexicographically
            if chain_key(x) < chain_key(y):
                assert rows[a].rank < rows[b].rank


@given(units_strategy)
def test_property_ranks_are_competition_ranks(units):
    rows = rank(units).rows
    for position, row in enumerate(rows, 1):
        ahead = sum(1 for other in rows if other.final > row.final
                    or (other.rank < row.rank))
        assert row.rank == ahead + 1
        assert row.rank <= position


def sheets(unit_id, peers, appraisal=None):
    return UnitSheets(unit_id, tuple(SheetValues(Fraction(p), sections={"I": Fraction(p) / 2})
                                     for p in peers),
                      SheetValues(Fraction(appraisal), sections={"I": Fraction(appraisal) / 2})
                      if appraisal is not None else None)


def test_stability_reports_which_ranks_change_under_each_other_method():
    units = [
        sheets(1, [90, 90, 90, 60]),  # mean 82.5, trimmed 90, median 90
        sheets(2, [85, 85, 85, 85]),  # 85 every way
        sheets(3, [70, 80, 88, 99], appraisal=84),
    ]
    shifts = stability(APPRAISED, units, ["I"], DEFAULT_CHAIN)
    # appraised: 2 (85), 3 (84), 1 (82.5); mean: 2 (85), 3 (84.25), 1 (82.5) — the same;
    # trimmed mean and median: 1 (90), 2 (85), 3 (84) — every rank moves.
    assert shifts == {
        MEAN: [],
        TRIMMED_MEAN: [RankShift(1, 3, 1), RankShift(2, 1, 2), RankShift(3, 2, 3)],
        MEDIAN: [RankShift(1, 3, 1), RankShift(2, 1, 2), RankShift(3, 2, 3)],
    }
