"""Web test helpers: log in as any `world` role, build registrations through the services."""

import datetime
from decimal import Decimal

import pytest
from tests.factories import PDF, WHO

from thidua.core.evidence import Upload
from thidua.law.award_forms import AwardForm
from thidua.org import services as org_services
from thidua.org.domain.phases import Phase
from thidua.pledges import services as pledge_services
from thidua.pledges.services import TargetInput


@pytest.fixture
def as_who(client, world):
    """`as_who("officer")` → the test client logged in as that world user (or logged out)."""
    def login(who):
        client.logout()
        if who != "anonymous":
            client.force_login(world.users[who])
        return client
    return login


def outcome(response):
    """The status code, or "login" for the redirect an anonymous visitor gets."""
    if response.status_code == 302 and response["Location"].startswith("/dang-nhap/?next="):
        return "login"
    return response.status_code


def matrix(**expected):
    """Expected status per role: every role of WHO must be stated, none forgotten."""
    assert set(expected) == set(WHO), set(WHO) ^ set(expected)
    return sorted(expected.items())


def target_input(world, indicator="Tỷ lệ hồ sơ giải quyết đúng hạn", value="95",
                 measure="%", baseline="80"):
    return TargetInput(indicator=indicator, target_value=Decimal(value),
                       unit_of_measure=measure, deadline=datetime.date(world.year.year, 12, 31),
                       baseline=Decimal(baseline))


def register(world, officer, unit_code, *, submit=True, titles=(AwardForm.PROVINCIAL_FLAG,),
             targets=1):
    """A registration of `unit_code` made by the world user `officer` through the services."""
    actor = world.actor(officer)
    unit = world.units[unit_code]
    year = world.year if unit.province_id == world.province.id else world.other_year
    registration = pledge_services.open_registration(actor, unit, year)
    pledge_services.set_titles(actor, registration, list(titles))
    for number in range(targets):
        pledge_services.add_target(
            actor, registration, target_input(world, indicator=f"Chỉ tiêu số {number + 1}"))
    if submit:
        pledge_services.submit_registration(actor, registration)
    registration.refresh_from_db()
    return registration


def start_year(world, code="KT"):
    """Move a bloc year from registration to in progress (progress reports open)."""
    bloc_year = world.bloc_years[code]
    org_services.move_phase(world.actor("admin"), bloc_year, Phase.IN_PROGRESS)
    bloc_year.refresh_from_db()
    return bloc_year


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def report(world, officer, target, value="90", uploads=None):
    uploads = uploads if uploads is not None else [Upload("Báo cáo quý.pdf", PDF)]
    return pledge_services.report_progress(
        world.actor(officer), target, reported_on=datetime.date.today(),
        actual_value=Decimal(value), files=uploads)
