"""Registration endpoints: open, read, titles, targets, submit, withdraw."""

import unicodedata

import pytest
from tests.factories import WHO

from thidua.core.models import AuditEvent
from thidua.org import services as org_services
from thidua.pledges.models import RegisteredTitle, Registration, Target

from .conftest import error, make_registration, unit_ref

NOT_FOUND = error("Không tìm thấy bản đăng ký.")


def _events():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def _writes_nothing(before_events):
    # Tokens made for the test write their own events; nothing else may appear.
    after = [a for a in _events() if a != "core.api_token.create"]
    assert after == [a for a in before_events if a != "core.api_token.create"]


# --- reading --------------------------------------------------------------------------

DRAFT_VIEW = {who: 404 for who in WHO} | {"officer": 200, "anonymous": 401}
SUBMITTED_VIEW = {
    "admin": 200, "secretariat": 200, "leader": 200, "officer": 200, "peer": 200,
    "delegate": 200, "other_secretariat": 404, "outsider": 404, "nobody": 404, "anonymous": 401,
}


@pytest.mark.parametrize("who", WHO)
def test_a_draft_is_seen_by_its_own_unit_only(world, api, who):
    draft = make_registration(world, "KT1")
    response = api(who, token=who != "anonymous").get(f"/registrations/{draft.id}")
    assert response.status_code == DRAFT_VIEW[who]
    if response.status_code == 404:
        assert response.json() == NOT_FOUND


@pytest.mark.parametrize("who", WHO)
def test_a_submitted_registration_is_seen_by_the_bloc_and_province(world, api, who):
    submitted = make_registration(world, "KT2", submit=True)
    response = api(who).get(f"/registrations/{submitted.id}")
    assert response.status_code == SUBMITTED_VIEW[who]


def test_registration_body(world, api):
    draft = make_registration(world, "KT1", titles=["excellent_collective", "provincial_flag"])
    target = draft.targets.get()
    body = api("officer").get(f"/registrations/{draft.id}").json()
    assert body == {
        "id": draft.id, "unit": unit_ref(world.units["KT1"]), "year": world.year.year,
        "bloc_year_id": world.bloc_years["KT"].id, "status": "draft",
        "status_label": "Bản nháp", "submitted_at": None, "on_time": False,
        "titles": [{"award_form": "provincial_flag", "label": "Cờ thi đua của UBND tỉnh"},
                   {"award_form": "excellent_collective",
                    "label": "Tập thể lao động xuất sắc"}],
        "targets": [{"id": target.id, "indicator": "Tỷ lệ hồ sơ trực tuyến",
                     "baseline": "40.50", "target_value": "90.00", "unit_of_measure": "%",
                     "deadline": f"{world.year.year}-12-31", "latest_actual": None,
                     "latest_reported_on": None, "progress_percent": 0}],
        "permissions": {"edit": True, "withdraw": False, "report_progress": False},
    }


@pytest.mark.parametrize("who", ["officer", "peer", "leader"])
def test_unit_year_registration_hides_drafts_like_missing_ones(world, api, who):
    unit, year = world.units["KT1"], world.year.year
    url = f"/units/{unit.id}/years/{year}/registration"
    missing = api(who).get(url)
    make_registration(world, "KT1")
    draft = api(who).get(url)
    if who == "officer":
        assert missing.status_code == 404
        assert draft.status_code == 200
        assert draft.json()["status"] == "draft"
    else:
        # The leader may see the unit, the peer may not: 404 either way, and the same
        # answer before and after the draft exists.
        assert draft.status_code == 404
        assert (missing.status_code, missing.json()) == (draft.status_code, draft.json())


def test_unit_year_registration_unknown_year_and_unit(world, api):
    unit = world.units["KT1"]
    response = api("officer").get(f"/units/{unit.id}/years/1999/registration")
    assert response.status_code == 404
    assert response.json() == error("Bắc Ninh chưa mở năm thi đua 1999.")
    assert api("officer").get(f"/units/999999/years/{world.year.year}/registration").json() \
        == error("Không tìm thấy đơn vị.")


# --- opening --------------------------------------------------------------------------

OPEN = {
    "officer": 201, "admin": 403, "secretariat": 403, "leader": 403, "peer": 404,
    "delegate": 404, "other_secretariat": 404, "outsider": 404, "nobody": 404, "anonymous": 401,
}


@pytest.mark.parametrize("token", [False, True])
@pytest.mark.parametrize("who", WHO)
def test_open_registration_matrix(world, api, who, token):
    unit = world.units["KT1"]
    client = api(who, token=token and who != "anonymous")
    before = _events()
    response = client.post(f"/units/{unit.id}/years/{world.year.year}/registration")
    assert response.status_code == OPEN[who]
    if response.status_code == 201:
        registration = Registration.objects.get(unit=unit)
        assert response.json()["id"] == registration.id
        assert response.json()["status"] == "draft"
        assert _events()[-1] == "pledges.registration.create"
        # Asking again returns the same draft, and writes nothing.
        again = client.post(f"/units/{unit.id}/years/{world.year.year}/registration")
        assert (again.status_code, again.json()["id"]) == (200, registration.id)
        assert _events()[-1] == "pledges.registration.create"
        assert AuditEvent.objects.filter(action="pledges.registration.create").count() == 1
    else:
        assert not Registration.objects.exists()
        _writes_nothing(before)
    if response.status_code == 403:
        assert response.json() == error(
            "Chỉ cán bộ thi đua của đơn vị được lập bản đăng ký của đơn vị.")


def test_open_registration_after_the_registration_phase_is_409(world, api):
    kt = world.bloc_years["KT"]
    for target in ("in_progress", "mid_year_review"):
        org_services.move_phase(world.actor("admin"), kt, target)
    response = api("officer").post(
        f"/units/{world.units['KT1'].id}/years/{world.year.year}/registration")
    assert response.status_code == 409
    assert response.json() == error("Khối Kinh tế đã qua giai đoạn đăng ký thi đua.")
    assert not Registration.objects.exists()


# --- titles ---------------------------------------------------------------------------

@pytest.mark.parametrize("who", WHO)
def test_set_titles_matrix_on_a_draft(world, api, who):
    draft = make_registration(world, "KT1")
    before = _events()
    response = api(who).put(f"/registrations/{draft.id}/titles",
                            {"award_forms": ["certificate_of_merit"]})
    assert response.status_code == DRAFT_VIEW[who]
    titles = set(RegisteredTitle.objects.filter(registration=draft)
                 .values_list("award_form", flat=True))
    if response.status_code == 200:
        assert titles == {"certificate_of_merit"}
        assert [t["award_form"] for t in response.json()["titles"]] == ["certificate_of_merit"]
        event = AuditEvent.objects.order_by("id").last()
        assert (event.action, event.before["titles"], event.after["titles"]) == (
            "pledges.registration.titles", ["provincial_flag"], ["certificate_of_merit"])
    else:
        assert titles == {"provincial_flag"}
        _writes_nothing(before)


EDIT_SUBMITTED = {
    "officer": 409, "admin": 403, "secretariat": 403, "leader": 403, "peer": 403,
    "delegate": 403, "other_secretariat": 404, "outsider": 404, "nobody": 404, "anonymous": 401,
}


@pytest.mark.parametrize("who", WHO)
def test_set_titles_on_a_submitted_registration(world, api, who):
    submitted = make_registration(world, "KT1", submit=True)
    response = api(who).put(f"/registrations/{submitted.id}/titles", {"award_forms": []})
    assert response.status_code == EDIT_SUBMITTED[who]
    if who == "officer":
        assert response.json() == error(
            "Bản đăng ký đã gửi; rút lại để sửa (chỉ trong giai đoạn đăng ký).")
    elif response.status_code == 403:
        assert response.json() == error("Bạn không được sửa bản đăng ký này.")
    assert submitted.titles.count() == 1


@pytest.mark.parametrize(("payload", "message"), [
    ({"award_forms": ["gold_medal"]}, "Giá trị không hợp lệ; chỉ nhận: 'government_flag', "
     "'provincial_flag', 'certificate_of_merit' or 'excellent_collective'."),
    ({"award_forms": "provincial_flag"}, "Phải là một danh sách."),
    ({}, "Thiếu trường bắt buộc."),
])
def test_set_titles_bad_input(world, api, payload, message):
    draft = make_registration(world, "KT1")
    before = _events()
    response = api("officer").put(f"/registrations/{draft.id}/titles", payload)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == message
    assert response.json()["errors"][0]["field"].startswith("award_forms")
    _writes_nothing(before)


# --- targets --------------------------------------------------------------------------

def _target_payload(world, **changes):
    return {"indicator": "Số thủ tục giải quyết đúng hạn", "target_value": "1200",
            "unit_of_measure": "hồ sơ", "deadline": f"{world.year.year}-09-30",
            "baseline": "850.5", **changes}


def test_add_target_stores_nfc_and_exact_decimals(world, api):
    draft = make_registration(world, "KT1")
    nfd = unicodedata.normalize("NFD", "Số thủ tục giải quyết đúng hạn")
    assert nfd != "Số thủ tục giải quyết đúng hạn"
    response = api("officer").post(f"/registrations/{draft.id}/targets",
                                   _target_payload(world, indicator=nfd,
                                                   unit_of_measure="hồ sơ"))
    assert response.status_code == 201
    target = Target.objects.get(pk=response.json()["id"])
    assert response.json() == {
        "id": target.id, "indicator": "Số thủ tục giải quyết đúng hạn", "baseline": "850.50",
        "target_value": "1200.00", "unit_of_measure": "hồ sơ",
        "deadline": f"{world.year.year}-09-30", "latest_actual": None,
        "latest_reported_on": None, "progress_percent": 0}
    assert target.indicator == "Số thủ tục giải quyết đúng hạn"
    assert str(target.baseline) == "850.50"
    event = AuditEvent.objects.order_by("id").last()
    assert (event.action, event.object_id, event.after["indicator"]) == (
        "pledges.target.add", str(target.id), "Số thủ tục giải quyết đúng hạn")


@pytest.mark.parametrize("who", WHO)
def test_add_target_matrix(world, api, who):
    draft = make_registration(world, "KT1")
    response = api(who).post(f"/registrations/{draft.id}/targets", _target_payload(world))
    assert response.status_code == {**DRAFT_VIEW, "officer": 201}[who]
    assert draft.targets.count() == (2 if response.status_code == 201 else 1)


@pytest.mark.parametrize(("changes", "status", "errors"), [
    ({"target_value": 1200}, 422, [("target_value", "Phải là chuỗi ký tự.")]),
    ({"target_value": "12,5"}, 422, [("target_value", (
        "Phải là số thập phân viết dạng chuỗi, tối đa 13 chữ số phần nguyên và 2 chữ số "
        "thập phân, dấu chấm thập phân (vd. \"12.50\")."))]),
    ({"target_value": "1.005"}, 422, None),
    ({"target_value": "NaN"}, 422, None),
    ({"target_value": "12345678901234"}, 422, None),
    ({"deadline": "30/09/2026"}, 422, [("deadline", "Phải là ngày dạng YYYY-MM-DD.")]),
    ({"deadline": "1999-01-01"}, 400, [(None, "Thời hạn phải nằm trong năm thi đua "
                                              "{year}.")]),
    ({"indicator": "   "}, 400, [(None, "Chưa nhập tên chỉ tiêu.")]),
    ({"indicator": "x" * 501}, 422, [("indicator", "Dài quá 500 ký tự.")]),
    ({"unit_of_measure": "đ" * 51}, 422, [("unit_of_measure", "Dài quá 50 ký tự.")]),
    ({"indicator": None}, 422, [("indicator", "Phải là chuỗi ký tự.")]),
])
def test_add_target_bad_input_writes_nothing(world, api, changes, status, errors):
    draft = make_registration(world, "KT1")
    before = _events()
    response = api("officer").post(f"/registrations/{draft.id}/targets",
                                   _target_payload(world, **changes))
    assert response.status_code == status
    if errors is not None:
        assert [(e["field"], e["message"]) for e in response.json()["errors"]] == [
            (f, m.replace("{year}", str(world.year.year))) for f, m in errors]
    assert draft.targets.count() == 1
    _writes_nothing(before)


@pytest.mark.parametrize("value", ["-9999999999999.99", "9999999999999.99", "0.01"])
def test_extreme_amounts_round_trip_exactly(world, api, value):
    draft = make_registration(world, "KT1")
    response = api("officer").post(f"/registrations/{draft.id}/targets",
                                   _target_payload(world, target_value=value, baseline=value))
    assert response.status_code == 201
    assert (response.json()["target_value"], response.json()["baseline"]) == (value, value)
    target = Target.objects.get(pk=response.json()["id"])
    assert (str(target.target_value), str(target.baseline)) == (value, value)


def test_unknown_registration_is_404(world, api):
    response = api("officer").post("/registrations/424242/targets", _target_payload(world))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("who", WHO)
def test_remove_target_matrix(world, api, who):
    draft = make_registration(world, "KT1")
    target = draft.targets.get()
    response = api(who).delete(f"/targets/{target.id}")
    assert response.status_code == {**DRAFT_VIEW, "officer": 204}[who]
    if response.status_code == 204:
        assert response.content == b""
        assert not Target.objects.filter(pk=target.id).exists()
        assert AuditEvent.objects.order_by("id").last().action == "pledges.target.remove"
    else:
        assert Target.objects.filter(pk=target.id).exists()
    if response.status_code == 404:
        assert response.json() == error("Không tìm thấy chỉ tiêu.")


# --- submit and withdraw --------------------------------------------------------------

@pytest.mark.parametrize("who", WHO)
def test_submit_matrix(world, api, who):
    draft = make_registration(world, "KT1")
    response = api(who).post(f"/registrations/{draft.id}/submit")
    assert response.status_code == DRAFT_VIEW[who]
    draft.refresh_from_db()
    if response.status_code == 200:
        body = response.json()
        assert (body["status"], body["status_label"]) == ("submitted", "Đã đăng ký")
        assert body["permissions"] == {"edit": False, "withdraw": True,
                                       "report_progress": False}
        assert (draft.status, draft.submitted_by) == ("submitted", world.users["officer"])
        event = AuditEvent.objects.order_by("id").last()
        assert (event.action, event.after["status"]) == ("pledges.registration.submit",
                                                         "submitted")
    else:
        assert (draft.status, draft.submitted_at) == ("draft", None)


def test_submit_an_empty_registration_says_what_is_missing(world, api):
    unit = world.units["KT1"]
    client = api("officer")
    opened = client.post(f"/units/{unit.id}/years/{world.year.year}/registration").json()
    before = _events()
    response = client.post(f"/registrations/{opened['id']}/submit")
    assert response.status_code == 400
    assert response.json() == error(
        "Chưa chọn danh hiệu thi đua đăng ký. Chưa có chỉ tiêu nào.",
        "Chưa chọn danh hiệu thi đua đăng ký.", "Chưa có chỉ tiêu nào.")
    assert Registration.objects.get(pk=opened["id"]).status == "draft"
    _writes_nothing(before)


@pytest.mark.parametrize("who", WHO)
def test_withdraw_matrix(world, api, who):
    submitted = make_registration(world, "KT1", submit=True)
    response = api(who).post(f"/registrations/{submitted.id}/withdraw",
                             {"reason": "Sửa chỉ tiêu"})
    assert response.status_code == {**EDIT_SUBMITTED, "officer": 200}[who]
    submitted.refresh_from_db()
    if response.status_code == 200:
        assert submitted.status == "draft"
        event = AuditEvent.objects.order_by("id").last()
        assert (event.action, event.reason) == ("pledges.registration.withdraw", "Sửa chỉ tiêu")
    else:
        assert submitted.status == "submitted"
    if response.status_code == 403:
        assert response.json() == error("Bạn không được rút lại bản đăng ký này.")


def test_withdraw_needs_a_reason(world, api):
    submitted = make_registration(world, "KT1", submit=True)
    before = _events()
    response = api("officer").post(f"/registrations/{submitted.id}/withdraw", {"reason": " "})
    assert (response.status_code, response.json()) == (
        400, error("Rút lại bản đăng ký phải ghi rõ lý do."))
    response = api("officer").post(f"/registrations/{submitted.id}/withdraw", {})
    assert response.status_code == 422
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    _writes_nothing(before)


def test_withdraw_after_the_registration_phase_is_409(world, api):
    submitted = make_registration(world, "KT1", submit=True)
    org_services.move_phase(world.actor("admin"), world.bloc_years["KT"], "in_progress")
    response = api("officer").post(f"/registrations/{submitted.id}/withdraw",
                                   {"reason": "muộn"})
    assert (response.status_code, response.json()) == (409, error(
        "Chỉ rút lại được bản đăng ký đã gửi, trong giai đoạn đăng ký."))


def test_the_whole_registration_flow_by_token(world, api):
    client = api("officer", token=True)
    unit = world.units["KT1"]
    opened = client.post(f"/units/{unit.id}/years/{world.year.year}/registration")
    assert opened.status_code == 201
    rid = opened.json()["id"]
    assert client.put(f"/registrations/{rid}/titles",
                      {"award_forms": ["provincial_flag"]}).status_code == 200
    assert client.post(f"/registrations/{rid}/targets",
                       _target_payload(world)).status_code == 201
    submitted = client.post(f"/registrations/{rid}/submit").json()
    assert submitted["status"] == "submitted"
    assert submitted["submitted_at"] is not None
    assert _events()[-4:] == ["pledges.registration.create", "pledges.registration.titles",
                              "pledges.target.add", "pledges.registration.submit"]
