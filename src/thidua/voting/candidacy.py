"""Eligibility before the ballot (issue 11 item 2; RULES.md 17–22): who stands in an award
poll.

An award poll's list is, by default, the members eligible for its form on the conference
date — `awards.services.bloc_eligibility`, the same check the allocation makes after the
vote, with the ranking's ranks (RULES 20) and the units the conference already chose for a
higher form of the exclusive group (RULES 22). That check reads the year facts and the
decided awards, which live in the awards app above voting: it reaches voting through the
`bloc_eligibility` port (voting.ports), which awards.apps supplies. The others are listed
apart with each unmet or unproven rule and its citation (stored on the poll, shown on the
setup page, the ballot page, the API and the minutes). Putting one on the ballot all the
same takes an explicit reason, stored on its candidate row, audited, printed in the
minutes — never a pre-ticked box.
"""

from dataclasses import dataclass

from django.utils import timezone

from thidua.core.errors import DomainError
from thidua.core.text import tidy
from thidua.law.award_forms import label_for
from thidua.org.models import Unit
from thidua.voting.models import Candidate, Conference, Poll
from thidua.voting.ports import bloc_eligibility

MAX_REASON = 500


@dataclass(frozen=True)
class AwardStanding:
    """Each member's eligibility for one award form at one conference."""

    award_form: str
    eligible: tuple  # unit ids, in member_ids' order
    ineligible: dict  # unit id → {"unit", "name", "reasons", "rules"}

    def entry(self, unit_id: int, override: str = "") -> dict:
        return {**self.ineligible[unit_id], "override": override}


def _chosen_higher(conference: Conference, award_form: str, exclusive) -> dict:
    """unit id → the higher forms of the exclusive group the conference's counted polls
    chose it for (RULES.md 22: it is proposed for that form, not for this one)."""
    if award_form not in exclusive:
        return {}
    higher = list(exclusive)[:list(exclusive).index(award_form)]
    chosen_candidates = {}
    for poll in conference.polls.filter(kind=Poll.Kind.AWARD_PROPOSAL, award_form__in=higher,
                                        state__in=[Poll.State.CLOSED, Poll.State.PUBLISHED]):
        for cid in (poll.result or {}).get("selected", []):
            chosen_candidates[cid] = poll.award_form
    units = dict(Candidate.objects.filter(id__in=list(chosen_candidates))
                 .values_list("id", "unit_id"))
    chosen = {}
    for cid, form in chosen_candidates.items():
        chosen.setdefault(units[cid], set()).add(form)
    return chosen


def reasons(result) -> list[str]:
    """Each unmet, then each unproven, rule: "sentence (Quy tắc n) — citation"."""
    lines = []
    for prefix, checks in (("", result.unmet), ("chưa đủ căn cứ: ", result.missing)):
        for check in checks:
            rule = f" (Quy tắc {check.rule})" if check.rule else ""
            cited = f" — {check.citation}" if check.citation else ""
            lines.append(f"{prefix}{check.sentence}{rule}{cited}")
    return lines


def standing(conference: Conference, award_form: str, ranking: dict, rulebook) -> AwardStanding:
    """`ranking`: unit id → (score, rank) of the published ranking."""
    bloc_year = conference.bloc_year
    # In the order of voting.services.member_ids (the default ballot's order).
    members = list(Unit.objects.filter(memberships__bloc_year=bloc_year)
                   .order_by("id").values_list("id", "name"))
    checked = bloc_eligibility(
        bloc_year, on_date=timezone.localdate(conference.held_at),
        ranks={unit: rank for unit, (_, rank) in ranking.items()}, forms=[award_form],
        chosen=_chosen_higher(conference, award_form,
                              rulebook.value("allocation.exclusive_forms")))
    eligible, ineligible = [], {}
    for unit_id, name in members:
        result = checked[(unit_id, award_form)]
        if result.eligible:
            eligible.append(unit_id)
            continue
        ineligible[unit_id] = {
            "unit": unit_id, "name": name, "reasons": reasons(result),
            "rules": sorted({c.rule for c in result.unmet + result.missing
                             if c.rule is not None})}
    return AwardStanding(award_form, tuple(eligible), ineligible)


def clean_overrides(overrides) -> dict:
    """{unit id: reason} with each reason NFC, trimmed; empty reasons dropped."""
    cleaned = {}
    for unit_id, reason in (overrides or {}).items():
        text = tidy(reason)
        if len(text) > MAX_REASON:
            raise DomainError(f"Lý do đưa đơn vị vào danh sách dài quá {MAX_REASON} ký tự.")
        if text:
            cleaned[int(unit_id)] = text
    return cleaned


def award_candidates(conference: Conference, award_form: str, unit_ids, overrides,
                     ranking: dict, rulebook) -> tuple[list, dict, list]:
    """(unit ids on the ballot, {unit id: override reason}, the poll's `ineligible` list).
    `unit_ids` None: the eligible members. An ineligible unit asked for without a reason
    is refused, each with why and the rule's citation."""
    found = standing(conference, award_form, ranking, rulebook)
    overrides = clean_overrides(overrides)
    units = list(found.eligible) if unit_ids is None else list(unit_ids)
    refused = [u for u in units if u in found.ineligible and u not in overrides]
    if refused:
        label = label_for(award_form, conference.bloc_year.bloc.province)
        raise DomainError(*[
            f"{found.ineligible[u]['name']} chưa đủ điều kiện {label}: "
            + "; ".join(found.ineligible[u]["reasons"])
            + ". Chỉ đưa vào danh sách khi ghi rõ lý do." for u in refused])
    kept = {u: overrides[u] for u in units if u in found.ineligible}
    listed = [found.entry(u, kept.get(u, "")) for u in found.ineligible]
    return units, kept, listed
