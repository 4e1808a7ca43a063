"""Setting up a province in the UI: units, blocs, years (deadline), the bloc size range,
and "Lập khối năm" — who may, what is written (rows and audit events), what is refused
and that a refusal writes nothing and keeps what the user typed or ticked."""

import datetime
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.core.models import AuditEvent
from thidua.core.text import search_key
from thidua.org import services as org_services
from thidua.org.models import Bloc, BlocYear, EmulationYear, Membership, Province, Unit

from .conftest import matrix, outcome
from .page import inline_code, parse

SETUP = "/tinh/BN/thiet-lap/"
NEW_BLOC_YEAR = SETUP + "lap-khoi-nam/"


def db_state():
    """Everything a setup page could write."""
    return {
        "provinces": sorted(Province.objects.values_list("id", "min_bloc_size",
                                                         "max_bloc_size")),
        "units": sorted(Unit.objects.values_list("id", "province_id", "code", "name")),
        "blocs": sorted(Bloc.objects.values_list("id", "province_id", "code", "name",
                                                 "short_name", "kind")),
        "years": sorted(EmulationYear.objects.values_list("id", "province_id", "year",
                                                          "registration_deadline")),
        "bloc_years": sorted(BlocYear.objects.values_list("id", "bloc_id", "leader_unit_id")),
        "deputies": sorted(BlocYear.deputy_units.through.objects.values_list(
            "blocyear_id", "unit_id")),
        "memberships": sorted(Membership.objects.values_list("bloc_year_id", "unit_id")),
        "audit": list(AuditEvent.objects.values_list("id", flat=True)),
    }


def last_event():
    return AuditEvent.objects.order_by("id").last()


def event_of(event):
    return (event.action, event.object_type, event.object_id, event.province_id,
            event.before, event.after, event.actor.username)


def summary(response):
    """The lines of the error summary, in order."""
    box = parse(response).find(class_="error-summary")
    return [li.text for li in box.find_all("li")] if box else []


def unit_rows(response):
    table = parse(response).by_id("bang-don-vi")
    return [[td.text for td in tr.find_all("td")][:2] for tr in table.find("tbody").find_all("tr")]


# --- who may ---------------------------------------------------------------------------

PAGE_MATRIX = matrix(
    admin=200, secretariat=200, other_secretariat=404, leader=404, officer=404, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
)


@pytest.mark.parametrize(("who", "status"), PAGE_MATRIX)
@pytest.mark.parametrize("path", ["", "lap-khoi-nam/"])
def test_who_may_open_the_setup_pages(world, as_who, who, status, path):
    response = as_who(who).get(SETUP + path)
    assert outcome(response) == status
    if status == 404:
        text = parse(response).find("main").text
        assert "Sở Công Thương" not in text and "Bắc Ninh" not in text


def _posts(world):
    """One valid request per write of the setup pages, and what it must change."""
    year = world.year.year
    unit, bloc = world.units["KT1"], world.bloc_years["KT"].bloc
    return {
        "add_unit": (SETUP + "don-vi/", {"code": "STP", "name": "Sở Tư pháp"}),
        "rename_unit": (SETUP + f"don-vi/{unit.pk}/", {"name": "Sở Công Thương mới"}),
        "add_bloc": (SETUP + "khoi/", {"code": "CX", "kind": "cum", "name": "Cụm các xã"}),
        "rename_bloc": (SETUP + f"khoi/{bloc.pk}/", {"name": "Khối Kinh tế mới",
                                                     "short_name": ""}),
        "add_year": (SETUP + "nam/", {"year": year + 1, "registration_deadline": ""}),
        "deadline": (SETUP + f"nam/{year}/", {"registration_deadline": f"{year}-04-15"}),
        "bloc_size": (SETUP + "so-thanh-vien/", {"min_bloc_size": 4, "max_bloc_size": 12}),
    }


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=302, secretariat=302, other_secretariat=404, leader=404, officer=404, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
@pytest.mark.parametrize("operation", ["add_unit", "rename_unit", "add_bloc", "rename_bloc",
                                       "add_year", "deadline", "bloc_size"])
def test_who_may_change_the_setup(world, as_who, who, status, operation):
    url, data = _posts(world)[operation]
    before = db_state()
    response = as_who(who).post(url, data)
    assert outcome(response) == status
    after = db_state()
    if status == 302:
        assert after != before
        assert len(after["audit"]) == len(before["audit"]) + 1
        assert last_event().actor == world.users[who]
        assert last_event().province_id == world.province.id
    else:
        assert after == before


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=302, secretariat=302, other_secretariat=404, leader=404, officer=404, peer=404,
    outsider=404, delegate=404, nobody=404, anonymous="login",
))
def test_who_may_make_a_bloc_year(world, as_who, free_units, who, status):
    bloc, units = free_units
    before = db_state()
    response = as_who(who).post(NEW_BLOC_YEAR, {
        "khoi": bloc.pk, "nam": world.year.year, "members": [u.pk for u in units[:5]],
        "leader": units[0].pk, "deputies": [units[1].pk]})
    assert outcome(response) == status
    if status == 302:
        assert BlocYear.objects.filter(bloc=bloc).count() == 1
    else:
        assert db_state() == before


def test_the_other_province_is_not_reachable_through_this_one(world, as_who):
    """A unit, bloc or year of Hà Nội under Bắc Ninh's URL is not found, even for the
    admin; Hà Nội's secretariat cannot reach Bắc Ninh's through its own."""
    hn_unit, hn_bloc = world.units["HN1"], world.bloc_years["HN"].bloc
    before = db_state()
    client = as_who("admin")
    assert client.post(SETUP + f"don-vi/{hn_unit.pk}/", {"name": "X"}).status_code == 404
    assert client.post(SETUP + f"khoi/{hn_bloc.pk}/", {"name": "X"}).status_code == 404
    assert client.post(SETUP + "nam/1999/", {"registration_deadline": "1999-03-01"}
                       ).status_code == 404
    other = as_who("other_secretariat")
    assert other.post(f"/tinh/HN/thiet-lap/don-vi/{world.units['KT1'].pk}/",
                      {"name": "X"}).status_code == 404
    assert db_state() == before


def test_the_dashboard_links_to_setup_for_the_province(world, as_who):
    root = parse(as_who("secretariat").get("/tinh/BN/"))
    links = [(a.text, a.attrs["href"]) for a in root.by_id("thiet-lap").find_all("a")]
    assert links == [
        ("Thiết lập đơn vị, khối, năm thi đua", SETUP),
        (f"Lập khối năm {world.year.year}", f"{NEW_BLOC_YEAR}?nam={world.year.year}"),
        ("Khen thưởng và Trưởng khối các năm trước", "/tinh/BN/lich-su/"),
        ("Sắp xếp, sáp nhập, chia tách đơn vị", "/tinh/BN/sap-xep-don-vi/"),
    ]


def test_setup_pages_have_nothing_inline(world, as_who, free_units):
    bloc, _ = free_units
    client = as_who("secretariat")
    for url in (SETUP, NEW_BLOC_YEAR, f"{NEW_BLOC_YEAR}?khoi={bloc.pk}&nam={world.year.year}"):
        response = client.get(url)
        assert response.status_code == 200
        assert inline_code(parse(response)) == [], url


# --- units ---------------------------------------------------------------------------

def test_add_a_unit_nfc_and_upper_case_code(world, as_who):
    nfd = unicodedata.normalize("NFD", "Sở  Tư pháp ")
    client = as_who("secretariat")
    response = client.post(SETUP + "don-vi/", {"code": " stp ", "name": nfd})
    assert response.status_code == 302
    assert response["Location"] == SETUP + "#muc-don-vi"
    unit = Unit.objects.get(province=world.province, code="STP")
    assert unit.name == "Sở Tư pháp" == unicodedata.normalize("NFC", unit.name)
    assert event_of(last_event()) == (
        "org.unit.create", "org.unit", str(unit.pk), world.province.id, None,
        {"code": "STP", "name": "Sở Tư pháp"}, "thuong_truc")
    page = client.get(SETUP)
    assert ["STP", "Sở Tư pháp"] in unit_rows(page)
    assert [m.text for m in parse(page).with_class("message", "li")] == [
        "Đã thêm đơn vị “Sở Tư pháp” (mã STP)."]


@pytest.mark.parametrize(("data", "status", "messages"), [
    ({"code": "kt1", "name": "Sở mới"}, 409,
     ["Mã “KT1” đã được dùng cho đơn vị “Sở Công Thương”."]),
    ({"code": "KT1", "name": "Sở Y tế"}, 409,
     ["Mã “KT1” đã được dùng cho đơn vị “Sở Công Thương”.",
      "Tỉnh đã có đơn vị tên “Sở Y tế” (mã VX1)."]),
    ({"code": "SỞ", "name": "Sở mới"}, 400,
     ["Mã “SỞ” không hợp lệ: chỉ gồm chữ cái không dấu, chữ số và các dấu . _ - "
      "(tối đa 20 ký tự)."]),
    ({"code": "A" * 21, "name": "Sở mới"}, 400,
     [f"Mã “{'A' * 21}” không hợp lệ: chỉ gồm chữ cái không dấu, chữ số và các dấu . _ - "
      "(tối đa 20 ký tự)."]),
    ({"code": "NEW", "name": "x" * 301}, 400,
     ["Tên đơn vị dài quá 300 ký tự (đang có 301)."]),
    ({"code": "NEW", "name": "Sở\x07mới"}, 400,
     ["Tên đơn vị có ký tự điều khiển không được phép."]),
    ({"code": "", "name": ""}, 400, ["Trường này là bắt buộc.", "Trường này là bắt buộc."]),
])
def test_a_refused_unit_writes_nothing_and_keeps_the_input(world, as_who, data, status,
                                                           messages):
    before = db_state()
    response = as_who("secretariat").post(SETUP + "don-vi/", data)
    assert response.status_code == status
    assert summary(response) == messages
    assert db_state() == before
    root = parse(response)
    assert root.by_id("don-vi-code").attrs.get("value", "") == data["code"].strip()
    assert root.by_id("don-vi-name").attrs.get("value", "") == data["name"].strip()


def test_a_refused_unit_with_htmx_answers_the_section(world, as_who):
    response = as_who("secretariat").post(SETUP + "don-vi/", {"code": "KT2", "name": "Mới"},
                                          headers={"HX-Request": "true"})
    assert response.status_code == 409
    root = parse(response)
    assert [e.attrs["id"] for e in root.children if hasattr(e, "attrs")] == ["muc-don-vi"]
    assert summary(response) == ["Mã “KT2” đã được dùng cho đơn vị “Sở Tài chính”."]


def test_an_added_unit_with_htmx_answers_the_section_with_the_new_row(world, as_who):
    response = as_who("secretariat").post(SETUP + "don-vi/", {"code": "AA", "name": "An Giang"},
                                          headers={"HX-Request": "true"})
    assert response.status_code == 200
    root = parse(response)
    assert root.find("section").attrs["id"] == "muc-don-vi"
    assert root.find(role="status").text == "Đã thêm đơn vị “An Giang” (mã AA)."
    assert unit_rows(response)[0] == ["AA", "An Giang"]
    assert root.by_id("don-vi-code").attrs.get("value", "") == ""  # a fresh form


def test_rename_a_unit(world, as_who):
    unit = world.units["KT4"]
    response = as_who("admin").post(SETUP + f"don-vi/{unit.pk}/",
                                    {"name": unicodedata.normalize("NFD", "Đài PT-TH tỉnh")})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.code, unit.name, unit.search_key) == ("KT4", "Đài PT-TH tỉnh",
                                                       search_key("Đài PT-TH tỉnh"))
    assert event_of(last_event()) == (
        "org.unit.rename", "org.unit", str(unit.pk), world.province.id,
        {"code": "KT4", "name": "Đài Phát thanh"}, {"code": "KT4", "name": "Đài PT-TH tỉnh"},
        "quan_tri")


def test_renaming_to_the_same_name_writes_nothing(world, as_who):
    before = db_state()
    unit = world.units["KT4"]
    response = as_who("admin").post(SETUP + f"don-vi/{unit.pk}/", {"name": " Đài  Phát thanh"})
    assert response.status_code == 302
    assert db_state() == before


def test_a_refused_rename_opens_its_row_with_what_was_typed(world, as_who):
    unit = world.units["KT4"]
    before = db_state()
    response = as_who("secretariat").post(SETUP + f"don-vi/{unit.pk}/", {"name": "Sở Y tế"})
    assert response.status_code == 409
    assert summary(response) == ["Tỉnh đã có đơn vị tên “Sở Y tế” (mã VX1)."]
    assert db_state() == before
    root = parse(response)
    assert root.by_id(f"don-vi-{unit.pk}-name").attrs["value"] == "Sở Y tế"
    opened = [d.parent.parent.attrs["data-unit"] for d in root.find_all("details", open=True)]
    assert opened == ["KT4"]


# --- blocs ---------------------------------------------------------------------------

def test_add_a_cluster_and_rename_it(world, as_who):
    client = as_who("secretariat")
    response = client.post(SETUP + "khoi/", {"code": "cx", "kind": "cum",
                                             "name": "Cụm thi đua các xã phía Bắc",
                                             "short_name": "Cụm phía Bắc"})
    assert response.status_code == 302
    bloc = Bloc.objects.get(province=world.province, code="CX")
    assert (bloc.kind, bloc.name, bloc.short_name) == ("cum", "Cụm thi đua các xã phía Bắc",
                                                       "Cụm phía Bắc")
    created = {"code": "CX", "name": "Cụm thi đua các xã phía Bắc",
               "short_name": "Cụm phía Bắc", "kind": "cum"}
    assert event_of(last_event()) == ("org.bloc.create", "org.bloc", str(bloc.pk),
                                      world.province.id, None, created, "thuong_truc")
    response = client.post(SETUP + f"khoi/{bloc.pk}/", {"name": "Cụm các xã phía Bắc",
                                                        "short_name": ""})
    assert response.status_code == 302
    assert event_of(last_event()) == (
        "org.bloc.rename", "org.bloc", str(bloc.pk), world.province.id, created,
        {**created, "name": "Cụm các xã phía Bắc", "short_name": ""}, "thuong_truc")
    rows = parse(client.get(SETUP)).by_id("bang-khoi").find("tbody").find_all("tr")
    assert [[td.text for td in tr.find_all("td")][:4] for tr in rows] == [
        ["CX", "Cụm các xã phía Bắc", "", "Cụm thi đua"],
        ["KT", "Khối Kinh tế", "", "Khối thi đua"],
        ["VX", "Khối Văn hóa", "", "Khối thi đua"],
    ]


@pytest.mark.parametrize(("data", "status", "messages"), [
    ({"code": "KT", "kind": "khoi", "name": "Khối Văn hóa"}, 409,
     ["Mã “KT” đã được dùng cho khối, cụm “Khối Kinh tế”.",
      "Tỉnh đã có khối, cụm tên “Khối Văn hóa” (mã VX)."]),
    ({"code": "HN", "kind": "tinh", "name": "Khối mới"}, 400,
     ["Hãy chọn một lựa chọn hợp lệ. tinh không phải là một trong các lựa chọn khả thi."]),
])
def test_a_refused_bloc_writes_nothing(world, as_who, data, status, messages):
    before = db_state()
    response = as_who("secretariat").post(SETUP + "khoi/", data)
    assert response.status_code == status
    assert summary(response) == messages
    assert db_state() == before


def test_a_bloc_code_of_the_other_province_is_free_here(world, as_who):
    response = as_who("secretariat").post(SETUP + "khoi/", {"code": "HN", "kind": "khoi",
                                                            "name": "Khối Hà Nam"})
    assert response.status_code == 302
    assert sorted(Bloc.objects.filter(code="HN").values_list("province__code", flat=True)) == [
        "BN", "HN"]


# --- years ---------------------------------------------------------------------------

def test_open_a_year_with_the_default_deadline(world, as_who):
    year = world.year.year + 1
    response = as_who("secretariat").post(SETUP + "nam/", {"year": year})
    assert response.status_code == 302
    created = EmulationYear.objects.get(province=world.province, year=year)
    assert created.registration_deadline == datetime.date(year, 3, 31)
    assert event_of(last_event()) == (
        "org.year.create", "org.emulationyear", str(created.pk), world.province.id, None,
        {"year": year, "registration_deadline": f"{year}-03-31"}, "thuong_truc")


@pytest.mark.parametrize(("offset", "deadline", "status", "message"), [
    (1, "{next}-01-01", 302, None),
    (1, "{next}-12-31", 302, None),
    (1, "{this}-12-31", 400,
     "Hạn đăng ký thi đua phải nằm trong năm thi đua {next} (từ 01/01/{next} đến 31/12/{next}); "
     "ngày đã nhập là 31/12/{this} (Quy tắc 7)."),
    (1, "{after}-01-01", 400,
     "Hạn đăng ký thi đua phải nằm trong năm thi đua {next} (từ 01/01/{next} đến 31/12/{next}); "
     "ngày đã nhập là 01/01/{after} (Quy tắc 7)."),
    (0, "{this}-04-01", 409, "Bắc Ninh đã có năm thi đua {this}."),
])
def test_a_year_deadline_lies_in_the_year(world, as_who, offset, deadline, status, message):
    this = world.year.year
    names = {"this": this, "next": this + 1, "after": this + 2}
    before = db_state()
    response = as_who("secretariat").post(SETUP + "nam/", {
        "year": this + offset, "registration_deadline": deadline.format(**names)})
    assert response.status_code == status
    if message is None:
        assert EmulationYear.objects.get(province=world.province, year=this + 1
                                         ).registration_deadline.isoformat() == \
            deadline.format(**names)
    else:
        assert summary(response) == [message.format(**names)]
        assert db_state() == before


def test_change_the_registration_deadline(world, as_who):
    year = world.year
    response = as_who("secretariat").post(SETUP + f"nam/{year.year}/",
                                          {"registration_deadline": f"{year.year}-04-30"})
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.registration_deadline == datetime.date(year.year, 4, 30)
    assert event_of(last_event()) == (
        "org.year.deadline", "org.emulationyear", str(year.pk), world.province.id,
        {"registration_deadline": f"{year.year}-03-31"},
        {"registration_deadline": f"{year.year}-04-30"}, "thuong_truc")
    # The bloc year page reads the new deadline.
    page = as_who("leader").get(f"/khoi/{world.bloc_years['KT'].pk}/")
    assert f"Hạn đăng ký: 30/04/{year.year}" in parse(page).find(class_="stats").text


def test_a_deadline_outside_its_year_is_refused_and_kept_in_the_row(world, as_who):
    year = world.year.year
    before = db_state()
    response = as_who("secretariat").post(SETUP + f"nam/{year}/",
                                          {"registration_deadline": f"{year + 1}-01-15"})
    assert response.status_code == 400
    assert summary(response) == [
        f"Hạn đăng ký thi đua phải nằm trong năm thi đua {year} (từ 01/01/{year} đến "
        f"31/12/{year}); ngày đã nhập là 15/01/{year + 1} (Quy tắc 7)."]
    assert db_state() == before
    field = parse(response).by_id(f"nam-{year}-registration_deadline")
    assert field.attrs["value"] == f"{year + 1}-01-15"
    response = as_who("secretariat").post(SETUP + f"nam/{year}/",
                                          {"registration_deadline": "15/01"})
    assert (response.status_code, summary(response)) == (400, ["Nhập một ngày hợp lệ."])
    assert db_state() == before


# --- bloc size -----------------------------------------------------------------------

def test_set_the_bloc_size_range(world, as_who):
    response = as_who("admin").post(SETUP + "so-thanh-vien/",
                                    {"min_bloc_size": 6, "max_bloc_size": 12})
    assert response.status_code == 302
    world.province.refresh_from_db()
    assert (world.province.min_bloc_size, world.province.max_bloc_size) == (6, 12)
    assert event_of(last_event()) == (
        "org.province.bloc_size", "org.province", str(world.province.pk), world.province.id,
        {"min_bloc_size": 5, "max_bloc_size": 15}, {"min_bloc_size": 6, "max_bloc_size": 12},
        "quan_tri")


@pytest.mark.parametrize(("low", "high", "messages"), [
    (9, 8, ["Số thành viên tối thiểu (9) không được lớn hơn số tối đa (8)."]),
    (1, 500, ["Số thành viên tối thiểu phải từ 2 trở lên: khối có một Trưởng khối và ít "
              "nhất một Phó khối (Quy tắc 2).", "Số thành viên tối đa không được quá 200."]),
])
def test_a_bad_bloc_size_range_is_refused(world, as_who, low, high, messages):
    before = db_state()
    response = as_who("secretariat").post(SETUP + "so-thanh-vien/",
                                          {"min_bloc_size": low, "max_bloc_size": high})
    assert response.status_code == 400
    assert summary(response) == messages
    assert db_state() == before
    root = parse(response)
    assert (root.by_id("quy-mo-min_bloc_size").attrs["value"],
            root.by_id("quy-mo-max_bloc_size").attrs["value"]) == (str(low), str(high))


# --- Lập khối năm ---------------------------------------------------------------------

def pick_rows(response):
    """Per unit code: (member, leader, deputy) as (checked, disabled) pairs and the note."""
    table = parse(response).by_id("bang-chon-don-vi")
    rows = {}
    for tr in table.find("tbody").find_all("tr"):
        boxes = tr.find_all("input")
        rows[tr.attrs["data-unit"]] = (
            tuple(("checked" in b.attrs, "disabled" in b.attrs) for b in boxes),
            tr.find(class_="ghi-chu").text)
    return rows


FREE = ((False, False),) * 3
TAKEN = ((False, True),) * 3


def test_the_form_shows_units_taken_by_another_bloc_as_such(world, as_who, free_units):
    bloc, units = free_units
    response = as_who("secretariat").get(
        f"{NEW_BLOC_YEAR}?khoi={bloc.pk}&nam={world.year.year}")
    assert response.status_code == 200
    rows = pick_rows(response)
    assert set(rows) == {u.code for u in units} | {f"KT{i}" for i in range(1, 6)} | {
        f"VX{i}" for i in range(1, 6)}  # never Hà Nội's
    assert rows["KT1"] == (TAKEN, "Đã thuộc Khối Kinh tế")
    assert rows["VX3"] == (TAKEN, "Đã thuộc Khối Văn hóa")
    assert rows["NC1"] == (FREE, "")
    assert parse(response).by_id("goi-y-luan-phien") is None  # the bloc has no past year


def test_make_a_bloc_year(world, as_who, free_units):
    bloc, units = free_units
    client = as_who("secretariat")
    response = client.post(NEW_BLOC_YEAR, {
        "khoi": bloc.pk, "nam": world.year.year, "members": [u.pk for u in units],
        "leader": units[2].pk, "deputies": [units[0].pk, units[4].pk]})
    bloc_year = BlocYear.objects.get(bloc=bloc, emulation_year=world.year)
    assert response.status_code == 302
    assert response["Location"] == f"/khoi/{bloc_year.pk}/"
    assert bloc_year.leader_unit_id == units[2].pk
    assert sorted(bloc_year.deputy_units.values_list("id", flat=True)) == [units[0].pk,
                                                                         units[4].pk]
    assert sorted(Membership.objects.filter(bloc_year=bloc_year).values_list(
        "unit_id", flat=True)) == sorted(u.pk for u in units)
    event = last_event()
    assert event_of(event) == (
        "org.bloc_year.create", "org.blocyear", str(bloc_year.pk), world.province.id, None,
        {"phase": "registration", "leader_unit": units[2].pk,
         "deputy_units": [units[0].pk, units[4].pk],
         "members": sorted(u.pk for u in units)}, "thuong_truc")
    page = client.get(f"/khoi/{bloc_year.pk}/")
    assert [m.text for m in parse(page).with_class("message", "li")] == [
        f"Đã lập Khối Nội chính năm {world.year.year} với 6 đơn vị thành viên."]


def test_composition_errors_are_listed_and_the_choices_kept(world, as_who, free_units):
    bloc, units = free_units
    kt1 = world.units["KT1"]
    before = db_state()
    chosen = {"khoi": bloc.pk, "nam": world.year.year,
              "members": [units[0].pk, units[1].pk, kt1.pk],
              "leader": units[3].pk, "deputies": [units[3].pk, units[1].pk]}
    response = as_who("secretariat").post(NEW_BLOC_YEAR, chosen)
    assert response.status_code == 400
    assert summary(response) == [
        "Khối phải có từ 5 đến 15 đơn vị thành viên; đang có 3 (Quy tắc 5).",
        "Sở Công Thương đã thuộc Khối Kinh tế trong năm này; mỗi đơn vị chỉ thuộc một khối "
        "trong một năm (Quy tắc 1).",
        "Trưởng khối Tòa án nhân dân tỉnh không phải thành viên của khối (Quy tắc 2).",
        "Phó khối Tòa án nhân dân tỉnh không phải thành viên của khối (Quy tắc 2).",
        "Tòa án nhân dân tỉnh không thể vừa là Trưởng khối vừa là Phó khối (Quy tắc 2).",
    ]
    assert db_state() == before
    rows = pick_rows(response)
    assert rows["NC1"][0] == ((True, False), (False, False), (False, False))
    assert rows["NC2"][0] == ((True, False), (False, False), (True, False))
    assert rows["NC4"][0] == ((False, False), (True, False), (True, False))
    assert rows["NC5"][0] == FREE
    # The other box still shows as ticked, and disabled: the user sees what was refused.
    assert rows["KT1"][0] == ((True, True), (False, True), (False, True))
    hidden = {i.attrs["name"]: i.attrs["value"] for i in parse(response).by_id(
        "form-lap-khoi").find_all("input", type="hidden")}
    assert (hidden["khoi"], hidden["nam"]) == (str(bloc.pk), str(world.year.year))


def test_nothing_ticked_says_what_is_missing(world, as_who, free_units):
    bloc, _ = free_units
    response = as_who("secretariat").post(NEW_BLOC_YEAR, {"khoi": bloc.pk,
                                                          "nam": world.year.year})
    assert response.status_code == 400
    assert summary(response) == [
        "Khối phải có từ 5 đến 15 đơn vị thành viên; đang có 0 (Quy tắc 5).",
        "Khối phải có đúng một đơn vị Trưởng khối (Quy tắc 2).",
        "Khối phải có ít nhất một đơn vị Phó khối (Quy tắc 2).",
    ]


def test_a_unit_of_another_province_injected_is_refused(world, as_who, free_units):
    bloc, units = free_units
    stranger = Unit.objects.create(province=world.other_province, code="HN9", name="Sở Lạ")
    before = db_state()
    response = as_who("secretariat").post(NEW_BLOC_YEAR, {
        "khoi": bloc.pk, "nam": world.year.year,
        "members": [u.pk for u in units[:4]] + [stranger.pk],
        "leader": units[0].pk, "deputies": [units[1].pk]})
    assert response.status_code == 400
    assert summary(response) == ["Có đơn vị không tồn tại hoặc không thuộc tỉnh của khối."]
    assert db_state() == before
    assert "Sở Lạ" not in parse(response).find("main").text


@pytest.mark.parametrize(("data", "messages"), [
    ({"khoi": "hn", "nam": "{year}"}, ["Khối, cụm không có trong danh sách của tỉnh."]),
    ({"khoi": "{hn_bloc}", "nam": "{year}"}, ["Khối, cụm không có trong danh sách của tỉnh."]),
    ({"khoi": "{bloc}", "nam": "1990"}, ["Tỉnh chưa mở năm thi đua này."]),
    ({"khoi": "{bloc}", "nam": "{year}", "members": ["x"]}, ["Có mã đơn vị không hợp lệ."]),
    ({"khoi": "{bloc}", "nam": "{year}", "members": [str(2**64)]},
     ["Có mã đơn vị không hợp lệ."]),
])
def test_a_malformed_bloc_year_request_writes_nothing(world, as_who, free_units, data,
                                                      messages):
    bloc, _ = free_units
    names = {"year": world.year.year, "bloc": bloc.pk,
             "hn_bloc": world.bloc_years["HN"].bloc_id}
    data = {k: v.format(**names) if isinstance(v, str) else v for k, v in data.items()}
    before = db_state()
    response = as_who("secretariat").post(NEW_BLOC_YEAR, data)
    assert response.status_code == 400
    assert summary(response) == messages
    assert db_state() == before


def test_a_bloc_that_already_has_the_year(world, as_who):
    kt = world.bloc_years["KT"]
    client = as_who("secretariat")
    page = client.get(f"{NEW_BLOC_YEAR}?khoi={kt.bloc_id}&nam={world.year.year}")
    assert parse(page).by_id("da-lap").text == (
        f"Khối Kinh tế đã có danh sách năm {world.year.year}: xem khối.")
    assert parse(page).by_id("form-lap-khoi") is None
    units = [world.units[f"KT{i}"].pk for i in range(1, 6)]
    before = db_state()
    response = client.post(NEW_BLOC_YEAR, {"khoi": kt.bloc_id, "nam": world.year.year,
                                           "members": units, "leader": units[0],
                                           "deputies": [units[1]]})
    assert response.status_code == 409
    assert summary(response) == [f"Khối Kinh tế đã có danh sách năm {world.year.year}."]
    assert db_state() == before


@pytest.fixture
def next_year(world):
    """Next emulation year, with a unit that joined another bloc there already."""
    admin = world.actor("admin")
    following = org_services.ensure_year(admin, world.province, world.year.year + 1)
    return following


def test_copy_last_years_members_without_the_leader(world, as_who, next_year):
    kt = world.bloc_years["KT"]
    # In the new year, KT5 already went to another bloc; VX1..VX4 join it too.
    other = Bloc.objects.create(province=world.province, code="MOI", kind=Bloc.Kind.KHOI,
                                name="Khối Mới")
    taken = [world.units["KT5"]] + [world.units[f"VX{i}"] for i in range(1, 5)]
    org_services.create_bloc_year(world.actor("admin"), other, next_year, members=taken,
                                  leader=taken[1], deputies=[taken[2]])
    client = as_who("secretariat")
    url = f"{NEW_BLOC_YEAR}?khoi={kt.bloc_id}&nam={next_year.year}"
    plain = client.get(url)
    assert parse(plain).by_id("sao-chep").attrs["href"] == url + "&sao-chep=1"
    assert all(row[0] in (FREE, TAKEN) for row in pick_rows(plain).values())
    response = client.get(url + "&sao-chep=1")
    assert response.status_code == 200
    this = world.year.year
    assert parse(response).by_id("goi-y-luan-phien").text == (
        f"Năm {this}, Trưởng khối là Sở Công Thương. Theo Quy tắc 4 (luân phiên), đơn vị "
        f"này không làm Trưởng khối năm {this + 1}; Trưởng khối và Phó khối là các đơn vị "
        f"hội nghị tổng kết năm {this} đã bầu.")
    assert parse(response).by_id("da-sao-chep").text.startswith(
        f"Đã đánh dấu 4 thành viên năm {this} chưa thuộc khối khác.")
    rows = pick_rows(response)
    member = ((True, False), (False, False), (False, False))
    assert {code: row[0] for code, row in rows.items() if row[0][0][0]} == {
        "KT1": member, "KT2": member, "KT3": member, "KT4": member}
    assert rows["KT1"][1] == f"Trưởng khối năm {this}"
    assert rows["KT2"][1] == f"Thành viên năm {this}"
    assert rows["KT5"] == (TAKEN, f"Đã thuộc Khối Mới Thành viên năm {this}")
    assert not any(box[1][0] for box, _ in rows.values())  # no leader preselected


def test_the_page_costs_the_same_with_more_units(world, as_who, free_units,
                                                  django_assert_max_num_queries):
    bloc, _ = free_units
    client = as_who("secretariat")
    url = f"{NEW_BLOC_YEAR}?khoi={bloc.pk}&nam={world.year.year}"
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    Unit.objects.bulk_create(Unit(province=world.province, code=f"Z{i}", name=f"Xã {i}",
                                  search_key=f"xa {i}") for i in range(40))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(pick_rows(response)) == 56
    with CaptureQueriesContext(connection) as setup_small:
        client.get(SETUP)
    Unit.objects.bulk_create(Unit(province=world.province, code=f"Y{i}", name=f"Xã {i}")
                             for i in range(40))
    with django_assert_max_num_queries(len(setup_small.captured_queries)):
        assert client.get(SETUP).status_code == 200
