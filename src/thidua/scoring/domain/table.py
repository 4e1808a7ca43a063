"""A criteria table as a tree (functional core): validation and a sheet's figures.

RULES.md 9: the leaves of the table add up to its total; bonus and penalty sit outside it,
each in its own top-level section whose `max_points` caps that part. RULES.md 10: only the
bonus may push a sheet above the table total.
"""

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from thidua.core.numbers import vi_number
from thidua.law.award_forms import AwardForm
from thidua.scoring.domain.methods import (
    AWARD_FORMS,
    BONUS,
    BONUS_PART,
    COUNT,
    DEDUCTION,
    GRADED,
    METHODS,
    PENALTY_PART,
    REGULAR,
    CriterionSpec,
    ScoringError,
    as_fraction,
    part_of,
)

MAX_POINTS_LIMIT = Fraction(10_000)  # DecimalField(6, 2)


def _hundredths(value: Fraction) -> bool:
    return (value * 100).denominator == 1


def table_errors(total: Fraction, specs: list[CriterionSpec]) -> list[str]:
    """Every problem of the table, each a sentence naming the criterion; [] if valid."""
    errors: list[str] = []
    by_code: dict[str, CriterionSpec] = {}
    for spec in specs:
        if not spec.code.strip():
            errors.append(f"Tiêu chí “{spec.title}” chưa có mã.")
        elif spec.code in by_code:
            errors.append(f"Mã tiêu chí {spec.code} bị trùng: mỗi mã chỉ dùng một lần trong "
                          "bảng.")
        else:
            by_code[spec.code] = spec
    if total <= 0 or not _hundredths(total) or total >= MAX_POINTS_LIMIT:
        errors.append(f"Tổng điểm của bảng ({vi_number(total)}) không hợp lệ.")
    children = defaultdict(list)
    for spec in by_code.values():
        if spec.max_points < 0:
            errors.append(f"Tiêu chí {spec.label}: điểm chuẩn không được âm.")
        elif not _hundredths(spec.max_points) or spec.max_points >= MAX_POINTS_LIMIT:
            errors.append(f"Tiêu chí {spec.label}: điểm chuẩn chỉ có tối đa 2 chữ số thập phân "
                          "và nhỏ hơn 10.000.")
        if spec.parent is not None:
            parent = by_code.get(spec.parent)
            if parent is None:
                errors.append(f"Tiêu chí {spec.label}: nhóm cha {spec.parent} không tồn tại.")
                continue
            if not parent.is_section:
                errors.append(f"Tiêu chí {spec.label}: {parent.label} là tiêu chí lá, không "
                              "chứa được tiêu chí con.")
                continue
            children[spec.parent].append(spec)
        if not spec.is_section:
            errors += _method_errors(spec)
    errors += _cycle_errors(by_code)
    if errors:
        return errors  # the sums below mean nothing on a broken tree
    shape = TableShape(total, list(by_code.values()))
    for spec in by_code.values():
        if not spec.is_section:
            if spec.part != REGULAR:
                parent = by_code.get(spec.parent) if spec.parent else None
                if parent is None or parent.parent is not None:
                    errors.append(f"Tiêu chí {spec.label}: điểm thưởng, điểm trừ phải nằm trong "
                                  "một nhóm cấp cao nhất dành riêng cho chúng (Quy tắc 9).")
            continue
        kids = children.get(spec.code, [])
        if not kids:
            errors.append(f"Nhóm {spec.label} chưa có tiêu chí nào.")
            continue
        parts = {shape.part[code] for code in _leaves_under(spec.code, children)}
        if len(parts) > 1:
            errors.append(f"Nhóm {spec.label} trộn tiêu chí tính vào tổng điểm với điểm thưởng "
                          "hoặc điểm trừ; hãy tách riêng (Quy tắc 9).")
            continue
        if parts == {REGULAR}:
            kid_sum = sum((k.max_points for k in kids), Fraction(0))
            if kid_sum != spec.max_points:
                errors.append(
                    f"Nhóm {spec.label}: điểm chuẩn {vi_number(spec.max_points)} khác tổng "
                    f"điểm các tiêu chí con {vi_number(kid_sum)}.")
    leaf_sum = sum((s.max_points for s in by_code.values()
                    if not s.is_section and s.part == REGULAR), Fraction(0))
    if leaf_sum != total:
        errors.append(f"Tổng điểm chuẩn các tiêu chí ({vi_number(leaf_sum)}) khác tổng điểm "
                      f"của bảng ({vi_number(total)}); điểm thưởng, điểm trừ không tính vào "
                      "tổng (Quy tắc 9).")
    return errors


def _method_errors(spec: CriterionSpec) -> list[str]:
    if spec.method not in METHODS:
        return [f"Tiêu chí {spec.label}: phương pháp chấm “{spec.method}” không hợp lệ."]
    errors = _award_form_errors(spec)
    try:
        if spec.method == GRADED:
            steps = [as_fraction(str(g)) for g in spec.params.get("grades", [])]
            if not steps:
                errors.append(f"Tiêu chí {spec.label}: chấm theo mức cần danh sách các mức "
                              "điểm.")
            elif len(set(steps)) != len(steps) or any(
                    not 0 <= g <= spec.max_points or not _hundredths(g) for g in steps):
                errors.append(f"Tiêu chí {spec.label}: các mức điểm phải khác nhau, từ 0 đến "
                              f"{vi_number(spec.max_points)}.")
        if spec.method in (DEDUCTION, COUNT) or part_of(spec.method) != REGULAR:
            step = as_fraction(str(spec.params.get("per_item", 1)))
            if step <= 0 or not _hundredths(step):
                errors.append(f"Tiêu chí {spec.label}: số điểm mỗi lượt phải lớn hơn 0.")
            raw_cap = spec.params.get("cap")
            if raw_cap is not None and not 0 <= as_fraction(str(raw_cap)) <= spec.max_points:
                errors.append(f"Tiêu chí {spec.label}: mức trần phải từ 0 đến điểm chuẩn.")
    except (TypeError, ValueError, ArithmeticError, ScoringError):
        errors.append(f"Tiêu chí {spec.label}: tham số của phương pháp chấm không phải là số.")
    return errors


def _award_form_errors(spec: CriterionSpec) -> list[str]:
    """RULES.md 11: `award_forms` (the forms held the previous year that earn the bonus)
    only on a bonus criterion, each a known award form."""
    if AWARD_FORMS not in spec.params:
        return []
    if spec.method != BONUS:
        return [f"Tiêu chí {spec.label}: chỉ tiêu chí điểm thưởng mới được tính theo khen "
                "thưởng năm trước (Quy tắc 11)."]
    forms = spec.params[AWARD_FORMS]
    if not isinstance(forms, (list, tuple)) or not forms:
        return [f"Tiêu chí {spec.label}: cần ghi ít nhất một hình thức khen thưởng năm trước "
                "được cộng điểm thưởng (Quy tắc 11)."]
    unknown = [str(f) for f in forms if f not in AwardForm.values]
    if unknown:
        return [f"Tiêu chí {spec.label}: hình thức khen thưởng " + ", ".join(
            f"“{f}”" for f in unknown) + " không có trong danh sách (" + ", ".join(
            AwardForm.labels) + ")."]
    return []


def _cycle_errors(by_code) -> list[str]:
    for spec in by_code.values():
        seen, current = set(), spec
        while current is not None and current.parent is not None:
            if current.code in seen:
                return [f"Tiêu chí {spec.label} nằm trong một vòng lặp nhóm cha – con."]
            seen.add(current.code)
            current = by_code.get(current.parent)
    return []


def _leaves_under(code, children):
    for kid in children.get(code, []):
        if kid.is_section:
            yield from _leaves_under(kid.code, children)
        else:
            yield kid.code


# --- a sheet's figures --------------------------------------------------------------------

@dataclass(frozen=True)
class SheetFigures:
    """One sheet's totals. `sections` holds the raw sum per section (uncapped)."""

    total: Fraction
    bonus: Fraction
    penalty: Fraction
    sections: dict

    @property
    def final(self) -> Fraction:
        """RULES.md 10: total + bonus − penalty, never below 0. The total is at most the
        table total, so only the bonus can take the final above it (97 + 10 = 107)."""
        return max(Fraction(0), self.total + self.bonus - self.penalty)


class TableShape:
    """What a valid table means for sums: each leaf's part and ancestor sections, and
    the cap of each top-level bonus / penalty section."""

    def __init__(self, total: Fraction, specs: list[CriterionSpec]):
        self.total = total
        self.specs = {s.code: s for s in specs}
        self.part: dict[str, str] = {}
        self.ancestors: dict[str, tuple[str, ...]] = {}
        for spec in specs:
            chain, current = [], spec.parent
            while current is not None and len(chain) <= len(specs):
                chain.append(current)
                current = self.specs[current].parent if current in self.specs else None
            self.ancestors[spec.code] = tuple(chain)
            if not spec.is_section:
                self.part[spec.code] = spec.part
        self.leaves = [s for s in specs if not s.is_section]
        self.capped = {  # top-level section code → (part, cap)
            s.code: (part, s.max_points)
            for s in specs if s.is_section and s.parent is None
            for part in {self.part.get(code) for code in self.part
                         if self.ancestors[code] and self.ancestors[code][-1] == s.code}
            if part in (BONUS_PART, PENALTY_PART)
        }

    def figures(self, points: dict[str, Fraction]) -> SheetFigures:
        """From scratch: the figures of a sheet whose leaves scored `points` (missing
        leaves count 0). `apply` must always agree with this (property-tested)."""
        return self.apply(SheetFigures(Fraction(0), Fraction(0), Fraction(0), {}),
                          {code: (Fraction(0), value) for code, value in points.items()})

    def apply(self, figures: SheetFigures, changes: dict) -> SheetFigures:
        """Incremental: `changes` maps leaf code → (old points, new points). Only the
        touched sections move; what a service keeps current in the changing transaction."""
        sections = dict(figures.sections)
        total = figures.total
        for code, (old, new) in changes.items():
            delta = new - old
            if self.part[code] == REGULAR:
                total += delta
            for section in self.ancestors[code]:
                sections[section] = sections.get(section, Fraction(0)) + delta
        bonus = penalty = Fraction(0)
        for section, (part, cap) in self.capped.items():
            value = min(sections.get(section, Fraction(0)), cap)
            if part == BONUS_PART:
                bonus += value
            else:
                penalty += value
        return SheetFigures(total, bonus, penalty, sections)
