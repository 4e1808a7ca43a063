"""Bonus points carried into the next year (RULES.md 11, law.bonus)."""

import datetime
from decimal import Decimal

from thidua.law.bonus import AwardRecord, bonus_points, next_year_bonuses
from thidua.law.rulebooks import rulebook_for

BOOK = rulebook_for("BN", datetime.date(2026, 1, 15))


def test_rule_11_government_flag_last_year_gives_15():
    history = [AwardRecord(1, 2025, "government_flag", "123/QĐ-UBND")]
    bonus = bonus_points(1, 2026, history, BOOK)
    assert bonus.points == Decimal(15)
    assert str(bonus) == (
        "Được tặng Cờ thi đua của Chính phủ năm 2025 (Quyết định số 123/QĐ-UBND): cộng 15 "
        "điểm thưởng năm 2026 — Bảng tiêu chí chấm điểm cụm, khối thi đua của TP. Hồ Chí "
        "Minh (thực tiễn)")


def test_rule_11_provincial_flag_gives_10_and_other_awards_nothing():
    history = [AwardRecord(1, 2025, "provincial_flag"), AwardRecord(2, 2025,
                                                                   "certificate_of_merit"),
               AwardRecord(3, 2024, "government_flag"), AwardRecord(4, 2025,
                                                                   "excellent_collective")]
    bonuses = next_year_bonuses(2026, history, [1, 2, 3, 4, 5], BOOK)
    assert {u: b.points for u, b in bonuses.items()} == {
        1: Decimal(10), 2: Decimal(0), 3: Decimal(0), 4: Decimal(0), 5: Decimal(0)}
    assert bonuses[3].explanation == (
        "Năm 2025 không có khen thưởng được cộng điểm thưởng")


def test_rule_11_two_flags_for_one_year_count_once_the_higher():
    history = [AwardRecord(1, 2025, "provincial_flag"), AwardRecord(1, 2025,
                                                                   "government_flag")]
    assert bonus_points(1, 2026, history, BOOK).points == Decimal(15)
