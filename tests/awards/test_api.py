"""Awards API: the rulebook with citations, eligibility, what-if, the proposal and its
steps (permission matrix), decisions and history — the same services as the pages."""

import datetime

import pytest

from api.conftest import Api
from thidua.awards import proposals as service
from thidua.awards.models import Award, Proposal
from thidua.core.models import AuditEvent

from .conftest import GOV, PROV, conference_day, polls

pytestmark = pytest.mark.django_db
WHO = ["admin", "secretariat", "other_secretariat", "leader", "officer", "peer", "outsider",
       "delegate", "nobody", "anonymous"]


def client(world, who):
    return Api(None if who == "anonymous" else world.users[who])


def assemble(world, kt):
    return service.assemble_proposal(world.actor("leader"), kt, polls(world),
                                     conference_date=conference_day(world))


def test_rulebook_in_force_with_citations(world):
    response = client(world, "officer").get("/provinces/BN/rulebook", on="2026-01-15")
    assert response.status_code == 200
    body = response.json()
    settings = {item["key"]: item for item in body["settings"]}
    assert settings["quotas.government_flag_per_bloc"]["value"] == 1
    assert settings["eligibility.government_flag_leading_rank"]["citation"]["display"] == (
        "Điều 25 khoản 1, Luật Thi đua, khen thưởng 2022")
    assert "Bắc Ninh" in body["in_force"]
    assert client(world, "anonymous").get("/provinces/BN/rulebook").status_code == 401
    assert client(world, "officer").get("/provinces/XX/rulebook").status_code == 404


def test_eligibility_and_what_if_matrix_and_content(world, kt):
    expected = {"admin": 200, "secretariat": 200, "leader": 200, "officer": 403,
                "peer": 403, "delegate": 403, "outsider": 404, "other_secretariat": 404,
                "nobody": 404, "anonymous": 401}
    for path in (f"/bloc-years/{kt.pk}/eligibility", f"/bloc-years/{kt.pk}/what-if"):
        assert {w: client(world, w).get(path, on=conference_day(world).isoformat())
                .status_code for w in WHO} == expected
    body = client(world, "leader").get(f"/bloc-years/{kt.pk}/eligibility",
                                       on=conference_day(world).isoformat()).json()
    kt2 = next(u for u in body["units"] if u["unit"]["code"] == "KT2")
    gov = next(f for f in kt2["forms"] if f["award_form"] == GOV)
    assert gov["status"] == "ineligible"
    assert [c["rule"] for c in gov["checks"] if c["status"] == "unmet"] == [20]
    body = client(world, "leader").get(f"/bloc-years/{kt.pk}/what-if",
                                       on=conference_day(world).isoformat()).json()
    prov = next(f for f in body["forms"] if f["award_form"] == PROV)
    assert [(u["unit"]["code"], u["status"]) for u in prov["units"]] == [
        ("KT1", "out"), ("KT2", "borderline"), ("KT3", "borderline"), ("KT4", "out"),
        ("KT5", "out")]


def test_assemble_needs_published_poll_results(world, kt):
    response = client(world, "leader").post(f"/bloc-years/{kt.pk}/proposal",
                                            {"conference_date": "2026-12-20"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "Chưa có kết quả bỏ phiếu bình xét được công bố của hội nghị")
    assert client(world, "officer").post(f"/bloc-years/{kt.pk}/proposal", {
        "conference_date": "2026-12-20"}).status_code == 403
    assert client(world, "other_secretariat").post(f"/bloc-years/{kt.pk}/proposal", {
        "conference_date": "2026-12-20"}).status_code == 404


STEPS = {"submit": ("draft", 200, {"leader"}), "return": ("submitted", 200,
                                                          {"secretariat", "admin"}),
         "accept": ("submitted", 200, {"secretariat", "admin"}),
         "resubmit": ("returned", 200, {"leader"})}


@pytest.mark.parametrize("action", list(STEPS))
def test_step_matrix(world, kt, action):
    start, ok, allowed = STEPS[action]
    proposal = assemble(world, kt)
    results = {}
    for who in WHO:
        Proposal.objects.filter(pk=proposal.pk).update(state=start)
        results[who] = client(world, who).post(f"/proposals/{proposal.pk}/{action}",
                                               {"reason": "Thiếu báo cáo"}).status_code
    visible = {"admin", "secretariat", "leader", "officer", "peer", "delegate"}
    assert results == {w: (ok if w in allowed else 403 if w in visible else
                           401 if w == "anonymous" else 404) for w in WHO}


def test_proposal_read_workflow_decision_history(world, kt):
    proposal = assemble(world, kt)
    seen = {w: client(world, w).get(f"/bloc-years/{kt.pk}/proposal").status_code
            for w in WHO}
    assert seen == {"admin": 200, "secretariat": 200, "leader": 200, "officer": 200,
                    "peer": 200, "delegate": 200, "outsider": 404, "other_secretariat": 404,
                    "nobody": 404, "anonymous": 401}
    leader, secretariat = client(world, "leader"), client(world, "secretariat")
    body = leader.post(f"/proposals/{proposal.pk}/submit", {}).json()
    assert (body["state"], body["allowed_steps"]) == ("submitted", [])
    body = secretariat.post(f"/proposals/{proposal.pk}/return", {"reason": ""})
    assert body.status_code == 409
    assert body.json()["detail"] == "Trả lại hồ sơ phải nêu lý do."
    body = secretariat.post(f"/proposals/{proposal.pk}/accept", {}).json()
    assert body["state"] == "accepted"
    lines = {ln["unit"]["code"]: ln["id"] for ln in body["lines"]}
    path = f"/provinces/BN/years/{world.year.year}"
    assert client(world, "other_secretariat").get(path + "/proposals").status_code == 404
    listing = secretariat.get(path + "/proposals").json()
    assert listing["cap"]["cap"] == 1 and listing["cap"]["proposed"] == 1
    assert [b["proposal"]["state"] if b["proposal"] else None
            for b in listing["blocs"]] == ["accepted", None]
    decision = {"number": "9/QĐ-UBND", "decision_date": f"{world.year.year + 1}-01-09",
                "signer": "Chủ tịch", "awarded": [lines["KT1"]], "not_awarded": []}
    assert leader.post(path + "/decisions", decision).status_code == 404
    response = secretariat.post(path + "/decisions", decision)
    assert response.status_code == 201
    assert response.json()["awarded"] == [lines["KT1"]]
    assert list(Award.objects.values_list("unit__code", "award_form")) == [("KT1", GOV)]
    assert AuditEvent.objects.filter(action="awards.decision.record").count() == 1
    history = client(world, "officer").get(f"/units/{world.units['KT1'].pk}/awards").json()
    assert [(a["year"], a["award_form"], a["decision_number"]) for a in history["awards"]] == [
        (world.year.year, GOV, "9/QĐ-UBND")]
    assert history["bonus_year"] == world.year.year + 1
    assert client(world, "peer").get(
        f"/units/{world.units['KT1'].pk}/awards").status_code == 404
    assert datetime.date.fromisoformat(response.json()["decision_date"]).year == (
        world.year.year + 1)


def test_open_next_year(world, kt):
    u = world.units
    path = f"/bloc-years/{kt.pk}/next-year"
    # No election was held: the province's decision comes with the leader (RULES.md 3).
    body = {"leader_unit_id": u["KT2"].pk, "deputy_unit_ids": [u["KT3"].pk],
            "decision": {"number": "12/QĐ-UBND", "decision_date": str(datetime.date.today()),
                         "reason": "Hội nghị không tổ chức bầu Trưởng khối"}}
    assert {w: client(world, w).post(path, body).status_code
            for w in ("leader", "officer", "outsider", "other_secretariat", "anonymous")} == {
        "leader": 403, "officer": 403, "outsider": 404, "other_secretariat": 404,
        "anonymous": 401}
    refused = client(world, "secretariat").post(path, {**body, "leader_unit_id": u["KT1"].pk})
    assert refused.status_code == 400 and "Quy tắc 4" in refused.json()["detail"]
    response = client(world, "secretariat").post(path, body)
    assert response.status_code == 201
    data = response.json()
    assert (data["year"], data["leader_unit_id"], data["deputy_unit_ids"],
            data["criteria_table_copied"]) == (world.year.year + 1, u["KT2"].pk,
                                               [u["KT3"].pk], True)
    assert data["member_unit_ids"] == sorted(u[c].pk for c in ("KT1", "KT2", "KT3", "KT4",
                                                                 "KT5"))
    assert client(world, "secretariat").post(path, body).status_code == 409
