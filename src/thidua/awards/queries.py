"""Read side of the awards app shared by pages, the API and other apps' home pages: the
units' year facts of a bloc year and how far their confirmation has come. Fixed query
counts whatever the bloc's size."""

from dataclasses import dataclass

from django.db.models import Count

from thidua.awards import rules
from thidua.awards.models import (
    Award,
    AwardDecision,
    CouncilSelection,
    FactsEvidence,
    LeaderDecision,
    Proposal,
    ProposalLine,
    UnitYearFacts,
)
from thidua.core.errors import NotFound
from thidua.core.text import search_key
from thidua.law.award_forms import AwardForm
from thidua.law.workflow import State
from thidua.org.models import BlocYear, EmulationYear, Membership, Role, RoleAssignment, Unit
from thidua.org.queries import year_in
from thidua.org.rules import Actor

MISSING = "missing"  # the unit has entered nothing yet
FORM_ORDER = {form: i for i, form in enumerate(AwardForm.values)}


@dataclass(frozen=True)
class FactsRow:
    unit: Unit
    facts: UnitYearFacts | None
    evidence_count: int

    @property
    def state(self) -> str:
        return self.facts.state if self.facts else MISSING

    @property
    def state_label(self) -> str:
        return self.facts.state_label if self.facts else "Chưa nhập"


@dataclass(frozen=True)
class FactsProgress:
    """Members of a bloc year by the state of their year facts."""

    members: int
    missing: int  # nothing entered
    entered: int  # waiting for the leader or the province
    returned: int  # sent back to the unit with a reason
    confirmed: int

    @property
    def unconfirmed(self) -> int:
        return self.members - self.confirmed


def bloc_facts(bloc_year: BlocYear) -> list[FactsRow]:
    """Every member unit of the bloc year in the bloc's order, with its facts of the year
    (None before it enters any) and how many evidence files they carry. Three queries."""
    units = list(Unit.objects.filter(memberships__bloc_year=bloc_year).order_by("sort_key"))
    facts = {f.unit_id: f for f in UnitYearFacts.objects.filter(
        emulation_year_id=bloc_year.emulation_year_id, unit__in=units).select_related(
        "emulation_year", "confirmed_by", "returned_by").annotate(
        evidence_total=Count("evidence"))}
    return [FactsRow(unit, facts.get(unit.id), getattr(facts.get(unit.id), "evidence_total", 0))
            for unit in units]


def facts_progress(bloc_year: BlocYear) -> FactsProgress:
    """How many members have entered, had returned, or had confirmed their year facts.
    Two queries."""
    members = bloc_year.memberships.count()
    states = {"entered": 0, "returned": 0, "confirmed": 0}
    for confirmed_at, returned_at in UnitYearFacts.objects.filter(
            emulation_year_id=bloc_year.emulation_year_id,
            unit__memberships__bloc_year=bloc_year).values_list("confirmed_at", "returned_at"):
        key = "confirmed" if confirmed_at else "returned" if returned_at else "entered"
        states[key] += 1
    return FactsProgress(members, members - sum(states.values()), **states)


def unconfirmed_facts_count(bloc_year: BlocYear) -> int:
    """Members of the bloc year whose year facts eligibility cannot read yet: not
    entered, waiting for confirmation, or returned (for the home pages' next steps)."""
    return facts_progress(bloc_year).unconfirmed


# --- one unit's year facts ------------------------------------------------------------------

def facts_unit_year(actor: Actor, unit_id, year: int) -> tuple[Unit, EmulationYear, BlocYear]:
    """The unit (if the actor may see its facts), its emulation year `year` and the bloc
    year it belongs to that year; NotFound otherwise."""
    unit = Unit.objects.select_related("province").filter(pk=unit_id).first()
    if unit is None or not rules.can_view_facts(actor, unit):
        raise NotFound("Không tìm thấy đơn vị.")
    emulation_year = year_in(unit.province, year)
    membership = (Membership.objects.select_related("bloc_year__bloc", "bloc_year__leader_unit")
                  .filter(unit=unit, emulation_year=emulation_year).first())
    if membership is None:
        raise NotFound(f"{unit.name} chưa thuộc khối nào trong năm {year}.")
    return unit, emulation_year, membership.bloc_year


def facts_of(unit: Unit, emulation_year: EmulationYear) -> UnitYearFacts | None:
    return (UnitYearFacts.objects.select_related("confirmed_by", "returned_by", "entered_by")
            .filter(unit=unit, emulation_year=emulation_year).first())


def facts_evidence(facts: UnitYearFacts | None) -> list[FactsEvidence]:
    return list(facts.evidence.all()) if facts else []


def facts_evidence_in_scope(actor: Actor, evidence_id) -> FactsEvidence:
    """A facts evidence file if the actor may see its unit's facts."""
    evidence = FactsEvidence.objects.select_related("facts__unit").filter(
        pk=evidence_id).first()
    if evidence is None or not rules.can_view_facts(actor, evidence.facts.unit):
        raise NotFound("Không tìm thấy tệp minh chứng.")
    return evidence


# --- the proposal dossier and the years after -----------------------------------------------

def proposal_of(bloc_year: BlocYear) -> Proposal | None:
    return Proposal.objects.filter(bloc_year=bloc_year).first()


def proposal_lines(proposal: Proposal | None) -> list[ProposalLine]:
    """The dossier's lines with their units and decisions, in the award forms' legal order
    (Cờ Chính phủ first), then by position. Two queries whatever the count."""
    if proposal is None:
        return []
    lines = list(ProposalLine.objects.filter(proposal=proposal)
                 .select_related("unit", "decision"))
    return sorted(lines, key=lambda line: (FORM_ORDER.get(line.award_form, 99),
                                           line.position, line.unit.sort_key, line.id))


def awaiting_decision(emulation_year: EmulationYear) -> list[ProposalLine]:
    """Lines of the year's accepted proposals the chairman has not decided yet, bloc by
    bloc in the province's order."""
    return list(ProposalLine.objects.filter(
        proposal__bloc_year__emulation_year=emulation_year, proposal__state=State.ACCEPTED,
        outcome=ProposalLine.Outcome.PENDING).select_related("unit").order_by(
        "proposal__bloc_year__bloc__sort_key", "award_form", "position", "id"))


@dataclass(frozen=True)
class NextYearView:
    """What the province's "open next year" page shows of a bloc year."""

    elected: Unit | None  # the leader the conference elected
    opened: BlocYear | None  # the bloc's next year, once opened
    decision: LeaderDecision | None  # the province's decision on the leader (RULES.md 3)


def next_year_view(bloc_year: BlocYear, elected_id: int | None) -> NextYearView:
    return NextYearView(
        elected=Unit.objects.filter(pk=elected_id).first() if elected_id else None,
        opened=BlocYear.objects.filter(
            bloc_id=bloc_year.bloc_id, emulation_year__year=bloc_year.emulation_year.year + 1,
        ).select_related("leader_unit").first(),
        decision=LeaderDecision.objects.filter(bloc_year=bloc_year).select_related(
            "leader_unit", "elected_unit").first())


def leader_officers(bloc_year: BlocYear) -> list[str]:
    """Names of the accounts that act as the bloc year's leader officer."""
    return [a.user.full_name or a.user.username for a in RoleAssignment.objects.filter(
        role=Role.BLOC_LEADER_OFFICER, bloc_year=bloc_year).select_related("user").order_by(
        "user__username")]


# --- the award register (sổ khen thưởng) --------------------------------------------------

@dataclass(frozen=True)
class RegisterEntry:
    """One award in the province's register: its number in the year's register (the order
    it was recorded, never reused), the unit, the form, the decision."""

    number: int
    award: Award


def register_numbers(emulation_year) -> dict[int, int]:
    """award id → its number in the province's register of the year: the order the awards
    were recorded (ids only grow, so a number never changes once given)."""
    ids = Award.objects.filter(emulation_year=emulation_year).order_by("id").values_list(
        "id", flat=True)
    return {award_id: number for number, award_id in enumerate(ids, 1)}


def award_register(province, *, year: int | None = None, unit_text: str = "",
                   limit: int = 500) -> list[RegisterEntry]:
    """The province's register, newest year first then by number, filtered by year and by
    unit name, without diacritics ("so cong thuong" finds "Sở Công Thương").
    Three queries whatever the number of entries."""
    awards = (Award.objects.filter(unit__province=province)
              .select_related("unit", "emulation_year", "decision"))
    if year is not None:
        awards = awards.filter(emulation_year__year=year)
    words = search_key(unit_text or "").split()
    for word in words:
        awards = awards.filter(unit__search_key__contains=word)
    awards = list(awards.order_by("-emulation_year__year", "id")[:limit])
    years = {a.emulation_year_id for a in awards}
    numbers = {}
    for award_id, year_id in (Award.objects.filter(emulation_year_id__in=years)
                              .order_by("id").values_list("id", "emulation_year_id")):
        numbers.setdefault(year_id, []).append(award_id)
    position = {award_id: n for ids in numbers.values() for n, award_id in enumerate(ids, 1)}
    return [RegisterEntry(position[a.id], a) for a in awards]


def decisions_of(emulation_year) -> list[AwardDecision]:
    """The chairman's award decisions recorded for the year, by date (the province's
    papers page links each one's quyết định, thông báo and phôi)."""
    return list(AwardDecision.objects.filter(emulation_year=emulation_year)
                .order_by("decision_date", "id"))




@dataclass(frozen=True)
class CouncilChoice:
    """RULES.md 20: what the province's council chose, as its minutes record it — the one
    reading of the choice that the province page, the papers (decision draft) and the
    decision check share."""
    selection: CouncilSelection
    lines: tuple  # ProposalLine, bloc by bloc as the minutes name them

    @property
    def line_ids(self) -> frozenset[int]:
        return frozenset(line.id for line in self.lines)

    @property
    def unit_ids(self) -> frozenset[int]:
        return frozenset(line.unit_id for line in self.lines)


def council_choice(emulation_year: EmulationYear) -> CouncilChoice | None:
    """The council's latest choice for the year, or None before it has met."""
    selection = CouncilSelection.objects.filter(emulation_year=emulation_year).first()
    if selection is None:
        return None
    return CouncilChoice(selection, tuple(
        selection.chosen.select_related("unit", "proposal__bloc_year__bloc")
        .order_by("proposal__bloc_year__bloc__sort_key", "award_form", "position", "id")))
