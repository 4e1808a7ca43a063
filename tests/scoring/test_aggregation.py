"""A unit's final score (scoring.domain.aggregation): RULES.md 14, exact."""

from fractions import Fraction

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

points = st.integers(0, 11500).map(lambda h: Fraction(h, 100))


def test_rule_14_appraised_score_wins_else_mean_of_peers():
    assert aggregate(APPRAISED, [Fraction(80), Fraction(90)],
                     appraised=Fraction(85)) == Aggregate(Fraction(85), APPRAISED)
    assert aggregate(APPRAISED, [Fraction(80), Fraction(91)]) == Aggregate(Fraction(171, 2), MEAN)
    assert aggregate(APPRAISED, []) == Aggregate(None, MEAN)  # no score is not 0


def test_rule_14_mean_is_exact_not_float():
    assert aggregate(MEAN, [Fraction(90), Fraction(90), Fraction(91)]).value == Fraction(271, 3)


def test_rule_14_trimmed_mean_drops_single_highest_and_lowest():
    assert aggregate(TRIMMED_MEAN, [Fraction(70), Fraction(90), Fraction(91), Fraction(92),
                                    Fraction(99)]) == Aggregate(Fraction(91), TRIMMED_MEAN, True)
    # Only one of two equal highest values is dropped.
    assert trimmed_mean([Fraction(80), Fraction(95), Fraction(95), Fraction(60)]) == (
        Fraction(175, 2), True)


def test_rule_14_trimmed_mean_with_three_or_fewer_peers():
    """Documented: with 3 peers the middle value remains (= the median); with 1 or 2 peers
    nothing is dropped (dropping two would leave nothing) and trimmed=False says so; with
    none there is no score."""
    assert aggregate(TRIMMED_MEAN, [Fraction(70), Fraction(99), Fraction(90)]) == Aggregate(
        Fraction(90), TRIMMED_MEAN, True)
    assert aggregate(TRIMMED_MEAN, [Fraction(70), Fraction(99)]) == Aggregate(
        Fraction(169, 2), TRIMMED_MEAN, False)
    assert aggregate(TRIMMED_MEAN, [Fraction(70)]) == Aggregate(
        Fraction(70), TRIMMED_MEAN, False)
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
    assert aggregate(MEDIAN, [Fraction(3), Fraction(1), Fraction(2)]).value == 2
    assert aggregate(MEDIAN, [Fraction(4), Fraction(1), Fraction(2),
                              Fraction(3)]).value == Fraction(5, 2)


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        aggregate("max", [Fraction(1)])


@given(st.sampled_from([APPRAISED, MEAN, TRIMMED_MEAN, MEDIAN]),
       st.lists(points, min_size=1, max_size=12), st.randoms())
def test_property_aggregates_lie_between_min_and_max_and_ignore_order(method, values, rnd):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    first, second = aggregate(method, values), aggregate(method, shuffled)
    assert first == second
    assert min(values) <= first.value <= max(values)


def test_unit_result_sections_bonus_penalty_and_spread():
    peers = (SheetValues(Fraction(90), Fraction(5), Fraction(0), {"I": Fraction(45)}),
             SheetValues(Fraction(80), Fraction(0), Fraction(10), {"I": Fraction(40)}),
             SheetValues(Fraction(85), Fraction(0), Fraction(0), {"I": Fraction(50)}))
    result = unit_result(MEAN, UnitSheets(7, peers, None, SheetValues(Fraction(99))), ["I"])
    assert (result.final, result.bonus, result.penalty) == (
        Fraction(85), Fraction(5, 3), Fraction(10, 3))
    assert result.sections == {"I": Fraction(45)}
    assert (result.peer_count, result.spread, result.self_final) == (
        3, Fraction(10), Fraction(99))
    appraised = unit_result(APPRAISED, UnitSheets(7, peers, SheetValues(
        Fraction(88), Fraction(2), Fraction(1), {"I": Fraction(44)})), ["I"])
    assert (appraised.final, appraised.method, appraised.sections) == (Fraction(88), APPRAISED,
                                                                        {"I": Fraction(44)})
    lonely = unit_result(MEAN, UnitSheets(8, peers[:1]), ["I"])
    assert lonely.spread is None
