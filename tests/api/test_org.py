"""Organisation endpoints: who sees which province, bloc year, unit; phase moves."""

import unicodedata

import pytest
from tests.factories import WHO

from thidua.core.models import AuditEvent

from .conftest import error, make_registration, province_out, unit_ref

# --- /me ------------------------------------------------------------------------------


def test_me_lists_roles_with_their_scopes(world, api):
    response = api("officer").get("/me")
    assert response.status_code == 200
    unit = world.units["KT1"]
    assert response.json() == {
        "id": world.users["officer"].id, "username": "can_bo", "full_name": "Can Bo",
        "is_admin": False, "auth": "session",
        "roles": [{"role": "unit_officer", "role_label": "Cán bộ thi đua đơn vị",
                   "province": None, "bloc_year_id": None, "bloc_year_name": None,
                   "unit": unit_ref(unit)}],
    }


def test_me_for_leader_secretariat_admin_and_nobody(world, api):
    kt = world.bloc_years["KT"]
    leader = api("leader", token=True).get("/me").json()
    assert leader["auth"] == "token"
    assert leader["roles"] == [{
        "role": "bloc_leader_officer", "role_label": "Cán bộ đơn vị Trưởng khối",
        "province": None, "bloc_year_id": kt.id,
        "bloc_year_name": f"Khối Kinh tế — {world.year.year}", "unit": None}]
    assert api("secretariat").get("/me").json()["roles"] == [{
        "role": "province_secretariat", "role_label": "Thường trực thi đua tỉnh",
        "province": province_out(world.province), "bloc_year_id": None,
        "bloc_year_name": None, "unit": None}]
    admin = api("admin").get("/me").json()
    assert (admin["is_admin"], [r["role"] for r in admin["roles"]]) == (True, ["system_admin"])
    nobody = api("nobody").get("/me").json()
    assert (nobody["is_admin"], nobody["roles"]) == (False, [])


# --- provinces ------------------------------------------------------------------------

PROVINCES = {
    "admin": ["BN", "HN"], "secretariat": ["BN"], "other_secretariat": ["HN"],
    "leader": [], "officer": [], "peer": [], "outsider": [], "delegate": [], "nobody": [],
}


@pytest.mark.parametrize("who", WHO)
def test_provinces_visible_to_each_role(world, api, who):
    response = api(who).get("/provinces")
    if who == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert [p["code"] for p in response.json()] == PROVINCES[who]


def test_province_body(world, api):
    assert api("admin").get("/provinces").json() == [
        province_out(world.province), province_out(world.other_province)]


# --- bloc years -----------------------------------------------------------------------

BLOC_YEARS = {
    "admin": ["KT", "VX", "HN"], "secretariat": ["KT", "VX"], "other_secretariat": ["HN"],
    "leader": ["KT"], "officer": ["KT"], "peer": ["KT"], "outsider": ["VX"],
    "delegate": ["KT"], "nobody": [],
}


@pytest.mark.parametrize("who", WHO)
def test_bloc_years_visible_to_each_role(world, api, who):
    response = api(who, token=who != "anonymous").get("/bloc-years")
    if who == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    body = response.json()
    assert [b["bloc"]["code"] for b in body["items"]] == BLOC_YEARS[who]
    assert body["count"] == len(BLOC_YEARS[who])


def test_bloc_year_list_body_and_filters(world, api):
    kt = world.bloc_years["KT"]
    client = api("admin")
    body = client.get("/bloc-years", province=world.province.id, year=world.year.year,
                      limit=1).json()
    assert body == {"count": 2, "items": [{
        "id": kt.id, "province": province_out(world.province),
        "bloc": {"id": kt.bloc.id, "code": "KT", "name": "Khối Kinh tế", "short_name": "",
                 "kind": "khoi"},
        "year": world.year.year, "phase": "registration", "phase_label": "Đăng ký thi đua",
        "leader_unit": unit_ref(world.units["KT1"]),
    }]}
    assert [b["bloc"]["code"] for b in client.get(
        "/bloc-years", province=world.province.id, offset=1).json()["items"]] == ["VX"]
    assert client.get("/bloc-years", year=world.year.year - 1).json() == {"count": 0,
                                                                         "items": []}


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"year": "abc"}, "year", "Phải là số nguyên."),
    ({"year": "1800"}, "year", "Phải lớn hơn hoặc bằng 1900."),
    ({"province": "0"}, "province", "Phải lớn hơn hoặc bằng 1."),
    ({"province": str(2**70)}, "province", "Phải nhỏ hơn hoặc bằng 9007199254740991."),
    ({"limit": "0"}, "limit", "Phải lớn hơn hoặc bằng 1."),
    ({"offset": "-1"}, "offset", "Phải lớn hơn hoặc bằng 0."),
])
def test_bloc_year_filters_are_validated(world, api, params, field, message):
    response = api("admin").get("/bloc-years", **params)
    assert response.status_code == 422
    assert response.json() == {"detail": f"Dữ liệu gửi lên không hợp lệ: {field}.",
                               "errors": [{"field": field, "message": message}]}


DETAIL_STATUS = {
    "admin": 200, "secretariat": 200, "leader": 200, "officer": 200, "peer": 200,
    "delegate": 200, "other_secretariat": 404, "outsider": 404, "nobody": 404, "anonymous": 401,
}


@pytest.mark.parametrize("who", WHO)
def test_bloc_year_detail_matrix(world, api, who):
    response = api(who).get(f"/bloc-years/{world.bloc_years['KT'].id}")
    assert response.status_code == DETAIL_STATUS[who]
    if response.status_code == 404:
        assert response.json() == error("Không tìm thấy khối thi đua.")


def test_unknown_bloc_year_is_404_like_a_hidden_one(world, api):
    assert api("admin").get("/bloc-years/999999").json() == error("Không tìm thấy khối thi đua.")


def _member(unit, *, leader=False, deputy=False, status="none", registration=None):
    return {"unit": unit_ref(unit), "is_leader": leader, "is_deputy": deputy,
            "registration_status": status,
            "registration_id": registration.id if registration else None,
            "submitted_on": (registration.submitted_on.isoformat()
                             if registration and registration.submitted_on else None),
            "on_time": bool(registration and registration.submitted_on
                            and registration.submitted_on
                            <= registration.emulation_year.registration_deadline),
            "signature": None}


def test_bloc_year_detail_hides_other_units_drafts(world, api):
    kt, u = world.bloc_years["KT"], world.units
    draft = make_registration(world, "KT1")
    submitted = make_registration(world, "KT2", submit=True)
    as_officer = api("officer").get(f"/bloc-years/{kt.id}").json()
    assert as_officer["members"] == [
        _member(u["KT5"]), _member(u["KT4"]),
        _member(u["KT1"], leader=True, status="draft", registration=draft),
        _member(u["KT2"], deputy=True, status="submitted", registration=submitted),
        _member(u["KT3"]),
    ]
    assert as_officer["deputy_units"] == [unit_ref(u["KT2"])]
    assert as_officer["registered_count"] == 1
    assert (as_officer["can_manage"], as_officer["allowed_moves"]) == (False, [])
    # The same list seen by another member and by the leader: KT1's draft is not there.
    for who in ("peer", "leader", "secretariat"):
        members = api(who).get(f"/bloc-years/{kt.id}").json()["members"]
        assert members[2] == _member(u["KT1"], leader=True), who
        assert members[3]["registration_status"] == "submitted"


def test_bloc_year_detail_for_the_leader(world, api):
    kt = world.bloc_years["KT"]
    body = api("leader").get(f"/bloc-years/{kt.id}").json()
    assert body["registration_deadline"] == world.year.registration_deadline.isoformat()
    assert body["can_manage"] is True
    assert body["signing_complete"] is False
    assert body["allowed_moves"] == [{"target": "in_progress", "target_label": "Đang thực hiện",
                                      "direction": "forward", "needs_reason": False}]


# --- phase moves ----------------------------------------------------------------------

MOVE_STATUS = {
    "admin": 200, "secretariat": 200, "leader": 200, "officer": 403, "peer": 403,
    "delegate": 403, "other_secretariat": 404, "outsider": 404, "nobody": 404, "anonymous": 401,
}


@pytest.mark.parametrize("token", [False, True])
@pytest.mark.parametrize("who", WHO)
def test_move_phase_matrix(world, api, who, token):
    kt = world.bloc_years["KT"]
    events = AuditEvent.objects.count()
    response = api(who, token=token and who != "anonymous").post(
        f"/bloc-years/{kt.id}/phase", {"target": "in_progress", "reason": "", "confirm": True})
    assert response.status_code == MOVE_STATUS[who]
    kt.refresh_from_db()
    if response.status_code == 200:
        assert response.json()["phase"] == "in_progress"
        assert kt.phase == "in_progress"
        event = AuditEvent.objects.order_by("id").last()
        assert (event.action, event.object_id, event.before, event.after, event.actor) == (
            "org.bloc_year.phase", str(kt.id), {"phase": "registration"},
            {"phase": "in_progress", "gaps_confirmed": [
                "0/5 đơn vị đã gửi đăng ký thi đua; chưa gửi: Ban Quản lý dự án, Đài Phát "
                "thanh, Sở Công Thương, Sở Tài chính, Sở Xây dựng."]}, world.users[who])
    else:
        assert kt.phase == "registration"
        # Creating the token writes its own event; nothing else may be written.
        assert AuditEvent.objects.exclude(action="core.api_token.create").count() == events
    if response.status_code == 403:
        assert response.json() == error("Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh "
                                        "được chuyển từ “Đăng ký thi đua” sang “Đang thực hiện”.")


def test_moving_back_needs_a_reason_and_the_province(world, api):
    kt = world.bloc_years["KT"]
    response = api("leader").post(f"/bloc-years/{kt.id}/phase", {"target": "in_progress"})
    assert response.status_code == 409  # nobody registered: the move needs `confirm`
    assert response.json()["detail"].startswith("0/5 đơn vị đã gửi đăng ký thi đua")
    api("leader").post(f"/bloc-years/{kt.id}/phase", {"target": "in_progress", "confirm": True})
    back = {"target": "registration", "reason": ""}
    assert api("leader").post(f"/bloc-years/{kt.id}/phase", back).status_code == 403
    response = api("secretariat").post(f"/bloc-years/{kt.id}/phase", back)
    assert response.status_code == 409
    assert response.json() == error("Quay lại giai đoạn trước phải ghi rõ lý do.")
    response = api("secretariat").post(f"/bloc-years/{kt.id}/phase",
                                       {"target": "registration", "reason": "Mở lại đăng ký"})
    assert response.status_code == 200
    assert AuditEvent.objects.order_by("id").last().reason == "Mở lại đăng ký"


def test_skipping_a_phase_is_409(world, api):
    kt = world.bloc_years["KT"]
    response = api("admin").post(f"/bloc-years/{kt.id}/phase", {"target": "decided"})
    assert response.status_code == 409
    assert response.json() == error(
        "Không thể chuyển từ “Đăng ký thi đua” sang “Đã có quyết định”: chỉ được chuyển sang "
        "giai đoạn kế tiếp hoặc quay lại giai đoạn liền trước.")


@pytest.mark.parametrize(("raw", "status", "body"), [
    ('{"target": "nowhere"}', 422, {
        "detail": "Dữ liệu gửi lên không hợp lệ: target.",
        "errors": [{"field": "target", "message": (
            "Giá trị không hợp lệ; chỉ nhận: 'registration', 'in_progress', "
            "'mid_year_review', 'self_assessment', 'appraisal', 'conference', "
            "'proposals_submitted' or 'decided'.")}]}),
    ('{"target": 5}', 422, None),
    ("{}", 422, {"detail": "Dữ liệu gửi lên không hợp lệ: target.",
                 "errors": [{"field": "target", "message": "Thiếu trường bắt buộc."}]}),
    ("[]", 422, None),
    ('{"target": "in_progress", "reason": "a\\u0000b"}', 422, {
        "detail": "Dữ liệu gửi lên không hợp lệ: reason.",
        "errors": [{"field": "reason", "message": "Có ký tự điều khiển không được phép."}]}),
    ('{"target": "in_progress", "reason": "\\ud800"}', 422, None),
    ('{"target": ', 400, error("Nội dung gửi lên không phải JSON hợp lệ.")),
    ("not json", 400, error("Nội dung gửi lên không phải JSON hợp lệ.")),
])
def test_bad_phase_input_changes_nothing(world, api, raw, status, body):
    kt = world.bloc_years["KT"]
    events = AuditEvent.objects.count()
    response = api("secretariat").post(f"/bloc-years/{kt.id}/phase", raw=raw)
    assert response.status_code == status
    if body is not None:
        assert response.json() == body
    kt.refresh_from_db()
    assert kt.phase == "registration"
    assert AuditEvent.objects.count() == events


def test_moves_endpoint(world, api):
    kt = world.bloc_years["KT"]
    assert api("officer").get(f"/bloc-years/{kt.id}/moves").json() == []
    assert api("secretariat").get(f"/bloc-years/{kt.id}/moves").json() == [
        {"target": "in_progress", "target_label": "Đang thực hiện", "direction": "forward",
         "needs_reason": False}]
    assert api("outsider").get(f"/bloc-years/{kt.id}/moves").status_code == 404


# --- units ----------------------------------------------------------------------------

UNITS = {
    "admin": 15, "secretariat": 10, "other_secretariat": 5, "leader": 5, "officer": 1,
    "peer": 1, "outsider": 1, "delegate": 1, "nobody": 0,
}


@pytest.mark.parametrize("who", WHO)
def test_units_visible_to_each_role(world, api, who):
    response = api(who).get("/units")
    if who == "anonymous":
        assert response.status_code == 401
        return
    body = response.json()
    assert body["count"] == UNITS[who] == len(body["items"])
    expected = {
        "officer": ["KT1"], "peer": ["KT2"], "outsider": ["VX1"], "delegate": ["KT3"],
        "leader": ["KT5", "KT4", "KT1", "KT2", "KT3"],
    }
    if who in expected:
        assert [u["code"] for u in body["items"]] == expected[who]


@pytest.mark.parametrize("query", [
    "dai phat", "ĐÀI PHÁT", unicodedata.normalize("NFD", "Đài Phát"), "  dài   phát ", "kt4"])
def test_unit_search_ignores_diacritics_case_and_normal_form(world, api, query):
    body = api("secretariat").get("/units", search=query).json()
    assert body == {"count": 1, "items": [
        {**unit_ref(world.units["KT4"]), "province": province_out(world.province)}]}


def test_unit_search_never_leaves_the_scope(world, api):
    assert api("secretariat").get("/units", search="so bi mat").json() == {"count": 0,
                                                                           "items": []}
    assert [u["code"] for u in api("admin").get(
        "/units", search="so", province=world.other_province.id).json()["items"]] == [
        "HN1", "HN2", "HN3", "HN5", "HN4"]
    assert api("leader").get("/units", search="so y te").json()["count"] == 0


def test_unit_search_rejects_control_characters(world, api):
    response = api("admin").get("/units", search="a\x00b")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "search",
                                          "message": "Có ký tự điều khiển không được phép."}]


UNIT_STATUS = {
    "admin": 200, "secretariat": 200, "leader": 200, "officer": 200, "peer": 404,
    "delegate": 404, "other_secretariat": 404, "outsider": 404, "nobody": 404, "anonymous": 401,
}


@pytest.mark.parametrize("who", WHO)
def test_unit_detail_matrix(world, api, who):
    unit = world.units["KT1"]
    response = api(who).get(f"/units/{unit.id}")
    assert response.status_code == UNIT_STATUS[who]
    if response.status_code == 200:
        kt = world.bloc_years["KT"]
        assert response.json() == {
            **unit_ref(unit), "province": province_out(world.province),
            "memberships": [{"year": world.year.year, "bloc_year_id": kt.id,
                             "bloc": {"id": kt.bloc.id, "code": "KT", "name": "Khối Kinh tế",
                                      "short_name": "", "kind": "khoi"},
                             "is_leader": True, "is_deputy": False}],
        }
    elif response.status_code == 404:
        assert response.json() == error("Không tìm thấy đơn vị.")
