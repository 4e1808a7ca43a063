"""Bonus points carried into the next year from the awards a unit received (RULES.md 11).

Functional core: the award history in, the next year's bonus out, explained. The values
come from the rulebook of the scoring year (`scoring.previous_award_bonus`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from thidua.law.award_forms import label_in
from thidua.law.rulebook import Citation, Rulebook


@dataclass(frozen=True)
class AwardRecord:
    """A decided award (Award model, or any history import)."""

    unit_id: int
    year: int
    award_form: str
    decision_number: str = ""


@dataclass(frozen=True)
class Bonus:
    unit_id: int
    year: int  # the year the bonus is scored in
    points: Decimal
    award: AwardRecord | None
    explanation: str
    citation: Citation

    def __str__(self):
        return f"{self.explanation} — {self.citation}"


def bonus_points(unit_id: int, year: int, history: Iterable[AwardRecord],
                 rulebook: Rulebook, kind_word: str = "tỉnh") -> Bonus:
    """The bonus of `unit_id` in `year` for the awards it received for `year - 1`.

    One achievement earns one award (RULES 22), so a unit has at most one flag for a year;
    should the history hold two (an import, a mistake), the higher bonus counts, once.
    `kind_word` ("tỉnh" / "thành phố") names the award as the province does (RULES.md 35).
    """
    table = rulebook.value("scoring.previous_award_bonus")
    citation = rulebook.citation("scoring.previous_award_bonus")
    previous = [a for a in history if a.unit_id == unit_id and a.year == year - 1
                and a.award_form in table]
    if not previous:
        return Bonus(unit_id, year, Decimal(0), None,
                     f"Năm {year - 1} không có khen thưởng được cộng điểm thưởng", citation)
    best = max(previous, key=lambda a: (table[a.award_form], a.award_form))
    points = table[best.award_form]
    decision = f" (Quyết định số {best.decision_number})" if best.decision_number else ""
    return Bonus(unit_id, year, points, best,
                 f"Được tặng {label_in(best.award_form, kind_word)} năm {year - 1}{decision}: "
                 f"cộng {points.normalize():f} điểm thưởng năm {year}", citation)


def next_year_bonuses(year: int, history: Iterable[AwardRecord], unit_ids: Iterable[int],
                      rulebook: Rulebook) -> dict:
    """unit id → Bonus for every unit of a bloc year (one pass over the history)."""
    history = list(history)
    return {unit_id: bonus_points(unit_id, year, history, rulebook) for unit_id in unit_ids}


def lineage_bonus(unit_id: int, year: int, roots: Iterable[int], whole: bool,
                  history: Iterable[AwardRecord], rulebook: Rulebook, names: dict,
                  kind_word: str = "tỉnh") -> Bonus:
    """RULES.md 45: the bonus of a unit reorganised after `year - 1`, from the awards of
    the units it stems from (`roots`, org.domain.lineage.roots). A merge passes on only
    what every merged collective earned — the lowest of their bonuses; a split (`whole`
    false) passes nothing on. With one root (a rename) it is that unit's bonus."""
    citation = rulebook.citation("scoring.previous_award_bonus")
    if not whole:
        return Bonus(unit_id, year, Decimal(0), None,
                     f"Đơn vị hình thành do chia tách sau năm {year - 1}: khen thưởng của "
                     "đơn vị trước không được cộng điểm thưởng (Quy tắc 45)", citation)
    history = list(history)
    each = sorted((bonus_points(root, year, history, rulebook, kind_word)
                   for root in sorted(roots)),
                  key=lambda b: (b.points, b.unit_id))
    lowest = each[0]
    name = names.get(lowest.unit_id, "")
    if len(each) == 1:
        text = f"{name} (trước sắp xếp): {lowest.explanation}"
    elif lowest.points == 0:
        text = (f"{name} (trước sắp xếp) năm {year - 1} không có khen thưởng được cộng điểm "
                "thưởng: đơn vị sau sáp nhập chỉ kế thừa điều mọi đơn vị trước đều đạt "
                "(Quy tắc 45)")
    else:
        text = (f"Mọi đơn vị trước sáp nhập đều được khen thưởng năm {year - 1}; mức thấp "
                f"nhất ({name}): {lowest.explanation} (Quy tắc 45)")
    return Bonus(unit_id, year, lowest.points, lowest.award, text, citation)
