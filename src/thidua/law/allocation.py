"""Allocation (functional core): from eligibility, the ranking, the poll results and the
quotas to the bloc's proposals per award form — every decision explained with its rule.

The forms of the exclusive group (RULES.md 22: Government flag, provincial flag,
certificate of merit, highest first) are filled in order; a unit proposed for a higher
form leaves the lower ones. Within a form, a candidate must be eligible and have passed
its poll's threshold (RULES 31); if more pass than the quota, they are ordered by the
rulebook's `voting.excess_order` (default: votes, then the final score — the one function
of `excess`, which the count uses too) and a tie across the cut-off is returned as a tie
for a run-off among the tied (RULES 32) — never cut. A lower form whose candidates
depend on an undecided tie waits (pending) for the run-off. Give the run-off's votes
back in `run_offs` and allocate again.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from thidua.law.award_forms import AwardForm, label_in
from thidua.law.excess import Entry, cut_at_quota, order_words
from thidua.law.rulebook import Citation, Rulebook

FROM_RANKING = "ranking"  # PollResult.score not given
PROPOSED, NOT_PROPOSED, RUN_OFF, PENDING = "proposed", "not_proposed", "run_off", "pending"
QUOTA_RULE = {AwardForm.GOVERNMENT_FLAG: 24, AwardForm.PROVINCIAL_FLAG: 25,
              AwardForm.CERTIFICATE_OF_MERIT: 26}
QUOTA_KEY = {AwardForm.GOVERNMENT_FLAG: "quotas.government_flag_per_bloc",
             AwardForm.PROVINCIAL_FLAG: "quotas.provincial_flag",
             AwardForm.CERTIFICATE_OF_MERIT: "quotas.certificate_of_merit"}


@dataclass(frozen=True)
class RankedUnit:
    """A line of the bloc's ranking, best first; tied units share a rank. The one definition:
    scoring.domain.ranking computes these, awards reads them back from the published
    ranking, allocation and the what-if preview consume them."""

    unit_id: int
    rank: int
    final: object = None  # the final score (Fraction; Decimal in some callers), if known
    tied: bool = False  # shares its rank: the chain could not separate it
    tie_needs: str = ""  # the step still needed to break the tie (e.g. "vote")
    decided_by: str = ""  # the chain step that set it apart from an equal final, if any


@dataclass(frozen=True)
class PollResult:
    """One candidate of one form's poll: yes-votes and whether it met the threshold
    (computed by the voting core against the rulebook's threshold and base)."""

    award_form: str
    unit_id: int
    votes: int
    passed: bool
    # The final score the ballot showed (the count ordered by it, RULES.md 32; None: it
    # showed none). Left out, the ranking's score is read instead.
    score: object = FROM_RANKING


@dataclass(frozen=True)
class Decision:
    unit_id: int
    award_form: str
    outcome: str  # proposed | not_proposed | run_off | pending
    sentence: str
    rule: int
    citation: Citation | None = None

    def __str__(self):
        return f"{self.sentence} — {self.citation}" if self.citation else self.sentence


@dataclass(frozen=True)
class Tie:
    award_form: str
    seats: int  # how many of the tied the quota still admits
    unit_ids: tuple
    explanation: str


@dataclass(frozen=True)
class Allocation:
    proposals: Mapping  # award form → tuple of unit ids, in order
    decisions: tuple
    ties: tuple = ()
    pending_forms: tuple = ()

    @property
    def complete(self) -> bool:
        return not self.ties and not self.pending_forms

    def decision(self, unit_id, award_form) -> Decision | None:
        for decision in self.decisions:
            if decision.unit_id == unit_id and decision.award_form == award_form:
                return decision
        return None

    def proposed_form(self, unit_id) -> list:
        return [form for form, units in self.proposals.items() if unit_id in units]


def _is_eligible(value) -> bool:
    return value if isinstance(value, bool) else bool(getattr(value, "eligible", False))


def _ineligible_reason(value):
    """(rule, sentence, citation) of the first unmet — or else missing — rule."""
    prefixes = {"unmet": "chưa đủ điều kiện", "deferred": "tạm hoãn xét",
                "missing": "chưa đủ căn cứ xét"}
    for status, prefix in prefixes.items():
        for check in getattr(value, status, ()):
            return (check.rule or 0), f"{prefix}: {check.sentence}", check.citation
    return 0, "chưa xét điều kiện khen thưởng", None


@dataclass
class _Progress:
    """What the allocation has decided so far, form after form."""

    decisions: list = field(default_factory=list)
    ties: list = field(default_factory=list)
    taken: dict = field(default_factory=dict)  # unit → higher exclusive form proposed
    undecided: set = field(default_factory=set)  # units whose higher form awaits a run-off
    kind_word: str = "tỉnh"  # how the sentences name the awards (RULES.md 35)

    def label(self, form) -> str:
        return label_in(form, self.kind_word)


def allocate(
    *,
    rulebook: Rulebook,
    eligibility: Mapping,
    ranking: Sequence[RankedUnit],
    polls: Sequence[PollResult],
    quotas: Mapping,
    run_offs: Mapping | None = None,
    kind_word: str = "tỉnh",
) -> Allocation:
    """`eligibility`: (unit_id, award_form) → Eligibility (or bool); absent means not
    checked, hence not proposable. `quotas`: award form → int or Quota. `run_offs`:
    award form → {unit_id: run-off votes} for the units of a tie returned earlier (or a
    chain of them, in the order held: a run-off that tied again, then the next).
    `kind_word`: "tỉnh" / "thành phố", as the sentences name the awards (RULES.md 35)."""
    run_offs = run_offs or {}
    exclusive = list(rulebook.value("allocation.exclusive_forms"))
    order = rulebook.value("voting.excess_order")
    ranks = {entry.unit_id: entry for entry in ranking}
    by_form = {}
    for poll in polls:
        by_form.setdefault(poll.award_form, []).append(poll)
    forms = exclusive + sorted(f for f in set(by_form) | set(quotas) if f not in exclusive)

    proposals, pending, progress = {}, [], _Progress(kind_word=kind_word)
    for form in forms:
        # In the ballot's order: units equal under RULES.md 32 keep it, as in the minutes.
        results = by_form.get(form, [])
        if form not in quotas and not results:
            continue
        if form in exclusive and results and form not in quotas:
            # An award form of the group without a quota would be unlimited: refuse.
            raise ValueError(f"Thiếu chỉ tiêu số lượng cho {progress.label(form)}.")
        in_group = form in exclusive
        candidates = _screen(form, results, in_group, eligibility, rulebook, progress)
        if in_group and any(p.unit_id in progress.undecided for p in candidates):
            pending.append(form)
            for poll in candidates:
                progress.decisions.append(Decision(
                    poll.unit_id, form, PENDING,
                    f"chờ kết quả bỏ phiếu lại của hình thức cao hơn trước khi xét "
                    f"{progress.label(form)}", 32, rulebook.citation("voting.excess_order")))
                progress.undecided.add(poll.unit_id)
            proposals[form] = ()
            continue
        quota = getattr(quotas.get(form), "count", quotas.get(form))
        cut = _cut(candidates, quota, order, ranks, run_offs.get(form, {}))
        proposals[form] = _record_cut(form, cut, quota, in_group, rulebook, progress)
    return Allocation(proposals, tuple(progress.decisions), tuple(progress.ties),
                      tuple(pending))


def _screen(form, results, in_group, eligibility, rulebook, progress) -> list:
    """The form's poll results that may be proposed — not already proposed for a higher
    form of the exclusive group (RULES.md 22), eligible, over the threshold (31) — and a
    Decision for each of the others."""
    form_label = progress.label(form)
    candidates = []
    for poll in results:
        unit = poll.unit_id
        if in_group and unit in progress.taken:
            progress.decisions.append(Decision(
                unit, form, NOT_PROPOSED,
                f"đã được đề nghị {progress.label(progress.taken[unit])}; một thành tích chỉ "
                "một hình thức khen thưởng", 22,
                rulebook.citation("allocation.exclusive_forms")))
        elif not _is_eligible(eligibility.get((unit, form))):
            rule, sentence, citation = _ineligible_reason(eligibility.get((unit, form)))
            progress.decisions.append(Decision(unit, form, NOT_PROPOSED,
                                               f"không đề nghị {form_label}: {sentence}", rule,
                                               citation))
        elif not poll.passed:
            progress.decisions.append(Decision(
                unit, form, NOT_PROPOSED,
                f"{poll.votes} phiếu đồng ý, không đạt ngưỡng "
                f"{rulebook.value('voting.threshold')} để đề nghị {form_label}", 31,
                rulebook.citation("voting.threshold")))
        else:
            candidates.append(poll)
    return candidates


def _record_cut(form, cut, quota, in_group, rulebook, progress) -> tuple:
    """The Decisions of RULES.md 32's cut at the quota (proposed, beyond the quota, tied
    at its edge); the unit ids proposed."""
    chosen, tied, seats, rest, unscored = cut
    form_label = progress.label(form)
    order = rulebook.value("voting.excess_order")
    quota_citation = rulebook.citation(QUOTA_KEY[form]) if form in QUOTA_KEY else None
    for position, poll in enumerate(chosen, 1):
        progress.decisions.append(Decision(
            poll.unit_id, form, PROPOSED,
            f"đề nghị {form_label}: {poll.votes} phiếu đồng ý, đạt ngưỡng; thứ "
            f"{position} trong chỉ tiêu {quota if quota is not None else 'không giới hạn'}",
            QUOTA_RULE.get(form, 31), quota_citation))
        if in_group:
            progress.taken[poll.unit_id] = form
    for poll in rest:
        progress.decisions.append(Decision(
            poll.unit_id, form, NOT_PROPOSED,
            f"đạt ngưỡng ({poll.votes} phiếu) nhưng ngoài chỉ tiêu {quota} {form_label}: "
            f"đứng sau theo thứ tự {order_words(order)}", 32,
            rulebook.citation("voting.excess_order")))
    if tied:
        ids = tuple(p.unit_id for p in tied)
        why = (f"; thiếu điểm của đơn vị {', '.join(map(str, unscored))} nên điểm không "
               "phân định" if unscored else "")
        explanation = (
            f"{len(tied)} đơn vị bằng nhau ({order_words(order)}) ở ranh giới chỉ tiêu "
            f"{form_label}{why}: còn {seats} suất — bỏ phiếu lại giữa các đơn vị này")
        progress.ties.append(Tie(form, seats, ids, explanation))
        for poll in tied:
            progress.decisions.append(Decision(poll.unit_id, form, RUN_OFF, explanation, 32,
                                               rulebook.citation("voting.excess_order")))
            if in_group:
                progress.undecided.add(poll.unit_id)
    return tuple(p.unit_id for p in chosen)


def _cut(candidates, quota, order, ranks, run_off):
    """RULES.md 32 through its one function (`excess.cut_at_quota`): (chosen, tied at the
    cut, seats left to the tied, rest, units without a score) as PollResults."""
    by_unit = {p.unit_id: p for p in candidates}
    entries = [Entry(p.unit_id, p.votes,
                     getattr(ranks.get(p.unit_id), "final", None)
                     if p.score is FROM_RANKING else p.score)
               for p in candidates]
    cut = cut_at_quota(entries, quota, order, run_off)

    def polls(part):
        return [by_unit[e.key] for e in part]

    return (polls(cut.chosen), polls(cut.tied), cut.seats, polls(cut.rest),
            tuple(sorted(cut.unscored)) if cut.tied else ())
