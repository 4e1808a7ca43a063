"""Allocation (functional core): from eligibility, the ranking, the poll results and the
quotas to the bloc's proposals per award form — every decision explained with its rule.

The forms of the exclusive group (RULES.md 22: Government flag, provincial flag,
certificate of merit, highest first) are filled in order; a unit proposed for a higher
form leaves the lower ones. Within a form, a candidate must be eligible and have passed
its poll's threshold (RULES 31); if more pass than the quota, they are ordered by the
rulebook's `voting.excess_order` (default: votes, then the ranking) and a tie across the
cut-off is returned as a tie for a run-off among the tied (RULES 32) — never cut. A
lower form whose candidates depend on an undecided tie waits (pending) for the run-off.
Give the run-off's votes back in `run_offs` and allocate again.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from thidua.awards.domain.rulebook import Citation, Rulebook
from thidua.core.award_forms import AwardForm

PROPOSED, NOT_PROPOSED, RUN_OFF, PENDING = "proposed", "not_proposed", "run_off", "pending"
QUOTA_RULE = {AwardForm.GOVERNMENT_FLAG: 24, AwardForm.PROVINCIAL_FLAG: 25,
              AwardForm.CERTIFICATE_OF_MERIT: 26}
QUOTA_KEY = {AwardForm.GOVERNMENT_FLAG: "quotas.government_flag_per_bloc",
             AwardForm.PROVINCIAL_FLAG: "quotas.provincial_flag",
             AwardForm.CERTIFICATE_OF_MERIT: "quotas.certificate_of_merit"}


@dataclass(frozen=True)
class RankedUnit:
    """A line of the bloc's ranking; tied units share a rank."""

    unit_id: int
    rank: int
    score: object = None  # Decimal / Fraction, shown in explanations


@dataclass(frozen=True)
class PollResult:
    """One candidate of one form's poll: yes-votes and whether it met the threshold
    (computed by the voting core against the rulebook's threshold and base)."""

    award_form: str
    unit_id: int
    votes: int
    passed: bool


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


def allocate(
    *,
    rulebook: Rulebook,
    eligibility: Mapping,
    ranking: Sequence[RankedUnit],
    polls: Sequence[PollResult],
    quotas: Mapping,
    run_offs: Mapping | None = None,
) -> Allocation:
    """`eligibility`: (unit_id, award_form) → Eligibility (or bool); absent means not
    checked, hence not proposable. `quotas`: award form → int or Quota. `run_offs`:
    award form → {unit_id: run-off votes} for the units of a tie returned earlier."""
    run_offs = run_offs or {}
    exclusive = list(rulebook.value("allocation.exclusive_forms"))
    order = rulebook.value("voting.excess_order")
    ranks = {entry.unit_id: entry for entry in ranking}
    by_form = {}
    for poll in polls:
        by_form.setdefault(poll.award_form, []).append(poll)
    forms = exclusive + sorted(f for f in set(by_form) | set(quotas) if f not in exclusive)

    proposals, decisions, ties, pending = {}, [], [], []
    taken = {}  # unit → higher exclusive form it is proposed for
    undecided = set()  # units whose higher exclusive form waits for a run-off

    for form in forms:
        results = sorted(by_form.get(form, []), key=lambda p: p.unit_id)
        if form not in quotas and not results:
            continue
        form_label = AwardForm(form).label
        if form in exclusive and results and form not in quotas:
            # An award form of the group without a quota would be unlimited: refuse.
            raise ValueError(f"Thiếu chỉ tiêu số lượng cho {AwardForm(form).label}.")
        quota = getattr(quotas.get(form), "count", quotas.get(form))
        quota_rule = QUOTA_RULE.get(form, 31)
        quota_citation = (rulebook.citation(QUOTA_KEY[form]) if form in QUOTA_KEY else None)
        in_group = form in exclusive
        candidates = []
        for poll in results:
            unit = poll.unit_id
            if in_group and unit in taken:
                decisions.append(Decision(
                    unit, form, NOT_PROPOSED,
                    f"đã được đề nghị {AwardForm(taken[unit]).label}; một thành tích chỉ một "
                    "hình thức khen thưởng", 22, rulebook.citation("allocation.exclusive_forms")))
            elif not _is_eligible(eligibility.get((unit, form))):
                rule, sentence, citation = _ineligible_reason(eligibility.get((unit, form)))
                decisions.append(Decision(unit, form, NOT_PROPOSED,
                                          f"không đề nghị {form_label}: {sentence}", rule,
                                          citation))
            elif not poll.passed:
                decisions.append(Decision(
                    unit, form, NOT_PROPOSED,
                    f"{poll.votes} phiếu đồng ý, không đạt ngưỡng "
                    f"{rulebook.value('voting.threshold')} để đề nghị {form_label}", 31,
                    rulebook.citation("voting.threshold")))
            else:
                candidates.append(poll)

        if in_group and any(p.unit_id in undecided for p in candidates):
            pending.append(form)
            for poll in candidates:
                decisions.append(Decision(
                    poll.unit_id, form, PENDING,
                    f"chờ kết quả bỏ phiếu lại của hình thức cao hơn trước khi xét "
                    f"{form_label}", 32, rulebook.citation("voting.excess_order")))
                undecided.add(poll.unit_id)
            proposals[form] = ()
            continue

        if quota is None or len(candidates) <= quota:
            chosen, tied, seats, rest = candidates, [], 0, []
        else:
            unranked = [p.unit_id for p in candidates if p.unit_id not in ranks]
            if "score" in order and unranked:
                # DESIGN.md: a missing score stops the allocation of this form, said why.
                pending.append(form)
                for poll in candidates:
                    decisions.append(Decision(
                        poll.unit_id, form, PENDING,
                        f"số đơn vị đạt ngưỡng ({len(candidates)}) vượt chỉ tiêu {quota} "
                        f"{form_label} nhưng thiếu kết quả xếp hạng của đơn vị "
                        f"{', '.join(map(str, sorted(unranked)))}", 32,
                        rulebook.citation("voting.excess_order")))
                    if in_group:
                        undecided.add(poll.unit_id)
                proposals[form] = ()
                continue
            chosen, tied, seats, rest = _cut(candidates, quota, order, ranks,
                                             run_offs.get(form, {}))

        for position, poll in enumerate(chosen, 1):
            decisions.append(Decision(
                poll.unit_id, form, PROPOSED,
                f"đề nghị {form_label}: {poll.votes} phiếu đồng ý, đạt ngưỡng; thứ "
                f"{position} trong chỉ tiêu {quota if quota is not None else 'không giới hạn'}",
                quota_rule, quota_citation))
            if in_group:
                taken[poll.unit_id] = form
        for poll in rest:
            decisions.append(Decision(
                poll.unit_id, form, NOT_PROPOSED,
                f"đạt ngưỡng ({poll.votes} phiếu) nhưng ngoài chỉ tiêu {quota} {form_label}: "
                f"đứng sau theo thứ tự {_order_words(order)}", 32,
                rulebook.citation("voting.excess_order")))
        if tied:
            ids = tuple(p.unit_id for p in tied)
            explanation = (
                f"{len(tied)} đơn vị bằng nhau ({_order_words(order)}) ở ranh giới chỉ tiêu "
                f"{form_label}: còn {seats} suất — bỏ phiếu lại giữa các đơn vị này")
            ties.append(Tie(form, seats, ids, explanation))
            for poll in tied:
                decisions.append(Decision(poll.unit_id, form, RUN_OFF, explanation, 32,
                                          rulebook.citation("voting.excess_order")))
                if in_group:
                    undecided.add(poll.unit_id)
        proposals[form] = tuple(p.unit_id for p in chosen)

    return Allocation(proposals, tuple(decisions), tuple(ties), tuple(pending))


def _order_words(order) -> str:
    words = {"votes": "số phiếu", "score": "xếp hạng điểm"}
    return ", ".join(words[o] for o in order if o in words) or "bỏ phiếu lại"


def _cut(candidates, quota, order, ranks, run_off):
    """Split the candidates at the quota: (chosen, tied at the cut, seats left, rest)."""

    def key(poll):
        parts = []
        for step in order:
            if step == "votes":
                parts.append(-poll.votes)
            elif step == "score":
                parts.append(ranks[poll.unit_id].rank)
        return tuple(parts)

    ordered = sorted(candidates, key=lambda p: (key(p), p.unit_id))
    boundary = key(ordered[quota - 1]) if quota > 0 else None
    if quota > 0 and key(ordered[quota]) != boundary:
        return ordered[:quota], [], 0, ordered[quota:]
    if quota == 0:
        return [], [], 0, ordered
    above = [p for p in ordered if key(p) < boundary]
    tied = [p for p in ordered if key(p) == boundary]
    below = [p for p in ordered if key(p) > boundary]
    seats = quota - len(above)
    # A run-off among exactly these tied units decides between them; if it ties again
    # across the seats, that is a new tie.
    if run_off and {p.unit_id for p in tied} <= set(run_off):
        tied.sort(key=lambda p: (-run_off[p.unit_id], p.unit_id))
        cut = -run_off[tied[seats - 1].unit_id]
        if -run_off[tied[seats].unit_id] != cut:
            return above + tied[:seats], [], 0, tied[seats:] + below
        winners = [p for p in tied if -run_off[p.unit_id] < cut]
        still = [p for p in tied if -run_off[p.unit_id] == cut]
        losers = [p for p in tied if -run_off[p.unit_id] > cut]
        return above + winners, still, seats - len(winners), losers + below
    return above, tied, seats, below
