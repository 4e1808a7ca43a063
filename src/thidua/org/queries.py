"""Read side of the organisation model: lists the pages and the API show."""

import datetime

from thidua.core.text import search_key
from thidua.org.models import BlocYear, Membership, Unit
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
