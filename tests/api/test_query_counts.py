"""The number of queries an API call makes does not grow with the number of rows."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.core.evidence import Upload
from thidua.org import services as org_services
from thidua.org.models import Bloc, Unit
from thidua.pledges import services as pledge_services

from .conftest import make_registration


def _count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(queries)


def _big_bloc(world, size):
    system = world.actor("admin")
    bloc = Bloc.objects.create(province=world.province, code="LON", kind=Bloc.Kind.CUM,
                               name="Cụm Lớn")
    units = [Unit.objects.create(province=world.province, code=f"L{i:02}", name=f"Xã số {i}")
             for i in range(size)]
    bloc_year = org_services.create_bloc_year(system, bloc, world.year, members=units,
                                              leader=units[0], deputies=units[1:3])
    for unit in units:
        world.units[unit.code] = unit
    return bloc_year, units


def test_bloc_year_detail_and_lists_do_not_grow_with_members(world, api):
    client = api("secretariat")
    small = world.bloc_years["KT"]
    make_registration(world, "KT1", submit=True)
    counts_small = (_count(client, f"/bloc-years/{small.id}"),
                    _count(client, "/bloc-years"), _count(client, "/units"),
                    _count(client, f"/bloc-years/{small.id}/signing"))
    big, units = _big_bloc(world, 15)
    for unit in units[:6]:
        make_registration(world, unit.code, submit=True)
    counts_big = (_count(client, f"/bloc-years/{big.id}"),
                  _count(client, "/bloc-years"), _count(client, "/units"),
                  _count(client, f"/bloc-years/{big.id}/signing"))
    assert counts_big == counts_small


def test_registration_and_check_ins_do_not_grow_with_targets(world, api):
    registration = make_registration(world, "KT1", submit=True)
    org_services.move_phase(world.actor("admin"), world.bloc_years["KT"], "in_progress")
    client = api("officer")
    target = registration.targets.get()
    officer = world.actor("officer")
    pledge_services.report_progress(officer, target, reported_on=datetime.date.today(),
                                    actual_value=Decimal(50))
    small = (_count(client, f"/registrations/{registration.id}"),
             _count(client, f"/targets/{target.id}/check-ins"))
    for i in range(5):
        pledge_services.report_progress(
            officer, target, reported_on=datetime.date.today(), actual_value=Decimal(60 + i),
            files=[Upload(f"bc{i}.pdf", b"%PDF-1.4 minh chung")])
    registration.status = "draft"
    registration.save()
    for i in range(5):
        pledge_services.add_target(officer, registration, pledge_services.TargetInput(
            indicator=f"Chỉ tiêu {i}", target_value=Decimal(10), unit_of_measure="việc",
            deadline=datetime.date(world.year.year, 12, 1)))
    big = (_count(client, f"/registrations/{registration.id}"),
           _count(client, f"/targets/{target.id}/check-ins"))
    assert big == small
