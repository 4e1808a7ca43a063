"""Organisation services: the imperative shell around org.domain (load, check, write, audit)."""

import datetime

from django.db import IntegrityError, transaction

from thidua.awards.rulebooks import RulebookNotFound, registration_deadline
from thidua.core import audit
from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.org.domain.composition import Composition, composition_errors
from thidua.org.domain.phases import PhaseError, PhaseForbidden, check_transition
from thidua.org.models import Bloc, BlocYear, EmulationYear, Membership, Unit
from thidua.org.rules import Actor, bloc_year_roles, can_oversee_province


def default_registration_deadline(province, year: int) -> datetime.date:
    """RULES.md 7: the deadline the rulebook in force gives (31/3 in the shipped ones);
    31/3 too for a year no rulebook covers (before Law 06/2022 took effect). The province
    may then set another date on the year itself."""
    try:
        return registration_deadline(province.code, year)
    except RulebookNotFound:
        return datetime.date(year, 3, 31)


def ensure_year(actor, province, year: int, deadline=None) -> EmulationYear:
    if not can_oversee_province(actor, province.id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được mở năm thi đua.")
    emulation_year, created = EmulationYear.objects.get_or_create(
        province=province,
        year=year,
        defaults={
            "registration_deadline": deadline or default_registration_deadline(province, year)
        },
    )
    if created:
        audit.record(actor, "org.year.create", emulation_year, province_id=province.id,
                     after={"year": year,
                            "registration_deadline": emulation_year.registration_deadline})
    return emulation_year


def bloc_year_snapshot(bloc_year: BlocYear) -> dict:
    return {
        "phase": bloc_year.phase,
        "leader_unit": bloc_year.leader_unit_id,
        "deputy_units": sorted(bloc_year.deputy_units.values_list("id", flat=True)),
        "members": sorted(bloc_year.memberships.values_list("unit_id", flat=True)),
    }


@transaction.atomic
def create_bloc_year(actor, bloc: Bloc, emulation_year: EmulationYear, *, members, leader,
                     deputies) -> BlocYear:
    """A bloc's year with its members, leader and deputies (RULES.md 1, 2, 5), checked
    whole before anything is written."""
    if not can_oversee_province(actor, bloc.province_id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được lập danh sách khối.")
    if bloc.province_id != emulation_year.province_id:
        raise DomainError("Khối và năm thi đua phải thuộc cùng một tỉnh.")
    if BlocYear.objects.filter(bloc=bloc, emulation_year=emulation_year).exists():
        raise Conflict(f"{bloc.display_name} đã có danh sách năm {emulation_year.year}.")
    member_ids = frozenset(u.id if isinstance(u, Unit) else u for u in members)
    deputy_ids = frozenset(u.id if isinstance(u, Unit) else u for u in deputies)
    leader_id = leader.id if isinstance(leader, Unit) else leader
    units = Unit.objects.filter(id__in=member_ids | deputy_ids | {leader_id})
    names = {u.id: u.name for u in units}
    unknown = (member_ids | deputy_ids | ({leader_id} - {None})) - names.keys()
    if unknown or any(u.province_id != bloc.province_id for u in units):
        raise DomainError("Có đơn vị không tồn tại hoặc không thuộc tỉnh của khối.")
    taken = {
        m.unit_id: m.bloc_year.bloc.display_name
        for m in Membership.objects.filter(
            emulation_year=emulation_year, unit_id__in=member_ids
        ).select_related("bloc_year__bloc")
    }
    province = bloc.province
    errors = composition_errors(
        Composition(member_ids, leader_id, deputy_ids),
        min_size=province.min_bloc_size, max_size=province.max_bloc_size,
        names=names, taken=taken,
    )
    if errors:
        raise DomainError(*errors)
    try:
        with transaction.atomic():
            bloc_year = BlocYear.objects.create(
                bloc=bloc, emulation_year=emulation_year, leader_unit_id=leader_id
            )
            bloc_year.deputy_units.set(deputy_ids)
            Membership.objects.bulk_create(
                Membership(bloc_year=bloc_year, unit_id=unit_id,
                           emulation_year_id=emulation_year.id)
                for unit_id in sorted(member_ids)
            )
    except IntegrityError as exc:  # a concurrent request took a unit first (RULES.md 1)
        raise Conflict("Một đơn vị vừa được xếp vào khối khác trong năm này; hãy tải lại.") \
            from exc
    audit.record(actor, "org.bloc_year.create", bloc_year, province_id=province.id,
                 after=bloc_year_snapshot(bloc_year))
    return bloc_year


@transaction.atomic
def move_phase(actor: Actor, bloc_year: BlocYear, target: str, reason: str = "") -> BlocYear:
    """Move a bloc year to another phase if the state machine and the actor's role allow."""
    locked = BlocYear.objects.select_for_update().select_related("bloc").get(pk=bloc_year.pk)
    try:
        check_transition(locked.phase, target, bloc_year_roles(actor, locked), reason)
    except PhaseForbidden as exc:
        raise Forbidden(str(exc)) from exc
    except PhaseError as exc:
        raise Conflict(str(exc)) from exc
    before = locked.phase
    locked.phase = target
    locked.save(update_fields=["phase"])
    audit.record(actor, "org.bloc_year.phase", locked, province_id=locked.bloc.province_id,
                 before={"phase": before}, after={"phase": target}, reason=reason.strip())
    bloc_year.phase = target
    return locked
