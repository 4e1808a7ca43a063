"""The province dashboard: who may open it, what it counts, and that it stays cheap."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.org import services as org_services
from thidua.org.models import Bloc, Unit

from .conftest import matrix, outcome, register
from .page import parse


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=404, officer=404, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_who_may_open_the_dashboard(world, as_who, who, status):
    assert outcome(as_who(who).get("/tinh/BN/")) == status


def rows(response):
    table = parse(response).by_id("bang-khoi")
    return [[td.text for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]


def test_counts_per_bloc_with_drafts_apart(world, as_who):
    register(world, "officer", "KT1")
    register(world, "peer", "KT2", submit=False)
    register(world, "outsider", "VX1")
    response = as_who("secretariat").get("/tinh/BN/")
    assert response.status_code == 200
    assert rows(response) == [
        # Vietnamese order: "Khối Kinh tế" before "Khối Văn hóa".
        ["Khối Kinh tế", "Đăng ký thi đua", "Sở Công Thương", "5", "1", "1", "3"],
        ["Khối Văn hóa", "Đăng ký thi đua", "Sở Y tế", "5", "1", "0", "4"],
    ]
    text = parse(response).find("main").text
    assert "Khối Hà Nội" not in text and "Sở Bí mật" not in text
    links = [a.attrs["href"] for a in parse(response).by_id("bang-khoi").find_all("a")]
    assert links == [f"/khoi/{world.bloc_years['KT'].pk}/", f"/khoi/{world.bloc_years['VX'].pk}/"]


def test_other_province_shows_only_its_own_blocs(world, as_who):
    response = as_who("admin").get("/tinh/HN/")
    assert rows(response) == [["Khối Hà Nội", "Đăng ký thi đua", "Sở Bí mật", "5", "0", "0", "5"]]


def test_year_is_selectable(world, as_who):
    system = world.actor("admin")
    older = org_services.ensure_year(system, world.province, world.year.year - 1)
    bloc = Bloc.objects.create(province=world.province, code="CU", kind=Bloc.Kind.CUM,
                               name="Cụm năm trước")
    units = [Unit.objects.create(province=world.province, code=f"CU{i}", name=f"Xã số {i}")
             for i in range(5)]
    org_services.create_bloc_year(system, bloc, older, members=units, leader=units[0],
                                  deputies=[units[1]])
    client = as_who("secretariat")
    current = client.get("/tinh/BN/")
    assert [r[0] for r in rows(current)] == ["Khối Kinh tế", "Khối Văn hóa"]
    past = client.get(f"/tinh/BN/?nam={older.year}")
    assert [r[0] for r in rows(past)] == ["Cụm năm trước"]
    options = parse(past).by_id("chon-nam").find_all("option")
    assert [(o.text, "selected" in o.attrs) for o in options] == [
        (str(world.year.year), False), (str(older.year), True)]
    assert client.get("/tinh/BN/?nam=1990").status_code == 404
    assert client.get("/tinh/BN/?nam=abc").status_code == 404


def test_unknown_province_is_not_found(world, as_who):
    assert as_who("admin").get("/tinh/XX/").status_code == 404


def _add_blocs(world, count):
    system = world.actor("admin")
    for b in range(count):
        bloc = Bloc.objects.create(province=world.province, code=f"B{b}", kind=Bloc.Kind.KHOI,
                                   name=f"Khối thêm {b}")
        units = [Unit.objects.create(province=world.province, code=f"B{b}U{i}",
                                     name=f"Đơn vị {b}-{i}") for i in range(8)]
        org_services.create_bloc_year(system, bloc, world.year, members=units,
                                      leader=units[0], deputies=[units[1]])


def test_query_count_does_not_grow_with_blocs_or_units(world, as_who,
                                                       django_assert_max_num_queries):
    client = as_who("secretariat")
    register(world, "officer", "KT1")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/tinh/BN/").status_code == 200
    _add_blocs(world, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/tinh/BN/")
    assert len(rows(response)) == 8
