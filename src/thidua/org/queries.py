"""Read side of the organisation model: lists the pages and the API show."""

import datetime
from dataclasses import dataclass

from thidua.core.text import search_key
from thidua.org.models import BlocYear, Membership, PastLeader, Unit
from thidua.org.rules import Actor, visible_units


def search_units(actor: Actor, query: str = "", limit: int = 200):
    """Units the actor may see whose name or code contains the query, diacritics ignored
    ("dai phat thanh" finds "Đài Phát thanh"), in Vietnamese order."""
    units = visible_units(actor).select_related("province")
    key = search_key(query)
    if key:
        units = units.filter(search_key__contains=key) | units.filter(code__iexact=query.strip())
    return list(units.order_by("sort_key", "id")[:limit])


def members(bloc_year: BlocYear) -> list[Unit]:
    """The bloc year's member units in Vietnamese order."""
    return list(
        Unit.objects.filter(memberships__bloc_year=bloc_year).order_by("sort_key", "id")
    )


def membership_history(unit: Unit) -> list[Membership]:
    """Which bloc the unit belonged to in each year, newest first, with its roles."""
    rows = list(
        Membership.objects.filter(unit=unit)
        .select_related("bloc_year__bloc", "bloc_year__emulation_year",
                        "bloc_year__leader_unit")
        .prefetch_related("bloc_year__deputy_units")
        .order_by("-bloc_year__emulation_year__year")
    )
    for row in rows:
        row.is_leader = row.bloc_year.leader_unit_id == unit.id
        row.is_deputy = any(d.id == unit.id for d in row.bloc_year.deputy_units.all())
    return rows


def leaders_by_year(bloc_id: int, years) -> dict[int, int]:
    """Year → leader unit id of the bloc in the given years (RULES.md 4): the bloc years
    run in the product, and the past years recorded as history (PastLeader). Two queries
    whatever the window."""
    years = list(years)
    found = dict(PastLeader.objects.filter(bloc_id=bloc_id, emulation_year__year__in=years)
                 .values_list("emulation_year__year", "leader_unit_id"))
    found.update(BlocYear.objects.filter(bloc_id=bloc_id, emulation_year__year__in=years)
                 .values_list("emulation_year__year", "leader_unit_id"))
    return found


def current_year_of(province, today=None):
    """The emulation year to show by default: this calendar year if the province has it,
    else its latest (a conference held in January still concerns last year's data)."""
    years = list(province.years.all())
    this_year = (today or datetime.date.today()).year
    for emulation_year in years:
        if emulation_year.year == this_year:
            return emulation_year
    return years[0] if years else None


def audit_events(actor: Actor, *, action: str = "", object_type: str = "", object_id: str = ""):
    """The audit events this actor may read, newest first: all for an admin, those of
    their provinces for a secretariat, none for anyone else. `action` matches a prefix
    ("pledges." finds every pledge event)."""
    from thidua.core.models import AuditEvent

    events = AuditEvent.objects.select_related("actor").order_by("-id")
    if not actor.is_admin:
        events = events.filter(province_id__in=actor.secretariat_provinces)
    if action:
        events = events.filter(action__startswith=action.strip())
    if object_type:
        events = events.filter(object_type=object_type.strip())
    if object_id:
        events = events.filter(object_id=object_id.strip())
    return events


def matching_units(actor: Actor, query: str = "", province_id: int | None = None):
    """`search_units` as an unsliced queryset, optionally within one province, so the API
    can count the matches and page through them."""
    units = visible_units(actor).select_related("province")
    if province_id is not None:
        units = units.filter(province_id=province_id)
    key = search_key(query)
    if key:
        units = units.filter(search_key__contains=key) | units.filter(code__iexact=query.strip())
    return units.order_by("sort_key", "id")


@dataclass(frozen=True)
class Candidate:
    """A unit of the province as the bloc-year form shows it."""

    unit: Unit
    taken_by: str | None  # the bloc it already belongs to in that year (RULES.md 1)
    was_member: bool  # member of this bloc's previous year
    was_leader: bool  # led this bloc's previous year (RULES.md 4)


@dataclass(frozen=True)
class BlocYearCandidates:
    units: list[Candidate]
    previous: BlocYear | None  # the bloc's latest year before this one

    @property
    def previous_members(self) -> list[int]:
        """Last year's members still free this year, in the order shown."""
        return [c.unit.id for c in self.units if c.was_member and c.taken_by is None]


def bloc_year_candidates(province, emulation_year, bloc) -> BlocYearCandidates:
    """Every unit of the province for a new bloc year, with what the form must tell: which
    are taken by another bloc that year, who were members and leader the bloc's previous
    year. Four queries whatever the number of units."""
    taken = {
        m.unit_id: m.bloc_year.bloc.display_name
        for m in Membership.objects.filter(emulation_year=emulation_year)
        .select_related("bloc_year__bloc")
    }
    previous = (BlocYear.objects.filter(bloc=bloc, emulation_year__year__lt=emulation_year.year)
                .select_related("emulation_year", "leader_unit")
                .order_by("-emulation_year__year").first())
    before = (set(previous.memberships.values_list("unit_id", flat=True))
              if previous else set())
    leader = previous.leader_unit_id if previous else None
    units = Unit.objects.filter(province=province).order_by("sort_key", "id")
    return BlocYearCandidates(
        units=[Candidate(unit=u, taken_by=taken.get(u.id), was_member=u.id in before,
                         was_leader=u.id == leader) for u in units],
        previous=previous,
    )
