"""What-if preview (item 9), the province cap on accepting (RULES.md 23), the award
history and next year's bonus (RULES 11), and opening next year (RULES 3, 4)."""

import datetime
from decimal import Decimal

import pytest

from thidua.awards import proposals as service
from thidua.awards import services as awards
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.models import AuditEvent
from thidua.law.allocation import RankedUnit
from thidua.law.eligibility import Eligibility
from thidua.law.rulebooks import rulebook_for
from thidua.law.whatif import preview
from thidua.org.models import BlocYear
from thidua.scoring.models import CriteriaTable

from .conftest import CERT, EXC, GOV, PROV, conference_day, polls, ready_units

pytestmark = pytest.mark.django_db


def table(outlooks, world):
    codes = {u.id: c for c, u in world.units.items()}
    return {form: [(codes[o.unit_id], o.status) for o in items]
            for form, items in outlooks.items()}


def test_what_if_from_the_ranking_eligibility_and_quotas(world, kt):
    situation, outlooks = service.what_if(world.actor("leader"), kt,
                                          on_date=conference_day(world))
    assert {f: q.count for f, q in situation.quotas.items()} == {GOV: 1, PROV: 1, CERT: 2}
    assert table(outlooks, world) == {
        # RULES 20: only the bloc's first may be a Government-flag candidate.
        GOV: [("KT1", "safe"), ("KT2", "out"), ("KT3", "out"), ("KT4", "out"),
              ("KT5", "out")],
        # RULES 22: KT1, safe for the higher flag, leaves the lower forms.
        PROV: [("KT1", "out"), ("KT2", "borderline"), ("KT3", "borderline"),
               ("KT4", "out"), ("KT5", "out")],
        CERT: [("KT1", "out"), ("KT2", "safe"), ("KT3", "borderline"),
               ("KT4", "borderline"), ("KT5", "out")],
        EXC: [("KT1", "safe"), ("KT2", "safe"), ("KT3", "safe"), ("KT4", "safe"),
              ("KT5", "safe")],
    }
    by_unit = {(o.award_form, o.unit_id): o for items in outlooks.values() for o in items}
    kt2_gov = by_unit[(GOV, world.units["KT2"].id)]
    assert kt2_gov.rule == 20 and "không dẫn đầu khối (xếp thứ 2" in kt2_gov.change
    kt5 = by_unit[(PROV, world.units["KT5"].id)]
    assert kt5.change == "cần vượt 3 đơn vị xếp trên (về số phiếu) để vào chỉ tiêu"
    assert by_unit[(PROV, world.units["KT3"].id)].reason.endswith("đứng ngay sau chỉ tiêu")


def test_rule_35_a_citys_what_if_names_the_citys_awards(world, kt):
    """In a thành phố trực thuộc trung ương the outlook sentences name the city's flag and
    certificate (RULES.md 35), never the province's."""
    from thidua.org.models import Province

    Province.objects.filter(pk=world.province.pk).update(kind=Province.Kind.THANH_PHO)
    kt.refresh_from_db()
    _, outlooks = service.what_if(world.actor("leader"), kt, on_date=conference_day(world))
    texts = [f"{o.reason} {o.change}" for items in outlooks.values() for o in items]
    assert [t for t in texts if "tỉnh" in t] == []
    # No seat here names a provincial form; a quota of 0 does, in the city's words.
    book = rulebook_for("BN", conference_day(world))
    units = [1, 2]
    eligible = {(u, f): Eligibility(u, f, 2026, ()) for u in units for f in (PROV, CERT)}
    del eligible[(2, PROV)]  # unit 2: nothing known for the flag
    result = preview(rulebook=book, eligibility=eligible,
                     ranking=[RankedUnit(1, 1), RankedUnit(2, 2)],
                     quotas={PROV: 1, CERT: 0}, unit_ids=units, forms=[PROV, CERT],
                     kind_word="thành phố")
    assert result[PROV][1].reason == "chưa đủ căn cứ xét Cờ thi đua của UBND thành phố"
    assert [o.reason for o in result[CERT]] == [
        "dự kiến được đề nghị Cờ thi đua của UBND thành phố; một thành tích chỉ một hình "
        "thức khen thưởng",
        "chỉ tiêu Bằng khen của Chủ tịch UBND thành phố của khối là 0"]


def test_what_if_is_for_the_leader_and_the_province_only(world, kt):
    for name in ("officer", "peer", "delegate"):
        with pytest.raises(Forbidden):
            service.what_if(world.actor(name), kt, on_date=conference_day(world))
    for name in ("outsider", "other_secretariat", "nobody"):
        with pytest.raises(NotFound):
            service.what_if(world.actor(name), kt, on_date=conference_day(world))


def test_what_if_a_tie_across_the_last_seat_is_borderline_for_both():
    book = rulebook_for("BN", datetime.date(2026, 12, 20))
    units = [1, 2, 3, 4]
    eligible = {(u, f): Eligibility(u, f, 2026, ()) for u in units for f in (PROV, CERT)}
    ranking = [RankedUnit(1, 1), RankedUnit(2, 2), RankedUnit(3, 2), RankedUnit(4, 4)]
    result = preview(rulebook=book, eligibility=eligible, ranking=ranking,
                     quotas={PROV: 2, CERT: 0}, unit_ids=units, forms=[PROV, CERT])
    assert [(o.unit_id, o.status) for o in result[PROV]] == [
        (1, "safe"), (2, "borderline"), (3, "borderline"), (4, "out")]
    assert "2 đơn vị đồng hạng tranh 1 suất" in result[PROV][1].reason
    # Unit 1 is safe for the higher flag (RULES 22); the others meet a quota of 0 (26).
    assert [(o.unit_id, o.status, o.rule) for o in result[CERT]] == [
        (1, "out", 22), (2, "out", 26), (3, "out", 26), (4, "out", 26)]


def test_accepting_beyond_the_province_cap_is_refused_with_the_arithmetic(world, kt):
    proposal = service.assemble_proposal(world.actor("leader"), kt, polls(world),
                                         conference_date=conference_day(world))
    service.move_proposal(world.actor("leader"), proposal, "submit")
    service.move_proposal(world.actor("secretariat"), proposal, "accept")
    # VX proposes its own Government flag: 6 units of the standard, 20 % of 6 = 1,2 → 1.
    vx = world.bloc_years["VX"]
    from scoring.flow import move_to  # noqa: PLC0415
    from thidua.core.models import User  # noqa: PLC0415
    from thidua.org.models import Role, RoleAssignment  # noqa: PLC0415
    from thidua.org.rules import actor_for  # noqa: PLC0415

    from .conftest import publish  # noqa: PLC0415
    ready_units(world, ["VX1"], {"VX1": world.actor("outsider")})
    publish(world, vx, ["VX1", "VX2", "VX3", "VX4", "VX5"])
    move_to(world, vx, "conference")
    vx_leader = User.objects.create_user(username="truong_khoi_vx")
    RoleAssignment.objects.create(user=vx_leader, role=Role.BLOC_LEADER_OFFICER, bloc_year=vx)
    vx_proposal = service.assemble_proposal(
        actor_for(vx_leader), vx, [service.PollResult(GOV, world.units["VX1"].id, 5, True)],
        conference_date=conference_day(world))
    service.move_proposal(actor_for(vx_leader), vx_proposal, "submit")
    cap = service.province_cap(world.year, on_date=conference_day(world))
    assert (cap.cap.count, cap.proposed, cap.excess) == (1, 2, 1)
    with pytest.raises(Conflict) as caught:
        service.move_proposal(world.actor("secretariat"), vx_proposal, "accept")
    assert caught.value.messages[0].startswith(
        "Không tiếp nhận được: 20 % của 6 tập thể đạt tiêu chuẩn Cờ thi đua của UBND tỉnh là "
        "1,2; lấy phần nguyên")
    assert "các khối đề nghị 2: vượt 1" in caught.value.messages[0]
    vx_proposal.refresh_from_db()
    assert vx_proposal.state == "submitted"


def decided(world, kt):
    proposal = service.assemble_proposal(world.actor("leader"), kt, polls(world),
                                         conference_date=conference_day(world))
    service.move_proposal(world.actor("leader"), proposal, "submit")
    service.move_proposal(world.actor("secretariat"), proposal, "accept")
    service.record_decision(world.actor("secretariat"), world.year, number="120/QĐ-UBND",
                            decision_date=datetime.date(world.year.year + 1, 1, 15),
                            signer="Nguyễn Văn A",
                            awarded=list(proposal.lines.values_list("id", flat=True)))


def test_history_and_next_years_bonus_come_from_the_decision(world, kt):
    decided(world, kt)
    kt2 = world.units["KT2"]
    history = service.unit_history(world.actor("peer"), kt2)
    assert [(a.emulation_year.year, a.award_form, a.decision.number) for a in history] == [
        (world.year.year, PROV, "120/QĐ-UBND")]
    with pytest.raises(NotFound):
        service.unit_history(world.actor("outsider"), kt2)
    bonus = awards.next_year_bonus(kt2, world.year.year + 1)  # RULES 11
    assert bonus.points > Decimal(0) and bonus.award.decision_number == "120/QĐ-UBND"


DECISION = service.ProvinceDecision("12/QĐ-UBND", datetime.date.today(),
                                    "Hội nghị không tổ chức bầu Trưởng khối")


def test_open_next_year_with_elected_leader_members_and_criteria(world, kt):
    secretariat = world.actor("secretariat")
    u = world.units
    with pytest.raises(DomainError, match="Quy tắc 4"):
        service.open_next_year(secretariat, kt, leader=u["KT1"], deputies=[u["KT3"]])
    with pytest.raises(Forbidden):
        service.open_next_year(world.actor("leader"), kt, leader=u["KT2"], deputies=[u["KT3"]])
    with pytest.raises(NotFound):
        service.open_next_year(world.actor("other_secretariat"), kt, leader=u["KT2"],
                               deputies=[u["KT3"]])
    assert not BlocYear.objects.filter(emulation_year__year=world.year.year + 1).exists()
    new = service.open_next_year(secretariat, kt, leader=u["KT2"], deputies=[u["KT3"]],
                                 decision=DECISION)
    assert (new.emulation_year.year, new.leader_unit_id, new.phase) == (
        world.year.year + 1, u["KT2"].id, "registration")
    assert sorted(new.memberships.values_list("unit__code", flat=True)) == [
        "KT1", "KT2", "KT3", "KT4", "KT5"]
    assert list(new.deputy_units.values_list("code", flat=True)) == ["KT3"]
    copy = CriteriaTable.objects.get(bloc_year=new)
    assert copy.copied_from == CriteriaTable.objects.get(bloc_year=kt)
    [event] = AuditEvent.objects.filter(action="awards.year.open")
    assert event.after["leader_unit"] == u["KT2"].id
    assert set(AuditEvent.objects.filter(action__in=[
        "org.year.create", "org.bloc_year.create", "scoring.table.create"]).filter(
        id__gt=event.id - 10).values_list("action", flat=True)) >= {
        "org.bloc_year.create", "scoring.table.create"}
    with pytest.raises(Conflict):
        service.open_next_year(secretariat, kt, leader=u["KT2"], deputies=[u["KT3"]],
                               decision=DECISION)


def test_reads_take_a_fixed_number_of_queries(world, kt, django_assert_max_num_queries):
    """Bounds on the reads: the what-if loads the bloc in a fixed set of queries (no
    query per unit or form); the province view a fixed set per bloc, none per line."""
    leader = world.actor("leader")
    leader.led_units  # noqa: B018 (the actor's scope, computed once per request)
    with django_assert_max_num_queries(10):
        situation, outlooks = service.what_if(leader, kt, on_date=conference_day(world))
    assert len(situation.units) == 5 and len(outlooks) == 4
    proposal = service.assemble_proposal(leader, kt, polls(world),
                                         conference_date=conference_day(world))
    service.move_proposal(leader, proposal, "submit")
    secretariat = world.actor("secretariat")
    with django_assert_max_num_queries(4 + 2 * 8):
        view = service.province_proposals(secretariat, world.year,
                                          on_date=conference_day(world))
        lines = [list(p.lines.all()) for _, p in view.rows if p]
    assert [len(x) for x in lines] == [4]
