"""RULES.md 3: the election decides next year (issue 11 item 5). Next year opens with the
leader the conference's published leader election chose (read through
`proposals.election_result`); another leader — or any leader when nobody was elected,
as in a tie below the threshold — needs the province's recorded decision (number, date,
reason), stored, audited and shown; without it the service, the page and the API
refuse and write nothing. On SQLite and PostgreSQL."""

import datetime
import re

import pytest
from django.urls import reverse
from tests import factories
from tests.factories import today

from api.conftest import Api
from thidua.awards import proposals as service
from thidua.awards.models import LeaderDecision
from thidua.core.errors import Conflict
from thidua.core.models import AuditEvent
from thidua.org.models import BlocYear

pytestmark = pytest.mark.django_db
DECISION = service.ProvinceDecision("15/QĐ-UBND", today(),
                                    "Sở Tài chính sáp nhập, tỉnh giao Sở Xây dựng")


def elect(world, kt, marks):
    """KT's conference with all five present and its leader election published."""
    conference = factories.conference(world, kt, eligible=False, present=factories.KT)
    return factories.cast_close_publish(world, factories.leader_election(world, conference),
                                        marks)


KT2_ELECTED = {c: ["KT2"] for c in ("KT1", "KT2", "KT3", "KT4", "KT5")}
# 2–2 of 5 with one blank ballot: nobody reaches "more than 1/2 of 5" (3 votes).
NO_WINNER = {"KT1": ["KT2"], "KT2": ["KT3"], "KT3": ["KT2"], "KT4": ["KT3"], "KT5": []}


def next_year(world, kt):
    return BlocYear.objects.filter(bloc=kt.bloc, emulation_year__year=world.year.year + 1)


def written(world, kt):
    return (next_year(world, kt).count(), LeaderDecision.objects.count(),
            AuditEvent.objects.filter(action__in=["awards.year.open",
                                                  "awards.leader.decide"]).count())


def test_rule_3_next_year_opens_with_the_elected_leader(world, kt):
    elect(world, kt, KT2_ELECTED)
    u = world.units
    new = service.open_next_year(world.actor("secretariat"), kt, deputies=[u["KT3"].id])
    assert (new.leader_unit_id, new.emulation_year.year) == (u["KT2"].id, world.year.year + 1)
    assert LeaderDecision.objects.count() == 0
    [opened] = AuditEvent.objects.filter(action="awards.year.open")
    assert (opened.after["leader_unit"], opened.after["elected_unit"]) == (u["KT2"].id,
                                                                          u["KT2"].id)


def test_rule_3_another_leader_needs_the_provinces_decision(world, kt):
    elect(world, kt, KT2_ELECTED)
    u, secretariat = world.units, world.actor("secretariat")
    with pytest.raises(Conflict) as refused:
        service.open_next_year(secretariat, kt, leader=u["KT3"], deputies=[u["KT4"]])
    assert refused.value.messages == [
        f"Trưởng khối năm {world.year.year + 1} được bầu là Sở Tài chính: chọn Sở Xây dựng "
        "làm Trưởng khối cần quyết định của tỉnh (số, ngày, lý do) — Quy tắc 3."]
    with pytest.raises(Conflict) as refused:
        service.open_next_year(secretariat, kt, leader=u["KT3"], deputies=[u["KT4"]],
                               decision=service.ProvinceDecision(" ", today(), ""))
    assert refused.value.messages[1:] == [
        "Chưa nhập số quyết định của tỉnh về Trưởng khối.",
        "Chưa nhập lý do tỉnh chọn Trưởng khối khác kết quả bầu."]
    assert written(world, kt) == (0, 0, 0)
    new = service.open_next_year(secretariat, kt, leader=u["KT3"], deputies=[u["KT4"]],
                                 decision=DECISION)
    record = LeaderDecision.objects.get()
    assert (record.bloc_year, record.next_bloc_year, record.leader_unit, record.elected_unit,
            record.number, record.decision_date, record.reason) == (
        kt, new, u["KT3"], u["KT2"], "15/QĐ-UBND", today(),
        "Sở Tài chính sáp nhập, tỉnh giao Sở Xây dựng")
    [decided] = AuditEvent.objects.filter(action="awards.leader.decide")
    assert (decided.after["leader_unit"], decided.after["elected_unit"],
            decided.after["number"]) == (u["KT3"].id, u["KT2"].id, "15/QĐ-UBND")


def test_rule_3_no_winner_means_the_province_decides(world, kt):
    poll = elect(world, kt, NO_WINNER)
    assert poll.result["selected"] == []
    assert service.election_result(kt) is None
    u, secretariat = world.units, world.actor("secretariat")
    with pytest.raises(Conflict, match="Hội nghị chưa có Trưởng khối năm .* được bầu"):
        service.open_next_year(secretariat, kt)
    with pytest.raises(Conflict) as refused:
        service.open_next_year(secretariat, kt, leader=u["KT2"], deputies=[u["KT3"]])
    assert refused.value.messages == [
        f"Hội nghị không bầu được Trưởng khối năm {world.year.year + 1}: chọn Sở Tài chính "
        "làm Trưởng khối cần quyết định của tỉnh (số, ngày, lý do) — Quy tắc 3."]
    future = service.ProvinceDecision("15/QĐ-UBND", today() + datetime.timedelta(days=20),
                                      "Bầu lại không đạt")
    with pytest.raises(Conflict) as refused:
        service.open_next_year(secretariat, kt, leader=u["KT2"], deputies=[u["KT3"]],
                               decision=future)
    assert refused.value.messages[1:] == [
        f"Ngày quyết định {future.decision_date:%d/%m/%Y} sau ngày hôm nay: chỉ ghi quyết "
        "định đã ký."]
    assert written(world, kt) == (0, 0, 0)
    service.open_next_year(secretariat, kt, leader=u["KT2"], deputies=[u["KT3"]],
                           decision=DECISION)
    assert LeaderDecision.objects.get().elected_unit is None


def test_the_api_refuses_a_different_leader_without_a_decision(world, kt):
    elect(world, kt, KT2_ELECTED)
    u = world.units
    api = Api(world.users["secretariat"])
    path = f"/bloc-years/{kt.pk}/next-year"
    refused = api.post(path, {"leader_unit_id": u["KT3"].pk, "deputy_unit_ids": [u["KT4"].pk]})
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(
        f"Trưởng khối năm {world.year.year + 1} được bầu là Sở Tài chính: chọn Sở Xây dựng "
        "làm Trưởng khối cần quyết định của tỉnh")
    bad = api.post(path, {"leader_unit_id": u["KT3"].pk,
                          "decision": {"number": "15/QĐ-UBND", "decision_date": "hôm qua",
                                       "reason": ""}})
    assert bad.status_code == 422
    assert written(world, kt) == (0, 0, 0)
    body = {"leader_unit_id": u["KT3"].pk, "deputy_unit_ids": [u["KT4"].pk],
            "decision": {"number": "15/QĐ-UBND", "decision_date": str(today()),
                         "reason": "Sở Tài chính sáp nhập"}}
    created = api.post(path, body)
    assert created.status_code == 201
    data = created.json()
    assert (data["leader_unit_id"], data["elected_leader_unit_id"], data["leader_decision"]) == (
        u["KT3"].pk, u["KT2"].pk, {"number": "15/QĐ-UBND", "decision_date": str(today()),
                                   "reason": "Sở Tài chính sáp nhập",
                                   "elected_unit_id": u["KT2"].pk})


def test_the_api_opens_with_the_elected_leader_when_none_is_sent(world, kt):
    elect(world, kt, KT2_ELECTED)
    api = Api(world.users["secretariat"])
    # No deputy was elected: the deputies are the caller's (RULES.md 2 wants one).
    refused = api.post(f"/bloc-years/{kt.pk}/next-year", {})
    assert refused.status_code == 400
    created = api.post(f"/bloc-years/{kt.pk}/next-year",
                       {"deputy_unit_ids": [world.units["KT3"].pk]})
    assert created.status_code == 201
    assert (created.json()["leader_unit_id"], created.json()["leader_decision"]) == (
        world.units["KT2"].pk, None)


def test_the_page_shows_the_election_and_the_provinces_decision(client, world, kt):
    elect(world, kt, NO_WINNER)
    u = world.units
    client.force_login(world.users["secretariat"])
    url = reverse("award_next_year", args=[kt.pk])
    page = client.get(url).content.decode()
    assert "không đơn vị nào đạt ngưỡng" in page
    refused = client.post(url, {"leader": u["KT2"].pk, "deputies": [u["KT3"].pk]})
    assert refused.status_code == 409
    assert ("Hội nghị không bầu được Trưởng khối năm "
            f"{world.year.year + 1}: chọn Sở Tài chính làm Trưởng khối cần quyết định của "
            "tỉnh") in refused.content.decode()
    assert written(world, kt) == (0, 0, 0)
    response = client.post(url, {"leader": u["KT2"].pk, "deputies": [u["KT3"].pk],
                                 "decision_number": "15/QĐ-UBND",
                                 "decision_date": today().isoformat(),
                                 "decision_reason": "Bầu hai vòng không đạt ngưỡng"})
    assert response.status_code == 302
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(url).content.decode()))
    assert (f"Theo Quyết định số 15/QĐ-UBND ngày {today():%d/%m/%Y} của tỉnh (hội nghị không "
            "bầu được Trưởng khối). Lý do: Bầu hai vòng không đạt ngưỡng") in page
