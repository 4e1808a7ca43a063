"""Thresholds as the rulebook states them (RULES.md 28, 31): exact integer comparisons,
the base and the comparison named (DESIGN.md "Exact thresholds")."""

import datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.law.rulebook import FractionRule
from thidua.law.rulebooks import rulebook_for

BOOK = rulebook_for("BN", datetime.date(2026, 1, 15))


@pytest.mark.parametrize("rule,base,minimum", [
    (FractionRule("more_than", Fraction(1, 2)), 12, 7),
    (FractionRule("more_than", Fraction(1, 2)), 11, 6),
    (FractionRule("at_least", Fraction(2, 3)), 9, 6),
    (FractionRule("at_least", Fraction(2, 3)), 10, 7),
    (FractionRule("at_least", Fraction(7, 10)), 10, 7),
    (FractionRule("at_least", Fraction(7, 10)), 11, 8),
    (FractionRule("at_least", Fraction(1)), 20, 20),
])
def test_minimum_counts(rule, base, minimum):
    assert rule.minimum(base) == minimum
    assert rule.is_met(minimum, base)
    assert not rule.is_met(minimum - 1, base)


def test_rule_28_quorum_of_12_members_is_8_present():
    quorum = BOOK.value("voting.quorum")
    assert str(quorum) == "ít nhất 2/3"
    assert quorum.is_met(8, 12) and not quorum.is_met(7, 12)


def test_rule_31_default_threshold_more_than_half_of_all_members():
    threshold = BOOK.value("voting.threshold")
    assert (str(threshold), BOOK.value("voting.base")) == ("hơn 1/2", "members")
    assert threshold.is_met(7, 12) and not threshold.is_met(6, 12)


@given(st.integers(1, 100), st.integers(1, 100), st.integers(0, 500),
       st.sampled_from(["more_than", "at_least"]))
def test_minimum_is_the_exact_boundary(num, den, base, comparison):
    if num > den:
        num, den = den, num
    rule = FractionRule(comparison, Fraction(num, den))
    minimum = rule.minimum(base)
    exact = Fraction(num, den) * base
    assert rule.is_met(minimum, base)
    assert minimum == 0 or not rule.is_met(minimum - 1, base)
    assert (minimum > exact) if comparison == "more_than" else (minimum >= exact)
