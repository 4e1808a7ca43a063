"""Awards: the rulebook in force (with citations), eligibility and the what-if preview of
a bloc year, its proposal dossier and workflow steps, the province's proposals and
decisions, a unit's award history. Every change goes through awards.proposals."""

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, bloc_year_in_scope, responses, unit_in_scope
from thidua.api.org import unit_ref
from thidua.awards import proposals as service
from thidua.awards import queries, rules
from thidua.awards.models import Proposal
from thidua.awards.services import next_year_bonus
from thidua.core.errors import NotFound
from thidua.law.award_forms import label_for
from thidua.law.rulebook import Brackets, DossierForm, LegalBasis, ProvinceCap
from thidua.law.rulebooks import rulebook_for
from thidua.law.workflow import BUTTONS, allowed_steps
from thidua.org import queries as org_queries
from thidua.org.models import EmulationYear
from thidua.scoring.models import CriteriaTable

router = Router(tags=["Khen thưởng"])


# --- shapes -----------------------------------------------------------------------------

class CitationOut(Schema):
    text: str
    article: str
    tag: str
    display: str


class SettingOut(Schema):
    key: str
    value: object
    rules: list[int]
    citation: CitationOut
    note: str
    open_point: str


class RulebookOut(Schema):
    province: str
    on_date: datetime.date
    in_force: str
    settings: list[SettingOut]


class CheckOut(Schema):
    rule: int | None
    status: str
    sentence: str
    citation: str


class FormEligibilityOut(Schema):
    award_form: str
    status: Literal["eligible", "ineligible", "deferred", "unknown"]
    checks: list[CheckOut]


class QuotaOut(Schema):
    award_form: str
    count: int
    rule: int
    explanation: str


class UnitEligibilityOut(Schema):
    unit: s.UnitRef
    rank: int | None
    forms: list[FormEligibilityOut]


class EligibilityOut(Schema):
    bloc_year_id: int
    on_date: datetime.date
    in_force: str
    quotas: list[QuotaOut]
    units: list[UnitEligibilityOut]


class OutlookOut(Schema):
    unit: s.UnitRef
    status: Literal["safe", "borderline", "out"]
    reason: str
    change: str
    rule: int | None


class WhatIfFormOut(Schema):
    award_form: str
    quota: int | None
    units: list[OutlookOut]


class WhatIfOut(Schema):
    bloc_year_id: int
    on_date: datetime.date
    forms: list[WhatIfFormOut]


class ProposalLineItemOut(Schema):
    id: int
    unit: s.UnitRef
    award_form: str
    votes: int | None
    explanation: str
    outcome: Literal["pending", "awarded", "not_awarded"]
    decision_number: str | None


class ProposalOut(Schema):
    id: int
    bloc_year_id: int
    state: Literal["draft", "submitted", "returned", "resubmitted", "accepted", "decided"]
    state_label: str
    conference_date: datetime.date
    rulebook: str
    return_reason: str
    lines: list[ProposalLineItemOut]
    allowed_steps: list[str]
    differences: list[str] = Field(description=(
        "Các điểm danh sách đề nghị khác kết quả bình xét trong biên bản hội nghị, mỗi "
        "điểm kèm lý do (rỗng: khớp biên bản)."))


class AssembleIn(Schema):
    conference_date: s.Date | None = None  # default: the conference's own date


class StepIn(Schema):
    reason: s.text(2000) = ""


class CapOut(Schema):
    cap: int
    proposed: int
    excess: int
    ok: bool
    explanation: str


class BlocProposalOut(Schema):
    bloc_year_id: int
    bloc: str
    proposal: ProposalOut | None


class ProvinceProposalsOut(Schema):
    year: int
    cap: CapOut | None
    blocs: list[BlocProposalOut]


class DecisionIn(Schema):
    number: s.text(50, 1)
    decision_date: s.Date
    signer: s.text(200, 1)
    awarded: list[s.Id] = []
    not_awarded: list[s.Id] = []


class DecisionOut(Schema):
    id: int
    number: str
    decision_date: datetime.date
    signer: str
    awarded: list[int]
    not_awarded: list[int]


class AwardOut(Schema):
    year: int
    award_form: str
    award_form_label: str
    decision_number: str
    decision_date: datetime.date
    signer: str


class HistoryOut(Schema):
    unit: s.UnitRef
    awards: list[AwardOut]
    bonus_year: int | None
    bonus_points: str | None
    bonus_explanation: str | None


# --- output -------------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Brackets):
        # RULES 24–26: one number for every bloc size, else the brackets by size.
        if len(value.brackets) == 1 and value.brackets[0].max_members is None:
            return value.brackets[0].quota
        return [{"min_members": b.min_members, "max_members": b.max_members,
                 "quota": b.quota} for b in value.brackets]
    if isinstance(value, ProvinceCap):
        return {"fraction": _plain(value.fraction), "rounding": value.rounding,
                "base": value.base}
    if isinstance(value, DossierForm):
        return {"name": value.name, "number": value.number}
    if isinstance(value, LegalBasis):
        return {"title": value.title, "number": value.number, "issued": _plain(value.issued),
                "effective_from": _plain(value.effective_from),
                "effective_to": _plain(value.effective_to)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _citation(citation) -> dict:
    return {"text": citation.text, "article": citation.article, "tag": citation.tag,
            "display": str(citation)}


def _on(on: datetime.date | None) -> datetime.date:
    return on or timezone.localdate()


def proposal_out(actor_, proposal: Proposal) -> dict:
    sides = rules.proposal_sides(actor_, proposal.bloc_year)
    return {
        "id": proposal.id, "bloc_year_id": proposal.bloc_year_id, "state": proposal.state,
        "state_label": proposal.get_state_display(),
        "conference_date": proposal.conference_date, "rulebook": proposal.rulebook,
        "return_reason": proposal.return_reason,
        "lines": [{"id": line.id, "unit": unit_ref(line.unit), "award_form": line.award_form,
                   "votes": line.votes, "explanation": line.explanation,
                   "outcome": line.outcome,
                   "decision_number": line.decision.number if line.decision else None}
                  for line in proposal.lines.select_related("unit", "decision")],
        "allowed_steps": [st.action for st in allowed_steps(proposal.state, sides)],
        "differences": service.differences(proposal),
    }


# --- operations ---------------------------------------------------------------------------

@router.get("/provinces/{code}/rulebook", response=responses({200: RulebookOut}, *READ))
def rulebook(request, code: s.text(20), on: s.Date | None = None):
    """The rulebook in force for the province on a date (default today): every setting
    with its value, the RULES.md numbers it carries and its citation."""
    actor(request)
    province = org_queries.province_by_code(code)
    book = rulebook_for(province.code, _on(on))
    return {"province": province.code, "on_date": _on(on), "in_force": book.describe(),
            "settings": [{"key": key, "value": _plain(setting.value),
                          "rules": list(setting.rules), "citation": _citation(setting.citation),
                          "note": setting.note, "open_point": setting.open_point}
                         for key, setting in sorted(book.settings.items())]}


@router.get("/bloc-years/{bloc_year_id}/eligibility",
            response=responses({200: EligibilityOut}, *READ, 403))
def eligibility(request, bloc_year_id: s.Id, on: s.Date | None = None):
    """Every member × award form: eligible, or the unmet / missing rules with citations."""
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    situation = service.bloc_situation(actor_, bloc_year, on_date=_on(on))
    forms = sorted({form for _, form in situation.eligibility})
    return {
        "bloc_year_id": bloc_year.id, "on_date": _on(on),
        "in_force": situation.rulebook.describe(),
        "quotas": [{"award_form": q.award_form, "count": q.count, "rule": q.rule,
                    "explanation": str(q)} for q in situation.quotas.values()],
        "units": [{"unit": unit_ref(unit), "rank": situation.ranks.get(unit.id),
                   "forms": [{"award_form": form,
                              "status": situation.eligibility[(unit.id, form)].status,
                              "checks": [{"rule": c.rule, "status": c.status,
                                          "sentence": c.sentence,
                                          "citation": str(c.citation) if c.citation else ""}
                                         for c in situation.eligibility[(unit.id, form)].checks]}
                             for form in forms]}
                  for unit in situation.units]}


@router.get("/bloc-years/{bloc_year_id}/what-if",
            response=responses({200: WhatIfOut}, *READ, 403))
def what_if(request, bloc_year_id: s.Id, on: s.Date | None = None):
    """Before the conference: each unit safe / borderline / out per form, and why."""
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    situation, outlooks = service.what_if(actor_, bloc_year, on_date=_on(on))
    units = {u.id: u for u in situation.units}
    return {"bloc_year_id": bloc_year.id, "on_date": _on(on), "forms": [
        {"award_form": form,
         "quota": getattr(situation.quotas.get(form), "count", None),
         "units": [{"unit": unit_ref(units[o.unit_id]), "status": o.status,
                    "reason": o.reason, "change": o.change, "rule": o.rule} for o in items]}
        for form, items in outlooks.items()]}


def _bloc_proposal(actor_, bloc_year_id) -> Proposal:
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    proposal = queries.proposal_of(bloc_year)
    if proposal is None:
        raise NotFound("Khối chưa lập hồ sơ đề nghị khen thưởng.")
    return proposal


@router.get("/bloc-years/{bloc_year_id}/proposal",
            response=responses({200: ProposalOut}, *READ))
def get_proposal(request, bloc_year_id: s.Id):
    actor_ = actor(request)
    return proposal_out(actor_, _bloc_proposal(actor_, bloc_year_id))


@router.post("/bloc-years/{bloc_year_id}/proposal",
             response=responses({200: ProposalOut}, *WRITE, 409))
def assemble(request, bloc_year_id: s.Id, payload: AssembleIn):
    """Draft (or redraft, while returned) the proposal from the conference's published
    poll results (voting), the ranking, the quotas and eligibility (the bloc's leader)."""
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    proposal = service.assemble_proposal(actor_, bloc_year, None,
                                         conference_date=payload.conference_date)
    return proposal_out(actor_, proposal)


@router.post("/proposals/{proposal_id}/{action}",
             response=responses({200: ProposalOut}, *WRITE, 409))
def step(request, proposal_id: s.Id, action: Literal[BUTTONS], payload: StepIn):
    """submit, resubmit (the bloc's leader); return with a reason, accept (the province)."""
    actor_ = actor(request)
    proposal = service.find_proposal(actor_, proposal_id)
    moved = service.move_proposal(actor_, proposal, action, payload.reason)
    return proposal_out(actor_, moved)


def _province_year(actor_, code, year) -> EmulationYear:
    """As the page (web.views.awards._province_year): for who reads the province's
    proposals (a former province's successor included), else 404 "Không tìm thấy tỉnh.";
    recording is the service's to refuse (403, issue 14)."""
    province = org_queries.province_by_code(code)
    if not rules.can_view_province_proposals(actor_, province.id):
        raise NotFound("Không tìm thấy tỉnh.")
    return org_queries.year_in(province, year)


@router.get("/provinces/{code}/years/{year}/proposals",
            response=responses({200: ProvinceProposalsOut}, *READ))
def province_proposals(request, code: s.text(20), year: s.Year):
    """Every bloc's proposal of the year, with the Government-flag cap (RULES.md 23)."""
    actor_ = actor(request)
    emulation_year = _province_year(actor_, code, year)
    view = service.province_proposals(actor_, emulation_year)
    cap = view.cap
    return {"year": year,
            "cap": {"cap": cap.cap.count, "proposed": cap.proposed, "excess": cap.excess,
                    "ok": cap.ok, "explanation": cap.explain()} if cap else None,
            "blocs": [{"bloc_year_id": b.id, "bloc": b.bloc.display_name,
                       "proposal": proposal_out(actor_, p) if p else None}
                      for b, p in view.rows]}


@router.post("/provinces/{code}/years/{year}/decisions",
             response=responses({201: DecisionOut}, *WRITE, 409))
def record_decision(request, code: s.text(20), year: s.Year, payload: DecisionIn):
    """The chairman's decision: accepted proposal lines awarded or not (RULES.md 27)."""
    actor_ = actor(request)
    emulation_year = _province_year(actor_, code, year)
    decision = service.record_decision(
        actor_, emulation_year, number=payload.number, decision_date=payload.decision_date,
        signer=payload.signer, awarded=payload.awarded, not_awarded=payload.not_awarded)
    lines = list(decision.lines.order_by("id"))
    return Status(201, {
        "id": decision.id, "number": decision.number, "decision_date": decision.decision_date,
        "signer": decision.signer,
        "awarded": [ln.id for ln in lines if ln.outcome == "awarded"],
        "not_awarded": [ln.id for ln in lines if ln.outcome == "not_awarded"]})


@router.get("/units/{unit_id}/awards", response=responses({200: HistoryOut}, *READ))
def history(request, unit_id: s.Id):
    """The unit's decided awards, newest year first, and the bonus they bring the year
    after the latest (RULES.md 11)."""
    actor_ = actor(request)
    unit = unit_in_scope(actor_, unit_id)
    awards = service.unit_history(actor_, unit)
    bonus_year = awards[0].emulation_year.year + 1 if awards else None
    bonus = next_year_bonus(unit, bonus_year) if bonus_year else None
    return {"unit": unit_ref(unit), "awards": [
        {"year": a.emulation_year.year, "award_form": a.award_form,
         "award_form_label": label_for(a.award_form, unit.province),
         "decision_number": a.decision_number,
         "decision_date": a.decision_date, "signer": a.signer} for a in awards],
        "bonus_year": bonus_year,
        "bonus_points": str(bonus.points) if bonus else None,
        "bonus_explanation": str(bonus) if bonus else None}




class LeaderDecisionIn(Schema):
    number: Annotated[str, Field(min_length=1, max_length=50)]
    decision_date: datetime.date
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class LeaderDecisionOut(Schema):
    number: str
    decision_date: datetime.date
    reason: str
    elected_unit_id: int | None


class NextYearIn(Schema):
    """`leader_unit_id` absent or null: the leader the conference elected. Another
    leader, or any leader when nobody was elected, needs the province's `decision`."""

    leader_unit_id: s.Id | None = None
    deputy_unit_ids: list[s.Id] | None = None
    decision: LeaderDecisionIn | None = None


class NextYearOut(Schema):
    bloc_year_id: int
    year: int
    leader_unit_id: int
    elected_leader_unit_id: int | None
    leader_decision: LeaderDecisionOut | None
    deputy_unit_ids: list[int]
    member_unit_ids: list[int]
    criteria_table_copied: bool


@router.post("/bloc-years/{bloc_year_id}/next-year",
             response=responses({201: NextYearOut}, *WRITE, 409))
def open_next_year(request, bloc_year_id: s.Id, payload: NextYearIn):
    """Open the bloc's next year with the leader elected at the conference (RULES.md 3,
    4), this year's members and a copy of the criteria table (the province). A leader
    other than the elected one is refused (409, nothing written) unless the province's
    decision (number, date, reason) comes with it."""
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    decision = (service.ProvinceDecision(payload.decision.number,
                                         payload.decision.decision_date,
                                         payload.decision.reason)
                if payload.decision else None)
    new = service.open_next_year(actor_, bloc_year, leader=payload.leader_unit_id,
                                 deputies=payload.deputy_unit_ids, decision=decision)
    record = getattr(new, "leader_designation", None)
    election = service.election_result(bloc_year)
    return Status(201, {
        "elected_leader_unit_id": election.leader_id if election else None,
        "leader_decision": {"number": record.number, "decision_date": record.decision_date,
                            "reason": record.reason,
                            "elected_unit_id": record.elected_unit_id} if record else None,
        "bloc_year_id": new.id, "year": new.emulation_year.year,
        "leader_unit_id": new.leader_unit_id,
        "deputy_unit_ids": sorted(new.deputy_units.values_list("id", flat=True)),
        "member_unit_ids": sorted(new.memberships.values_list("unit_id", flat=True)),
        "criteria_table_copied": CriteriaTable.objects.filter(bloc_year=new).exists()})
