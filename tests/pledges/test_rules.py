"""Who may see and change a registration (pledges.rules), with other units' data present."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from conftest import make_user
from thidua.core.errors import DomainError
from thidua.org import services as org_services
from thidua.org.models import Role
from thidua.org.rules import actor_for
from thidua.pledges import rules, services
from thidua.pledges.models import Registration

WHO = ["admin", "secretariat", "other_secretariat", "leader", "officer", "peer", "outsider",
       "delegate", "nobody"]
MEMBERS_AND_PROVINCE = {"admin", "secretariat", "leader", "officer", "peer", "delegate"}


@pytest.fixture
def registration(world):
    officer = world.actor("officer")
    registration = services.open_registration(officer, world.units["KT1"], world.year)
    services.set_titles(officer, registration, ["provincial_flag"])
    services.add_target(officer, registration, services.TargetInput(
        "Chỉ tiêu", Decimal(10), "%", datetime.date(world.year.year, 12, 1)))
    return Registration.objects.get(pk=registration.pk)


def matrix(world, predicate, registration):
    return {who for who in WHO if predicate(world.actor(who), registration)}


def test_a_draft_is_seen_by_its_own_unit_only(world, registration):
    assert matrix(world, rules.can_view_registration, registration) == {"officer"}
    assert matrix(world, rules.can_edit_registration, registration) == {"officer"}
    assert matrix(world, rules.can_withdraw_registration, registration) == set()
    assert matrix(world, rules.can_report_progress, registration) == set()


def test_a_submitted_pledge_is_shared_with_the_bloc_and_the_province(world, registration):
    services.submit_registration(world.actor("officer"), registration)
    registration.refresh_from_db()
    assert matrix(world, rules.can_view_registration, registration) == MEMBERS_AND_PROVINCE
    assert matrix(world, rules.can_edit_registration, registration) == set()
    assert matrix(world, rules.can_withdraw_registration, registration) == {"officer"}
    assert matrix(world, rules.can_report_progress, registration) == set()
    org_services.move_phase(world.actor("leader"), world.bloc_years["KT"], "in_progress")
    registration = Registration.objects.get(pk=registration.pk)
    assert matrix(world, rules.can_withdraw_registration, registration) == set()
    assert matrix(world, rules.can_report_progress, registration) == {"officer"}


def test_the_delegate_of_the_unit_sees_its_draft(world):
    officer = actor_for(make_user("can_bo_kt3", Role.UNIT_OFFICER, unit=world.units["KT3"]))
    registration = services.open_registration(officer, world.units["KT3"], world.year)
    delegate = world.actor("delegate")
    assert rules.can_view_registration(delegate, registration)
    assert not rules.can_edit_registration(delegate, registration)
    other = actor_for(make_user("dai_bieu_kt4", Role.DELEGATE, unit=world.units["KT4"]))
    assert not rules.can_view_registration(other, registration)


@pytest.mark.parametrize("who", WHO)
def test_recording_signatures(world, who):
    assert rules.can_record_signing(world.actor(who), world.bloc_years["KT"]) == (
        who in {"admin", "secretariat", "leader"})


class _Allowed(Exception):
    """Raised inside the savepoint when the service let the call through (undone)."""


def _service_refusal(service, *args):
    """The error type and messages the service refused with, or None when it let the call
    through (its writes rolled back either way)."""
    try:
        with transaction.atomic():
            service(*args)
            raise _Allowed
    except _Allowed:
        return None
    except DomainError as refused:
        return (type(refused), refused.messages)


def _expected(refusal):
    return None if refusal is None else (type(refusal), refusal.messages)


def test_the_pages_and_the_services_ask_the_same_rules(world, registration):
    """One check per act (pledges.rules.*_refusal): for every actor, in every stage of the
    pledge, the service refuses exactly what the page's can_* hides, with the message and
    status the rule gives — draft, submitted, and while the year runs."""
    stages = [lambda: None,
              lambda: services.submit_registration(world.actor("officer"), registration),
              lambda: org_services.move_phase(world.actor("leader"), world.bloc_years["KT"],
                                              "in_progress")]
    def fresh():
        return Registration.objects.get(pk=registration.pk)

    for move_on in stages:
        move_on()
        for who in WHO:
            actor = world.actor(who)
            edit = rules.edit_refusal(actor, fresh())
            assert rules.can_edit_registration(actor, fresh()) == (edit is None)
            assert _service_refusal(services.set_titles, actor, fresh(),
                                    ["provincial_flag"]) == _expected(edit)
            withdraw = rules.withdraw_refusal(actor, fresh())
            assert rules.can_withdraw_registration(actor, fresh()) == (withdraw is None)
            assert _service_refusal(services.withdraw_registration, actor, fresh(),
                                    "Sửa chỉ tiêu") == _expected(withdraw)
