"""A unit's final score (scoring.domain.aggregation): RULES.md 14, exact."""

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.scoring.domain.aggregation import (
    APPRAISED,
    MEAN,
    MEDIAN,
    TRIMMED_MEAN,
    Aggregate,
    SheetValues,
    UnitSheets,
    aggregate,
    trimmed_mean,
    unit_result,
)

points = st.integers(0, 11500).map(lambda h: F(h, 100))


def test_rule_14_appraised_score_wins_else_mean_of_peers():
    assert aggregate(APPRAISED, [F(80), F(90)], appraised=F(85)) == Aggregate(F(85), APPRAISED)
    assert aggregate(APPRAISED, [F(80), F(91)]) == Aggregate(F(171, 2), MEAN)
    assert aggregate(APPRAISED, []) == Aggregate(None, MEAN)  # no score is not 0


def test_rule_14_mean_is_exact_not_float():
    assert aggregate(MEAN, [F(90), F(90), F(91)]).value == F(271, 3)


def test_rule_14_trimmed_mean_drops_single_highest_and_lowest():
    assert aggregate(TRIMMED_MEAN, [F(70), F(90), F(91), F(92), F(99)]) == Aggregate(
        F(91), TRIMMED_MEAN, True)
    # Only one of two equal highest values is dropped.
    assert trimmed_mean([F(80), F(95), F(95), F(60)]) == (F(175, 2), True)


def test_rule_14_trimmed_mean_with_three_or_fewer_peers():
    """Documented: with 3 peers the middle value remains (= the median); with 1 or 2 peers
    nothing is dropped (dropping two would leave nothing) and trimmed=False says so; with
    none there is no score."""
    assert aggregate(TRIMMED_MEAN, [F(70), F(99), F(90)]) == Aggregate(F(90), TRIMMED_MEAN, True)
    assert aggregate(TRIMMED_MEAN, [F(70), F(99)]) == Aggregate(F(169, 2), TRIMMED_MEAN, False)
    assert aggregate(TRIMMED_MEAN, [F(70)]) == Aggregate(F(70), TRIMMED_MEAN, False)
    assert aggregate(TRIMMED_MEAN, []) == Aggregate(None, TRIMMED_MEAN, False)


@given(st.lists(points, min_size=1, max_size=3))
def test_property_trimmed_mean_defined_for_three_or_fewer_peers(values):
    value, trimmed = trimmed_mean(values)
    assert min(values) <= value <= max(values)
    if len(values) == 3:
        assert trimmed and value == sorted(values)[1]
    else:
        assert not trimmed and value == sum(values) / len(values)


def test_rule_14_median_odd_and_even():
    assert aggregate(MEDIAN, [F(3), F(1), F(2)]).value == 2
    assert aggregate(MEDIAN, [F(4), F(1), F(2), F(3)]).value == F(5, 2)


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        aggregate("max", [F(1)])


@given(st.sampled_from([APPRAISED, MEAN, TRIMMED_MEAN, MEDIAN]),
       st.lists(points, min_size=1, max_size=12), st.randoms())
def test_property_aggregates_lie_between_min_and_max_and_ignore_order(method, values, rnd):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    first, second = aggregate(method, values), aggregate(method, shuffled)
    assert first == second
    assert min(values) <= first.value <= max(values)


def test_unit_result_sections_bonus_penalty_and_spread():
    peers = (SheetValues(F(90), F(5), F(0), {"I": F(45)}),
             SheetValues(F(80), F(0), F(10), {"I": F(40)}),
             SheetValues(F(85), F(0), F(0), {"I": F(50)}))
    result = unit_result(MEAN, UnitSheets(7, peers, None, SheetValues(F(99))), ["I"])
    assert (result.final, result.bonus, result.penalty) == (F(85), F(5, 3), F(10, 3))
    assert result.sections == {"I": F(45)}
    assert (result.peer_count, result.spread, result.self_final) == (3, F(10), F(99))
    appraised = unit_result(APPRAISED, UnitSheets(7, peers, SheetValues(F(88), F(2), F(1),
                                                                        {"I": F(44)})), ["I"])
    assert (appraised.final, appraised.method, appraised.sections) == (F(88), APPRAISED,
                                                                        {"I": F(44)})
    lonely = unit_result(MEAN, UnitSheets(8, peers[:1]), ["I"])
    assert lonely.spread is None
