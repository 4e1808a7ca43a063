"""The count (functional core, no ORM): quorum, ballot validity, thresholds, the quota
cut-off with its run-off, the count record and the ballot-box digest.

Plain data in, plain results out, integers only: a threshold is a
`law.rulebook.FractionRule` compared as `yes·den > num·base` (RULES.md 31), so
"more than 1/2 of 12" is 7 and "at least 2/3 of 9" is 6 exactly. Every result carries the
sentence that shows its arithmetic ("7 phiếu / 12 thành viên = 58,33 % > 1/2: đạt").
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from thidua.law.excess import Entry, cut_at_quota, order_words
from thidua.law.rulebook import FractionRule
from thidua.law.text import format_fraction

# Outcomes of a candidate.
SELECTED, NOT_PASSED, OUTSIDE_QUOTA, RUN_OFF = "selected", "not_passed", "outside_quota", "run_off"
OUTCOME_LABELS = {
    SELECTED: "trúng (trong chỉ tiêu)",
    NOT_PASSED: "không đạt ngưỡng",
    OUTSIDE_QUOTA: "đạt ngưỡng nhưng ngoài chỉ tiêu",
    RUN_OFF: "bằng nhau ở ranh giới chỉ tiêu: bỏ phiếu lại",
}
BASES = {"members": "thành viên", "present": "đơn vị có mặt", "valid_ballots": "phiếu hợp lệ"}
PASS_SIGN = {"more_than": ">", "at_least": "≥"}
FAIL_SIGN = {"more_than": "≤", "at_least": "<"}


def percent_text(count: int, base: int, decimals: int = 2) -> str:
    """count/base as a percentage with `decimals` places, half up, decimal comma:
    7/12 → "58,33 %". Integer arithmetic; a zero base has no percentage ("—")."""
    if base <= 0:
        return "—"
    scale = 10 ** decimals
    hundredths = (2 * count * 100 * scale + base) // (2 * base)  # round half up
    whole, part = divmod(hundredths, scale)
    text = str(whole) if decimals == 0 else f"{whole},{part:0{decimals}d}"
    return f"{text} %"


# --- quorum (RULES.md 28) ------------------------------------------------------------------

@dataclass(frozen=True)
class Quorum:
    present: int
    members: int
    rule: FractionRule
    met: bool
    minimum: int
    sentence: str


def quorum(present: int, members: int, rule: FractionRule) -> Quorum:
    met = members > 0 and rule.is_met(present, members)
    minimum = rule.minimum(members)
    sign = PASS_SIGN[rule.comparison] if met else FAIL_SIGN[rule.comparison]
    verdict = "đủ số đơn vị để biểu quyết" if met else "chưa đủ số đơn vị để biểu quyết"
    sentence = (f"{present}/{members} đơn vị có mặt {sign} {format_fraction(rule.fraction)} "
                f"(cần ít nhất {minimum}): {verdict} (Quy tắc 28)")
    return Quorum(present, members, rule, met, minimum, sentence)


# --- ballots (RULES.md 33) -----------------------------------------------------------------

class BallotRefused(ValueError):
    """A ballot that cannot be taken at all (not an invalid ballot: nothing is stored)."""


def ballot_is_valid(choices: Sequence[int], candidate_ids, quota: int) -> bool:
    """True for a valid ballot, False for an over-marked one (counted as invalid, RULES.md
    33). A mark for a name not on the ballot, or the same name twice, is refused."""
    known = set(candidate_ids)
    unknown = [c for c in choices if c not in known]
    if unknown:
        raise BallotRefused("Phiếu có ứng viên không thuộc danh sách của cuộc bỏ phiếu này.")
    if len(set(choices)) != len(choices):
        raise BallotRefused("Một ứng viên được đánh dấu hai lần trên cùng một phiếu.")
    return len(choices) <= quota


# --- the tally -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CandidateIn:
    id: int
    label: str = ""
    score: Fraction | None = None  # the final score in the published ranking
    rank: int | None = None


@dataclass(frozen=True)
class BallotIn:
    choices: tuple  # candidate ids
    valid: bool = True


@dataclass(frozen=True)
class CandidateResult:
    candidate: CandidateIn
    votes: int
    base: int
    passed: bool
    percentage: str
    sentence: str
    outcome: str = NOT_PASSED
    position: int | None = None  # order among the passing (votes, then score)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


@dataclass(frozen=True)
class Tally:
    quota: int
    members: int
    present: int
    cast: int
    valid: int
    invalid: int
    base_kind: str
    base: int
    rule: FractionRule | None
    results: tuple  # CandidateResult, in candidate order
    run_off_ids: tuple = ()  # the tied at the cut-off (RULES.md 32)
    run_off_seats: int = 0
    explanations: tuple = field(default=())

    @property
    def selected(self) -> tuple:
        ordered = sorted((r for r in self.results if r.outcome == SELECTED),
                         key=lambda r: r.position)
        return tuple(r.candidate.id for r in ordered)

    @property
    def needs_run_off(self) -> bool:
        return bool(self.run_off_ids)

    def result_for(self, candidate_id: int) -> CandidateResult:
        return next(r for r in self.results if r.candidate.id == candidate_id)

    def count_record(self) -> dict:
        """RULES.md 34: the numbers the minutes copy exactly."""
        return {
            "members": self.members, "present": self.present, "ballots_cast": self.cast,
            "valid": self.valid, "invalid": self.invalid, "base": self.base,
            "base_kind": self.base_kind, "quota": self.quota,
            "candidates": [{"candidate": r.candidate.id, "label": r.candidate.label,
                            "yes_votes": r.votes, "percentage": r.percentage,
                            "passed": r.passed, "outcome": r.outcome,
                            "sentence": r.sentence} for r in self.results],
            "run_off": list(self.run_off_ids), "run_off_seats": self.run_off_seats,
        }


def base_of(kind: str, *, members: int, present: int, valid: int) -> int:
    if kind == "members":
        return members
    if kind == "present":
        return present
    if kind == "valid_ballots":
        return valid
    raise ValueError(f"Cơ sở tính tỷ lệ không hợp lệ: {kind!r}.")


def threshold_sentence(votes: int, base: int, base_kind: str, rule: FractionRule,
                       decimals: int = 2) -> tuple[bool, str, str]:
    """(passed, percentage, "7 phiếu / 12 thành viên = 58,33 % > 1/2: đạt")."""
    passed = base > 0 and rule.is_met(votes, base)
    pct = percent_text(votes, base, decimals)
    sign = PASS_SIGN[rule.comparison] if passed else FAIL_SIGN[rule.comparison]
    verdict = "đạt" if passed else "không đạt"
    sentence = (f"{votes} phiếu / {base} {BASES[base_kind]} = {pct} {sign} "
                f"{format_fraction(rule.fraction)}: {verdict}")
    return passed, pct, sentence


def tally(*, candidates: Sequence[CandidateIn], ballots: Sequence[BallotIn], quota: int,
          members: int, present: int, rule: FractionRule | None, base_kind: str,
          excess_order: Sequence[str] = ("votes", "score", "run_off"),
          decimals: int = 2) -> Tally:
    """Count the ballots. `rule` None: a run-off among candidates who all passed already
    (only the order counts). Passing candidates beyond the quota are ordered by the
    rulebook's `excess_order`; a tie across the cut-off is a run-off (RULES.md 32)."""
    if quota < 0:
        raise ValueError("Chỉ tiêu không được âm.")
    ids = [c.id for c in candidates]
    votes = dict.fromkeys(ids, 0)
    valid = invalid = 0
    for ballot in ballots:
        if not ballot.valid:
            invalid += 1
            continue
        valid += 1
        for choice in set(ballot.choices):
            if choice not in votes:
                raise BallotRefused("Phiếu có ứng viên không thuộc danh sách.")
            votes[choice] += 1
    cast = valid + invalid
    base = base_of(base_kind, members=members, present=present, valid=valid)

    computed = {}
    for candidate in candidates:
        n = votes[candidate.id]
        if rule is None:
            pct = percent_text(n, valid, decimals)
            computed[candidate.id] = (True, pct, f"{n} phiếu / {valid} phiếu hợp lệ = {pct} "
                                                 "(bỏ phiếu lại)")
        else:
            computed[candidate.id] = threshold_sentence(n, base, base_kind, rule, decimals)

    # RULES.md 32: one order for the count, the allocation and every paper.
    passing = [c for c in candidates if computed[c.id][0]]
    by_id = {c.id: c for c in candidates}
    cut = cut_at_quota([Entry(c.id, votes[c.id], c.score) for c in passing], quota,
                       excess_order)
    outcomes, positions, explanations = {}, {}, []
    for position, entry in enumerate(cut.ordered, 1):
        positions[entry.key] = position
    for entry in cut.chosen:
        outcomes[entry.key] = SELECTED
    for entry in cut.tied:
        outcomes[entry.key] = RUN_OFF
    for entry in cut.rest:
        outcomes[entry.key] = OUTSIDE_QUOTA
    run_off_ids, seats = cut.tied_keys, cut.seats
    if cut.tied:
        labels = ", ".join(by_id[k].label or str(k) for k in run_off_ids)
        unscored = [by_id[k].label or str(k) for k in cut.unscored]
        why = (f" (chưa có điểm của {', '.join(unscored)}, nên điểm không phân định)"
               if unscored and "score" in excess_order else "")
        explanations.append(
            f"{len(passing)} ứng viên đạt ngưỡng, vượt chỉ tiêu {quota}: {labels} bằng "
            f"nhau ở ranh giới chỉ tiêu{why}, còn {seats} suất — bỏ phiếu lại giữa các ứng "
            "viên này, không tự loại (Quy tắc 32)")
    elif cut.rest:
        explanations.append(
            f"{len(passing)} ứng viên đạt ngưỡng, vượt chỉ tiêu {quota}: chọn theo "
            f"{order_words(excess_order)} (Quy tắc 32)")
    results = tuple(
        CandidateResult(c, votes[c.id], base if rule is not None else valid,
                        computed[c.id][0], computed[c.id][1], computed[c.id][2],
                        outcomes.get(c.id, NOT_PASSED), positions.get(c.id))
        for c in candidates)
    return Tally(quota, members, present, cast, valid, invalid, base_kind, base, rule, results,
                 run_off_ids, seats, tuple(explanations))


# --- the ballot box digest -----------------------------------------------------------------

@dataclass(frozen=True)
class PublishedBallot:
    receipt_code: str
    valid: bool
    choices: tuple  # candidate ids, sorted


def published_list(ballots) -> list[PublishedBallot]:
    """The ballots sorted by receipt code (never in casting order)."""
    return sorted((PublishedBallot(b.receipt_code, b.valid, tuple(sorted(b.choices)))
                   for b in ballots), key=lambda b: b.receipt_code)


def ballot_box_listing(ballots, numbers: dict) -> str:
    """The published ballot list as text — the file anyone may download: one line per
    ballot in receipt-code order, "code;valid|invalid;n,n,…", each ending in a newline,
    where n are the marked candidates' numbers on the ballot paper (`numbers`: candidate
    id → its place 1, 2, … in the poll's frozen list). No database id appears, so the list
    reads the same on the page, in the file and after the instance is moved."""
    return "".join(
        f"{b.receipt_code};{'valid' if b.valid else 'invalid'};"
        + ",".join(str(n) for n in sorted(numbers[c] for c in b.choices)) + "\n"
        for b in published_list(ballots))


def ballot_box_digest(ballots, numbers: dict) -> str:
    """SHA-256 of `ballot_box_listing`, printed in the minutes: `sha256sum` of the
    downloaded list gives the same 64 hex digits."""
    return hashlib.sha256(ballot_box_listing(ballots, numbers).encode()).hexdigest()

