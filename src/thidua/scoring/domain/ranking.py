"""Ranking with a tie-break chain (functional core): RULES.md 16.

Units are ranked by final score, descending. Units with equal finals go through the chain
(the rulebook's `scoring.tie_break_chain`), step by step:
- "section:<code>": the higher aggregated score in that section first;
- "fewer_penalty": the fewer penalty points first;
- "vote": the conference decides — it cannot be decided here, so the units still tied
  when the chain reaches it (or runs out) are reported as a tie: the same rank, flagged,
  with the step that is still needed. They are never put in an arbitrary order; within a
  tie the listing order is by unit id only so that output is stable, and carries no rank.

Ranks are competition ranks: two units tied at 2 are both 2, the next is 4.
A unit without a final score is not ranked; it is listed in `missing`.
"""

from dataclasses import dataclass
from fractions import Fraction

from thidua.law.allocation import RankedUnit
from thidua.scoring.domain.aggregation import AGGREGATIONS, UnitResult, UnitSheets, unit_result

VOTE, FEWER_PENALTY, SECTION = "vote", "fewer_penalty", "section:"
DEFAULT_CHAIN = ("section:I", FEWER_PENALTY, VOTE)


def step_label(step: str) -> str:
    if step.startswith(SECTION):
        return f"điểm nhóm {step[len(SECTION):]} cao hơn"
    return {FEWER_PENALTY: "ít điểm trừ hơn", VOTE: "hội nghị biểu quyết"}.get(step, step)


def check_chain(chain) -> list[str]:
    """Problems of a configured chain (unknown steps), in Vietnamese."""
    bad = [s for s in chain if not (s in (VOTE, FEWER_PENALTY)
                                    or (s.startswith(SECTION) and len(s) > len(SECTION)))]
    return [f"Tiêu chí phân định bằng điểm không hợp lệ: “{s}”." for s in bad]


def _key(step: str, result: UnitResult):
    """A sort key where smaller is better; None where the step cannot decide."""
    if step.startswith(SECTION):
        return -result.sections.get(step[len(SECTION):], Fraction(0))
    if step == FEWER_PENALTY:
        return result.penalty or Fraction(0)
    return None


@dataclass(frozen=True)
class Ranking:
    rows: tuple  # RankedUnit, best first
    missing: tuple  # unit ids without a final score

    def rank_of(self) -> dict:
        return {row.unit_id: row.rank for row in self.rows}

    @property
    def ties(self) -> list[list[int]]:
        groups: dict[int, list[int]] = {}
        for row in self.rows:
            if row.tied:
                groups.setdefault(row.rank, []).append(row.unit_id)
        return [groups[rank] for rank in sorted(groups)]


def rank(results, chain=DEFAULT_CHAIN) -> Ranking:
    """Rank `results` (UnitResult); the same ranking whatever their order."""
    problems = check_chain(chain)
    if problems:
        raise ValueError(" ".join(problems))
    scored = [r for r in results if r.final is not None]
    missing = tuple(sorted(r.unit_id for r in results if r.final is None))
    ordered: list[tuple[list[UnitResult], str, str]] = []  # (group, decided_by, tie_needs)
    by_final: dict[Fraction, list[UnitResult]] = {}
    for result in scored:
        by_final.setdefault(result.final, []).append(result)
    for final in sorted(by_final, reverse=True):
        ordered += _break(by_final[final], list(chain), "")
    rows, position = [], 1
    for group, decided_by, tie_needs in ordered:
        tied = len(group) > 1
        for result in sorted(group, key=lambda r: r.unit_id):
            rows.append(RankedUnit(result.unit_id, position, result.final, tied,
                                   tie_needs if tied else "", decided_by))
        position += len(group)
    return Ranking(tuple(rows), missing)


def _break(group, chain, decided_by):
    """Split a group of equal finals by the chain; groups best first."""
    if len(group) == 1:
        return [(group, decided_by, "")]
    for index, step in enumerate(chain):
        keys = {r.unit_id: _key(step, r) for r in group}
        if any(k is None for k in keys.values()):
            return [(group, decided_by, step)]  # e.g. a vote: only people can decide
        if len(set(keys.values())) == 1:
            continue  # this step does not separate them; try the next
        parts: dict = {}
        for result in group:
            parts.setdefault(keys[result.unit_id], []).append(result)
        out = []
        for key in sorted(parts):
            out += _break(parts[key], chain[index + 1:], step)
        return out
    return [(group, decided_by, VOTE)]  # the chain ran out: the conference decides


# --- the ranking stability check ----------------------------------------------------------

@dataclass(frozen=True)
class RankShift:
    unit_id: int
    rank: int | None  # under the configured method
    other_rank: int | None  # under the other method


def rank_by(method: str, units: list[UnitSheets], section_codes, chain=DEFAULT_CHAIN):
    results = [unit_result(method, sheets, section_codes) for sheets in units]
    return results, rank(results, chain)


def stability(method: str, units: list[UnitSheets], section_codes,
              chain=DEFAULT_CHAIN, base: Ranking | None = None,
              results: dict | None = None) -> dict[str, list[RankShift]]:
    """For each other aggregation method, the units whose rank would differ: how solid
    the ranking is before the conference. An empty list: that method agrees exactly.
    `base`: the ranking under `method` if the caller has it already; `results`: every
    method's unit results (aggregation.unit_results_all) if the caller has them."""
    if base is None:
        _, base = rank_by(method, units, section_codes, chain)
    ranks = base.rank_of()
    shifts = {}
    for other in AGGREGATIONS:
        if other == method:
            continue
        alternative = (rank(results[other], chain) if results is not None
                       else rank_by(other, units, section_codes, chain)[1])
        other_ranks = alternative.rank_of()
        shifts[other] = [RankShift(u, ranks.get(u), other_ranks.get(u))
                         for u in sorted(set(ranks) | set(other_ranks))
                         if ranks.get(u) != other_ranks.get(u)]
    return shifts
