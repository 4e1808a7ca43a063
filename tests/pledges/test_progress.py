"""Progress of a target (pledges.domain.progress): exact fractions, held to [0, 1]."""

from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.pledges.domain.progress import Progress, progress


@pytest.mark.parametrize("baseline,target,actual,share", [
    (D("0"), D("100"), D("25"), Fraction(1, 4)),
    (D("0"), D("3"), D("1"), Fraction(1, 3)),              # exact: not 0.333…
    (D("10.50"), D("20.50"), D("13.83"), Fraction(333, 1000)),
    (D("0"), D("100"), D("0"), Fraction(0)),
    (D("0"), D("100"), D("100"), Fraction(1)),
    (D("0"), D("100"), D("250"), Fraction(1)),            # exceeded: held at 1
    (D("50"), D("100"), D("20"), Fraction(0)),            # fell below the baseline: held at 0
    (D("-10"), D("10"), D("0"), Fraction(1, 2)),
])
def test_exact_shares(baseline, target, actual, share):
    assert progress(baseline, target, actual) == Progress(share)


@pytest.mark.parametrize("actual,share", [
    (D("100"), Fraction(0)), (D("75"), Fraction(1, 2)), (D("50"), Fraction(1)),
    (D("10"), Fraction(1)), (D("120"), Fraction(0)),
])
def test_decreasing_target(actual, share):
    """Reduce something (e.g. 100 → 50 overdue files): the same formula, both signs flip."""
    assert progress(D("100"), D("50"), actual).share == share


def test_baseline_equal_to_target_is_done_once_reached():
    assert progress(D("95"), D("95"), D("95")) == Progress(Fraction(1))
    assert progress(D("95"), D("95"), D("96.5")) == Progress(Fraction(1))
    assert progress(D("95"), D("95"), D("94.99")) == Progress(Fraction(0))


def test_nothing_reported_is_no_progress():
    assert progress(D("0"), D("10"), None) == Progress(Fraction(0))
    assert progress(D("5"), D("5"), None) == Progress(Fraction(0))


def test_percent_is_rounded_down_and_done_only_at_one():
    assert progress(D("0"), D("1000"), D("996")).percent == 99
    assert not progress(D("0"), D("1000"), D("999.99")).done
    assert progress(D("0"), D("3"), D("2")).percent == 66
    assert progress(D("0"), D("1000"), D("1000")).percent == 100
    assert progress(D("0"), D("1000"), D("1000")).done
    assert progress(D("0"), D("1000"), D("0.01")).percent == 0


amounts = st.decimals(min_value=D("-99999999999999.99"), max_value=D("99999999999999.99"),
                      places=2, allow_nan=False, allow_infinity=False)


@given(amounts, amounts, amounts)
def test_share_is_an_exact_fraction_in_0_1(baseline, target, actual):
    result = progress(baseline, target, actual)
    assert isinstance(result.share, Fraction)
    assert 0 <= result.share <= 1
    assert 0 <= result.percent <= 100
    assert result.done == (result.share == 1)


@given(amounts, amounts, amounts, amounts)
def test_share_is_monotonic_in_actual(baseline, target, first, second):
    """Towards the target is never less progress: increasing targets rise with the actual,
    decreasing ones fall with it."""
    low, high = sorted((first, second))
    a, b = progress(baseline, target, low).share, progress(baseline, target, high).share
    if target >= baseline:
        assert a <= b
    else:
        assert a >= b
