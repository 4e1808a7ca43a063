"""Pledge signing record per member; personal API tokens."""

import unicodedata

import pytest
from tests.factories import WHO

from thidua.core.models import ApiToken, AuditEvent
from thidua.pledges.models import PledgeSignature, PledgeSigning

from .conftest import Api, error, unit_ref

SIGNED = {"signed_on": "2026-02-20", "place": "Hội trường UBND tỉnh", "status": "signed",
          "signer_name": "Nguyễn Văn An"}

# --- signing --------------------------------------------------------------------------

VIEW = {
    "admin": 200, "secretariat": 200, "leader": 200, "officer": 200, "peer": 200,
    "delegate": 200, "other_secretariat": 404, "outsider": 404, "nobody": 404, "anonymous": 401,
}
RECORD = {**VIEW, "officer": 403, "peer": 403, "delegate": 403}


@pytest.mark.parametrize("who", WHO)
def test_signing_record_matrix(world, api, who):
    kt = world.bloc_years["KT"]
    unit = world.units["KT3"]
    response = api(who, token=who != "anonymous").put(f"/bloc-years/{kt.id}/signing/{unit.id}",
                                                      SIGNED)
    assert response.status_code == RECORD[who]
    if response.status_code == 200:
        assert response.json() == {"unit": unit_ref(unit), "status": "signed",
                                   "signer_name": "Nguyễn Văn An", "absence_reason": ""}
        signature = PledgeSignature.objects.get()
        assert (signature.unit, signature.signing.place) == (unit, "Hội trường UBND tỉnh")
        event = AuditEvent.objects.order_by("id").last()
        assert (event.action, event.before, event.after["status"]) == (
            "pledges.signing.record", None, "signed")
    else:
        assert not PledgeSigning.objects.exists()
    if response.status_code == 403:
        assert response.json() == error(
            "Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh ghi nhận ký kết.")


@pytest.mark.parametrize("who", WHO)
def test_signing_read_matrix(world, api, who):
    kt = world.bloc_years["KT"]
    response = api(who).get(f"/bloc-years/{kt.id}/signing")
    assert response.status_code == VIEW[who]


def test_signing_record_body_and_completion(world, api):
    kt, u = world.bloc_years["KT"], world.units
    client = api("leader")
    empty = client.get(f"/bloc-years/{kt.id}/signing").json()
    assert empty == {"bloc_year_id": kt.id, "signed_on": None, "place": "", "complete": False,
                     "members": [{"unit": unit_ref(u[c]), "status": None, "signer_name": "",
                                  "absence_reason": ""}
                                 for c in ("KT5", "KT4", "KT1", "KT2", "KT3")]}
    for code in ("KT1", "KT2", "KT3", "KT4"):
        assert client.put(f"/bloc-years/{kt.id}/signing/{u[code].id}",
                          SIGNED).status_code == 200
    absent = {**SIGNED, "status": "absent", "signer_name": "",
              "absence_reason": unicodedata.normalize("NFD", "Đi công tác")}
    response = client.put(f"/bloc-years/{kt.id}/signing/{u['KT5'].id}", absent)
    assert response.json()["absence_reason"] == "Đi công tác"
    body = client.get(f"/bloc-years/{kt.id}/signing").json()
    assert (body["complete"], body["signed_on"]) == (True, "2026-02-20")
    assert body["members"][0] == {"unit": unit_ref(u["KT5"]), "status": "absent",
                                  "signer_name": "", "absence_reason": "Đi công tác"}
    assert api("officer").get(f"/bloc-years/{kt.id}").json()["signing_complete"] is True
    # Changing a line keeps one row per member and records what it was.
    client.put(f"/bloc-years/{kt.id}/signing/{u['KT5'].id}", SIGNED)
    assert PledgeSignature.objects.count() == 5
    event = AuditEvent.objects.order_by("id").last()
    assert (event.before["status"], event.after["status"]) == ("absent", "signed")


@pytest.mark.parametrize(("payload", "status", "message"), [
    ({**SIGNED, "signer_name": ""}, 400, "Ghi rõ họ tên người ký."),
    ({**SIGNED, "status": "absent", "signer_name": ""}, 400, "Ghi rõ lý do vắng mặt."),
    ({**SIGNED, "status": "maybe"}, 422, "Giá trị không hợp lệ; chỉ nhận: 'signed' or 'absent'."),
    ({**SIGNED, "signed_on": "20/02/2026"}, 422, "Phải là ngày dạng YYYY-MM-DD."),
    ({**SIGNED, "signer_name": "A" * 201}, 422, "Dài quá 200 ký tự."),
])
def test_signing_bad_input_writes_nothing(world, api, payload, status, message):
    kt = world.bloc_years["KT"]
    events = AuditEvent.objects.count()
    response = api("secretariat").put(f"/bloc-years/{kt.id}/signing/{world.units['KT1'].id}",
                                      payload)
    assert response.status_code == status
    assert response.json()["errors"][0]["message"] == message
    assert not PledgeSigning.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("code", ["VX1", "HN1", None])
def test_signing_for_a_non_member_is_404(world, api, code):
    kt = world.bloc_years["KT"]
    unit_id = world.units[code].id if code else 999999
    response = api("admin").put(f"/bloc-years/{kt.id}/signing/{unit_id}", SIGNED)
    assert (response.status_code, response.json()) == (
        404, error("Đơn vị này không phải thành viên của khối."))
    assert not PledgeSigning.objects.exists()


# --- tokens ---------------------------------------------------------------------------

@pytest.mark.parametrize("who", WHO)
def test_create_token_by_session(world, api, who):
    response = api(who).post("/tokens", {"name": "Kịch bản báo cáo"})
    if who == "anonymous":
        assert response.status_code == 401
        assert not ApiToken.objects.exists()
        return
    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get()
    assert body == {"id": token.id, "name": "Kịch bản báo cáo", "prefix": body["token"][:8],
                    "created_at": body["created_at"], "last_used_at": None, "revoked_at": None,
                    "token": body["token"]}
    assert body["token"].startswith("thd_") and len(body["token"]) > 40
    assert token.user == world.users[who]
    assert AuditEvent.objects.order_by("id").last().action == "core.api_token.create"
    # The token works at once, for its owner only.
    assert Api(token=body["token"]).get("/me").json()["username"] == world.users[who].username


def test_a_token_cannot_mint_tokens(world, api):
    client = api("officer", token=True)
    response = client.post("/tokens", {"name": "con"})
    assert (response.status_code, response.json()) == (403, error(
        "Chỉ tạo mã truy cập mới khi đăng nhập bằng trình duyệt."))
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(("payload", "status", "message"), [
    ({"name": ""}, 422, "Không được để trống."),
    ({"name": "   "}, 400, "Chưa nhập tên gợi nhớ cho mã truy cập."),
    ({"name": "x" * 101}, 422, "Dài quá 100 ký tự."),
    ({"name": 7}, 422, "Phải là chuỗi ký tự."),
])
def test_create_token_bad_input(world, api, payload, status, message):
    response = api("officer").post("/tokens", payload)
    assert response.status_code == status
    assert response.json()["errors"][0]["message"] == message
    assert not ApiToken.objects.exists()


def test_list_tokens_never_shows_secrets_or_others_tokens(world, api):
    mine = api("officer").post("/tokens", {"name": "một"}).json()
    api("peer").post("/tokens", {"name": "của người khác"})
    listing = api("officer").get("/tokens")
    assert listing.status_code == 200
    assert listing.json() == [{k: v for k, v in mine.items() if k != "token"}]
    row = ApiToken.objects.get(pk=mine["id"])
    assert mine["token"] not in listing.content.decode()
    assert row.key_hash not in listing.content.decode()


def test_revoke_token(world, api):
    session = api("officer")
    made = session.post("/tokens", {"name": "tạm"}).json()
    by_token = Api(token=made["token"])
    assert by_token.get("/me").status_code == 200
    # Someone else's token is not found, and stays valid.
    assert api("peer").delete(f"/tokens/{made['id']}").json() == error(
        "Không tìm thấy mã truy cập.")
    assert by_token.get("/me").status_code == 200
    response = session.delete(f"/tokens/{made['id']}")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert AuditEvent.objects.order_by("id").last().action == "core.api_token.revoke"
    assert by_token.get("/me").status_code == 401
    assert by_token.get("/tokens").status_code == 401


def test_a_token_may_revoke_itself(world, api):
    made = api("officer").post("/tokens", {"name": "tự hủy"}).json()
    client = Api(token=made["token"])
    assert client.delete(f"/tokens/{made['id']}").status_code == 200
    assert client.get("/me").status_code == 401
