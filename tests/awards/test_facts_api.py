"""Year facts through the API (issue 11 item 1; RULES.md 17–21, 19a): the same services as
the pages. The unit enters (PATCH) and uploads evidence; the leader confirms or returns;
a unit never confirms its own year nor touches another unit's; bad payloads get a
Vietnamese 4xx and change nothing. On SQLite and PostgreSQL."""

import datetime

import pytest
from tests.factories import PDF

from api.conftest import Api
from thidua.awards.models import FactsEvidence, UnitYearFacts
from thidua.core.models import AuditEvent
from thidua.org.models import EmulationYear

from .conftest import register

pytestmark = pytest.mark.django_db

GOOD = {"targets_exceeded": True, "task_rating": "excellent", "party_rating": "good",
        "union_rating": "good", "youth_union_rating": "no_organisation",
        "discipline_level": "none", "negative_inspection": False, "pending_matter": "none",
        "member_count": 20, "completed_count": 20, "advanced_worker_count": 15,
        "emulation_soldier_count": 2, "note": "Quyết định xếp loại số 12/QĐ-ĐU"}


def as_(world, who):
    return Api(None if who == "anonymous" else world.users[who])


def path(world, code, tail=""):
    return f"/units/{world.units[code].pk}/facts/{world.year.year}{tail}"


def rows():
    return list(UnitYearFacts.objects.order_by("id").values())


def test_enter_upload_confirm_and_read_back(world):
    peer = as_(world, "peer")
    empty = peer.get(path(world, "KT2")).json()
    assert (empty["state"], empty["state_label"], empty["party_rating"]) == (
        "missing", "Chưa nhập", None)
    entered = peer.send("patch", path(world, "KT2"), GOOD)
    assert entered.status_code == 200
    body = entered.json()
    assert {k: body[k] for k in GOOD} == GOOD
    assert (body["state"], body["state_label"], body["confirmed_at"]) == (
        "entered", "Chờ xác nhận", None)
    uploaded = peer.upload(path(world, "KT2", "/evidence"), "xep-loai-dang.pdf", PDF,
                           "application/pdf")
    assert uploaded.status_code == 201
    assert uploaded.json()["original_name"] == "xep-loai-dang.pdf"
    leader = as_(world, "leader")
    assert leader.get(uploaded.json()["download_url"]).status_code == 200
    listing = leader.get(f"/bloc-years/{world.bloc_years['KT'].pk}/facts").json()
    assert (listing["members"], listing["entered"], listing["missing"],
            listing["unconfirmed"]) == (5, 1, 4, 5)
    assert [(u["unit"]["code"], u["state"], u["evidence_count"]) for u in listing["units"]
            if u["state"] != "missing"] == [("KT2", "entered", 1)]
    confirmed = leader.post(path(world, "KT2", "/confirm"))
    assert confirmed.status_code == 200
    assert (confirmed.json()["state"], confirmed.json()["confirmed_as"]) == (
        "confirmed", "leader")
    assert [e["original_name"] for e in confirmed.json()["evidence"]] == ["xep-loai-dang.pdf"]
    again = leader.post(path(world, "KT2", "/confirm"))
    assert again.status_code == 409 and "đã được xác nhận" in again.json()["detail"]
    # Partial change: only the fields sent; a change takes the confirmation away.
    changed = peer.send("patch", path(world, "KT2"), {"youth_union_rating": "good"}).json()
    assert (changed["state"], changed["youth_union_rating"], changed["party_rating"]) == (
        "entered", "good", "good")
    assert [e.action for e in AuditEvent.objects.filter(
        action__startswith="awards.facts.").order_by("id")] == [
        "awards.facts.enter", "awards.facts.evidence", "awards.facts.confirm",
        "awards.facts.enter"]


def test_return_with_a_reason(world):
    as_(world, "peer").send("patch", path(world, "KT2"), GOOD)
    leader = as_(world, "leader")
    missing = leader.post(path(world, "KT2", "/return"), {})
    assert missing.status_code == 422
    blank = leader.post(path(world, "KT2", "/return"), {"reason": "   "})
    assert blank.status_code == 400
    assert blank.json()["detail"] == "Cần ghi lý do trả lại số liệu để đơn vị biết phải sửa gì."
    assert UnitYearFacts.objects.get().state == "entered"
    returned = leader.post(path(world, "KT2", "/return"), {"reason": "Thiếu quyết định"})
    assert (returned.json()["state"], returned.json()["return_reason"]) == (
        "returned", "Thiếu quyết định")
    refused = leader.post(path(world, "KT2", "/confirm"))
    assert refused.status_code == 409
    assert "đã bị trả lại (lý do: Thiếu quyết định)" in refused.json()["detail"]


def test_a_unit_cannot_confirm_its_own_year_nor_touch_another_units(world):
    """Negative tests with data present: KT1's facts (the leader unit's) carry a note
    that must not leak; nothing changes on a refusal."""
    as_(world, "officer").send("patch", path(world, "KT1"), GOOD)
    as_(world, "peer").send("patch", path(world, "KT2"), GOOD)
    before = rows()
    events = AuditEvent.objects.count()
    peer = as_(world, "peer")
    own = peer.post(path(world, "KT2", "/confirm"))
    assert own.status_code == 403
    assert own.json()["detail"] == ("Chỉ Trưởng khối (với đơn vị khác trong khối) hoặc "
                                    "Thường trực thi đua tỉnh được xác nhận số liệu.")
    assert peer.post(path(world, "KT2", "/return"), {"reason": "x"}).status_code == 403
    other = peer.get(path(world, "KT1"))
    assert other.status_code == 404 and "12/QĐ-ĐU" not in other.content.decode()
    assert peer.send("patch", path(world, "KT1"), {"party_rating": "completed"}
                     ).status_code == 404
    assert peer.post(path(world, "KT1", "/confirm")).status_code == 404
    assert peer.upload(path(world, "KT1", "/evidence"), "a.pdf", PDF).status_code == 404
    # The leader officer does not confirm its own unit's year: the province does.
    leader_self = as_(world, "leader").post(path(world, "KT1", "/confirm"))
    assert leader_self.status_code == 403
    assert "Trưởng khối không tự xác nhận số liệu của chính đơn vị mình" in (
        leader_self.json()["detail"])
    assert as_(world, "delegate").send("patch", path(world, "KT3"), GOOD).status_code == 403
    assert as_(world, "outsider").get(path(world, "KT2")).status_code == 404
    assert as_(world, "other_secretariat").get(path(world, "KT2")).status_code == 404
    assert as_(world, "anonymous").get(path(world, "KT2")).status_code == 401
    assert as_(world, "peer").get(
        f"/bloc-years/{world.bloc_years['KT'].pk}/facts").status_code == 403
    assert rows() == before and AuditEvent.objects.count() == events
    assert as_(world, "secretariat").post(path(world, "KT1", "/confirm")).json()[
        "confirmed_as"] == "secretariat"


@pytest.mark.parametrize(("payload", "status"), [
    ({"party_rating": "tốt"}, 422),
    ({"union_rating": "good", "colour": "red"}, 422),
    ({"member_count": -1}, 422),
    ({"member_count": "hai mươi"}, 422),
    ({"targets_exceeded": "có lẽ"}, 422),
    ({"note": "x" * 4001}, 422),
    ({"member_count": 10, "completed_count": 12}, 400),
    ({"pending_matter": "complaint"}, 400),
])
def test_bad_payloads_change_nothing(world, payload, status):
    response = as_(world, "peer").send("patch", path(world, "KT2"), payload)
    assert response.status_code == status
    assert response.json()["detail"]
    assert UnitYearFacts.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="awards.facts.").exists()


def test_a_malformed_upload_is_refused(world):
    peer = as_(world, "peer")
    assert peer.upload(path(world, "KT2", "/evidence"), "a.pdf", PDF).status_code == 404
    peer.send("patch", path(world, "KT2"), GOOD)
    fake = peer.upload(path(world, "KT2", "/evidence"), "bao-cao.pdf", b"MZ\x90 not a pdf",
                       "application/pdf")
    assert fake.status_code == 400
    assert FactsEvidence.objects.count() == 0
    unopened = peer.get(f"/units/{world.units['KT2'].pk}/facts/2999")
    assert unopened.status_code == 404
    assert unopened.json()["detail"] == "Bắc Ninh chưa mở năm thi đua 2999."


def test_rule_19_a_confirmed_pending_matter_defers_in_the_eligibility_api(world):
    """NĐ 152/2025: KT2's confirmed facts name a complaint under consideration; the API
    reports the status "deferred" and the matter, never a silent drop."""
    EmulationYear.objects.filter(pk=world.year.pk).update(
        registration_deadline=datetime.date(world.year.year, 12, 31))
    world.year.refresh_from_db()
    register(world.actor("peer"), world.units["KT2"], world.year)  # RULES 7 met
    pending = {**GOOD, "pending_matter": "complaint",
               "pending_matter_detail": "Đơn tố cáo ngày 02/12, Thanh tra tỉnh xác minh"}
    as_(world, "peer").send("patch", path(world, "KT2"), pending)
    as_(world, "leader").post(path(world, "KT2", "/confirm"))
    body = as_(world, "leader").get(f"/bloc-years/{world.bloc_years['KT'].pk}/eligibility",
                                    on=f"{world.year.year}-12-20").json()
    [kt2] = [u for u in body["units"] if u["unit"]["code"] == "KT2"]
    statuses = {f["award_form"]: f["status"] for f in kt2["forms"]}
    # No ranking yet: the Government flag also misses RULES 20 (deferred still wins).
    assert statuses == {"certificate_of_merit": "deferred", "excellent_collective": "deferred",
                        "government_flag": "deferred", "provincial_flag": "deferred"}
    deferred = [(f["award_form"], c["rule"], c["sentence"]) for f in kt2["forms"]
                for c in f["checks"] if c["status"] == "deferred"]
    assert deferred == [(form, 19, "đang giải quyết khiếu nại, tố cáo: Đơn tố cáo ngày "
                                   "02/12, Thanh tra tỉnh xác minh — xét khi có kết luận")
                        for form in sorted(statuses)]
