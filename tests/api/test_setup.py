"""Setting up a province through the API: the same services as the pages, so the same
permissions, messages, rows and audit events; every refusal writes nothing."""

import datetime
import unicodedata

import pytest
from tests.factories import WHO

from thidua.core.models import AuditEvent
from thidua.org import services as org_services
from thidua.org.models import Bloc, BlocYear, EmulationYear, Membership, Province, Unit

from .conftest import error, province_out, unit_ref


def db_state():
    """Everything these endpoints could write (token creation aside)."""
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
        "audit": list(AuditEvent.objects.exclude(action="core.api_token.create")
                      .values_list("id", flat=True)),
    }


def last_event():
    event = AuditEvent.objects.order_by("id").last()
    return (event.action, event.object_type, event.object_id, event.province_id,
            event.before, event.after, event.actor.username)


def bloc_body(bloc, **changes):
    return {"id": bloc.id, "code": bloc.code, "name": bloc.name,
            "short_name": bloc.short_name, "kind": bloc.kind, **changes}


# --- reading the setup ----------------------------------------------------------------

SETUP_STATUS = {
    "admin": 200, "secretariat": 200, "other_secretariat": 404, "leader": 404, "officer": 404,
    "peer": 404, "outsider": 404, "delegate": 404, "nobody": 404, "anonymous": 401,
}


@pytest.mark.parametrize("who", WHO)
def test_who_reads_the_setup(world, api, who):
    response = api(who).get(f"/provinces/{world.province.id}/setup")
    assert response.status_code == SETUP_STATUS[who]
    if response.status_code == 404:
        assert response.json() == error("Không tìm thấy tỉnh.")


def test_setup_body(world, api):
    body = api("secretariat").get(f"/provinces/{world.province.id}/setup").json()
    units = [world.units[c] for c in ("KT5", "VX3", "VX5", "KT4", "KT1", "VX2", "VX4", "KT2",
                                      "KT3", "VX1")]
    assert body == {
        **province_out(world.province), "min_bloc_size": 5, "max_bloc_size": 15,
        "units": [unit_ref(u) for u in units],
        "blocs": [bloc_body(world.bloc_years["KT"].bloc), bloc_body(world.bloc_years["VX"].bloc)],
        "years": [{"id": world.year.id, "year": world.year.year,
                   "registration_deadline": world.year.registration_deadline.isoformat()}],
    }


# --- who may write --------------------------------------------------------------------

PROVINCE_WRITE = {
    "admin": "ok", "secretariat": "ok", "other_secretariat": 404, "leader": 404,
    "officer": 404, "peer": 404, "outsider": 404, "delegate": 404, "nobody": 404,
    "anonymous": 401,
}
# A unit is seen by its own officers and by its bloc's leader: for them, 403.
UNIT_WRITE = {**PROVINCE_WRITE, "officer": 403, "leader": 403}
# A bloc is seen by everyone in one of its years.
BLOC_WRITE = {**PROVINCE_WRITE, "officer": 403, "leader": 403, "peer": 403, "delegate": 403}


def _requests(world, bloc=None, units=()):
    province, year = world.province.id, world.year.year
    return {
        "add_unit": ("post", f"/provinces/{province}/units", {"code": "STP",
                                                              "name": "Sở Tư pháp"},
                     201, PROVINCE_WRITE, "Chỉ Thường trực thi đua tỉnh được thêm đơn vị."),
        "rename_unit": ("put", f"/units/{world.units['KT1'].id}/name", {"name": "Sở CT"},
                        200, UNIT_WRITE, "Chỉ Thường trực thi đua tỉnh được đổi tên đơn vị."),
        "add_bloc": ("post", f"/provinces/{province}/blocs",
                     {"code": "CX", "kind": "cum", "name": "Cụm các xã"}, 201, PROVINCE_WRITE,
                     "Chỉ Thường trực thi đua tỉnh được thêm khối, cụm."),
        "rename_bloc": ("put", f"/blocs/{world.bloc_years['KT'].bloc_id}/name",
                        {"name": "Khối Kinh tế mới"}, 200, BLOC_WRITE,
                        "Chỉ Thường trực thi đua tỉnh được đổi tên khối, cụm."),
        "add_year": ("post", f"/provinces/{province}/years", {"year": year + 1}, 201,
                     PROVINCE_WRITE, "Chỉ Thường trực thi đua tỉnh được mở năm thi đua."),
        "deadline": ("put", f"/provinces/{province}/years/{year}/registration-deadline",
                     {"registration_deadline": f"{year}-04-15"}, 200, PROVINCE_WRITE, ""),
        "bloc_size": ("put", f"/provinces/{province}/bloc-size",
                      {"min_bloc_size": 4, "max_bloc_size": 12}, 200, PROVINCE_WRITE, ""),
    }


@pytest.mark.parametrize("operation", ["add_unit", "rename_unit", "add_bloc", "rename_bloc",
                                       "add_year", "deadline", "bloc_size"])
@pytest.mark.parametrize("who", WHO)
def test_who_may_change_the_setup(world, api, who, operation):
    method, path, data, ok, statuses, forbidden = _requests(world)[operation]
    expected = ok if statuses[who] == "ok" else statuses[who]
    before = db_state()
    response = api(who).send(method, path, data)
    assert response.status_code == expected
    after = db_state()
    if expected == ok:
        assert len(after["audit"]) == len(before["audit"]) + 1
        assert last_event()[-1] == world.users[who].username
        assert last_event()[3] == world.province.id
    else:
        assert after == before
    if expected == 403:
        assert response.json() == error(forbidden)
    if expected == 404:
        assert response.json()["detail"] in {"Không tìm thấy tỉnh.", "Không tìm thấy đơn vị.",
                                              "Không tìm thấy khối, cụm."}


BLOC_YEAR_STATUS = {**PROVINCE_WRITE, "admin": 201, "secretariat": 201}


@pytest.mark.parametrize("who", WHO)
def test_who_may_make_a_bloc_year(world, api, free_units, who):
    bloc, units = free_units
    before = db_state()
    response = api(who).post(f"/blocs/{bloc.id}/years", {
        "year": world.year.year, "members": [u.id for u in units[:5]], "leader": units[0].id,
        "deputies": [units[1].id]})
    assert response.status_code == BLOC_YEAR_STATUS[who]
    if response.status_code != 201:
        assert db_state() == before
    if response.status_code == 404:
        assert response.json() == error("Không tìm thấy khối, cụm.")


@pytest.mark.parametrize("who", ["leader", "officer", "delegate", "peer"])
def test_a_member_sees_its_bloc_but_may_not_make_its_next_year(world, api, who):
    following = org_services.ensure_year(world.actor("admin"), world.province,
                                         world.year.year + 1)
    kt = world.bloc_years["KT"]
    units = [world.units[f"KT{i}"].id for i in range(1, 6)]
    before = db_state()
    response = api(who, token=True).post(f"/blocs/{kt.bloc_id}/years", {
        "year": following.year, "members": units, "leader": units[1], "deputies": [units[2]]})
    assert response.status_code == 403
    assert response.json() == error("Chỉ Thường trực thi đua tỉnh được lập danh sách khối.")
    assert db_state() == before


def test_a_session_write_needs_the_csrf_token(world, api):
    before = db_state()
    client = api("secretariat", enforce_csrf=True)
    response = client.post(f"/provinces/{world.province.id}/units",
                           {"code": "STP", "name": "Sở Tư pháp"})
    assert response.status_code == 403
    assert db_state() == before


# --- units ----------------------------------------------------------------------------

def test_create_a_unit_nfc_upper_case_code(world, api):
    response = api("secretariat", token=True).post(
        f"/provinces/{world.province.id}/units",
        {"code": "stp", "name": unicodedata.normalize("NFD", " Sở   Tư pháp")})
    assert response.status_code == 201
    unit = Unit.objects.get(province=world.province, code="STP")
    assert unit.name == "Sở Tư pháp"
    assert response.json() == {"id": unit.id, "code": "STP", "name": "Sở Tư pháp",
                               "province": province_out(world.province)}
    assert last_event() == ("org.unit.create", "org.unit", str(unit.id), world.province.id,
                            None, {"code": "STP", "name": "Sở Tư pháp"}, "thuong_truc")


@pytest.mark.parametrize(("data", "status", "body"), [
    ({"code": "KT1", "name": "Sở Y tế"}, 409, error(
        "Mã “KT1” đã được dùng cho đơn vị “Sở Công Thương”. Tỉnh đã có đơn vị tên “Sở Y tế” "
        "(mã VX1).", "Mã “KT1” đã được dùng cho đơn vị “Sở Công Thương”.",
        "Tỉnh đã có đơn vị tên “Sở Y tế” (mã VX1).")),
    ({"code": "kt2", "name": "Mới"}, 409,
     error("Mã “KT2” đã được dùng cho đơn vị “Sở Tài chính”.")),
    ({"code": "A B", "name": "Mới"}, 400, error(
        "Mã “A B” không hợp lệ: chỉ gồm chữ cái không dấu, chữ số và các dấu . _ - "
        "(tối đa 20 ký tự).")),
    ({"code": "AB", "name": "   "}, 400, error("Tên đơn vị không được để trống.")),
    ({"code": "AB"}, 422, {"detail": "Dữ liệu gửi lên không hợp lệ: name.",
                           "errors": [{"field": "name", "message": "Thiếu trường bắt buộc."}]}),
    ({"code": "A" * 21, "name": "Mới"}, 422, {
        "detail": "Dữ liệu gửi lên không hợp lệ: code.",
        "errors": [{"field": "code", "message": "Dài quá 20 ký tự."}]}),
    ({"code": "AB", "name": "a\u0000b"}, 422, {
        "detail": "Dữ liệu gửi lên không hợp lệ: name.",
        "errors": [{"field": "name", "message": "Có ký tự điều khiển không được phép."}]}),
])
def test_a_refused_unit_writes_nothing(world, api, data, status, body):
    before = db_state()
    response = api("secretariat").post(f"/provinces/{world.province.id}/units", data)
    assert response.status_code == status
    assert response.json() == body
    assert db_state() == before


def test_the_same_code_in_the_other_province_is_free(world, api):
    response = api("admin").post(f"/provinces/{world.other_province.id}/units",
                                 {"code": "KT1", "name": "Sở Công Thương Hà Nội"})
    assert response.status_code == 201
    assert sorted(Unit.objects.filter(code="KT1").values_list("province__code", flat=True)) == [
        "BN", "HN"]


def test_rename_a_unit(world, api):
    unit = world.units["KT2"]
    response = api("admin").put(f"/units/{unit.id}/name", {"name": "Sở Tài chính tỉnh"})
    assert response.status_code == 200
    assert response.json() == {"id": unit.id, "code": "KT2", "name": "Sở Tài chính tỉnh",
                               "province": province_out(world.province)}
    assert last_event() == ("org.unit.rename", "org.unit", str(unit.id), world.province.id,
                            {"code": "KT2", "name": "Sở Tài chính"},
                            {"code": "KT2", "name": "Sở Tài chính tỉnh"}, "quan_tri")
    # The other province's secretariat cannot even find it.
    before = db_state()
    response = api("other_secretariat").put(f"/units/{unit.id}/name", {"name": "Lộ"})
    assert (response.status_code, response.json()) == (404, error("Không tìm thấy đơn vị."))
    assert db_state() == before


def test_renaming_to_another_units_name_is_a_conflict(world, api):
    before = db_state()
    response = api("secretariat").put(f"/units/{world.units['KT2'].id}/name",
                                      {"name": "Sở Y tế"})
    assert response.status_code == 409
    assert response.json() == error("Tỉnh đã có đơn vị tên “Sở Y tế” (mã VX1).")
    assert db_state() == before


# --- blocs ----------------------------------------------------------------------------

def test_create_and_rename_a_bloc(world, api):
    client = api("secretariat")
    response = client.post(f"/provinces/{world.province.id}/blocs", {
        "code": "cx", "kind": "cum", "name": "Cụm các xã phía Bắc", "short_name": "Cụm Bắc"})
    assert response.status_code == 201
    bloc = Bloc.objects.get(province=world.province, code="CX")
    assert response.json() == bloc_body(bloc) == {
        "id": bloc.id, "code": "CX", "name": "Cụm các xã phía Bắc", "short_name": "Cụm Bắc",
        "kind": "cum"}
    created = {"code": "CX", "name": "Cụm các xã phía Bắc", "short_name": "Cụm Bắc",
               "kind": "cum"}
    assert last_event() == ("org.bloc.create", "org.bloc", str(bloc.id), world.province.id,
                            None, created, "thuong_truc")
    # short_name left out: kept.
    response = client.put(f"/blocs/{bloc.id}/name", {"name": "Cụm xã phía Bắc"})
    assert response.json()["short_name"] == "Cụm Bắc"
    assert last_event()[4:6] == (created, {**created, "name": "Cụm xã phía Bắc"})
    response = client.put(f"/blocs/{bloc.id}/name", {"name": "Cụm xã phía Bắc",
                                                     "short_name": ""})
    assert response.json()["short_name"] == ""
    events = AuditEvent.objects.count()
    assert client.put(f"/blocs/{bloc.id}/name", {"name": "Cụm xã phía Bắc"}).status_code == 200
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded


@pytest.mark.parametrize(("data", "status", "body"), [
    ({"code": "VX", "kind": "khoi", "name": "Khối mới"}, 409,
     error("Mã “VX” đã được dùng cho khối, cụm “Khối Văn hóa”.")),
    ({"code": "ZZ", "kind": "tinh", "name": "Khối mới"}, 422, {
        "detail": "Dữ liệu gửi lên không hợp lệ: kind.",
        "errors": [{"field": "kind", "message": "Giá trị không hợp lệ; chỉ nhận: 'khoi' or "
                                                "'cum'."}]}),
])
def test_a_refused_bloc_writes_nothing(world, api, data, status, body):
    before = db_state()
    response = api("secretariat").post(f"/provinces/{world.province.id}/blocs", data)
    assert (response.status_code, response.json()) == (status, body)
    assert db_state() == before


# --- years ----------------------------------------------------------------------------

def test_open_a_year(world, api):
    year = world.year.year + 1
    response = api("secretariat").post(f"/provinces/{world.province.id}/years",
                                       {"year": year, "registration_deadline": f"{year}-04-10"})
    assert response.status_code == 201
    created = EmulationYear.objects.get(province=world.province, year=year)
    assert response.json() == {"id": created.id, "year": year,
                               "registration_deadline": f"{year}-04-10"}
    assert last_event() == ("org.year.create", "org.emulationyear", str(created.id),
                            world.province.id, None,
                            {"year": year, "registration_deadline": f"{year}-04-10"},
                            "thuong_truc")


def _outside(year, date):
    return error(f"Hạn đăng ký thi đua phải nằm trong năm thi đua {year} (từ 01/01/{year} đến "
                 f"31/12/{year}); ngày đã nhập là {date} (Quy tắc 7).")


def test_a_year_refused(world, api):
    this = world.year.year
    path = f"/provinces/{world.province.id}/years"
    before = db_state()
    client = api("secretariat")
    response = client.post(path, {"year": this + 1, "registration_deadline": f"{this}-12-31"})
    assert (response.status_code, response.json()) == (400, _outside(this + 1,
                                                                     f"31/12/{this}"))
    response = client.post(path, {"year": this})
    assert (response.status_code, response.json()) == (
        409, error(f"Bắc Ninh đã có năm thi đua {this}."))
    response = client.post(path, {"year": this + 1, "registration_deadline": "31/03"})
    assert response.status_code == 422
    assert db_state() == before


def test_change_the_deadline(world, api):
    year = world.year
    path = f"/provinces/{world.province.id}/years/{year.year}/registration-deadline"
    response = api("secretariat").put(path, {"registration_deadline": f"{year.year}-05-02"})
    assert response.status_code == 200
    assert response.json() == {"id": year.id, "year": year.year,
                               "registration_deadline": f"{year.year}-05-02"}
    assert last_event() == ("org.year.deadline", "org.emulationyear", str(year.id),
                            world.province.id,
                            {"registration_deadline": year.registration_deadline.isoformat()},
                            {"registration_deadline": f"{year.year}-05-02"}, "thuong_truc")
    detail = api("leader").get(f"/bloc-years/{world.bloc_years['KT'].id}").json()
    assert detail["registration_deadline"] == f"{year.year}-05-02"


def test_a_deadline_outside_the_year_or_an_unknown_year(world, api):
    this = world.year.year
    before = db_state()
    client = api("secretariat")
    response = client.put(
        f"/provinces/{world.province.id}/years/{this}/registration-deadline",
        {"registration_deadline": f"{this - 1}-12-31"})
    assert (response.status_code, response.json()) == (400, _outside(this, f"31/12/{this - 1}"))
    response = client.put(
        f"/provinces/{world.province.id}/years/{this + 5}/registration-deadline",
        {"registration_deadline": f"{this + 5}-03-01"})
    assert (response.status_code, response.json()) == (
        404, error(f"Bắc Ninh chưa mở năm thi đua {this + 5}."))
    assert db_state() == before


# --- bloc size ------------------------------------------------------------------------

def test_bloc_size(world, api):
    path = f"/provinces/{world.province.id}/bloc-size"
    client = api("secretariat")
    response = client.put(path, {"min_bloc_size": 3, "max_bloc_size": 9})
    assert (response.status_code, response.json()) == (200, {"min_bloc_size": 3,
                                                             "max_bloc_size": 9})
    assert last_event() == ("org.province.bloc_size", "org.province", str(world.province.id),
                            world.province.id, {"min_bloc_size": 5, "max_bloc_size": 15},
                            {"min_bloc_size": 3, "max_bloc_size": 9}, "thuong_truc")
    before = db_state()
    response = client.put(path, {"min_bloc_size": 10, "max_bloc_size": 9})
    assert (response.status_code, response.json()) == (400, error(
        "Số thành viên tối thiểu (10) không được lớn hơn số tối đa (9)."))
    response = client.put(path, {"min_bloc_size": -1, "max_bloc_size": 9})
    assert response.status_code == 422
    assert db_state() == before


def test_the_size_range_is_applied_to_new_bloc_years(world, api, free_units):
    bloc, units = free_units
    client = api("secretariat")
    client.put(f"/provinces/{world.province.id}/bloc-size",
               {"min_bloc_size": 6, "max_bloc_size": 8})
    response = client.post(f"/blocs/{bloc.id}/years", {
        "year": world.year.year, "members": [u.id for u in units[:5]], "leader": units[0].id,
        "deputies": [units[1].id]})
    assert (response.status_code, response.json()) == (400, error(
        "Khối phải có từ 6 đến 8 đơn vị thành viên; đang có 5 (Quy tắc 5)."))


# --- a bloc's year --------------------------------------------------------------------

def test_make_a_bloc_year(world, api, free_units):
    bloc, units = free_units
    response = api("secretariat").post(f"/blocs/{bloc.id}/years", {
        "year": world.year.year, "members": [u.id for u in units], "leader": units[5].id,
        "deputies": [units[2].id, units[0].id]})
    assert response.status_code == 201
    bloc_year = BlocYear.objects.get(bloc=bloc, emulation_year=world.year)
    by_name = sorted(units, key=lambda u: u.sort_key)
    assert response.json() == {
        "id": bloc_year.id, "province": province_out(world.province), "bloc": bloc_body(bloc),
        "year": world.year.year, "phase": "registration", "phase_label": "Đăng ký thi đua",
        "leader_unit": unit_ref(units[5]),
        "registration_deadline": world.year.registration_deadline.isoformat(),
        "members": [unit_ref(u) for u in by_name],
        "deputy_units": [unit_ref(units[0]), unit_ref(units[2])],
    }
    assert last_event() == (
        "org.bloc_year.create", "org.blocyear", str(bloc_year.id), world.province.id, None,
        {"phase": "registration", "leader_unit": units[5].id,
         "deputy_units": sorted([units[0].id, units[2].id]),
         "members": sorted(u.id for u in units)}, "thuong_truc")


def test_composition_errors_with_exact_messages(world, api, free_units):
    bloc, units = free_units
    kt1 = world.units["KT1"]
    before = db_state()
    messages = [
        "Khối phải có từ 5 đến 15 đơn vị thành viên; đang có 4 (Quy tắc 5).",
        "Sở Công Thương đã thuộc Khối Kinh tế trong năm này; mỗi đơn vị chỉ thuộc một khối "
        "trong một năm (Quy tắc 1).",
        "Khối phải có đúng một đơn vị Trưởng khối (Quy tắc 2).",
        "Phó khối Thanh tra tỉnh không phải thành viên của khối (Quy tắc 2).",
    ]
    response = api("secretariat").post(f"/blocs/{bloc.id}/years", {
        "year": world.year.year, "members": [units[0].id, units[1].id, kt1.id, units[3].id],
        "leader": None, "deputies": [units[2].id]})
    assert response.status_code == 400
    assert response.json() == error(" ".join(messages), *messages)
    assert db_state() == before


@pytest.mark.parametrize("where", ["members", "leader", "deputies"])
def test_a_unit_of_another_province_is_refused(world, api, free_units, where):
    bloc, units = free_units
    stranger = world.units["HN1"]
    data = {"year": world.year.year, "members": [u.id for u in units[:5]],
            "leader": units[0].id, "deputies": [units[1].id]}
    if where == "leader":
        data["leader"] = stranger.id
    else:
        data[where] = data[where] + [stranger.id]
    before = db_state()
    response = api("secretariat").post(f"/blocs/{bloc.id}/years", data)
    assert (response.status_code, response.json()) == (400, error(
        "Có đơn vị không tồn tại hoặc không thuộc tỉnh của khối."))
    assert "Sở Bí mật" not in response.content.decode()
    assert db_state() == before


def test_a_bloc_year_for_a_missing_year_or_another_provinces_bloc(world, api, free_units):
    bloc, units = free_units
    data = {"year": 1990, "members": [u.id for u in units[:5]], "leader": units[0].id,
            "deputies": [units[1].id]}
    before = db_state()
    client = api("secretariat")
    response = client.post(f"/blocs/{bloc.id}/years", data)
    assert (response.status_code, response.json()) == (
        404, error("Bắc Ninh chưa mở năm thi đua 1990."))
    response = client.post(f"/blocs/{world.bloc_years['HN'].bloc_id}/years",
                           {**data, "year": world.year.year})
    assert (response.status_code, response.json()) == (404, error("Không tìm thấy khối, cụm."))
    response = client.post(f"/blocs/{bloc.id}/years", {**data, "members": list(range(1, 1002))})
    assert response.status_code == 422
    assert db_state() == before


def test_a_second_list_for_the_same_year_is_a_conflict(world, api):
    kt = world.bloc_years["KT"]
    units = [world.units[f"KT{i}"].id for i in range(1, 6)]
    before = db_state()
    response = api("admin").post(f"/blocs/{kt.bloc_id}/years", {
        "year": world.year.year, "members": units, "leader": units[0],
        "deputies": [units[1]]})
    assert (response.status_code, response.json()) == (
        409, error(f"Khối Kinh tế đã có danh sách năm {world.year.year}."))
    assert db_state() == before


def test_openapi_lists_the_setup_operations(world, api):
    paths = api("admin").get("/api/openapi.json").json()["paths"]
    assert {(path, method) for path, ops in paths.items() for method in ops
            if "Thiết lập tổ chức" in ops[method].get("tags", [])} == {
        ("/api/v1/provinces/{province_id}/setup", "get"),
        ("/api/v1/provinces/{province_id}/units", "post"),
        ("/api/v1/units/{unit_id}/name", "put"),
        ("/api/v1/provinces/{province_id}/blocs", "post"),
        ("/api/v1/blocs/{bloc_id}/name", "put"),
        ("/api/v1/provinces/{province_id}/years", "post"),
        ("/api/v1/provinces/{province_id}/years/{year}/registration-deadline", "put"),
        ("/api/v1/provinces/{province_id}/bloc-size", "put"),
        ("/api/v1/blocs/{bloc_id}/years", "post"),
        ("/api/v1/bloc-years/{bloc_year_id}/registration-deadline", "put"),
        ("/api/v1/provinces/{province_id}/kind", "put"),
    }
    assert sorted(paths["/api/v1/blocs/{bloc_id}/years"]["post"]["responses"]) == [
        "201", "400", "401", "403", "404", "409", "422"]


def test_deadline_default_comes_from_the_rulebook(world, api):
    year = world.year.year + 1
    api("admin").post(f"/provinces/{world.province.id}/years", {"year": year})
    assert EmulationYear.objects.get(province=world.province, year=year
                                     ).registration_deadline == datetime.date(year, 3, 31)
