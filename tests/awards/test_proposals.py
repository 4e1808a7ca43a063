"""Proposal dossier (issue 5 items 6–7): assembled from the allocation, moved through
its states by the right side only, every step audited; decisions turn accepted lines into
awards (RULES.md 27)."""

import datetime

import pytest

from thidua.awards import proposals as service
from thidua.awards.models import Award, AwardDecision, Proposal, ProposalLine
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.models import AuditEvent

from .conftest import CERT, GOV, PROV, conference_day, polls

pytestmark = pytest.mark.django_db


def lines_of(proposal, world):
    codes = {u.id: c for c, u in world.units.items()}
    return sorted((line.award_form, codes[line.unit_id], line.outcome)
                  for line in proposal.lines.all())


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def assemble(world, kt, **kw):
    return service.assemble_proposal(world.actor("leader"), kt, polls(world, **kw),
                                     conference_date=conference_day(world))


def test_leader_assembles_the_proposal_from_ranking_votes_quotas_and_eligibility(world, kt):
    proposal = assemble(world, kt)
    assert proposal.state == "draft"
    # Quotas for 5 members: 1 / 1 / 2 (RULES 24–26); KT4 passed too, within the quota.
    assert lines_of(proposal, world) == [
        (CERT, "KT3", "pending"), (CERT, "KT4", "pending"),
        (GOV, "KT1", "pending"), (PROV, "KT2", "pending")]
    line = proposal.lines.get(unit=world.units["KT1"])
    assert line.votes == 5
    assert line.explanation.startswith("đề nghị Cờ thi đua của Chính phủ: 5 phiếu đồng ý")
    [event] = events("awards.proposal.assemble")
    assert event.before is None and event.after["state"] == "draft"


def test_a_unit_failing_its_poll_or_eligibility_is_not_proposed_with_its_reason(world, kt):
    proposal = assemble(world, kt, passed=("KT1", "KT2", "KT3"))
    assert lines_of(proposal, world) == [
        (CERT, "KT3", "pending"), (GOV, "KT1", "pending"), (PROV, "KT2", "pending")]
    reasons = {(e["unit_name"], e["award_form"]): e for e in proposal.explanation}
    kt4 = reasons[(world.units["KT4"].name, CERT)]
    assert (kt4["outcome"], kt4["rule"]) == ("not_proposed", 31)


def test_a_tie_at_the_cut_off_is_refused_with_the_run_off_it_needs(world, kt):
    u = world.units
    tied = [service.PollResult(CERT, u[c].id, 5, True) for c in ("KT3", "KT4", "KT5")]
    # Equal votes across the cut-off of 2: the ranking decides (RULES 32), no run-off.
    proposal = service.assemble_proposal(world.actor("leader"), kt, tied,
                                         conference_date=conference_day(world))
    assert lines_of(proposal, world) == [(CERT, "KT3", "pending"), (CERT, "KT4", "pending")]


def test_only_the_leader_assembles_and_nobody_of_another_province_sees(world, kt):
    for name in ("officer", "peer", "delegate", "secretariat"):
        with pytest.raises(Forbidden):
            service.assemble_proposal(world.actor(name), kt, polls(world),
                                      conference_date=conference_day(world))
    for name in ("other_secretariat", "outsider", "nobody"):
        with pytest.raises(NotFound):
            service.assemble_proposal(world.actor(name), kt, polls(world),
                                      conference_date=conference_day(world))
    assert not Proposal.objects.exists()


def test_workflow_return_with_reason_resubmit_accept_decide(world, kt):
    proposal = assemble(world, kt)
    leader, secretariat = world.actor("leader"), world.actor("secretariat")
    service.move_proposal(leader, proposal, "submit")
    with pytest.raises(Conflict, match="lý do"):
        service.move_proposal(secretariat, proposal, "return", "  ")
    service.move_proposal(secretariat, proposal, "return", "Thiếu báo cáo thành tích KT3")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.return_reason) == ("returned",
                                                        "Thiếu báo cáo thành tích KT3")
    # While returned the leader may redraft, then resubmits.
    proposal = assemble(world, kt)
    assert proposal.state == "returned"
    service.move_proposal(leader, proposal, "resubmit")
    service.move_proposal(secretariat, proposal, "accept")
    proposal.refresh_from_db()
    assert proposal.state == "accepted"
    actions = list(AuditEvent.objects.filter(action__startswith="awards.proposal.")
                   .order_by("id").values_list("action", "reason"))
    assert actions == [("awards.proposal.assemble", ""), ("awards.proposal.submit", ""),
                       ("awards.proposal.return", "Thiếu báo cáo thành tích KT3"),
                       ("awards.proposal.assemble", ""), ("awards.proposal.resubmit", ""),
                       ("awards.proposal.accept", "")]
    with pytest.raises(Conflict):
        assemble(world, kt)  # accepted: the bloc no longer changes it


PERMISSIONS = {
    # action: (state it starts from, who may, who may not but sees, who does not see)
    "submit": ("draft", {"leader"}, {"secretariat", "admin", "officer", "peer", "delegate"}),
    "return": ("submitted", {"secretariat", "admin"},
               {"leader", "officer", "peer", "delegate"}),
    "accept": ("submitted", {"secretariat", "admin"},
               {"leader", "officer", "peer", "delegate"}),
    "resubmit": ("returned", {"leader"}, {"secretariat", "admin", "officer", "peer",
                                          "delegate"}),
}
UNSEEN = {"other_secretariat", "outsider", "nobody"}


@pytest.mark.parametrize("action", list(PERMISSIONS))
def test_workflow_permission_matrix(world, kt, action):
    start, allowed, refused = PERMISSIONS[action]
    proposal = assemble(world, kt)
    Proposal.objects.filter(pk=proposal.pk).update(state=start)
    for name in sorted(refused):
        with pytest.raises(Forbidden):
            service.move_proposal(world.actor(name), proposal, action, "lý do")
    for name in sorted(UNSEEN):
        with pytest.raises(NotFound):
            service.move_proposal(world.actor(name), proposal, action, "lý do")
    proposal.refresh_from_db()
    assert proposal.state == start
    for name in sorted(allowed):
        Proposal.objects.filter(pk=proposal.pk).update(state=start)
        service.move_proposal(world.actor(name), proposal, action, "lý do")
        proposal.refresh_from_db()
        assert proposal.state == {"submit": "submitted", "return": "returned",
                                  "accept": "accepted", "resubmit": "resubmitted"}[action]


def test_a_step_out_of_order_is_refused(world, kt):
    proposal = assemble(world, kt)
    with pytest.raises(Conflict, match="Bản nháp"):
        service.move_proposal(world.actor("secretariat"), proposal, "accept")
    with pytest.raises(Conflict):
        service.move_proposal(world.actor("leader"), proposal, "resubmit")


def accepted(world, kt):
    proposal = assemble(world, kt)
    service.move_proposal(world.actor("leader"), proposal, "submit")
    service.move_proposal(world.actor("secretariat"), proposal, "accept")
    return proposal


def test_decision_turns_accepted_lines_into_awards_and_decides_the_proposal(world, kt):
    proposal = accepted(world, kt)
    line = {(ln.award_form, ln.unit.code): ln for ln in proposal.lines.select_related("unit")}
    day = datetime.date(world.year.year + 1, 1, 15)
    decision = service.record_decision(
        world.actor("secretariat"), world.year, number="120/QĐ-UBND", decision_date=day,
        signer="Nguyễn Văn A", awarded=[line[(PROV, "KT2")].id, line[(CERT, "KT3")].id,
                                        line[(CERT, "KT4")].id])
    # RULES 27: the province may cut; the Government flag is still pending.
    assert sorted((a.unit.code, a.award_form, a.decision_number, a.decision_id)
                  for a in Award.objects.select_related("unit")) == [
        ("KT2", PROV, "120/QĐ-UBND", decision.id), ("KT3", CERT, "120/QĐ-UBND", decision.id),
        ("KT4", CERT, "120/QĐ-UBND", decision.id)]
    proposal.refresh_from_db()
    assert proposal.state == "accepted"
    service.record_decision(world.actor("secretariat"), world.year, number="121/QĐ-UBND",
                            decision_date=day, signer="Nguyễn Văn A",
                            not_awarded=[line[(GOV, "KT1")].id])
    proposal.refresh_from_db()
    assert proposal.state == "decided"
    assert lines_of(proposal, world) == [
        (CERT, "KT3", "awarded"), (CERT, "KT4", "awarded"), (GOV, "KT1", "not_awarded"),
        (PROV, "KT2", "awarded")]
    assert Award.objects.count() == 3
    [first, second] = events("awards.decision.record")
    assert first.after["number"] == "120/QĐ-UBND"
    assert second.after["not_awarded"] == [[world.units["KT1"].id, GOV]]
    [decided] = events("awards.proposal.decide")
    assert decided.after == {"state": "decided", "decision": "121/QĐ-UBND"}


def test_decision_refusals(world, kt):
    proposal = assemble(world, kt)
    line = proposal.lines.first()
    day = datetime.date(world.year.year + 1, 1, 15)
    with pytest.raises(DomainError, match="chưa được tỉnh tiếp nhận"):
        service.record_decision(world.actor("secretariat"), world.year, number="1",
                                decision_date=day, signer="A", awarded=[line.id])
    for name in ("leader", "officer", "other_secretariat"):
        with pytest.raises(Forbidden):
            service.record_decision(world.actor(name), world.year, number="1",
                                    decision_date=day, signer="A", awarded=[line.id])
    with pytest.raises(DomainError) as caught:
        service.record_decision(world.actor("secretariat"), world.year, number=" ",
                                decision_date=day, signer="", awarded=[])
    assert caught.value.messages == [
        "Chưa nhập số quyết định.", "Chưa nhập người ký quyết định.",
        "Quyết định phải nêu ít nhất một đơn vị được hoặc không được khen thưởng."]
    service.move_proposal(world.actor("leader"), proposal, "submit")
    service.move_proposal(world.actor("secretariat"), proposal, "accept")
    service.record_decision(world.actor("secretariat"), world.year, number="1",
                            decision_date=day, signer="A", awarded=[line.id])
    with pytest.raises(DomainError, match="đã có quyết định"):
        service.record_decision(world.actor("secretariat"), world.year, number="2",
                                decision_date=day, signer="A", awarded=[line.id])
    other = proposal.lines.exclude(pk=line.pk).first()
    with pytest.raises(Conflict, match="đã có quyết định số 1"):
        service.record_decision(world.actor("secretariat"), world.year, number="1",
                                decision_date=day, signer="A", awarded=[other.id])
    assert AwardDecision.objects.count() == 1 and Award.objects.count() == 1
    assert ProposalLine.objects.filter(outcome="pending").count() == 3
