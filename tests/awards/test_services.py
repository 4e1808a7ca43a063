"""Awards services on the database (SQLite and PostgreSQL): unit-year facts entered by the
unit and confirmed by the leader or the secretariat, with audit events and permissions;
awards recorded by the province; eligibility and bonus read back from the rows."""

import datetime
from decimal import Decimal

import pytest

from thidua.awards import services
from thidua.awards.models import Award, UnitYearFacts
from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.core.models import AuditEvent
from thidua.org import services as org_services
from thidua.org.models import Bloc
from thidua.pledges import services as pledges

GOOD = {"targets_exceeded": True, "task_rating": "excellent", "party_rating": "good",
        "discipline_level": "none", "negative_inspection": False, "member_count": 20,
        "completed_count": 20, "advanced_worker_count": 15, "emulation_soldier_count": 2,
        "union_rating": "good", "youth_union_rating": "no_organisation", "pending_matter": "none"}


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_the_unit_enters_and_the_leader_confirms(world):
    unit = world.units["KT2"]
    facts = services.enter_facts(world.actor("peer"), unit, world.year, GOOD, note="Báo cáo")
    assert UnitYearFacts.objects.count() == 1
    assert (facts.entered_by, facts.is_confirmed) == (world.users["peer"], False)
    [entered] = events("awards.facts.enter")
    assert entered.before is None
    assert entered.after["party_rating"] == "good"
    assert entered.actor_label == "can_bo_khac"
    assert entered.province_id == world.province.id

    confirmed = services.confirm_facts(world.actor("leader"), facts)
    stored = UnitYearFacts.objects.get()
    assert (stored.confirmed_by, stored.confirmed_as) == (world.users["leader"], "leader")
    assert stored.as_facts().confirmed is True
    [event] = events("awards.facts.confirm")
    assert (event.before["confirmed_as"], event.after["confirmed_as"]) == ("", "leader")
    with pytest.raises(Conflict):
        services.confirm_facts(world.actor("secretariat"), confirmed)


def test_the_leader_does_not_confirm_its_own_unit_the_secretariat_does(world):
    unit = world.units["KT1"]  # the bloc's leader unit
    facts = services.enter_facts(world.actor("officer"), unit, world.year, GOOD, note="Báo cáo")
    with pytest.raises(Forbidden):
        services.confirm_facts(world.actor("leader"), facts)
    assert not UnitYearFacts.objects.get().is_confirmed
    services.confirm_facts(world.actor("secretariat"), facts)
    assert UnitYearFacts.objects.get().confirmed_as == "secretariat"


@pytest.mark.parametrize("who", ["outsider", "delegate", "other_secretariat", "leader",
                                 "nobody"])
def test_others_cannot_enter_a_units_facts(world, who):
    with pytest.raises(Forbidden):
        services.enter_facts(world.actor(who), world.units["KT2"], world.year, GOOD, note="Báo cáo")
    assert UnitYearFacts.objects.count() == 0
    assert events("awards.facts.enter") == []


@pytest.mark.parametrize("who", ["peer", "officer", "outsider", "other_secretariat"])
def test_only_the_leader_or_the_secretariat_confirm(world, who):
    facts = services.enter_facts(world.actor("peer"), world.units["KT2"], world.year, GOOD,
        note="Báo cáo")
    with pytest.raises(Forbidden):
        services.confirm_facts(world.actor(who), facts)
    assert not UnitYearFacts.objects.get().is_confirmed
    assert events("awards.facts.confirm") == []


def test_a_change_after_confirmation_needs_a_new_confirmation(world):
    unit = world.units["KT2"]
    facts = services.enter_facts(world.actor("peer"), unit, world.year, GOOD, note="Báo cáo")
    services.confirm_facts(world.actor("leader"), facts)
    services.enter_facts(world.actor("peer"), unit, world.year, {"party_rating": "completed"},
        note="Báo cáo")
    stored = UnitYearFacts.objects.get()
    assert (stored.party_rating, stored.is_confirmed, stored.confirmed_as) == (
        "completed", False, "")
    last = events("awards.facts.enter")[-1]
    assert (last.before["party_rating"], last.after["party_rating"]) == ("good", "completed")
    assert last.reason == "Số liệu thay đổi sau khi đã xác nhận: cần xác nhận lại."
    # Entering the same values again changes nothing and records nothing.
    services.enter_facts(world.actor("peer"), unit, world.year, {"party_rating": "completed"},
        note="Báo cáo")
    assert len(events("awards.facts.enter")) == 2


def test_impossible_facts_are_refused_and_nothing_is_written(world):
    bad = {**GOOD, "completed_count": 21}
    with pytest.raises(DomainError) as caught:
        services.enter_facts(world.actor("peer"), world.units["KT2"], world.year, bad,
            note="Báo cáo")
    assert caught.value.messages == [
        "Số hoàn thành nhiệm vụ (21) không được lớn hơn số thành viên (20)."]
    with pytest.raises(DomainError, match="không hợp lệ"):
        services.enter_facts(world.actor("peer"), world.units["KT2"], world.year,
                             {"party_rating": "xuất sắc"}, note="Báo cáo")
    with pytest.raises(DomainError, match="Không có trường"):
        services.enter_facts(world.actor("peer"), world.units["KT2"], world.year,
                             {"secret": 1}, note="Báo cáo")
    assert UnitYearFacts.objects.count() == 0
    assert events("awards.facts.enter") == []


def test_the_province_records_an_award_once(world):
    unit = world.units["KT2"]
    award = services.record_award(
        world.actor("secretariat"), unit, world.year, "provincial_flag",
        decision_number="15/QĐ-UBND", decision_date=datetime.date(world.year.year + 1, 1, 20),
        signer="Chủ tịch UBND tỉnh")
    assert Award.objects.get() == award
    [event] = events("awards.award.record")
    assert event.after["decision_number"] == "15/QĐ-UBND"
    with pytest.raises(Conflict):
        services.record_award(
            world.actor("secretariat"), unit, world.year, "provincial_flag",
            decision_number="16/QĐ-UBND", decision_date=datetime.date(world.year.year + 1, 2, 1))
    for who in ("peer", "leader", "other_secretariat"):
        with pytest.raises(Forbidden):
            services.record_award(
                world.actor(who), unit, world.year, "government_flag", decision_number="1",
                decision_date=datetime.date(world.year.year + 1, 1, 20))
    assert Award.objects.count() == 1
    assert services.award_history(unit)[0].decision_number == "15/QĐ-UBND"


def test_next_year_bonus_reads_the_award_history(world):
    """RULES 11 through the database: last year's provincial flag → +10 this year."""
    unit = world.units["KT3"]
    year = world.year.year
    last = org_services.ensure_year(world.actor("admin"), world.province, year - 1)
    services.record_award(world.actor("secretariat"), unit, last, "provincial_flag",
                          decision_number="07/QĐ-UBND", decision_date=datetime.date(year, 1, 9))
    bonus = services.next_year_bonus(unit, year)
    assert bonus.points == Decimal(10)
    assert bonus.award.decision_number == "07/QĐ-UBND"
    assert services.next_year_bonus(world.units["KT4"], year).points == Decimal(0)


def _next_year_bloc(world):
    """Next year's bloc with its registration still open, so a submission today is on
    time (RULES 7) — the world's own year has its 31 March deadline behind it."""
    admin = world.actor("admin")
    following = org_services.ensure_year(admin, world.province, world.year.year + 1)
    units = [world.units[f"KT{i}"] for i in range(1, 6)]
    bloc = Bloc.objects.get(province=world.province, code="KT")
    bloc_year = org_services.create_bloc_year(admin, bloc, following, members=units,
                                              leader=units[1], deputies=[units[2]])
    return following, bloc_year


def _register(world, who, unit, emulation_year):
    actor = world.actor(who)
    registration = pledges.open_registration(actor, unit, emulation_year)
    pledges.set_titles(actor, registration, ["provincial_flag"])
    pledges.add_target(actor, registration, pledges.TargetInput(
        "Tỷ lệ hồ sơ đúng hạn", Decimal(95), "%",
        datetime.date(emulation_year.year, 12, 31)))
    return pledges.submit_registration(actor, registration)


def test_bloc_eligibility_from_the_rows(world, django_assert_max_num_queries):
    following, bloc_year = _next_year_bloc(world)
    kt1, kt2, kt3 = (world.units[c] for c in ("KT1", "KT2", "KT3"))
    _register(world, "officer", kt1, following)
    _register(world, "peer", kt2, following)
    services.enter_facts(world.actor("officer"), kt1, following, GOOD, note="Báo cáo")
    facts = services.enter_facts(world.actor("peer"), kt2, following,
                                 {**GOOD, "targets_exceeded": False}, note="Báo cáo")
    services.confirm_facts(world.actor("secretariat"), UnitYearFacts.objects.get(unit=kt1))
    services.confirm_facts(world.actor("secretariat"), facts)
    conference = datetime.date(following.year + 1, 1, 12)
    with django_assert_max_num_queries(8):
        result = services.bloc_eligibility(bloc_year, on_date=conference, ranks={kt1.id: 1})
    assert len(result) == 5 * 4
    assert result[(kt1.id, "provincial_flag")].eligible
    assert result[(kt1.id, "government_flag")].eligible
    assert result[(kt2.id, "provincial_flag")].messages() == [
        "Chưa đủ điều kiện Cờ thi đua của UBND tỉnh: chưa hoàn thành vượt mức chỉ tiêu — "
        "Điều 26, Luật Thi đua, khen thưởng 2022"]
    # KT3 never registered and entered nothing: unmet 7, the facts missing.
    kt3_flag = result[(kt3.id, "provincial_flag")]
    assert kt3_flag.rules("unmet") == {7}
    assert kt3_flag.rules("missing") == {17, 18, 19}
    # RULES 22 from a recorded award of the same year.
    services.record_award(world.actor("secretariat"), kt1, following, "provincial_flag",
                          decision_number="01/QĐ-UBND", decision_date=conference)
    cert = services.unit_eligibility(kt1, following, "certificate_of_merit",
                                     on_date=conference)
    assert cert.rules("unmet") == {22}


def test_the_current_year_late_registration_counts_against_rule_7(world):
    """In the world's own year the 31 March deadline has passed: a submission today is
    late and the unit is not eligible (the deadline is the emulation year's)."""
    unit = world.units["KT2"]
    _register(world, "peer", unit, world.year)
    result = services.unit_eligibility(unit, world.year, "certificate_of_merit",
                                       on_date=datetime.date(world.year.year + 1, 1, 10))
    if datetime.date.today() > world.year.registration_deadline:
        assert result.rules("unmet") == {7}
    else:
        assert result.eligible
