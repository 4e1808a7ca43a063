"""Agency lineage (issue 14, RULES.md 44–46): merges, splits and renames recorded with
their paper; a unit that ended gets no award (TT 15/2025/TT-BNV) and joins no later
bloc; its achievements follow the successor as the conservative reading says."""

import datetime

import pytest

from thidua.awards import history
from thidua.awards import proposals as service
from thidua.awards.models import Award, Proposal
from thidua.awards.services import last_year_awards, next_year_bonus
from thidua.core.errors import DomainError, Forbidden
from thidua.core.models import AuditEvent
from thidua.documents.kinds_awards import achievement_context
from thidua.org import lineage
from thidua.org import services as org_services
from thidua.org.models import Bloc, LineageEvent, Membership, Unit

from .conftest import CERT, GOV, PROV, conference_day, polls

pytestmark = pytest.mark.django_db
D = datetime.date


def unit(world, code, name):
    return Unit.objects.create(province=world.province, code=code, name=name)


def reorganise(world, kind, before, after, *, effective=None, number="45/QĐ-UBND",
               date=None, who="secretariat", **kwargs):
    this = world.year.year
    return lineage.record_event(
        world.actor(who), world.province, kind=kind, predecessors=[u.id for u in before],
        successors=[u.id for u in after], effective_date=effective or D(this, 3, 1),
        document_number=number, document_date=date or D(this, 2, 28), **kwargs)


def past_award(world, u, form, year, number="15/QĐ-UBND"):
    return history.record_past_award(
        world.actor("secretariat"), world.province, unit=u, year=year, award_form=form,
        decision_number=number, decision_date=D(year + 1, 1, 15))


def counts():
    return (LineageEvent.objects.count(), Award.objects.count(), Membership.objects.count(),
            AuditEvent.objects.count())


# --- recording ---------------------------------------------------------------------------

def test_rule_44_a_merge_is_recorded_with_its_paper_and_audited(world):
    this = world.year.year
    khdt, tc = unit(world, "SKHDT", "Sở Kế hoạch và Đầu tư"), unit(world, "STC", "Sở Tài chính")
    event = reorganise(world, "merge", [khdt], [tc], note="Hợp nhất theo NĐ 45/2025/NĐ-CP")
    assert (event.kind, event.effective_date, event.document_number, event.document_date,
            event.note) == ("merge", D(this, 3, 1), "45/QĐ-UBND", D(this, 2, 28),
                            "Hợp nhất theo NĐ 45/2025/NĐ-CP")
    assert list(event.predecessors.all()) == [khdt]
    assert list(event.successors.all()) == [tc]
    assert Unit.objects.filter(pk=khdt.pk).exists()  # history, not deleted
    audit = AuditEvent.objects.get(action="org.lineage.record")
    assert (audit.after["predecessors"], audit.after["successors"]) == ([khdt.id], [tc.id])
    assert lineage.dissolutions([khdt.id, tc.id], D(this, 3, 1)) == {khdt.id: event}
    assert lineage.dissolutions([khdt.id], D(this, 2, 28)) == {}


def _bad_cases(world):
    this = world.year.year
    a, b = unit(world, "A", "Sở A"), unit(world, "B", "Sở B")
    c, d = unit(world, "C", "Sở C"), unit(world, "D", "Sở D")
    other = Unit.objects.create(province=world.other_province, code="X", name="Sở Hà Nội")
    return {
        "nobody": ({"kind": "merge", "before": [], "after": [c]},
                   ["Chưa chọn đơn vị trước sắp xếp."]),
        "both_sides": ({"kind": "merge", "before": [a, c], "after": [c]},
                       ["Một đơn vị không thể vừa là đơn vị trước vừa là đơn vị sau sắp xếp "
                        "(đơn vị tiếp nhận, vẫn hoạt động, chỉ chọn ở «đơn vị sau»)."]),
        "merge_two": ({"kind": "merge", "before": [a, b], "after": [c, d]},
                      ["Sáp nhập, hợp nhất: các đơn vị trước hợp thành đúng một đơn vị sau."]),
        "split_one": ({"kind": "split", "before": [a], "after": [c]},
                      ["Chia tách: một đơn vị trước tách thành ít nhất hai đơn vị sau."]),
        "kind": ({"kind": "absorb", "before": [a], "after": [c]},
                 ["Hình thức sắp xếp không hợp lệ (sáp nhập, chia tách hoặc đổi tên)."]),
        "paper": ({"kind": "rename", "before": [a], "after": [c], "number": " ",
                   "effective": D(this, 1, 1), "date": D(this, 2, 1)},
                  ["Chưa nhập số văn bản quyết định việc sắp xếp.",
                   f"Ngày có hiệu lực 01/01/{this} có trước ngày văn bản 01/02/{this}."]),
        "future_paper": ({"kind": "rename", "before": [a], "after": [c],
                          "date": D(this + 1, 1, 1), "effective": D(this + 1, 1, 1)},
                         [f"Ngày văn bản 01/01/{this + 1} chưa đến (hôm nay "
                          f"{datetime.date.today():%d/%m/%Y})."]),
        "other_province": ({"kind": "rename", "before": [other], "after": [c]},
                           ["Có đơn vị trước sắp xếp không tồn tại hoặc không thuộc tỉnh "
                            "này."]),
    }


@pytest.mark.parametrize("case", ["nobody", "both_sides", "merge_two", "split_one", "kind",
                                  "paper", "future_paper", "other_province"])
def test_rule_44_bad_input_is_refused_in_vietnamese_and_changes_nothing(world, case):
    values, messages = _bad_cases(world)[case]
    before = counts()
    with pytest.raises(DomainError) as refused:
        reorganise(world, values["kind"], values["before"], values["after"],
                   **{k: v for k, v in values.items() if k in ("number", "effective", "date")})
    assert refused.value.messages == messages
    assert counts() == before


def test_rule_44_a_unit_that_ended_cannot_end_again_nor_receive_others(world):
    this = world.year.year
    a, b, c = unit(world, "A", "Sở A"), unit(world, "B", "Sở B"), unit(world, "C", "Sở C")
    reorganise(world, "rename", [a], [b])
    before = counts()
    with pytest.raises(DomainError) as refused:
        reorganise(world, "merge", [a, c], [b], effective=D(this, 6, 1))
    assert refused.value.messages == [f"Sở A đã chấm dứt hoạt động từ ngày 01/03/{this}."]
    with pytest.raises(DomainError) as refused:
        reorganise(world, "merge", [c], [a], effective=D(this, 6, 1))
    assert refused.value.messages == [f"Sở A đã chấm dứt hoạt động từ ngày 01/03/{this}."]
    assert counts() == before


def test_rule_44_only_the_secretariat_records_a_reorganisation(world):
    a, b = unit(world, "A", "Sở A"), unit(world, "B", "Sở B")
    before = counts()
    for who in ("leader", "officer", "other_secretariat"):
        with pytest.raises(Forbidden):
            reorganise(world, "rename", [a], [b], who=who)
    assert counts() == before


def test_rule_44_removing_an_event_needs_a_reason_and_is_audited(world):
    a, b = unit(world, "A", "Sở A"), unit(world, "B", "Sở B")
    event = reorganise(world, "rename", [a], [b])
    with pytest.raises(DomainError) as refused:
        lineage.remove_event(world.actor("secretariat"), event, "  ")
    assert refused.value.messages == ["Cần ghi lý do xoá (ví dụ: nhập nhầm đơn vị)."]
    lineage.remove_event(world.actor("secretariat"), event, "Nhập nhầm đơn vị")
    assert not LineageEvent.objects.exists()
    assert Unit.objects.filter(pk__in=[a.pk, b.pk]).count() == 2
    removed = AuditEvent.objects.get(action="org.lineage.remove")
    assert (removed.reason, removed.before["predecessors"]) == ("Nhập nhầm đơn vị", [a.id])


# --- no award for a unit that ended (TT 15/2025) -----------------------------------------------

def test_rule_44_no_award_is_decided_for_a_dissolved_unit_citing_tt_15_2025(world):
    """A decision dated on or after the effective date, history entries included."""
    khdt, tc = unit(world, "SKHDT", "Sở Kế hoạch và Đầu tư"), unit(world, "STC", "Sở Tài chính")
    lineage.record_event(world.actor("secretariat"), world.province, kind="merge",
                         predecessors=[khdt.id], successors=[tc.id],
                         effective_date=D(2025, 3, 1), document_number="45/QĐ-UBND",
                         document_date=D(2025, 2, 28))
    past_award(world, khdt, PROV, 2023)  # decided 15/01/2024: before it ended
    before = counts()
    with pytest.raises(DomainError) as refused:
        history.record_past_award(world.actor("secretariat"), world.province, unit=khdt,
                                  year=2024, award_form=PROV, decision_number="99/QĐ-UBND",
                                  decision_date=D(2025, 9, 10))
    assert refused.value.messages == [
        "Sở Kế hoạch và Đầu tư đã chấm dứt hoạt động từ ngày 01/03/2025 (sáp nhập, hợp nhất "
        "theo văn bản số 45/QĐ-UBND ngày 28/02/2025; đơn vị kế thừa: Sở Tài chính): không "
        "đề nghị, không quyết định khen thưởng cho đơn vị này (không khen thưởng đối với cơ "
        "quan, tổ chức, đơn vị đã giải thể sau sắp xếp — Thông tư số 15/2025/TT-BNV)."]
    assert counts() == before


def test_rule_44_no_award_is_proposed_for_a_dissolved_unit(world, kt):
    """KT2 is voted for the provincial flag, but it was merged into a new unit before
    the conference: the proposal is refused, naming it and its successor."""
    this = world.year.year
    heir = unit(world, "NEW", "Sở Nông nghiệp và Môi trường")
    reorganise(world, "merge", [world.units["KT2"]], [heir], effective=D(this, 12, 1),
               date=D(this, 11, 20))
    with pytest.raises(DomainError) as refused:
        service.assemble_proposal(world.actor("leader"), kt, polls(world),
                                  conference_date=conference_day(world))
    message = refused.value.messages[0]
    assert message.startswith(f"{world.units['KT2'].name} đã chấm dứt hoạt động từ ngày "
                              f"01/12/{this} (sáp nhập, hợp nhất theo văn bản số 45/QĐ-UBND "
                              f"ngày 20/11/{this}; đơn vị kế thừa: Sở Nông nghiệp và Môi "
                              "trường)")
    assert len(refused.value.messages) == 1
    assert not Proposal.objects.filter(bloc_year=kt).exists()


def test_rule_44_a_dissolved_unit_joins_no_later_bloc_and_stays_in_its_past_ones(world):
    this = world.year.year
    kt1, heir = world.units["KT1"], unit(world, "NEW", "Sở Tài chính")
    reorganise(world, "merge", [kt1], [heir], effective=D(this, 12, 1), date=D(this, 11, 1))
    assert Membership.objects.filter(unit=kt1, emulation_year=world.year).exists()
    system = world.actor("admin")
    next_year = org_services.ensure_year(system, world.province, this + 1)
    bloc = Bloc.objects.get(province=world.province, code="KT")
    others = [world.units[c] for c in ("KT2", "KT3", "KT4", "KT5")]
    before = Membership.objects.count()
    with pytest.raises(DomainError) as refused:
        org_services.create_bloc_year(system, bloc, next_year, members=[kt1, *others],
                                      leader=others[0], deputies=[others[1]])
    assert refused.value.messages == [
        f"{kt1.name} đã chấm dứt hoạt động từ ngày 01/12/{this} (văn bản số 45/QĐ-UBND): "
        f"không xếp vào khối năm {this + 1}."]
    assert Membership.objects.count() == before
    org_services.create_bloc_year(system, bloc, next_year, members=[heir, *others],
                                  leader=others[0], deputies=[others[1]])


def test_rule_44_a_unit_in_a_later_years_bloc_cannot_end_before_it(world):
    this = world.year.year
    heir = unit(world, "NEW", "Sở Tài chính")
    before = counts()
    with pytest.raises(DomainError) as refused:
        reorganise(world, "merge", [world.units["KT1"]], [heir], effective=D(this - 1, 6, 1),
                   date=D(this - 1, 5, 1))
    assert refused.value.messages == [
        f"{world.units['KT1'].name} còn là thành viên Khối Kinh tế năm {this} (sau ngày có "
        f"hiệu lực): đưa ra khỏi khối năm đó trước khi ghi sắp xếp."]
    assert counts() == before


# --- achievements follow the successor (RULES.md 45, 46) --------------------------------------

def test_rule_11_and_45_a_merge_passes_on_the_lowest_bonus_of_the_merged_units(world):
    this = world.year.year
    a, b = unit(world, "A", "Sở Kế hoạch và Đầu tư"), unit(world, "B", "Sở Tài chính cũ")
    heir = world.units["KT1"]
    past_award(world, a, GOV, this - 1, number="07/QĐ-UBND")
    past_award(world, b, PROV, this - 1, number="08/QĐ-UBND")
    reorganise(world, "merge", [a, b], [heir], effective=D(this, 3, 1))
    bonus = next_year_bonus(heir, this)
    assert bonus.points == 10
    assert bonus.explanation == (
        f"Mọi đơn vị trước sáp nhập đều được khen thưởng năm {this - 1}; mức thấp nhất (Sở "
        f"Tài chính cũ): Được tặng Cờ thi đua của UBND tỉnh năm {this - 1} (Quyết định số "
        f"08/QĐ-UBND): cộng 10 điểm thưởng năm {this} (Quy tắc 45)")
    held, same = last_year_awards(heir.id, this)
    assert same.points == 10
    assert [text for _, text in held] == [
        f"Cờ thi đua của Chính phủ năm {this - 1} (Sở Kế hoạch và Đầu tư, trước sắp xếp) — "
        f"Quyết định số 07/QĐ-UBND ngày 15/01/{this}",
        f"Cờ thi đua của UBND tỉnh năm {this - 1} (Sở Tài chính cũ, trước sắp xếp) — Quyết "
        f"định số 08/QĐ-UBND ngày 15/01/{this}"]


def test_rule_45_a_merge_passes_nothing_when_one_merged_unit_had_no_award(world):
    """Sở Tài chính absorbs Sở KH&ĐT: the absorbing unit existed that year and had no
    flag, so the absorbed unit's Government flag brings no bonus."""
    this = world.year.year
    khdt = unit(world, "A", "Sở Kế hoạch và Đầu tư")
    absorbing = world.units["KT2"]
    past_award(world, khdt, GOV, this - 1)
    past_award(world, absorbing, CERT, this - 1)  # it existed: a certificate, no bonus
    reorganise(world, "merge", [khdt], [absorbing], effective=D(this, 3, 1))
    bonus = next_year_bonus(absorbing, this)
    assert bonus.points == 0
    assert bonus.explanation == (
        f"{absorbing.name} (trước sắp xếp) năm {this - 1} không có khen thưởng được cộng "
        "điểm thưởng: đơn vị sau sáp nhập chỉ kế thừa điều mọi đơn vị trước đều đạt "
        "(Quy tắc 45)")


def test_rule_45_a_rename_passes_the_whole_record_on(world):
    this = world.year.year
    old = unit(world, "OLD", "Sở Thông tin và Truyền thông")
    past_award(world, old, GOV, this - 1, number="07/QĐ-UBND")
    reorganise(world, "rename", [old], [world.units["KT3"]], effective=D(this, 1, 1),
               date=D(this - 1, 12, 20))
    bonus = next_year_bonus(world.units["KT3"], this)
    assert bonus.points == 15
    assert bonus.explanation == (
        f"Sở Thông tin và Truyền thông (trước sắp xếp): Được tặng Cờ thi đua của Chính phủ "
        f"năm {this - 1} (Quyết định số 07/QĐ-UBND): cộng 15 điểm thưởng năm {this}")


def test_rule_45_a_split_passes_nothing_on_to_the_bonus(world):
    this = world.year.year
    old = unit(world, "OLD", "Sở Nội vụ cũ")
    past_award(world, old, GOV, this - 1)
    reorganise(world, "split", [old], [world.units["KT4"], world.units["KT5"]],
               effective=D(this, 3, 1))
    for code in ("KT4", "KT5"):
        bonus = next_year_bonus(world.units[code], this)
        assert bonus.points == 0
        assert bonus.explanation == (
            f"Đơn vị hình thành do chia tách sau năm {this - 1}: khen thưởng của đơn vị "
            "trước không được cộng điểm thưởng (Quy tắc 45)")


def test_rule_45_the_effective_year_is_the_successors_own(world):
    """Merged on 1/3 of last year: last year's bonus base is the successor's own awards."""
    this = world.year.year
    old = unit(world, "OLD", "Sở Giao thông vận tải")
    past_award(world, old, GOV, this - 2)
    reorganise(world, "merge", [old], [world.units["KT1"]], effective=D(this - 1, 3, 1),
               date=D(this - 1, 2, 28))
    assert next_year_bonus(world.units["KT1"], this).points == 0
    assert next_year_bonus(world.units["KT1"], this - 1).points == 15


def test_rule_46_the_achievement_report_lists_the_predecessors_awards(world, kt):
    this = world.year.year
    old = unit(world, "OLD", "Sở Thông tin và Truyền thông")
    past_award(world, old, PROV, this - 2, number="21/QĐ-UBND")
    past_award(world, world.units["KT1"], CERT, this - 1, number="33/QĐ-UBND")
    reorganise(world, "merge", [old], [world.units["KT1"]], effective=D(this - 1, 3, 1),
               date=D(this - 1, 2, 28))
    proposal = service.assemble_proposal(world.actor("leader"), kt, polls(world),
                                         conference_date=conference_day(world))
    line = proposal.lines.get(unit=world.units["KT1"], award_form=GOV)
    context = achievement_context(world.actor("leader"), line, conference_day(world))
    assert context["titles"] == [{
        "year": str(this - 2),
        "form": "Cờ thi đua của UBND tỉnh (Sở Thông tin và Truyền thông, trước sắp xếp)",
        "decision": f"Số 21/QĐ-UBND ngày 15/01/{this - 1}"}]
    assert context["rewards"] == [{"year": str(this - 1),
                                   "form": "Bằng khen của Chủ tịch UBND tỉnh",
                                   "decision": f"Số 33/QĐ-UBND ngày 15/01/{this}"}]
