"""History as data (issue 14): a past year's decided awards and bloc leaders recorded
without replaying the year, each with its paper's number and date (awards.history).

They feed what reads history from a province's first year in thidua: the bonus points of
the year after an award (RULES.md 11), rotation of the leader (RULES.md 4) and the
achievement report's list of awards received. A past year is judged by its own calendar,
not by the deadlines of the day it is typed."""

import datetime
import shutil

import pytest

from thidua.awards import history
from thidua.awards import proposals as service
from thidua.awards.models import Award
from thidua.awards.services import next_year_bonus
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.models import AuditEvent
from thidua.documents.kinds_awards import achievement_context
from thidua.law.rulebooks import RULEBOOK_DIR, load_library
from thidua.org.models import Bloc, EmulationYear, PastLeader
from thidua.org.queries import leaders_by_year

from .conftest import GOV, PROV, conference_day, polls

pytestmark = pytest.mark.django_db
D = datetime.date


def past_award(world, code="KT1", form=PROV, *, year=None, number="15/QĐ-UBND", date=None,
               who="secretariat", **kwargs):
    year = year or world.year.year - 1
    return history.record_past_award(
        world.actor(who), world.province, unit=world.units[code], year=year, award_form=form,
        decision_number=number, decision_date=date or D(year + 1, 1, 15),
        signer=kwargs.pop("signer", "Chủ tịch UBND tỉnh"), **kwargs)


def counts():
    return (Award.objects.count(), PastLeader.objects.count(), EmulationYear.objects.count(),
            AuditEvent.objects.count())


def test_rule_11_a_past_year_award_gives_this_years_bonus(world):
    this = world.year.year
    award = past_award(world, "KT1", GOV, number="07/QĐ-UBND")
    assert (award.decision, award.proposal_line, award.emulation_year.year) == (
        None, None, this - 1)
    bonus = next_year_bonus(world.units["KT1"], this)
    assert bonus.points == 15
    assert bonus.explanation == (f"Được tặng Cờ thi đua của Chính phủ năm {this - 1} (Quyết "
                                 f"định số 07/QĐ-UBND): cộng 15 điểm thưởng năm {this}")
    assert next_year_bonus(world.units["KT2"], this).points == 0
    event = AuditEvent.objects.get(action="awards.award.record")
    assert (event.after["history"], event.after["decision_number"], event.after["year"]) == (
        True, "07/QĐ-UBND", this - 1)


def test_a_past_year_is_opened_with_its_own_deadline_and_no_registration_is_asked(world):
    """Issue 14: typed today, 2022 is not judged by today's deadlines: the year opens with
    its own registration deadline (RULES.md 7, 31/3/2022) and the award needs no
    registration, bloc year or conference of 2022."""
    award = past_award(world, "VX3", "certificate_of_merit", year=2022,
                       number="3120/QĐ-UBND", date=D(2022, 12, 30))
    year_2022 = EmulationYear.objects.get(province=world.province, year=2022)
    assert year_2022.registration_deadline == D(2022, 3, 31)
    assert list(year_2022.bloc_years.all()) == []
    assert award.emulation_year == year_2022
    assert AuditEvent.objects.filter(action="org.year.create",
                                     object_id=str(year_2022.pk)).count() == 1


def _bad(kind, last, today):
    values = {"year": last, "award_form": PROV, "decision_number": "15/QĐ-UBND",
              "decision_date": D(last, 12, 31)}
    values.update({
        "tomorrow": {"decision_date": today + datetime.timedelta(days=1)},
        "before_the_year": {"decision_date": D(last - 1, 12, 31)},
        "next_year": {"year": today.year + 1, "decision_date": today},
        "no_number": {"decision_number": "  "},
        "unknown_form": {"award_form": "huan_chuong"},
    }[kind])
    return values


@pytest.mark.parametrize(("kind", "message"), [
    ("tomorrow", "chưa đến"),
    ("before_the_year", "có trước năm thi đua"),
    ("next_year", "Năm thi đua phải là một năm đã qua"),
    ("no_number", "Chưa nhập số quyết định."),
    ("unknown_form", "Hình thức khen thưởng không hợp lệ: huan_chuong."),
])
def test_bad_input_is_refused_in_vietnamese_and_changes_nothing(world, kind, message):
    before = counts()
    with pytest.raises(DomainError) as refused:
        history.record_past_award(world.actor("secretariat"), world.province,
                                  unit=world.units["KT1"],
                                  **_bad(kind, world.year.year - 1, datetime.date.today()))
    assert [m for m in refused.value.messages if message in m], refused.value.messages
    assert counts() == before


def test_only_the_provinces_secretariat_records_history(world):
    before = counts()
    with pytest.raises(Forbidden):
        past_award(world, who="officer")
    with pytest.raises(Forbidden):
        past_award(world, who="leader")
    with pytest.raises(Forbidden):  # another province's secretariat
        past_award(world, who="other_secretariat")
    with pytest.raises(NotFound):  # a unit of another province
        history.record_past_award(world.actor("secretariat"), world.province,
                                  unit=world.units["HN1"], year=world.year.year - 1,
                                  award_form=PROV, decision_number="1/QĐ",
                                  decision_date=D(world.year.year - 1, 12, 1))
    assert counts() == before


def test_the_same_award_twice_is_a_conflict(world):
    past_award(world)
    before = counts()
    with pytest.raises(Conflict) as refused:
        past_award(world, number="16/QĐ-UBND")
    assert refused.value.messages == [
        f"Sở Công Thương đã có Cờ thi đua của UBND tỉnh năm {world.year.year - 1}."]
    assert counts() == before


def test_a_year_the_bloc_ran_in_thidua_is_not_history(world, kt):
    """Its awards come from the province's decision on the bloc's proposal."""
    service.assemble_proposal(world.actor("leader"), kt, polls(world),
                              conference_date=conference_day(world))
    before = counts()
    with pytest.raises(Conflict) as refused:
        past_award(world, "KT3", year=world.year.year, date=datetime.date.today())
    assert refused.value.messages == [
        f"Khối Kinh tế năm {world.year.year} đã lập hồ sơ đề nghị khen thưởng trong thidua: "
        "khen thưởng năm này ghi theo quyết định ở trang khen thưởng của tỉnh, không nhập như "
        "năm trước."]
    assert counts() == before


def test_the_achievement_report_lists_awards_entered_as_history(world, kt):
    this = world.year.year
    past_award(world, "KT1", PROV, year=this - 2, number="21/QĐ-UBND", date=D(this - 1, 1, 20))
    past_award(world, "KT1", "certificate_of_merit", year=this - 1, number="33/QĐ-UBND",
               date=D(this, 1, 9))
    past_award(world, "KT2", PROV, year=this - 1)  # another unit: not in KT1's report
    proposal = service.assemble_proposal(world.actor("leader"), kt, polls(world),
                                         conference_date=conference_day(world))
    line = proposal.lines.get(unit=world.units["KT1"], award_form=GOV)
    context = achievement_context(world.actor("leader"), line, conference_day(world))
    assert context["titles"] == [{"year": str(this - 2), "form": "Cờ thi đua của UBND tỉnh",
                                  "decision": f"Số 21/QĐ-UBND ngày 20/01/{this - 1}; Chủ "
                                              "tịch UBND tỉnh"}]
    assert context["rewards"] == [{"year": str(this - 1),
                                   "form": "Bằng khen của Chủ tịch UBND tỉnh",
                                   "decision": f"Số 33/QĐ-UBND ngày 09/01/{this}; Chủ tịch "
                                               "UBND tỉnh"}]


# --- leaders ------------------------------------------------------------------------------

def past_leader(world, bloc="KT", code="KT2", *, year=None, number="05/BB-KTĐ", date=None,
                who="secretariat"):
    year = year or world.year.year - 1
    return history.record_past_leader(
        world.actor(who), world.province, bloc=Bloc.objects.get(code=bloc,
                                                                province=world.province),
        year=year, unit=world.units[code], document_number=number,
        document_date=date or D(year - 1, 12, 20))


LOOKBACK_2 = """\
rulebook:
  code: province-bn-test
  title: "Quy chế thi đua của tỉnh (thử)"
  scope: province
  province: BN
  effective_from: 2024-01-01
settings:
  organisation.rotation_lookback_years:
    value: 2
    tag: practice
    citation:
      text: "Quyết định số 99/2024/QĐ-UBND của UBND tỉnh (quy chế thử)"
      article: "Điều 5"
"""


@pytest.fixture
def lookback_2(tmp_path):
    for path in RULEBOOK_DIR.glob("national-*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "province-bn-test.yaml").write_text(LOOKBACK_2, encoding="utf-8")
    return load_library(tmp_path)


def test_rule_4_rotation_reads_a_leader_entered_as_history(world, lookback_2):
    """KT2 led the bloc last year (recorded from the minutes), KT1 leads it this year in
    thidua: with a two-year look-back neither may lead next year."""
    this = world.year.year
    leader = past_leader(world, "KT", "KT2")
    assert (leader.emulation_year.year, leader.document_number) == (this - 1, "05/BB-KTĐ")
    kt = world.bloc_years["KT"]
    assert leaders_by_year(kt.bloc_id, [this - 2, this - 1, this]) == {
        this - 1: world.units["KT2"].id, this: world.units["KT1"].id}
    before = counts()
    with pytest.raises(DomainError) as refused:
        service.open_next_year(world.actor("secretariat"), kt, leader=world.units["KT2"],
                               deputies=[world.units["KT3"]], library=lookback_2)
    assert refused.value.messages == [
        f"Sở Tài chính đã làm Trưởng khối năm {this - 1}: theo luân phiên, không làm Trưởng "
        f"khối năm {this + 1} (Quy tắc 4, xét 2 năm trước)."]
    assert counts() == before
    event = AuditEvent.objects.get(action="org.past_leader.record")
    assert event.after == {"bloc": kt.bloc_id, "year": this - 1,
                           "leader_unit": world.units["KT2"].id,
                           "document_number": "05/BB-KTĐ",
                           "document_date": D(this - 2, 12, 20).isoformat()}


def test_a_bloc_year_run_in_thidua_keeps_its_own_leader(world):
    before = counts()
    with pytest.raises(Conflict) as refused:
        past_leader(world, "KT", "KT2", year=world.year.year,
                    date=D(world.year.year - 1, 12, 20))
    assert refused.value.messages == [
        f"Khối Kinh tế năm {world.year.year} đã có danh sách trong thidua (Trưởng khối: Sở "
        "Công Thương); không nhập như năm trước."]
    assert counts() == before


def test_rule_1_a_past_leader_belongs_to_no_other_bloc_that_year(world):
    Bloc.objects.create(province=world.province, code="MOI", kind=Bloc.Kind.KHOI,
                        name="Khối mới")
    before = counts()
    with pytest.raises(DomainError) as refused:
        past_leader(world, "MOI", "KT1", year=world.year.year,
                    date=D(world.year.year - 1, 12, 20))
    assert refused.value.messages == [
        f"Năm {world.year.year} Sở Công Thương thuộc Khối Kinh tế, không thể làm Trưởng Khối "
        "mới (Quy tắc 1)."]
    assert counts() == before


def test_removing_a_mistaken_row_needs_a_reason_and_is_audited(world):
    award = past_award(world)
    leader = past_leader(world)
    actor = world.actor("secretariat")
    with pytest.raises(DomainError):
        history.remove_past_award(actor, award, "  ")
    history.remove_past_award(actor, history.find_past_award(actor, world.province, award.pk),
                              "Nhập nhầm đơn vị")
    history.remove_past_leader(actor, history.find_past_leader(actor, world.province,
                                                               leader.pk), "Nhập nhầm năm")
    assert (Award.objects.count(), PastLeader.objects.count()) == (0, 0)
    removed = AuditEvent.objects.get(action="awards.award.remove")
    assert (removed.reason, removed.before["decision_number"]) == ("Nhập nhầm đơn vị",
                                                                    "15/QĐ-UBND")
    assert AuditEvent.objects.get(action="org.past_leader.remove").reason == "Nhập nhầm năm"


def test_an_award_decided_in_thidua_is_not_removable_as_history(world, kt):
    proposal = service.assemble_proposal(world.actor("leader"), kt, polls(world),
                                         conference_date=conference_day(world))
    service.move_proposal(world.actor("leader"), proposal, "submit")
    service.move_proposal(world.actor("secretariat"), proposal, "accept")
    line = proposal.lines.get(unit=world.units["KT2"], award_form=PROV)
    service.record_decision(world.actor("secretariat"), world.year, number="99/QĐ-UBND",
                            decision_date=datetime.date.today(), signer="Chủ tịch",
                            awarded=[line.id], not_awarded=[])
    decided = Award.objects.get(proposal_line=line)
    with pytest.raises(NotFound):
        history.find_past_award(world.actor("secretariat"), world.province, decided.pk)
    assert list(history.province_history(world.actor("secretariat"), world.province).awards
                ) == []
