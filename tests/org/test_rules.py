"""Who may see and do what (org.rules): exact sets for every role of the `world`, with the
other province's data present and never leaking."""

import pytest

from conftest import make_user
from thidua.org.models import Role, RoleAssignment
from thidua.org.rules import (
    ANONYMOUS,
    actor_for,
    bloc_year_roles,
    can_act_for_unit,
    can_manage_bloc_year,
    can_oversee_province,
    can_view_bloc_year,
    can_view_unit,
    visible_bloc_years,
    visible_provinces,
    visible_units,
)

WHO = ["admin", "secretariat", "other_secretariat", "leader", "officer", "peer", "outsider",
       "delegate", "nobody", "anonymous"]
KT = [f"KT{i}" for i in range(1, 6)]
VX = [f"VX{i}" for i in range(1, 6)]
HN = [f"HN{i}" for i in range(1, 6)]
EXPECTED = {
    # who: (provinces, bloc years, units, roles on KT, may manage KT)
    "admin": ({"BN", "HN"}, {"KT", "VX", "HN"}, KT + VX + HN, {"system_admin"}, True),
    "secretariat": ({"BN"}, {"KT", "VX"}, KT + VX, {"province_secretariat"}, True),
    "other_secretariat": ({"HN"}, {"HN"}, HN, set(), False),
    "leader": (set(), {"KT"}, KT, {"bloc_leader_officer"}, True),
    "officer": (set(), {"KT"}, ["KT1"], {"unit_officer"}, False),
    "peer": (set(), {"KT"}, ["KT2"], {"unit_officer"}, False),
    "outsider": (set(), {"VX"}, ["VX1"], set(), False),
    "delegate": (set(), {"KT"}, ["KT3"], {"delegate"}, False),
    "nobody": (set(), set(), [], set(), False),
    "anonymous": (set(), set(), [], set(), False),
}


def actor(world, who):
    return ANONYMOUS if who == "anonymous" else world.actor(who)


@pytest.mark.parametrize("who", WHO)
def test_what_each_role_sees(world, who):
    provinces, bloc_years, units, roles, manages = EXPECTED[who]
    a = actor(world, who)
    assert {p.code for p in visible_provinces(a)} == provinces
    assert {code for code, by in world.bloc_years.items()
            if by.id in set(visible_bloc_years(a).values_list("id", flat=True))} == bloc_years
    assert sorted(visible_units(a).values_list("code", flat=True)) == sorted(units)
    assert bloc_year_roles(a, world.bloc_years["KT"]) == frozenset(roles)
    assert can_manage_bloc_year(a, world.bloc_years["KT"]) is manages
    assert {code for code, by in world.bloc_years.items() if can_view_bloc_year(a, by)} == \
        bloc_years
    assert {code for code, unit in world.units.items() if can_view_unit(a, unit)} == set(units)
    assert {code for code, p in (("BN", world.province), ("HN", world.other_province))
            if can_oversee_province(a, p.id)} == provinces


@pytest.mark.parametrize("who", WHO)
def test_only_a_units_officers_act_for_it(world, who):
    a = actor(world, who)
    assert {code for code, unit in world.units.items() if can_act_for_unit(a, unit.id)} == {
        "officer": {"KT1"}, "peer": {"KT2"}, "outsider": {"VX1"}}.get(who, set())


def test_visible_bloc_years_has_no_duplicates(world):
    """A delegate and officer of two member units still sees the bloc year once."""
    user = make_user("hai_vai", Role.UNIT_OFFICER, unit=world.units["KT4"])
    RoleAssignment.objects.create(user=user, role=Role.DELEGATE, unit=world.units["KT5"])
    ids = list(visible_bloc_years(actor_for(user)).values_list("id", flat=True))
    assert ids == [world.bloc_years["KT"].id]


def test_inactive_users_are_anonymous(world):
    user = world.users["secretariat"]
    user.is_active = False
    user.save()
    user.__dict__.pop("_thidua_actor", None)
    assert actor_for(user) is ANONYMOUS
    assert actor_for(None) is ANONYMOUS


def test_a_superuser_without_a_role_is_an_admin(world):
    user = world.users["nobody"]
    user.is_superuser = True
    user.save()
    a = actor_for(user)
    assert a.is_admin
    assert {p.code for p in visible_provinces(a)} == {"BN", "HN"}


def test_the_actor_is_computed_once_per_user_object(world, django_assert_num_queries):
    user = world.users["officer"]
    user.__dict__.pop("_thidua_actor", None)
    with django_assert_num_queries(1):
        first = actor_for(user)
        second = actor_for(user)
    assert first is second
    assert (first.officer_units, first.delegate_units, first.leader_bloc_years) == (
        frozenset({world.units["KT1"].id}), frozenset(), frozenset())
