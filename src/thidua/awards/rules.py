"""Who may see and change awards data: the one place these checks live."""

from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.law.workflow import BLOC, EDITABLE, PROVINCE, State
from thidua.org.domain.phases import conference_phase_problem
from thidua.org.models import BlocYear, Unit
from thidua.org.rules import (
    Actor,
    can_act_for_unit,
    can_oversee_province,
    can_read_province,
    can_view_bloc_year,
    can_view_unit,
    is_history,
)


def can_view_facts(actor: Actor, unit: Unit) -> bool:
    return can_view_unit(actor, unit)


def can_enter_facts(actor: Actor, unit: Unit) -> bool:
    """The unit's own officers enter its facts; the province may enter or correct them."""
    return can_act_for_unit(actor, unit.id) or can_oversee_province(actor, unit.province_id)


def confirming_role(actor: Actor, unit: Unit, bloc_year: BlocYear) -> str | None:
    """"secretariat" or "leader" if the actor may confirm the unit's facts, else None.

    The leader confirms its bloc's members — except the leader unit itself, whose facts
    the secretariat confirms, so no unit vouches for its own year."""
    if can_oversee_province(actor, unit.province_id):
        return "secretariat"
    if bloc_year.id in actor.leader_bloc_years and unit.id != bloc_year.leader_unit_id:
        return "leader"
    return None


def can_confirm_facts(actor: Actor, unit: Unit, bloc_year: BlocYear) -> bool:
    return confirming_role(actor, unit, bloc_year) is not None


def can_record_award(actor: Actor, province_id: int) -> bool:
    """Awards are the chairman's decisions, recorded by the province."""
    return can_oversee_province(actor, province_id)


def may_record_awards_in(actor: Actor, province) -> bool:
    """The proposals page's decision and council forms: who records awards, in a province
    that is not history (issue 14)."""
    return can_record_award(actor, province.id) and not is_history(province)


def can_view_province_proposals(actor: Actor, province_id: int) -> bool:
    """The province's year of awards as read: every bloc's proposal side by side, the
    decisions recorded, the council's choice (RULES.md 20, 23, 27). Its secretariat, and —
    read-only, issue 14 — the secretariat of the province a former province merged into
    (org.rules.can_read_province). Recording a decision or the council's choice asks
    `can_record_award`, which that reading never gives."""
    return can_read_province(actor, province_id)


def proposal_sides(actor: Actor, bloc_year: BlocYear) -> frozenset:
    """The sides of the proposal workflow the actor stands on: "bloc" (the bloc year's
    leader officer) and/or "province" (the province's secretariat, the administrator)."""
    sides = set()
    if bloc_year.id in actor.leader_bloc_years:
        sides.add(BLOC)
    if can_oversee_province(actor, bloc_year.bloc.province_id):
        sides.add(PROVINCE)
    return frozenset(sides)


def can_view_proposal(actor: Actor, bloc_year: BlocYear) -> bool:
    """Everyone of the bloc year (its members read what was proposed for them) and the
    province; nobody of another province."""
    return can_view_bloc_year(actor, bloc_year)


def assemble_refusal(actor: Actor, bloc_year: BlocYear, proposal) -> DomainError | None:
    """Why the actor may not (re)draft the bloc year's proposal now, or None. One rule for
    the page's button, the API and `assemble_proposal`: the bloc's leader only, in the
    conference phase (the phase the votes were held in), while the dossier is a draft or
    returned to the bloc."""
    if not can_view_proposal(actor, bloc_year):
        return NotFound("Không tìm thấy khối thi đua.")
    if BLOC not in proposal_sides(actor, bloc_year):
        return Forbidden("Chỉ Trưởng khối được lập hồ sơ đề nghị khen thưởng của khối.")
    problem = conference_phase_problem(bloc_year.phase, "Lập đề nghị khen thưởng")
    if problem:
        return Conflict(problem)
    if proposal is not None and proposal.state not in EDITABLE:
        return Conflict(f"Hồ sơ đang ở trạng thái «{State(proposal.state).label}»: không "
                        "lập lại được.")
    return None


def may_assemble(actor: Actor, bloc_year: BlocYear, proposal) -> bool:
    return assemble_refusal(actor, bloc_year, proposal) is None


def can_preview(actor: Actor, bloc_year: BlocYear) -> bool:
    """The eligibility table and the what-if preview: the leader and the province."""
    return bool(proposal_sides(actor, bloc_year))


def can_view_history(actor: Actor, unit: Unit) -> bool:
    return can_view_unit(actor, unit)
