"""The bloc year's phase follows the proposal workflow (sent → "Đã gửi đề nghị khen
thưởng", decided → "Đã có quyết định"), idempotently and audited; opening next year makes
the elected leader unit's officers the new year's leader officers (RULES 3), and only
that year's."""

import datetime

import pytest

from scoring.flow import move_to
from thidua.awards import proposals as service
from thidua.core.errors import Conflict, Forbidden
from thidua.core.models import AuditEvent, User
from thidua.org import services as org
from thidua.org.models import BlocYear, Role, RoleAssignment
from thidua.org.rules import actor_for, can_view_bloc_year

from .conftest import conference_day, polls

pytestmark = pytest.mark.django_db


def phase(bloc_year):
    return BlocYear.objects.get(pk=bloc_year.pk).phase


def phase_events(bloc_year):
    return [(e.before["phase"], e.after["phase"], e.reason) for e in AuditEvent.objects.filter(
        action="org.bloc_year.phase", object_id=bloc_year.pk).order_by("id")
        if e.after["phase"] in ("proposals_submitted", "decided")]


def test_the_phase_follows_submit_return_resubmit_and_the_decision(world, kt):
    leader, secretariat = world.actor("leader"), world.actor("secretariat")
    proposal = service.assemble_proposal(leader, kt, polls(world),
                                         conference_date=conference_day(world))
    assert phase(kt) == "conference"
    service.move_proposal(leader, proposal, "submit")
    assert phase(kt) == "proposals_submitted"
    service.move_proposal(secretariat, proposal, "return", "Thiếu biên bản hội nghị")
    assert phase(kt) == "proposals_submitted"  # the bloc redrafts in the same stage
    service.assemble_proposal(leader, kt, polls(world), conference_date=conference_day(world))
    service.move_proposal(leader, proposal, "resubmit")  # idempotent: no second move
    service.move_proposal(secretariat, proposal, "accept")
    assert phase(kt) == "proposals_submitted"
    lines = list(proposal.lines.order_by("id").values_list("id", flat=True))
    day = datetime.date(world.year.year + 1, 1, 15)
    service.record_decision(secretariat, world.year, number="120/QĐ-UBND", decision_date=day,
                            signer="Nguyễn Văn A", awarded=lines[:-1])
    assert phase(kt) == "proposals_submitted"  # one line still pending
    service.record_decision(secretariat, world.year, number="121/QĐ-UBND", decision_date=day,
                            signer="Nguyễn Văn A", not_awarded=lines[-1:])
    assert phase(kt) == "decided"
    assert phase_events(kt) == [
        ("conference", "proposals_submitted",
         "Hồ sơ đề nghị khen thưởng của khối đã gửi tỉnh."),
        ("proposals_submitted", "decided",
         f"Quyết định khen thưởng số 121/QĐ-UBND ngày 15/01/{world.year.year + 1}."),
    ]
    # The other bloc of the year did not move.
    assert phase(world.bloc_years["VX"]) == "registration"


def test_a_bloc_year_set_back_before_the_conference_refuses_the_submission(world, kt):
    leader = world.actor("leader")
    proposal = service.assemble_proposal(leader, kt, polls(world),
                                         conference_date=conference_day(world))
    org.move_phase(world.actor("secretariat"), kt, "appraisal", reason="Chấm lại điểm")
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict, match="chưa thể chuyển sang “Đã gửi đề nghị khen thưởng”"):
        service.move_proposal(leader, proposal, "submit")
    proposal.refresh_from_db()
    assert (proposal.state, phase(kt), AuditEvent.objects.count()) == (
        "draft", "appraisal", events)


def test_follow_phase_is_idempotent_and_checks_the_role(world, kt):
    secretariat = world.actor("secretariat")
    assert org.follow_phase(secretariat, kt, "proposals_submitted", "gửi") is True
    events = AuditEvent.objects.count()
    assert org.follow_phase(secretariat, kt, "proposals_submitted", "gửi") is False
    assert org.follow_phase(secretariat, kt, "conference", "lùi?") is False  # never back
    assert AuditEvent.objects.count() == events
    with pytest.raises(Forbidden):  # the decision is the province's
        org.follow_phase(world.actor("leader"), kt, "decided", "quyết định")
    assert phase(kt) == "proposals_submitted"


DECISION = service.ProvinceDecision("12/QĐ-UBND", datetime.date.today(),
                                    "Hội nghị không tổ chức bầu Trưởng khối")


def test_open_next_year_makes_the_new_leaders_officers_its_leader_officers(world, kt):
    """RULES 3: the elected leader runs next year; last year's leader officer keeps only
    last year's bloc year."""
    u = world.units
    second = User.objects.create_user(username="can_bo_kt2_b")
    RoleAssignment.objects.create(user=second, role=Role.UNIT_OFFICER, unit=u["KT2"])
    retired = User.objects.create_user(username="can_bo_kt2_cu", is_active=False)
    RoleAssignment.objects.create(user=retired, role=Role.UNIT_OFFICER, unit=u["KT2"])
    new = service.open_next_year(world.actor("secretariat"), kt, leader=u["KT2"],
                                 deputies=[u["KT3"]], decision=DECISION)
    leaders = set(RoleAssignment.objects.filter(role=Role.BLOC_LEADER_OFFICER).values_list(
        "user__username", "bloc_year_id"))
    assert leaders == {("truong_khoi", kt.id), ("can_bo_khac", new.id),
                       ("can_bo_kt2_b", new.id)}
    assert new.id in actor_for(User.objects.get(username="can_bo_khac")).leader_bloc_years
    old_leader = world.actor("leader")
    assert old_leader.leader_bloc_years == frozenset({kt.id})
    grants = AuditEvent.objects.filter(action="org.role.grant").order_by("id")
    assert [(e.after["user"], e.after["bloc_year"], e.after["role"]) for e in grants] == [
        (world.users["peer"].id, new.id, "bloc_leader_officer"),
        (second.id, new.id, "bloc_leader_officer")]
    [opened] = AuditEvent.objects.filter(action="awards.year.open")
    assert opened.after["leader_officers"] == [world.users["peer"].id, second.id]
    # Granting again changes nothing.
    assert org.grant_leader_officers(world.actor("secretariat"), new) == []
    assert AuditEvent.objects.filter(action="org.role.grant").count() == 2
    # The new leader officer may move the new year's phase; the old one may not see it.
    org.move_phase(actor_for(User.objects.get(username="can_bo_khac")), new, "in_progress")
    assert not can_view_bloc_year(old_leader, new)


def test_granting_leader_officers_is_the_provinces(world, kt):
    move_to(world, kt, "conference")
    with pytest.raises(Forbidden):
        org.grant_leader_officers(world.actor("leader"), kt)
    assert not RoleAssignment.objects.filter(role=Role.BLOC_LEADER_OFFICER,
                                             user=world.users["officer"]).exists()
