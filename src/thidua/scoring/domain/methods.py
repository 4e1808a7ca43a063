"""The scoring methods of a leaf criterion (functional core): raw input → exact points.

Every function returns a `Fraction` in [0, max] (RULES.md 10) or raises `ScoringError`
with a Vietnamese sentence naming the criterion. Storage rounds to hundredths (the unit of
points in a table) with `core.numbers.half_up`, as every page and paper does.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from thidua.core.numbers import vi_number

GRADED, FREE, DEDUCTION, COUNT = "graded", "free", "deduction", "count"
TARGET_FORMULA, IMPORTED, BONUS, PENALTY = "target_formula", "imported", "bonus", "penalty"
METHODS = (GRADED, FREE, DEDUCTION, COUNT, TARGET_FORMULA, IMPORTED, BONUS, PENALTY)
METHOD_LABELS = {
    GRADED: "Chấm theo mức",
    FREE: "Chấm tự do trong khung điểm",
    DEDUCTION: "Trừ điểm theo lỗi",
    COUNT: "Tính theo số lượng",
    TARGET_FORMULA: "Công thức theo chỉ tiêu",
    IMPORTED: "Số liệu từ hệ thống khác",
    BONUS: "Điểm thưởng",
    PENALTY: "Điểm trừ",
}
# Where a leaf's points go on a sheet: the table total, or bonus / penalty outside it
# (RULES.md 9).
REGULAR, BONUS_PART, PENALTY_PART = "regular", "bonus", "penalty"
# Methods whose points the scorer does not type: computed from pledge data or imported.
COMPUTED = frozenset({TARGET_FORMULA, IMPORTED})
# A bonus criterion with this parameter (a list of award form values) is computed too:
# from the unit's decided awards of the previous year (RULES.md 11).
AWARD_FORMS = "award_forms"


def part_of(method: str) -> str:
    return {BONUS: BONUS_PART, PENALTY: PENALTY_PART}.get(method, REGULAR)


def is_award_bonus(method: str, params: dict | None) -> bool:
    """A bonus read from last year's awards (RULES.md 11), not typed."""
    return method == BONUS and bool((params or {}).get(AWARD_FORMS))


def is_computed(method: str, params: dict | None = None) -> bool:
    """Whether the scorer leaves the criterion's points to the product: the target
    formula, imported values, and a bonus for last year's awards (only the appraisal
    may change them, with a reason)."""
    return method in COMPUTED or is_award_bonus(method, params)


class ScoringError(ValueError):
    """Input a method refuses; the message is for the user."""


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion as the core sees it. `parent` is the code of its section, or None."""

    code: str
    title: str
    is_section: bool
    max_points: Fraction
    method: str = ""
    params: dict = field(default_factory=dict, hash=False, compare=False)
    parent: str | None = None
    evidence_required: bool = False

    @property
    def part(self) -> str:
        return part_of(self.method)

    @property
    def label(self) -> str:
        return f"{self.code} “{self.title}”"

    @property
    def computed(self) -> bool:
        return is_computed(self.method, self.params)


def as_fraction(value) -> Fraction:
    """Decimal / int / str → Fraction; floats are refused (points are never floats)."""
    if isinstance(value, float):
        raise TypeError("điểm không được là số thực dấu phẩy động")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return Fraction(Decimal(value.strip().replace(",", ".")))
    return Fraction(value)


def _whole(value, label: str, what: str) -> int:
    try:
        number = as_fraction(value)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ScoringError(f"Tiêu chí {label}: {what} phải là số nguyên không âm.") from exc
    if number.denominator != 1 or number < 0:
        raise ScoringError(f"Tiêu chí {label}: {what} phải là số nguyên không âm.")
    return int(number)


def _points(value, label: str) -> Fraction:
    try:
        number = as_fraction(value)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ScoringError(f"Tiêu chí {label}: điểm “{value}” không phải là số.") from exc
    if (number * 100).denominator != 1:
        raise ScoringError(f"Tiêu chí {label}: điểm chỉ được có tối đa 2 chữ số thập phân.")
    return number


def _within(points: Fraction, spec: CriterionSpec) -> Fraction:
    if not 0 <= points <= spec.max_points:
        raise ScoringError(
            f"Tiêu chí {spec.label}: điểm phải từ 0 đến {_show(spec.max_points)} "
            f"(Quy tắc 10); đã nhập {_show(points)}.")
    return points


def _show(value: Fraction) -> str:
    return vi_number(value)


def per_item(spec: CriterionSpec) -> Fraction:
    return as_fraction(str(spec.params.get("per_item", 1)))


def cap(spec: CriterionSpec) -> Fraction:
    """count × points is capped at `cap` if given, and never above the criterion's max."""
    raw = spec.params.get("cap")
    return spec.max_points if raw is None else min(as_fraction(str(raw)), spec.max_points)


def grades(spec: CriterionSpec) -> list[Fraction]:
    return [as_fraction(str(g)) for g in spec.params.get("grades", [])]


def points_for(spec: CriterionSpec, raw: dict) -> Fraction:
    """The points of one entry. `raw` holds what the scorer typed, by method:
    graded / free / imported: {"points": …}; deduction: {"items": n} (faults found);
    count / bonus / penalty: {"count": n}. Target formula points come from
    `target_formula_points` (they need the bloc's data), so they are passed as points."""
    method = spec.method
    if method in (GRADED, FREE, IMPORTED, TARGET_FORMULA):
        if raw.get("points") in (None, ""):
            raise ScoringError(f"Tiêu chí {spec.label}: chưa nhập điểm.")
        points = _within(_points(raw["points"], spec.label), spec)
        if method == GRADED and points not in grades(spec):
            allowed = ", ".join(_show(g) for g in grades(spec))
            raise ScoringError(
                f"Tiêu chí {spec.label}: chỉ được chấm một trong các mức {allowed}; "
                f"đã nhập {_show(points)}.")
        return points
    if method == DEDUCTION:
        items = _whole(raw.get("items"), spec.label, "số lỗi")
        return max(Fraction(0), spec.max_points - items * per_item(spec))
    if method in (COUNT, BONUS, PENALTY):
        count = _whole(raw.get("count"), spec.label, "số lượng")
        return min(count * per_item(spec), cap(spec))
    raise ScoringError(f"Tiêu chí {spec.label}: phương pháp chấm “{method}” không hợp lệ.")


# --- RULES.md 15: the four-case target formula --------------------------------------------

@dataclass(frozen=True)
class TargetFact:
    """One registered target of the scored unit: its value and the latest actual."""

    indicator: str  # the comparison key (search key of the indicator's name)
    target: Fraction
    actual: Fraction | None
    label: str = ""


def target_formula_points(max_points: Fraction, target: Fraction, actual: Fraction,
                          best: Fraction) -> Fraction:
    """RULES.md 15, exactly. `best` is the highest actual in the bloc for the indicator
    (so best ≥ actual). Below target: ½·max·actual/target; met: ½·max; exceeded and highest
    in the bloc: max; exceeded otherwise: ½·max + ½·max·(actual−target)/(best−target).
    A negative actual counts as 0 (points lie in [0, max], RULES.md 10)."""
    if target <= 0:
        raise ScoringError("Giá trị mục tiêu phải lớn hơn 0 để tính theo công thức chỉ tiêu.")
    half = max_points / 2
    if actual < target:
        return max(Fraction(0), half * actual / target)
    if actual == target:
        return half
    if actual >= best:
        return max_points
    return half + half * (actual - target) / (best - target)


def target_criterion_points(spec: CriterionSpec, facts: list[TargetFact],
                            best: dict[str, Fraction]) -> Fraction:
    """A target-formula criterion over the unit's registered targets: the mean of the
    formula over its targets (each target weighs the same), or over those whose indicator
    matches the criterion's `indicator` parameter when it names one.

    A unit that registered no such target achieved nothing registered: 0 points (its
    registration closed long ago; RULES.md 7 already counts that against it) — the service
    records why beside the score. A registered target without a reported actual is an
    error naming it: the unit can still report it, so nothing is guessed."""
    wanted = spec.params.get("indicator")
    chosen = [f for f in facts if not wanted or f.indicator == wanted]
    if not chosen:
        return Fraction(0)
    missing = [f.label or f.indicator for f in chosen if f.actual is None]
    if missing:
        raise ScoringError(f"Tiêu chí {spec.label}: chỉ tiêu " + ", ".join(
            f"“{m}”" for m in missing) + " chưa có kết quả báo cáo (Quy tắc 15).")
    total = sum((target_formula_points(spec.max_points, f.target, f.actual,
                                       max(best.get(f.indicator, f.actual), f.actual))
                 for f in chosen), Fraction(0))
    return total / len(chosen)


def best_actuals(facts) -> dict[str, Fraction]:
    """The highest actual per indicator among the bloc's targets (`facts` of all units)."""
    best: dict[str, Fraction] = {}
    for fact in facts:
        if fact.actual is not None and (fact.indicator not in best
                                        or fact.actual > best[fact.indicator]):
            best[fact.indicator] = fact.actual
    return best
