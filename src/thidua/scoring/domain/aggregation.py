"""A unit's final score from its sheets (functional core, exact): RULES.md 14.

Methods (the rulebook's `scoring.aggregation`):
- `appraised`: the appraisal sheet if the unit has a submitted one, else the mean of its
  peers (the RULES.md default);
- `mean`: the mean of the peer sheets;
- `trimmed_mean`: the mean after dropping the single highest and the single lowest peer
  value. With 3 or more peers one of each is dropped (with exactly 3, what remains is the
  middle value, i.e. the median). With 1 or 2 peers dropping two would leave nothing, so
  nothing is dropped and the plain mean is used — reported as `trimmed=False`, never
  silently;
- `median`: the middle peer value; with an even count the mean of the two middle ones.

Each figure (final, every section, bonus, penalty) is aggregated on its own with the same
method. For the mean they add up; for the median and the trimmed mean the parts need not
add up to the final, which is always the aggregate of each sheet's own final.
A unit with no value to aggregate has no final score (None), never 0.
"""

import math
from dataclasses import dataclass, field
from fractions import Fraction

APPRAISED, MEAN, TRIMMED_MEAN, MEDIAN = "appraised", "mean", "trimmed_mean", "median"
AGGREGATIONS = (APPRAISED, MEAN, TRIMMED_MEAN, MEDIAN)
AGGREGATION_LABELS = {
    APPRAISED: "Điểm thẩm định (nếu chưa thẩm định: trung bình điểm chấm chéo)",
    MEAN: "Trung bình điểm chấm chéo",
    TRIMMED_MEAN: "Trung bình điểm chấm chéo, bỏ một điểm cao nhất và một điểm thấp nhất",
    MEDIAN: "Trung vị điểm chấm chéo",
}
MIN_PEERS_TO_TRIM = 3
ZERO = Fraction(0)


@dataclass(frozen=True)
class Aggregate:
    value: Fraction | None
    method: str  # the method actually used (appraised may fall back to mean)
    trimmed: bool = False  # trimmed_mean: whether a highest and a lowest were dropped


def _common(values) -> tuple[list[int], int]:
    """The values as numerators over one common denominator: the sums and comparisons
    below stay exact but run on integers (a ranking does thousands of them)."""
    denominator = math.lcm(*(v.denominator for v in values))
    return [v.numerator * (denominator // v.denominator) for v in values], denominator


def _sorted(values) -> list:
    numerators, _ = _common(values)
    return [values[i] for i in sorted(range(len(values)), key=numerators.__getitem__)]


def mean(values) -> Fraction | None:
    values = list(values)
    if not values:
        return None
    numerators, denominator = _common(values)
    return Fraction(sum(numerators), denominator * len(values))


def median(values) -> Fraction | None:
    ordered = _sorted(list(values))
    n = len(ordered)
    if not n:
        return None
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def trimmed_mean(values) -> tuple[Fraction | None, bool]:
    ordered = _sorted(list(values))
    if len(ordered) < MIN_PEERS_TO_TRIM:
        return mean(ordered), False
    return mean(ordered[1:-1]), True


def aggregate(method: str, peers, appraised: Fraction | None = None) -> Aggregate:
    """One figure of one unit. `peers` are the values of its submitted peer sheets."""
    peers = list(peers)
    if method == APPRAISED:
        if appraised is not None:
            return Aggregate(appraised, APPRAISED)
        return Aggregate(mean(peers), MEAN)
    if method == MEAN:
        return Aggregate(mean(peers), MEAN)
    if method == TRIMMED_MEAN:
        value, trimmed = trimmed_mean(peers)
        return Aggregate(value, TRIMMED_MEAN, trimmed)
    if method == MEDIAN:
        return Aggregate(median(peers), MEDIAN)
    raise ValueError(f"Cách tổng hợp điểm không hợp lệ: {method!r}.")


@dataclass(frozen=True)
class SheetValues:
    """What aggregation needs of one submitted sheet."""

    final: Fraction
    bonus: Fraction = Fraction(0)
    penalty: Fraction = Fraction(0)
    sections: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class UnitSheets:
    unit_id: int
    peers: tuple = ()  # SheetValues of the unit's submitted peer sheets
    appraisal: SheetValues | None = None
    self_assessment: SheetValues | None = None


@dataclass(frozen=True)
class UnitResult:
    unit_id: int
    final: Fraction | None
    method: str
    trimmed: bool
    bonus: Fraction | None
    penalty: Fraction | None
    sections: dict
    peer_count: int
    spread: Fraction | None  # disagreement: highest − lowest peer final (None below 2)
    self_final: Fraction | None = None


def unit_result(method: str, sheets: UnitSheets, section_codes=()) -> UnitResult:
    def figure(pick):
        appraised = pick(sheets.appraisal) if sheets.appraisal else None
        return aggregate(method, [pick(p) for p in sheets.peers], appraised)

    final = figure(lambda s: s.final)
    finals = [p.final for p in sheets.peers]
    return UnitResult(
        unit_id=sheets.unit_id,
        final=final.value,
        method=final.method,
        trimmed=final.trimmed,
        bonus=figure(lambda s: s.bonus).value,
        penalty=figure(lambda s: s.penalty).value,
        sections={code: figure(lambda s, c=code: s.sections.get(c, ZERO)).value
                  for code in section_codes},
        peer_count=len(finals),
        spread=max(finals) - min(finals) if len(finals) >= 2 else None,
        self_final=sheets.self_assessment.final if sheets.self_assessment else None,
    )


def aggregate_all(peers, appraised: Fraction | None = None) -> dict[str, Aggregate]:
    """`aggregate` under every method at once, exactly the same values, from one sort of
    the peer values (the stability check needs all four)."""
    peers = list(peers)
    n = len(peers)
    if not n:
        none = {method: Aggregate(None, method) for method in (MEAN, TRIMMED_MEAN, MEDIAN)}
        none[TRIMMED_MEAN] = Aggregate(None, TRIMMED_MEAN, False)
        none[APPRAISED] = (Aggregate(appraised, APPRAISED) if appraised is not None
                           else Aggregate(None, MEAN))
        return none
    numerators, denominator = _common(peers)
    numerators.sort()
    average = Fraction(sum(numerators), denominator * n)
    middle = n // 2
    middle_value = (Fraction(numerators[middle], denominator) if n % 2
                    else Fraction(numerators[middle - 1] + numerators[middle], 2 * denominator))
    if n < MIN_PEERS_TO_TRIM:
        trimmed = Aggregate(average, TRIMMED_MEAN, False)
    else:
        trimmed = Aggregate(Fraction(sum(numerators[1:-1]), denominator * (n - 2)),
                            TRIMMED_MEAN, True)
    return {
        APPRAISED: (Aggregate(appraised, APPRAISED) if appraised is not None
                    else Aggregate(average, MEAN)),
        MEAN: Aggregate(average, MEAN),
        TRIMMED_MEAN: trimmed,
        MEDIAN: Aggregate(middle_value, MEDIAN),
    }


def unit_results_all(units, section_codes=()) -> dict[str, list[UnitResult]]:
    """`unit_result` of every unit under every method, each figure aggregated once for all
    four: {method: [UnitResult in the order of `units`]}."""
    out: dict[str, list] = {method: [] for method in AGGREGATIONS}
    for sheets in units:
        def figure(pick, sheets=sheets):
            appraised = pick(sheets.appraisal) if sheets.appraisal else None
            return aggregate_all([pick(p) for p in sheets.peers], appraised)

        final = figure(lambda s: s.final)
        bonus = figure(lambda s: s.bonus)
        penalty = figure(lambda s: s.penalty)
        sections = {code: figure(lambda s, c=code: s.sections.get(c, ZERO))
                    for code in section_codes}
        finals = [p.final for p in sheets.peers]
        spread = max(finals) - min(finals) if len(finals) >= 2 else None
        self_final = sheets.self_assessment.final if sheets.self_assessment else None
        for method in AGGREGATIONS:
            out[method].append(UnitResult(
                unit_id=sheets.unit_id, final=final[method].value,
                method=final[method].method, trimmed=final[method].trimmed,
                bonus=bonus[method].value, penalty=penalty[method].value,
                sections={code: value[method].value for code, value in sections.items()},
                peer_count=len(finals), spread=spread, self_final=self_final))
    return out
