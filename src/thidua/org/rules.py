"""Who may see and do what in the organisation model: the one place these checks live.

A user's role assignments become an `Actor` once per request; every view and API
operation asks the predicates below. Objects outside a user's scope are not found (404),
objects in scope but actions not allowed are forbidden (403).

A former province (merged into another, exchange.merger) keeps its history and nobody's
roles: the secretariat of the province it merged into reads it (`can_read_province`, the
bloc-year relationship HISTORY) and changes nothing — every power to change asks
`can_oversee_province` or a role in the bloc year, which that reading never gives.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q

from thidua.org.domain.phases import ADMIN, HISTORY, LEADER, SECRETARIAT
from thidua.org.models import BlocYear, Membership, Province, Role, Unit

UNIT_OFFICER, DELEGATE = Role.UNIT_OFFICER.value, Role.DELEGATE.value


@dataclass(frozen=True)
class Actor:
    user: object
    is_admin: bool = False
    secretariat_provinces: frozenset = frozenset()
    leader_bloc_years: frozenset = frozenset()
    officer_units: frozenset = frozenset()
    delegate_units: frozenset = field(default_factory=frozenset)

    @property
    def is_authenticated(self):
        return self.user is not None and self.user.is_authenticated

    @cached_property
    def led_units(self) -> frozenset:
        """Units that are members of a bloc year this actor leads."""
        if not self.leader_bloc_years:
            return frozenset()
        return frozenset(
            Membership.objects.filter(bloc_year_id__in=self.leader_bloc_years)
            .values_list("unit_id", flat=True)
        )

    @cached_property
    def history_provinces(self) -> frozenset:
        """Former provinces merged into one of the secretariat's provinces, and those
        merged into them before (a province that merged twice keeps both histories): one
        query per level, when first asked; none for an actor without a province."""
        found, level = set(), set(self.secretariat_provinces)
        while level:
            level = set(Province.objects.filter(merged_into_id__in=level)
                        .values_list("id", flat=True)) - found
            found |= level
        return frozenset(found)

    @cached_property
    def own_units(self) -> frozenset:
        return self.officer_units | self.delegate_units


ANONYMOUS = Actor(user=None)


def actor_for(user) -> Actor:
    """The actor of a user, computed once and kept on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_thidua_actor", None)
    if cached is not None:
        return cached
    scopes = {role: set() for role in Role.values}
    for role, province, bloc_year, unit in user.roles.values_list(
        "role", "province_id", "bloc_year_id", "unit_id"
    ):
        scopes[role].add(province or bloc_year or unit or True)
    actor = Actor(
        user=user,
        is_admin=user.is_superuser or bool(scopes[Role.SYSTEM_ADMIN]),
        secretariat_provinces=frozenset(scopes[Role.PROVINCE_SECRETARIAT]),
        leader_bloc_years=frozenset(scopes[Role.BLOC_LEADER_OFFICER]),
        officer_units=frozenset(scopes[Role.UNIT_OFFICER]),
        delegate_units=frozenset(scopes[Role.DELEGATE]),
    )
    user._thidua_actor = actor
    return actor


# --- provinces -------------------------------------------------------------------------

def can_oversee_province(actor: Actor, province_id: int) -> bool:
    """Province dashboard, audit log, every bloc and unit of the province."""
    return actor.is_admin or province_id in actor.secretariat_provinces


def can_set_up_province(actor: Actor, province_id: int) -> bool:
    """Set up the province's organisation: units, blocs, emulation years and their
    registration deadline, the bloc size range, each bloc's members for a year.

    The same people as `can_oversee_province` today; kept apart because seeing the
    province and reshaping it are different powers (a read-only inspector role would
    oversee without setting up)."""
    return actor.is_admin or province_id in actor.secretariat_provinces


def can_read_province(actor: Actor, province_id: int) -> bool:
    """Read a province's pages (dashboard, bloc years, award register, statistics, the
    history recorded, the proposals and decisions, the units' lineage, its units —
    `can_view_unit`): who oversees it, and — read-only — the secretariat of the province
    a former province merged into (its history, exchange.merger). Never a power to change:
    writes ask `can_oversee_province`."""
    return (can_oversee_province(actor, province_id)
            or province_id in actor.history_provinces)


def is_history(province) -> bool:
    """A former province (merged into another): read, never changed — the administrator
    included (org.former.require_active refuses in the services; pages offer no form)."""
    return province.merged_into_id is not None


def can_record_lineage(actor: Actor, province) -> bool:
    """Record or remove a reorganisation of the province's units (RULES.md 44)."""
    return can_set_up_province(actor, province.id) and not is_history(province)


def former_provinces(actor: Actor, province) -> list:
    """The former provinces merged into `province` whose pages the actor reads, by name
    (a former province's own former provinces included, for its successor)."""
    if not can_read_province(actor, province.id):
        return []
    return list(Province.objects.filter(merged_into=province).order_by("name"))


def visible_provinces(actor: Actor):
    if actor.is_admin:
        return Province.objects.all()
    return Province.objects.filter(id__in=actor.secretariat_provinces)


# --- user accounts ---------------------------------------------------------------------

def can_administer_users(actor: Actor, province_id: int | None = None) -> bool:
    """Open the user pages (no province given), or give roles inside one province: the
    admin, or the province's secretariat."""
    if actor.is_admin:
        return True
    if province_id is None:
        return bool(actor.secretariat_provinces)
    return province_id in actor.secretariat_provinces


def can_manage_user(actor: Actor, provinces: frozenset, *, system: bool) -> bool:
    """Change an account whose roles lie in `provinces` (`system`: it administers the
    whole system): the admin any; a secretariat only one wholly inside its provinces."""
    if actor.is_admin:
        return True
    if system or not provinces:
        return False
    return provinces <= actor.secretariat_provinces


# --- bloc years ------------------------------------------------------------------------

def bloc_year_roles(actor: Actor, bloc_year: BlocYear) -> frozenset:
    """The actor's relationships to a bloc year (empty: may not see it)."""
    roles = set()
    if actor.is_admin:
        roles.add(ADMIN)
    if bloc_year.bloc.province_id in actor.secretariat_provinces:
        roles.add(SECRETARIAT)
    elif bloc_year.bloc.province_id in actor.history_provinces:
        roles.add(HISTORY)
    if bloc_year.id in actor.leader_bloc_years:
        roles.add(LEADER)
    if actor.own_units:
        member_ids = _member_ids(bloc_year)
        if member_ids & actor.officer_units:
            roles.add(UNIT_OFFICER)
        if member_ids & actor.delegate_units:
            roles.add(DELEGATE)
    return frozenset(roles)


def _member_ids(bloc_year: BlocYear) -> frozenset:
    cache = getattr(bloc_year, "_member_ids", None)
    if cache is None:
        cache = frozenset(bloc_year.memberships.values_list("unit_id", flat=True))
        bloc_year._member_ids = cache
    return cache


def can_view_bloc_year(actor: Actor, bloc_year: BlocYear) -> bool:
    return bool(bloc_year_roles(actor, bloc_year))


def can_manage_bloc_year(actor: Actor, bloc_year: BlocYear) -> bool:
    """Run the bloc year: pledge signing record, reminders (leader or the province)."""
    return bool(bloc_year_roles(actor, bloc_year) & {ADMIN, SECRETARIAT, LEADER})


def visible_bloc_years(actor: Actor):
    qs = BlocYear.objects.select_related("bloc", "emulation_year", "leader_unit")
    if actor.is_admin:
        return qs
    return qs.filter(
        Q(bloc__province_id__in=actor.secretariat_provinces | actor.history_provinces)
        | Q(id__in=actor.leader_bloc_years)
        | Q(memberships__unit_id__in=actor.own_units)
    ).distinct()


def can_view_bloc(actor: Actor, bloc) -> bool:
    """The bloc itself (its name, kind): the province, or whoever sees one of its years."""
    if can_oversee_province(actor, bloc.province_id):
        return True
    if not (actor.leader_bloc_years or actor.own_units):
        return False
    return BlocYear.objects.filter(bloc_id=bloc.id).filter(
        Q(id__in=actor.leader_bloc_years) | Q(memberships__unit_id__in=actor.own_units)
    ).exists()


# --- units -----------------------------------------------------------------------------

def can_view_unit(actor: Actor, unit: Unit) -> bool:
    """A unit's pages (its year, award history, facts, signer): its province, its own
    people, its bloc's leader, and — read-only — the secretariat of the province a former
    province merged into (issue 14: the unit's history under the former province). Every
    change to a unit asks its own rule (`can_act_for_unit`, `can_set_up_province`,
    `can_oversee_province`…), which that reading never gives."""
    return (
        can_oversee_province(actor, unit.province_id)
        or unit.id in actor.own_units
        or unit.id in actor.led_units
        or unit.province_id in actor.history_provinces
    )


def can_act_for_unit(actor: Actor, unit_id: int) -> bool:
    """Enter the unit's own pledge, progress and evidence: its officers only."""
    return unit_id in actor.officer_units


def visible_units(actor: Actor):
    if actor.is_admin:
        return Unit.objects.all()
    return Unit.objects.filter(
        Q(province_id__in=actor.secretariat_provinces | actor.history_provinces)
        | Q(id__in=actor.own_units | actor.led_units)
    )
