"""Year facts on the pages (issue 11 item 1, RULES.md 17–21 and 19a): the unit officer
enters its year with evidence, the leader confirms or returns it with a reason, the
leader unit's own facts go to the province; every change audited; the eligibility page
names the fact that is missing or unconfirmed. On SQLite and PostgreSQL."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pledges.files import pdf
from thidua.awards.models import FactsEvidence, UnitYearFacts
from thidua.core.models import AuditEvent

pytestmark = pytest.mark.django_db

FORM = {"targets_exceeded": "yes", "task_rating": "excellent", "party_rating": "good",
        "union_rating": "excellent", "youth_union_rating": "no_organisation",
        "discipline_level": "none", "negative_inspection": "no", "pending_matter": "none",
        "pending_matter_detail": "", "member_count": "20", "completed_count": "20",
        "advanced_worker_count": "15", "emulation_soldier_count": "2",
        "note": "Quyết định xếp loại số 12/QĐ-ĐU ngày 10/12"}


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def url(world, code, name="award_facts"):
    return reverse(name, args=[world.units[code].pk, world.year.year])


def as_(client, world, who):
    client.logout()
    if who != "anonymous":
        client.force_login(world.users[who])
    return client


def audit(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_the_unit_page_links_to_its_year_facts(client, world):
    page = as_(client, world, "peer").get(reverse("unit", args=[world.units["KT2"].pk]))
    assert url(world, "KT2") in page.content.decode()


def test_the_unit_enters_its_facts_with_a_file_and_the_leader_confirms(client, world):
    kt2 = world.units["KT2"]
    upload = SimpleUploadedFile("Quyết định xếp loại.pdf", pdf(), "application/pdf")
    response = as_(client, world, "peer").post(url(world, "KT2"), {**FORM, "files": upload})
    assert response.status_code == 302
    facts = UnitYearFacts.objects.get(unit=kt2)
    assert (facts.targets_exceeded, facts.party_rating, facts.union_rating,
            facts.youth_union_rating, facts.pending_matter, facts.member_count,
            facts.state) == (True, "good", "excellent", "no_organisation", "none", 20,
                             "entered")
    [evidence] = FactsEvidence.objects.filter(facts=facts)
    assert evidence.original_name == "Quyết định xếp loại.pdf"
    page = text(client.get(url(world, "KT2")))
    assert "Chờ xác nhận" in page
    assert "Xếp loại Đoàn Thanh niên Không có tổ chức" in page
    assert "Xác nhận số liệu" not in page  # the unit does not confirm its own year

    leader = as_(client, world, "leader")
    page = text(leader.get(url(world, "KT2")))
    assert "Xác nhận số liệu" in page and "Trả lại cho đơn vị" in page
    assert leader.get(reverse("award_facts_evidence", args=[evidence.pk])).status_code == 200
    listing = text(leader.get(reverse("award_bloc_facts", args=[world.bloc_years["KT"].pk])))
    assert "0/5 đơn vị đã được xác nhận; 1 chờ xác nhận, 0 bị trả lại, 4 chưa nhập." in listing
    assert leader.post(url(world, "KT2", "award_facts_confirm")).status_code == 302
    facts.refresh_from_db()
    assert (facts.state, facts.confirmed_as, facts.confirmed_by) == (
        "confirmed", "leader", world.users["leader"])
    assert "Đã xác nhận" in text(leader.get(url(world, "KT2")))
    assert [e.actor_id for e in audit("awards.facts.enter")] == [world.users["peer"].id]
    assert [e.actor_id for e in audit("awards.facts.evidence")] == [world.users["peer"].id]
    assert [e.actor_id for e in audit("awards.facts.confirm")] == [world.users["leader"].id]


def test_the_leader_returns_with_a_reason_and_the_unit_corrects(client, world):
    as_(client, world, "peer").post(url(world, "KT2"), FORM)
    leader = as_(client, world, "leader")
    refused = leader.post(url(world, "KT2", "award_facts_return"), {"reason": "  "})
    assert refused.status_code == 400
    assert "Cần ghi lý do trả lại số liệu." in text(refused)
    assert UnitYearFacts.objects.get().state == "entered"
    leader.post(url(world, "KT2", "award_facts_return"),
                {"reason": "Thiếu quyết định xếp loại Công đoàn"})
    facts = UnitYearFacts.objects.get()
    assert (facts.state, facts.return_reason) == ("returned", "Thiếu quyết định xếp loại "
                                                              "Công đoàn")
    page = text(as_(client, world, "peer").get(url(world, "KT2")))
    assert "Bị trả lại" in page and "Lý do: Thiếu quyết định xếp loại Công đoàn" in page
    client.post(url(world, "KT2"), {**FORM, "note": FORM["note"] + "; QĐ 05/QĐ-CĐ"})
    facts.refresh_from_db()
    assert (facts.state, facts.return_reason) == ("entered", "")
    assert [e.reason for e in audit("awards.facts.return")] == [
        "Thiếu quyết định xếp loại Công đoàn"]


def test_the_leader_units_own_facts_go_to_the_province(client, world):
    as_(client, world, "officer").post(url(world, "KT1"), FORM)  # KT1 leads the bloc
    leader = as_(client, world, "leader")
    assert "Xác nhận số liệu" not in text(leader.get(url(world, "KT1")))
    assert leader.post(url(world, "KT1", "award_facts_confirm")).status_code == 403
    assert UnitYearFacts.objects.get().state == "entered"
    as_(client, world, "secretariat").post(url(world, "KT1", "award_facts_confirm"))
    assert UnitYearFacts.objects.get().confirmed_as == "secretariat"


def test_a_unit_cannot_confirm_its_own_facts_nor_touch_another_units(client, world):
    as_(client, world, "officer").post(url(world, "KT1"), FORM)
    as_(client, world, "peer").post(url(world, "KT2"), FORM)
    before = list(UnitYearFacts.objects.order_by("id").values())
    peer = as_(client, world, "peer")
    assert peer.post(url(world, "KT2", "award_facts_confirm")).status_code == 403
    assert peer.post(url(world, "KT2", "award_facts_return"), {"reason": "x"}).status_code == 403
    # KT1's facts (with their note) are another unit's: not shown, not changed.
    other = peer.get(url(world, "KT1"))
    assert other.status_code == 404 and "12/QĐ-ĐU" not in other.content.decode()
    assert peer.post(url(world, "KT1"), {**FORM, "party_rating": "completed"}
                     ).status_code == 404
    assert peer.post(url(world, "KT1", "award_facts_confirm")).status_code == 404
    assert as_(client, world, "outsider").get(url(world, "KT2")).status_code == 404
    assert as_(client, world, "other_secretariat").get(url(world, "KT2")).status_code == 404
    delegate = as_(client, world, "delegate").post(url(world, "KT3"), FORM)
    assert delegate.status_code == 403  # sees its own unit, does not enter for it
    assert list(UnitYearFacts.objects.order_by("id").values()) == before
    assert audit("awards.facts.confirm") == audit("awards.facts.return") == []
    evidence_url = reverse("award_facts_evidence", args=[999999])
    assert peer.get(evidence_url).status_code == 404


def test_bad_input_is_refused_with_a_vietnamese_error_and_nothing_is_written(client, world):
    peer = as_(client, world, "peer")
    bad = peer.post(url(world, "KT2"), {**FORM, "member_count": "hai mươi"})
    assert bad.status_code == 400
    assert "Số thành viên của tập thể: nhập số nguyên, ví dụ 20." in text(bad)
    bad = peer.post(url(world, "KT2"), {**FORM, "completed_count": "25"})
    assert bad.status_code == 400
    assert "Số hoàn thành nhiệm vụ (25) không được lớn hơn số thành viên (20)." in text(bad)
    bad = peer.post(url(world, "KT2"), {**FORM, "pending_matter": "discipline"})
    assert "Có vụ việc đang xem xét: ghi rõ nội dung" in text(bad)
    bad = peer.post(url(world, "KT2"), {**FORM, "party_rating": "tot"})
    assert bad.status_code == 400
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    bad = peer.post(url(world, "KT2"), {**FORM, "files": fake})
    assert bad.status_code == 400
    assert UnitYearFacts.objects.count() == FactsEvidence.objects.count() == 0
    assert audit("awards.facts.enter") == []


def test_facts_without_evidence_are_not_confirmed(client, world):
    as_(client, world, "peer").post(url(world, "KT2"), {**FORM, "note": ""})
    refused = as_(client, world, "leader").post(url(world, "KT2", "award_facts_confirm"))
    assert refused.status_code == 409
    assert ("chưa có minh chứng (tệp đính kèm hoặc ghi chú): đơn vị cần bổ sung trước khi "
            "xác nhận.") in text(refused)
    assert UnitYearFacts.objects.get().state == "entered"


def test_the_eligibility_page_names_the_unconfirmed_and_the_missing_fact(client, world):
    """RULES.md 19a: KT2 entered (not confirmed) facts; KT3 none at all."""
    as_(client, world, "peer").post(url(world, "KT2"), {**FORM, "union_rating": ""})
    page = text(as_(client, world, "leader").get(
        reverse("award_eligibility", args=[world.bloc_years["KT"].pk])))
    assert ("tổ chức đảng xếp loại «Hoàn thành tốt nhiệm vụ» (đơn vị đã nhập, chưa được "
            "Trưởng khối hoặc Thường trực thi đua tỉnh xác nhận)") in page
    assert "chưa có số liệu: xếp loại Công đoàn cơ sở" in page
    assert "chưa có số liệu: vụ việc đang xem xét" in page
