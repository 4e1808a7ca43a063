"""Read side of the awards app shared by pages, the API and other apps' home pages: the
units' year facts of a bloc year and how far their confirmation has come. Fixed query
counts whatever the bloc's size."""

from dataclasses import dataclass

from django.db.models import Count

from thidua.awards.models import Award, AwardDecision, UnitYearFacts
from thidua.core.text import search_key
from thidua.org.models import BlocYear, Unit

MISSING = "missing"  # the unit has entered nothing yet


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
