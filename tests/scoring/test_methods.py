"""The scoring methods (scoring.domain.methods): worked examples, exact Fractions."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.core.numbers import half_up, vi_number
from thidua.scoring.domain.methods import (
    ScoringError,
    TargetFact,
    best_actuals,
    points_for,
    target_criterion_points,
    target_formula_points,
)

from .specs import leaf


def test_graded_accepts_only_its_steps_rule_10():
    spec = leaf("I.2", 10, "graded", grades=[0, 5, 10])
    assert points_for(spec, {"points": "5"}) == Fraction(5)
    assert points_for(spec, {"points": 10}) == Fraction(10)
    with pytest.raises(ScoringError) as exc:
        points_for(spec, {"points": "7"})
    assert str(exc.value) == ("Tiêu chí I.2 “Tiêu chí I.2”: chỉ được chấm một trong các mức "
                              "0,00, 5,00, 10,00; đã nhập 7,00.")


def test_free_points_within_zero_and_max_rule_10():
    spec = leaf("X", 10, "free")
    assert points_for(spec, {"points": "7,25"}) == Fraction(29, 4)  # a decimal comma is accepted
    assert points_for(spec, {"points": "0"}) == 0
    assert points_for(spec, {"points": "10.00"}) == 10
    for bad, message in [
        ("10.01", "Tiêu chí X “Tiêu chí X”: điểm phải từ 0 đến 10,00 (Quy tắc 10); "
                  "đã nhập 10,01."),
        ("-1", "Tiêu chí X “Tiêu chí X”: điểm phải từ 0 đến 10,00 (Quy tắc 10); đã nhập -1,00."),
        ("1.005", "Tiêu chí X “Tiêu chí X”: điểm chỉ được có tối đa 2 chữ số thập phân."),
        ("mười", "Tiêu chí X “Tiêu chí X”: điểm “mười” không phải là số."),
        ("", "Tiêu chí X “Tiêu chí X”: chưa nhập điểm."),
    ]:
        with pytest.raises(ScoringError) as exc:
            points_for(spec, {"points": bad})
        assert str(exc.value) == message


def test_floats_are_refused():
    with pytest.raises(ScoringError):
        points_for(leaf("X", 10, "free"), {"points": 7.25})


def test_deduction_per_item_from_max_floored_at_zero():
    spec = leaf("V.1", 10, "deduction", per_item=2)
    assert [points_for(spec, {"items": n}) for n in range(7)] == [10, 8, 6, 4, 2, 0, 0]
    with pytest.raises(ScoringError):
        points_for(spec, {"items": -1})
    with pytest.raises(ScoringError):
        points_for(spec, {"items": "1.5"})


def test_count_times_points_capped_rule_15():
    spec = leaf("II.3", 5, "count", per_item="1.5")
    assert [points_for(spec, {"count": n}) for n in range(6)] == [
        0, Fraction(3, 2), 3, Fraction(9, 2), 5, 5]
    capped = leaf("II.4", 5, "count", per_item=1, cap=3)
    assert points_for(capped, {"count": 10}) == 3


def test_bonus_and_penalty_count_items_capped_at_their_max():
    bonus = leaf("B.3", 15, "bonus", per_item=2)
    assert points_for(bonus, {"count": 3}) == 6
    assert points_for(bonus, {"count": 9}) == 15
    penalty = leaf("P.1", 10, "penalty", per_item=10)
    assert points_for(penalty, {"count": 1}) == 10


def test_imported_value_within_max():
    spec = leaf("III.1", 15, "imported")
    assert points_for(spec, {"points": "13.47"}) == Fraction(1347, 100)
    with pytest.raises(ScoringError):
        points_for(spec, {"points": "15.5"})


# --- RULES.md 15: the four cases, exactly -------------------------------------------------

def test_rule_15_case_1_below_target():
    # 0.5 · 30 · 93 / 95 = 279/19 (≈ 14.68), exactly, not a float.
    assert target_formula_points(Fraction(30), Fraction(95), Fraction(93),
                                 best=Fraction(99)) == Fraction(279, 19)


def test_rule_15_case_2_target_met():
    assert target_formula_points(Fraction(30), Fraction(95), Fraction(95),
                                 best=Fraction(99)) == Fraction(15)


def test_rule_15_case_3_exceeded_and_highest_in_bloc():
    assert target_formula_points(Fraction(30), Fraction(95), Fraction(99),
                                 best=Fraction(99)) == Fraction(30)


def test_rule_15_case_4_exceeded_not_highest():
    # 15 + 15 · (97 − 95) / (99 − 95) = 15 + 7.5 = 22.5
    assert target_formula_points(Fraction(30), Fraction(95), Fraction(97),
                                 best=Fraction(99)) == Fraction(45, 2)
    # 15 + 15 · 1/3 = 20
    assert target_formula_points(Fraction(30), Fraction(20), Fraction(21),
                                 best=Fraction(23)) == Fraction(20)


def test_rule_15_negative_actual_counts_zero_and_target_must_be_positive():
    assert target_formula_points(Fraction(30), Fraction(10), Fraction(-5), best=Fraction(10)) == 0
    with pytest.raises(ScoringError):
        target_formula_points(Fraction(30), Fraction(0), Fraction(5), best=Fraction(5))


@given(st.fractions(min_value=1, max_value=1000), st.fractions(min_value=0, max_value=2000),
       st.fractions(min_value=0, max_value=500), st.fractions(min_value=0, max_value=100))
def test_rule_15_formula_stays_within_zero_and_max_and_grows_with_actual(target, actual, extra,
                                                                         max_points):
    best = actual + extra
    points = target_formula_points(max_points, target, actual, best)
    assert 0 <= points <= max_points
    assert points <= target_formula_points(max_points, target, best, best)


def test_rule_15_criterion_over_the_units_targets_uses_best_per_indicator():
    spec = leaf("I.1", 30, "target_formula")
    mine = [TargetFact("ho so dung han", Fraction(95), Fraction(97), "Hồ sơ đúng hạn"),
            TargetFact("giai ngan", Fraction(80), Fraction(80), "Giải ngân")]
    bloc = mine + [TargetFact("ho so dung han", Fraction(96), Fraction(99)),
                   TargetFact("giai ngan", Fraction(90), Fraction(85))]
    best = best_actuals(bloc)
    assert best == {"ho so dung han": Fraction(99), "giai ngan": Fraction(85)}
    # (22.5 + 15) / 2
    assert target_criterion_points(spec, mine, best) == Fraction(75, 4)
    only = leaf("I.1", 30, "target_formula", indicator="giai ngan")
    assert target_criterion_points(only, mine, best) == Fraction(15)


def test_rule_15_no_registered_target_scores_zero():
    assert target_criterion_points(leaf("I.1", 30, "target_formula"), [], {}) == 0


def test_rule_15_missing_actual_is_an_error_naming_the_target():
    spec = leaf("I.1", 30, "target_formula")
    with pytest.raises(ScoringError) as exc:
        target_criterion_points(spec, [TargetFact("a", Fraction(5), None, "Số sáng kiến")], {})
    assert str(exc.value) == ("Tiêu chí I.1 “Tiêu chí I.1”: chỉ tiêu “Số sáng kiến” chưa có kết "
                              "quả báo cáo (Quy tắc 15).")


def test_storage_rounds_to_hundredths_half_up_and_display_uses_decimal_comma():
    assert half_up(Fraction(279, 19)) == Decimal("14.68")
    assert half_up(Fraction(1, 200)) == Decimal("0.01")
    assert vi_number(Fraction(1, 200)) == "0,01"
    assert vi_number(Fraction(123456789, 100)) == "1.234.567,89"
    assert vi_number(Decimal("107")) == "107,00"
    assert vi_number(None) == "—"
