"""The audit log page (scoped, filtered, paginated) and personal API tokens."""

import hashlib

import pytest

from thidua.core import audit
from thidua.core.models import ApiToken, AuditEvent
from thidua.core.tokens import user_for_token

from .conftest import matrix, outcome, register
from .page import parse


@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=200, leader=403, officer=403, peer=403,
    outsider=403, delegate=403, nobody=403, anonymous="login",
))
def test_who_may_read_the_audit_log(world, as_who, who, status):
    assert outcome(as_who(who).get("/nhat-ky/")) == status


def event_rows(response):
    table = parse(response).by_id("bang-nhat-ky")
    return [[td.text for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]


def test_secretariat_sees_only_its_province_newest_first(world, as_who):
    register(world, "officer", "KT1")
    register(world, "outsider", "VX1", submit=False)
    hn = world.units["HN1"]
    audit.record(world.users["admin"], "org.unit.rename", hn, province_id=hn.province_id,
                 before={"name": "Sở Bí mật"}, after={"name": "Sở Bí mật hơn"})
    mine = event_rows(as_who("secretariat").get("/nhat-ky/"))
    ids = [int(r[0]) for r in mine]
    assert ids == sorted(ids, reverse=True)
    expected = list(AuditEvent.objects.filter(province_id=world.province.id)
                    .order_by("-id").values_list("id", flat=True))
    assert ids == expected
    assert all("Sở Bí mật" not in " ".join(r) for r in mine)
    theirs = event_rows(as_who("other_secretariat").get("/nhat-ky/"))
    assert [r[3] for r in theirs] == ["org.unit.rename", "org.bloc_year.create",
                                      "org.year.create"]
    rename = theirs[0]
    assert '"name": "Sở Bí mật"' in rename[5] and '"name": "Sở Bí mật hơn"' in rename[6]


def test_filter_by_action_prefix_and_object(world, as_who):
    registration = register(world, "officer", "KT1")
    client = as_who("admin")
    rows = event_rows(client.get("/nhat-ky/", {"action": "pledges.registration"}))
    assert [r[3] for r in rows] == ["pledges.registration.submit",
                                    "pledges.registration.titles",
                                    "pledges.registration.create"]
    rows = event_rows(client.get("/nhat-ky/", {"object_type": "pledges.registration",
                                               "object_id": str(registration.pk)}))
    assert {r[4] for r in rows} == {f"pledges.registration #{registration.pk}"}
    assert len(rows) == 3


def test_pagination(world, as_who):
    for number in range(60):
        audit.record(world.users["admin"], "test.bulk", ("test", number),
                     province_id=world.province.id)
    client = as_who("secretariat")
    total = AuditEvent.objects.filter(province_id=world.province.id).count()
    first = client.get("/nhat-ky/", {"action": "test."})
    assert len(event_rows(first)) == 50
    nav = parse(first).find("nav", aria_label="Trang nhật ký")
    assert nav.find("a", rel="next").attrs["href"] == "?action=test.&trang=2"
    second = client.get("/nhat-ky/", {"action": "test.", "trang": 2})
    assert [r[4] for r in event_rows(second)] == [f"test #{n}" for n in range(9, -1, -1)]
    assert total > 60


# --- tokens ------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "status"), matrix(
    admin=200, secretariat=200, other_secretariat=200, leader=200, officer=200, peer=200,
    outsider=200, delegate=200, nobody=200, anonymous="login",
))
def test_everyone_logged_in_has_a_token_page(world, as_who, who, status):
    assert outcome(as_who(who).get("/ma-truy-cap/")) == status


def test_create_shows_the_token_once_and_stores_only_its_hash(world, as_who):
    client = as_who("officer")
    response = client.post("/ma-truy-cap/", {"name": "Bảng tính tổng hợp"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    plain = parse(response).by_id("gia-tri-ma").text
    assert plain.startswith("thd_") and len(plain) == 4 + 43
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert token.prefix == plain[:8] and token.user == world.users["officer"]
    assert plain not in str(list(ApiToken.objects.values()))
    assert user_for_token(plain) == world.users["officer"]
    event = AuditEvent.objects.get(action="core.api_token.create")
    assert plain not in str(event.after) and event.actor == world.users["officer"]
    again = client.get("/ma-truy-cap/")
    assert plain not in again.content.decode()
    rows = parse(again).by_id("bang-ma").find("tbody").find_all("tr")
    assert [td.text for td in rows[0].find_all("td")][:2] == ["Bảng tính tổng hợp",
                                                               plain[:8] + "…"]


def test_a_name_is_required(world, as_who):
    response = as_who("officer").post("/ma-truy-cap/", {"name": "  "})
    assert response.status_code == 400
    summary = parse(response).with_class("error-summary")[0]
    assert [(a.text, a.attrs["href"]) for a in summary.find_all("a")] == [
        ("Trường này là bắt buộc.", "#id_name")]
    assert ApiToken.objects.count() == 0


def test_revoke_own_token_only(world, as_who):
    client = as_who("officer")
    client.post("/ma-truy-cap/", {"name": "Máy chủ báo cáo"})
    token = ApiToken.objects.get()
    assert as_who("peer").post(f"/ma-truy-cap/{token.pk}/thu-hoi/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    response = as_who("officer").post(f"/ma-truy-cap/{token.pk}/thu-hoi/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="core.api_token.revoke")
    assert event.before["revoked_at"] is None and event.after["revoked_at"]
    assert as_who("officer").get(f"/ma-truy-cap/{token.pk}/thu-hoi/").status_code == 405


def test_a_revoked_token_no_longer_authenticates(world):
    from thidua.core.tokens import create_token, revoke_token

    token, plain = create_token(world.users["leader"], "tạm")
    assert user_for_token(plain) == world.users["leader"]
    revoke_token(world.users["leader"], token.pk)
    assert user_for_token(plain) is None
    assert user_for_token("thd_not-a-token") is None
    assert user_for_token("") is None
