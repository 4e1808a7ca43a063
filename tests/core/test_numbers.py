"""Numbers for people to read (core.numbers): half-up rounding, decimal comma, words."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.core.numbers import half_up, vi_number, vi_words


@pytest.mark.parametrize("value,places,expected", [
    (Decimal("0.5"), 0, Decimal("1")),
    (Decimal("1.5"), 0, Decimal("2")),
    (Decimal("2.5"), 0, Decimal("3")),  # banker's rounding would give 2
    (Decimal("-0.5"), 0, Decimal("-1")),  # half away from zero
    (Decimal("0.125"), 2, Decimal("0.13")),
    (Decimal("0.124"), 2, Decimal("0.12")),
    (Fraction(1, 200), 2, Decimal("0.01")),
    (Fraction(279, 19), 2, Decimal("14.68")),
    (Fraction(-1, 200), 2, Decimal("-0.01")),
    (7, 2, Decimal("7.00")),
    (Decimal("97.5"), 1, Decimal("97.5")),
])
def test_half_up_rounds_half_away_from_zero_as_a_scorer_does_rule_14(value, places, expected):
    result = half_up(value, places)
    assert result == expected
    assert result.as_tuple().exponent == -places


def test_half_up_is_exact_where_decimal_division_would_round_twice():
    # 1/200 minus a hair: 28-digit division rounds it to 0.005000…0 and then up to 0.01.
    hair = Fraction(1, 10 ** 40)
    assert half_up(Fraction(1, 200) - hair) == Decimal("0.00")
    assert half_up(Fraction(1, 200)) == Decimal("0.01")


def test_floats_are_refused_they_are_not_exact():
    with pytest.raises(TypeError):
        half_up(0.5)
    with pytest.raises(TypeError):
        vi_number(97.5)


@pytest.mark.parametrize("value,expected", [
    (Decimal("97.5"), "97,50"),
    (Decimal("1234.5"), "1.234,50"),
    (Fraction(123456789, 100), "1.234.567,89"),
    (Fraction(2, 3), "0,67"),
    (Decimal("-3.005"), "-3,01"),
    (0, "0,00"),
    (None, "—"),
])
def test_vi_number_writes_a_decimal_comma_and_thousands_dots(value, expected):
    assert vi_number(value) == expected


def test_vi_number_places():
    assert vi_number(Decimal("2.5"), 0) == "3"
    assert vi_number(Fraction(1, 3), 3) == "0,333"


@pytest.mark.parametrize("number,expected", [
    (0, "không"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (25, "hai mươi lăm"),
    (55, "năm mươi lăm"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (115, "một trăm mười lăm"),
    (1_000, "một nghìn"),
    (1_005, "một nghìn không trăm linh năm"),
    (1_010, "một nghìn không trăm mười"),
    (12_345, "mười hai nghìn ba trăm bốn mươi lăm"),
    (1_000_005, "một triệu không trăm linh năm"),
    (1_005_000, "một triệu không trăm linh năm nghìn"),
    (1_000_000_000, "một tỷ"),
    (2_000_000_021, "hai tỷ không trăm hai mươi mốt"),
    (1_000_000_000_000, "một nghìn tỷ"),
    (-3, "âm ba"),
])
def test_vi_words_reads_a_whole_number_as_a_paper_writes_it(number, expected):
    assert vi_words(number) == expected


@pytest.mark.parametrize("value", [1.0, Decimal("1"), "1", True])
def test_vi_words_takes_only_whole_numbers(value):
    with pytest.raises(TypeError):
        vi_words(value)


@given(st.integers(min_value=1, max_value=10 ** 15))
def test_vi_words_never_leaves_a_gap_or_an_empty_word(number):
    words = vi_words(number).split(" ")
    assert all(words)
    assert words[0] not in ("linh", "mươi", "mốt", "không", "trăm", "nghìn", "triệu", "tỷ")
