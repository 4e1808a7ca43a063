"""Read side of the organisation model: lists the pages and the API show."""

import datetime
from dataclasses import dataclass

from thidua.core.errors import NotFound
from thidua.core.models import AuditEvent
from thidua.core.text import search_key
from thidua.org.models import (
    Bloc,
    BlocYear,
    EmulationYear,
    Membership,
    PastLeader,
    Province,
    Unit,
)
from thidua.org.rules import (
    Actor,
    can_view_bloc_year,
    can_view_unit,
    visible_provinces,
    visible_units,
)

# --- the objects a URL names, looked up in the actor's scope (else NotFound: 404) -----------

def bloc_year_in_scope(actor: Actor, bloc_year_id) -> BlocYear:
    bloc_year = (
        BlocYear.objects.select_related("bloc__province", "emulation_year", "leader_unit")
        .filter(pk=bloc_year_id).first()
    )
    if bloc_year is None or not can_view_bloc_year(actor, bloc_year):
        raise NotFound("Không tìm thấy khối thi đua.")
    return bloc_year


def unit_in_scope(actor: Actor, unit_id) -> Unit:
    unit = Unit.objects.select_related("province").filter(pk=unit_id).first()
    if unit is None or not can_view_unit(actor, unit):
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def year_in(province: Province, year: int) -> EmulationYear:
    """The province's emulation year `year` (its `province` already loaded)."""
    emulation_year = EmulationYear.objects.filter(province=province, year=year).first()
    if emulation_year is None:
        raise NotFound(f"{province.name} chưa mở năm thi đua {year}.")
    emulation_year.province = province
    return emulation_year


def province_by_code(code: str) -> Province:
    """A province by its code; whether the actor may see it is the caller's rule."""
    province = Province.objects.filter(code=code).first()
    if province is None:
        raise NotFound("Không tìm thấy tỉnh.")
    return province


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


def unit_by_id(unit_id) -> Unit:
    """Any unit (whether the actor may act for it is the caller's rule)."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def member_of(bloc_year: BlocYear, unit_id) -> Unit:
    """One member unit of the bloc year (a unit outside it is not found)."""
    unit = Unit.objects.filter(memberships__bloc_year=bloc_year, pk=unit_id).first()
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị trong khối.")
    return unit


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


def overseen_provinces(actor: Actor) -> list[Province]:
    """The provinces the actor oversees: every one for the admin, else the secretariat's."""
    return list(visible_provinces(actor))


def latest_led_bloc_year(actor: Actor) -> BlocYear | None:
    """The newest bloc year the actor's unit leads (their home page)."""
    return (BlocYear.objects.filter(id__in=actor.leader_bloc_years)
            .order_by("-emulation_year__year", "id").first())


def first_own_unit(actor: Actor) -> Unit | None:
    """The first unit (Vietnamese order) the actor is an officer of, else a delegate of."""
    ids = actor.officer_units or actor.delegate_units
    return Unit.objects.filter(id__in=ids).order_by("sort_key", "id").first()


def unit_of(province: Province, unit_id) -> Unit:
    """One of the province's units (another province's is not found)."""
    unit = Unit.objects.filter(pk=unit_id, province=province).first()
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.")
    return unit


def bloc_of(province: Province, bloc_id) -> Bloc:
    """One of the province's blocs (another province's is not found)."""
    bloc = Bloc.objects.filter(pk=bloc_id, province=province).first()
    if bloc is None:
        raise NotFound("Không tìm thấy khối, cụm.")
    return bloc


def bloc_year_of(bloc: Bloc, emulation_year: EmulationYear) -> BlocYear | None:
    return BlocYear.objects.filter(bloc=bloc, emulation_year=emulation_year).first()


def units_of(province: Province) -> list[Unit]:
    return list(province.units.order_by("sort_key", "id"))


def blocs_of(province: Province) -> list[Bloc]:
    return list(province.blocs.order_by("sort_key", "id"))


def bloc_years_of(province: Province) -> list[BlocYear]:
    """Every bloc year of the province, newest year first, blocs in their order."""
    return list(BlocYear.objects.filter(bloc__province=province)
                .select_related("bloc", "emulation_year")
                .order_by("-emulation_year__year", "bloc__sort_key"))


def years_of(province: Province) -> list[EmulationYear]:
    """The province's emulation years, newest first (the model's order)."""
    return list(province.years.all())


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
    years = years_of(province)
    this_year = (today or datetime.date.today()).year
    for emulation_year in years:
        if emulation_year.year == this_year:
            return emulation_year
    return years[0] if years else None


def audit_events(actor: Actor, *, action: str = "", object_type: str = "", object_id: str = ""):
    """The audit events this actor may read, newest first: all for an admin, those of
    their provinces for a secretariat — with those of the former provinces merged into
    them (history, read-only: org.rules.can_read_province) — none for anyone else.
    `action` matches a prefix ("pledges." finds every pledge event)."""
    events = AuditEvent.objects.select_related("actor").order_by("-id")
    if not actor.is_admin:
        events = events.filter(
            province_id__in=actor.secretariat_provinces | actor.history_provinces)
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
class MemberChoice:
    """A unit of the province as the bloc-year form shows it."""

    unit: Unit
    taken_by: str | None  # the bloc it already belongs to in that year (RULES.md 1)
    was_member: bool  # member of this bloc's previous year
    was_leader: bool  # led this bloc's previous year (RULES.md 4)


@dataclass(frozen=True)
class BlocYearCandidates:
    units: list[MemberChoice]
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
        units=[MemberChoice(unit=u, taken_by=taken.get(u.id), was_member=u.id in before,
                         was_leader=u.id == leader) for u in units],
        previous=previous,
    )
