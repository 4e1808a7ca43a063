"""Awards pages: who sees what (permission matrices), what they show, and the workflow
driven through the pages writes what the services write."""

import datetime
import re

import pytest
from django.urls import reverse

from thidua.awards import proposals as service
from thidua.awards.models import Award, Proposal
from thidua.core.models import AuditEvent
from thidua.org import services as org

from .conftest import conference_day, polls

pytestmark = pytest.mark.django_db
WHO = ["admin", "secretariat", "other_secretariat", "leader", "officer", "peer", "outsider",
       "delegate", "nobody", "anonymous"]


def get_as(client, world, who, url, data=None, post=False):
    client.logout()
    if who != "anonymous":
        client.force_login(world.users[who])
    response = client.post(url, data or {}) if post else client.get(url)
    if response.status_code == 302 and response["Location"].startswith("/dang-nhap/"):
        return "login"
    return response.status_code


def assemble(world, kt):
    return service.assemble_proposal(world.actor("leader"), kt, polls(world),
                                     conference_date=conference_day(world))


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


LEADER_PAGES = {"admin": 200, "secretariat": 200, "leader": 200, "officer": 403,
                "peer": 403, "delegate": 403, "outsider": 404, "other_secretariat": 404,
                "nobody": 404, "anonymous": "login"}


@pytest.mark.parametrize("name", ["award_eligibility", "award_what_if"])
def test_leader_pages_matrix(client, world, kt, name):
    url = reverse(name, args=[kt.pk])
    assert {who: get_as(client, world, who, url) for who in WHO} == LEADER_PAGES


def test_proposal_and_history_and_province_matrices(client, world, kt):
    assemble(world, kt)
    seen = {"admin": 200, "secretariat": 200, "leader": 200, "officer": 200, "peer": 200,
            "delegate": 200, "outsider": 404, "other_secretariat": 404, "nobody": 404,
            "anonymous": "login"}
    url = reverse("award_proposal", args=[kt.pk])
    assert {who: get_as(client, world, who, url) for who in WHO} == seen
    url = reverse("award_province", args=["BN", world.year.year])
    assert {who: get_as(client, world, who, url) for who in WHO} == {
        **{w: 404 for w in WHO}, "admin": 200, "secretariat": 200, "anonymous": "login"}
    url = reverse("award_history", args=[world.units["KT2"].pk])
    assert {who: get_as(client, world, who, url) for who in WHO} == {
        **{w: 404 for w in WHO}, "admin": 200, "secretariat": 200, "leader": 200,
        "peer": 200, "anonymous": "login"}


def test_step_matrix_through_the_page(client, world, kt):
    proposal = assemble(world, kt)
    url = reverse("award_proposal_step", args=[proposal.pk, "submit"])
    results = {}
    for who in WHO:
        Proposal.objects.filter(pk=proposal.pk).update(state="draft")
        results[who] = get_as(client, world, who, url, post=True)
    assert results == {"admin": 403, "secretariat": 403, "leader": 302, "officer": 403,
                       "peer": 403, "delegate": 403, "outsider": 404,
                       "other_secretariat": 404, "nobody": 404, "anonymous": "login"}
    url = reverse("award_proposal_step", args=[proposal.pk, "return"])
    results = {}
    for who in WHO:
        Proposal.objects.filter(pk=proposal.pk).update(state="submitted")
        results[who] = get_as(client, world, who, url, {"reason": "Thiếu hồ sơ"}, post=True)
    assert results == {"admin": 302, "secretariat": 302, "leader": 403, "officer": 403,
                       "peer": 403, "delegate": 403, "outsider": 404,
                       "other_secretariat": 404, "nobody": 404, "anonymous": "login"}


def test_eligibility_table_shows_unmet_rules_with_citations(client, world, kt):
    client.force_login(world.users["leader"])
    response = client.get(reverse("award_eligibility", args=[kt.pk]))
    page = text(response)
    # KT2 is second: RULES 20 refuses it the Government flag, with the article.
    assert ("Quy tắc 20: không dẫn đầu khối (xếp thứ 2; cần thứ nhất) — Điều 25 khoản 1, "
            "Luật Thi đua, khen thưởng 2022") in page
    assert "Khối có 5 thành viên (mức" in page


def test_return_without_reason_is_shown_not_raised(client, world, kt):
    proposal = assemble(world, kt)
    service.move_proposal(world.actor("leader"), proposal, "submit")
    client.force_login(world.users["secretariat"])
    response = client.post(reverse("award_proposal_step", args=[proposal.pk, "return"]),
                           {"reason": " "})
    assert response.status_code == 409
    assert "Trả lại hồ sơ phải nêu lý do." in text(response)
    proposal.refresh_from_db()
    assert proposal.state == "submitted"
    assert not AuditEvent.objects.filter(action="awards.proposal.return").exists()


def test_decision_form_records_awards(client, world, kt):
    proposal = assemble(world, kt)
    service.move_proposal(world.actor("leader"), proposal, "submit")
    service.move_proposal(world.actor("secretariat"), proposal, "accept")
    ids = {line.unit.code: line.id for line in proposal.lines.select_related("unit")}
    client.force_login(world.users["secretariat"])
    url = reverse("award_decision", args=["BN", world.year.year])
    response = client.post(url, {"number": "", "decision_date": "", "signer": ""})
    assert response.status_code == 400 and not Award.objects.exists()
    day = datetime.date(world.year.year + 1, 1, 10)
    response = client.post(url, {"number": "15/QĐ-UBND", "decision_date": day.isoformat(),
                                 "signer": "Chủ tịch", "awarded": [ids["KT2"], ids["KT3"]],
                                 "not_awarded": [ids["KT1"], ids["KT4"]]})
    assert response.status_code == 302
    assert sorted(Award.objects.values_list("unit__code", "decision_number")) == [
        ("KT2", "15/QĐ-UBND"), ("KT3", "15/QĐ-UBND")]
    proposal.refresh_from_db()
    assert proposal.state == "decided"
    client.force_login(world.users["peer"])
    page = text(client.get(reverse("award_history", args=[world.units["KT2"].pk])))
    assert (f"{world.year.year} Cờ thi đua của UBND tỉnh Số 15/QĐ-UBND ngày "
            f"{day:%d/%m/%Y} Chủ tịch") in page


def test_links_from_bloc_year_province_and_unit_pages(client, world, kt):
    client.force_login(world.users["leader"])
    page = client.get(reverse("bloc_year", args=[kt.pk])).content.decode()
    assert reverse("award_what_if", args=[kt.pk]) in page
    assert reverse("award_proposal", args=[kt.pk]) in page
    client.force_login(world.users["peer"])
    page = client.get(reverse("bloc_year", args=[kt.pk])).content.decode()
    assert reverse("award_what_if", args=[kt.pk]) not in page
    assert reverse("award_proposal", args=[kt.pk]) in page
    page = client.get(reverse("unit", args=[world.units["KT2"].pk])).content.decode()
    assert reverse("award_history", args=[world.units["KT2"].pk]) in page
    client.force_login(world.users["secretariat"])
    page = client.get(reverse("province_dashboard", args=["BN"])).content.decode()
    assert reverse("award_province", args=["BN", world.year.year]) in page


def test_the_assemble_button_follows_the_services_rule_phase_included(client, world, kt):
    """awards.rules.assemble_refusal decides the button and the service alike: outside the
    conference phase the leader is offered nothing, and a forged POST changes nothing."""
    client.force_login(world.users["leader"])
    url = reverse("award_proposal", args=[kt.pk])
    assert 'id="chua-co-ket-qua"' in client.get(url).content.decode()
    client.force_login(world.users["peer"])
    assert 'id="chua-co-ket-qua"' not in client.get(url).content.decode()
    org.move_phase(world.actor("secretariat"), kt, "appraisal", reason="Chấm lại điểm")
    client.force_login(world.users["leader"])
    assert 'id="chua-co-ket-qua"' not in client.get(url).content.decode()
    events = AuditEvent.objects.count()
    response = client.post(reverse("award_proposal_assemble", args=[kt.pk]))
    assert response.status_code == 409
    assert ("Lập đề nghị khen thưởng chỉ thực hiện ở giai đoạn «Hội nghị tổng kết»"
            in text(response))
    assert (Proposal.objects.filter(bloc_year=kt).count(), AuditEvent.objects.count()) == (
        0, events)
