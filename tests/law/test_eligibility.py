"""Eligibility (law.eligibility): each of RULES.md 7 and 17–22 passing and
failing, missing facts reported as missing, and the sentences the leader reads."""

import dataclasses
import datetime

import pytest

from thidua.law.eligibility import (
    ELIGIBLE,
    INELIGIBLE,
    MET,
    MISSING,
    UNKNOWN,
    UNMET,
    check_eligibility,
)
from thidua.law.facts import UnitYearFacts, facts_errors
from thidua.law.rulebooks import rulebook_for

GOV, PROV, CERT, EXC = ("government_flag", "provincial_flag", "certificate_of_merit",
                        "excellent_collective")
BOOK = rulebook_for("BN", datetime.date(2026, 1, 15))
DEADLINE = datetime.date(2025, 3, 31)
GOOD = UnitYearFacts(
    unit_id=1, year=2025, targets_exceeded=True, task_rating="excellent",
    party_rating="excellent", discipline_level="none", negative_inspection=False,
    member_count=20, completed_count=20, advanced_worker_count=14,
    emulation_soldier_count=1, union_rating="good", youth_union_rating="no_organisation",
    pending_matter="none", confirmed=True)


def check(form, facts=GOOD, submitted=datetime.date(2025, 3, 1), rank=1, same_year=(),
          **kwargs):
    return check_eligibility(
        unit_id=1, year=2025, award_form=form, rulebook=BOOK, facts=facts,
        registration_submitted_on=submitted, registration_deadline=DEADLINE, rank=rank,
        same_year_forms=frozenset(same_year), **kwargs)


def with_(**changes):
    return dataclasses.replace(GOOD, **changes)


@pytest.mark.parametrize("form", [GOV, PROV, CERT, EXC])
def test_a_unit_meeting_every_rule_is_eligible_for_each_form(form):
    result = check(form)
    assert result.status == ELIGIBLE
    assert result.unmet == result.missing == ()
    assert result.explain() == f"Đủ điều kiện {result.form_label} năm 2025."


def test_rules_checked_per_form():
    # 19 for every form: the pending matter of NĐ 152/2025 defers any award.
    assert {c.rule for c in check(PROV).checks} == {7, 17, 18, 19, 22}
    assert {c.rule for c in check(GOV).checks} == {7, 17, 18, 19, 20, 22}
    assert {c.rule for c in check(CERT).checks} == {7, 19, 22}
    assert {c.rule for c in check(EXC).checks} == {7, 19, 21}


# --- RULES 7 -----------------------------------------------------------------------------

def test_rule_7_registered_on_the_deadline_day_passes():
    result = check(CERT, submitted=DEADLINE)
    assert result.eligible
    assert [c.status for c in result.checks if c.rule == 7] == [MET]


@pytest.mark.parametrize("form", [GOV, PROV, CERT, EXC])
def test_rule_7_late_registration_fails_every_form(form):
    result = check(form, submitted=datetime.date(2025, 4, 1))
    assert result.status == INELIGIBLE
    assert result.rules(UNMET) == {7}
    assert result.messages()[0].startswith(
        f"Chưa đủ điều kiện {result.form_label}: gửi bản đăng ký thi đua ngày 01/04/2025, "
        "sau hạn 31/03/2025 — ")


def test_rule_7_no_registration_at_all_is_unmet_not_missing():
    result = check(CERT, submitted=None)
    assert result.rules(UNMET) == {7}
    assert result.missing == ()
    assert "không gửi bản đăng ký thi đua năm 2025" in result.messages()[0]


# --- RULES 17 ----------------------------------------------------------------------------

def test_rule_17_exceeded_targets_passes_and_not_exceeded_fails_with_the_issue_sentence():
    assert check(PROV).rules(MET) >= {17}
    result = check(PROV, with_(targets_exceeded=False))
    assert result.rules(UNMET) == {17}
    assert result.messages() == [
        "Chưa đủ điều kiện Cờ thi đua của UBND tỉnh: chưa hoàn thành vượt mức chỉ tiêu — "
        "Điều 26, Luật Thi đua, khen thưởng 2022"]
    gov = check(GOV, with_(targets_exceeded=False))
    assert gov.messages() == [
        "Chưa đủ điều kiện Cờ thi đua của Chính phủ: chưa hoàn thành vượt mức chỉ tiêu — "
        "Điều 25 khoản 1 điểm a, Luật Thi đua, khen thưởng 2022"]


def test_rule_17_unknown_is_missing_not_assumed():
    result = check(PROV, with_(targets_exceeded=None))
    assert result.status == UNKNOWN
    assert result.rules(MISSING) == {17}
    assert result.messages() == [
        "Chưa đủ căn cứ xét Cờ thi đua của UBND tỉnh: chưa có số liệu: hoàn thành vượt mức "
        "chỉ tiêu, nhiệm vụ — Điều 26, Luật Thi đua, khen thưởng 2022"]


# --- RULES 18 ----------------------------------------------------------------------------

@pytest.mark.parametrize("rating,status", [
    ("excellent", MET), ("good", MET), ("completed", UNMET), ("not_completed", UNMET)])
def test_rule_18_party_organisation_rated_at_least_good(rating, status):
    result = check(PROV, with_(party_rating=rating))
    # The party organisation, then the trade union and the youth union (both met here).
    assert [c.status for c in result.checks if c.rule == 18] == [status, MET, MET]


@pytest.mark.parametrize("field,name", [("union_rating", "Công đoàn cơ sở"),
                                        ("youth_union_rating", "Đoàn Thanh niên")])
def test_rule_18_each_mass_organisation_rated_at_least_good(field, name):
    for rating, status in (("excellent", MET), ("good", MET), ("completed", UNMET),
                           ("not_completed", UNMET), ("no_organisation", MET)):
        result = check(PROV, with_(**{field: rating}))
        assert result.rules(UNMET) == ({18} if status == UNMET else set()), rating
    assert check(GOV, with_(**{field: "completed"})).messages() == [
        f"Chưa đủ điều kiện Cờ thi đua của Chính phủ: {name} xếp loại «Hoàn thành nhiệm "
        "vụ», chưa đạt «Hoàn thành tốt nhiệm vụ» — Điều 25 khoản 1 điểm b, Luật Thi đua, "
        "khen thưởng 2022 (thực tiễn)"]
    assert check(PROV, with_(**{field: None})).messages() == [
        f"Chưa đủ căn cứ xét Cờ thi đua của UBND tỉnh: chưa có số liệu: xếp loại {name} — "
        "Điều 26, Luật Thi đua, khen thưởng 2022 (thực tiễn)"]
    # "Không có tổ chức": the unit is not held to an organisation it does not have.
    none = check(PROV, with_(**{field: "no_organisation"}))
    assert none.eligible
    assert f"đơn vị không có tổ chức {name}" in [c.sentence for c in none.checks]


# --- RULES 19: a pending matter defers (NĐ 152/2025) ---------------------------------------

@pytest.mark.parametrize("form", [GOV, PROV, CERT, EXC])
def test_rule_19_a_pending_matter_defers_every_form(form):
    from thidua.law.eligibility import DEFERRED  # noqa: PLC0415
    result = check(form, with_(pending_matter="complaint",
                               pending_matter_detail="Đơn tố cáo ngày 02/12, Thanh tra tỉnh "
                                                     "đang xác minh"))
    assert result.status == DEFERRED
    assert not result.eligible
    label = result.form_label
    assert result.messages() == [
        f"Tạm hoãn xét {label}: đang giải quyết khiếu nại, tố cáo: Đơn tố cáo ngày 02/12, "
        "Thanh tra tỉnh đang xác minh — xét khi có kết luận — nguyên tắc khen thưởng, "
        "Nghị định 152/2025/NĐ-CP"]


def test_rule_19_unmet_wins_over_deferred_and_deferred_over_missing():
    pending = {"pending_matter": "press", "pending_matter_detail": "Báo X phản ánh"}
    assert check(PROV, with_(targets_exceeded=False, **pending)).status == INELIGIBLE
    assert check(PROV, with_(party_rating=None, **pending)).status == "deferred"
    assert check(PROV, with_(pending_matter=None)).rules(MISSING) == {19}


def test_rule_19_no_deferral_before_decree_152():
    """The 2024 book (NĐ 98/2023) does not set the deferral: the matter is recorded,
    eligibility does not wait for it."""
    book = rulebook_for("BN", datetime.date(2025, 1, 15))
    result = check_eligibility(
        unit_id=1, year=2024, award_form=PROV, rulebook=book,
        facts=with_(pending_matter="discipline", pending_matter_detail="Đang họp kỷ luật"),
        registration_submitted_on=datetime.date(2024, 3, 1),
        registration_deadline=datetime.date(2024, 3, 31))
    assert result.eligible


# --- RULES 19: achievements count from the end of a discipline (NĐ 152/2025) -------------

NĐ152 = "nguyên tắc khen thưởng, Nghị định 152/2025/NĐ-CP"


@pytest.mark.parametrize("form", [GOV, PROV, CERT, EXC])
def test_rule_19_a_discipline_ending_inside_the_year_leaves_no_whole_year(form):
    result = check(form, with_(discipline_ended_on=datetime.date(2025, 6, 30)))
    assert result.status == INELIGIBLE
    [unmet] = [c for c in result.checks if c.status == "unmet"]
    assert (unmet.rule, unmet.sentence, str(unmet.citation)) == (
        19, "thời hạn kỷ luật hết ngày 30/06/2025: thành tích chỉ tính từ ngày đó, chưa đủ "
            "cả năm 2025", NĐ152)


def test_rule_19_a_discipline_over_by_1_january_counts_the_whole_year():
    result = check(PROV, with_(discipline_ended_on=datetime.date(2025, 1, 1)))
    assert result.eligible
    assert [c.sentence for c in result.checks if c.rule == 19][-1] == (
        "thời hạn kỷ luật đã hết ngày 01/01/2025, thành tích được tính cả năm 2025")


def test_rule_19_a_discipline_running_past_the_year_is_unmet_too():
    result = check(CERT, with_(discipline_ended_on=datetime.date(2026, 3, 1)))
    assert [c.sentence for c in result.checks if c.status == "unmet"] == [
        "còn trong thời hạn kỷ luật suốt năm 2025 (hết ngày 01/03/2026): thành tích chỉ tính "
        "từ khi hết thời hạn kỷ luật"]


def test_rule_19_no_end_date_asks_nothing_and_the_2024_book_does_not_count_from_it():
    assert {c.rule for c in check(CERT).checks} == {7, 19, 22}
    book = rulebook_for("BN", datetime.date(2025, 1, 15))
    result = check_eligibility(
        unit_id=1, year=2024, award_form=PROV, rulebook=book,
        facts=with_(year=2024, discipline_ended_on=datetime.date(2024, 6, 30)),
        registration_submitted_on=datetime.date(2024, 3, 1),
        registration_deadline=datetime.date(2024, 3, 31))
    assert result.eligible


def test_rule_18_sentence_and_the_stricter_setting():
    result = check(PROV, with_(party_rating="completed"))
    assert result.messages() == [
        "Chưa đủ điều kiện Cờ thi đua của UBND tỉnh: tổ chức đảng xếp loại «Hoàn thành "
        "nhiệm vụ», chưa đạt «Hoàn thành tốt nhiệm vụ» — Điều 26, Luật Thi đua, khen thưởng "
        "2022 (thực tiễn)"]
    stricter = _book_with("eligibility.party_rating_minimum", "excellent")
    result = check_eligibility(
        unit_id=1, year=2025, award_form=PROV, rulebook=stricter,
        facts=with_(party_rating="good"), registration_submitted_on=datetime.date(2025, 3, 1),
        registration_deadline=DEADLINE)
    assert result.rules(UNMET) == {18}


def test_rule_18_unknown_is_missing():
    assert check(GOV, with_(party_rating=None)).rules(MISSING) == {18}


# --- RULES 19 ----------------------------------------------------------------------------

@pytest.mark.parametrize("level,status", [
    ("none", MET), ("reprimand", MET), ("warning", UNMET), ("demotion", UNMET),
    ("dismissal", UNMET)])
def test_rule_19_discipline_at_warning_or_above_blocks_a_flag(level, status):
    for form in (GOV, PROV):
        result = check(form, with_(discipline_level=level))
        assert [c.status for c in result.checks if c.rule == 19][0] == status


def test_rule_19_negative_inspection_blocks_a_flag_but_not_the_certificate():
    facts = with_(negative_inspection=True)
    result = check(PROV, facts)
    assert result.rules(UNMET) == {19}
    assert ("có kết luận thanh tra, kiểm tra có vi phạm trong năm"
            in result.messages()[0])
    assert check(CERT, facts).eligible


def test_rule_19_unknown_discipline_and_inspection_are_missing():
    result = check(PROV, with_(discipline_level=None, negative_inspection=None))
    assert [c.sentence for c in result.missing] == [
        "chưa có số liệu: kỷ luật cá nhân trong năm",
        "chưa có số liệu: kết luận thanh tra, kiểm tra"]


# --- RULES 20 ----------------------------------------------------------------------------

def test_rule_20_government_flag_needs_the_leading_unit():
    assert check(GOV, rank=1).eligible
    result = check(GOV, rank=2)
    assert result.rules(UNMET) == {20}
    assert result.messages() == [
        "Chưa đủ điều kiện Cờ thi đua của Chính phủ: không dẫn đầu khối (xếp thứ 2; cần "
        "thứ nhất) — Điều 25 khoản 1, Luật Thi đua, khen thưởng 2022"]
    # The provincial flag does not need it.
    assert check(PROV, rank=2).eligible


def test_rule_20_needs_the_provincial_flag_standard_too():
    result = check(GOV, with_(targets_exceeded=False), rank=1)
    assert result.rules(UNMET) == {17}
    assert result.rules(MET) >= {20}


def test_rule_20_without_a_ranking_is_missing():
    assert check(GOV, rank=None).rules(MISSING) == {20}


# --- RULES 21 ----------------------------------------------------------------------------

def test_rule_21_exactly_70_percent_advanced_workers_passes_one_fewer_fails():
    assert check(EXC, with_(member_count=10, completed_count=10, advanced_worker_count=7,
                            emulation_soldier_count=1)).eligible
    result = check(EXC, with_(member_count=10, completed_count=10, advanced_worker_count=6,
                              emulation_soldier_count=1))
    assert result.rules(UNMET) == {21}
    assert result.messages() == [
        "Chưa đủ điều kiện Tập thể lao động xuất sắc: 6/10 thành viên đạt «Lao động tiên "
        "tiến» (60 %), cần ít nhất 70 % — Điều 27, Luật Thi đua, khen thưởng 2022"]


def test_rule_21_every_member_must_complete_their_tasks():
    result = check(EXC, with_(member_count=20, completed_count=19, advanced_worker_count=14))
    assert [c.sentence for c in result.unmet] == [
        "19/20 thành viên hoàn thành nhiệm vụ (95 %), cần ít nhất 100 %"]


def test_rule_21_needs_an_emulation_soldier_and_an_excellent_rating():
    result = check(EXC, with_(emulation_soldier_count=0, task_rating="good"))
    assert [c.sentence for c in result.unmet] == [
        "tập thể xếp loại «Hoàn thành tốt nhiệm vụ», chưa đạt «Hoàn thành xuất sắc nhiệm vụ»",
        "có 0 cá nhân đạt «Chiến sĩ thi đua cơ sở», cần ít nhất 1"]


def test_rule_21_thirds_are_compared_exactly():
    # 7 of 10 is 70 %; 14 of 21 is 66.67 %: no rounding lets it through.
    result = check(EXC, with_(member_count=21, completed_count=21, advanced_worker_count=14))
    assert [c.sentence for c in result.unmet] == [
        "14/21 thành viên đạt «Lao động tiên tiến», cần ít nhất 70 %"]


def test_rule_21_missing_counts_are_missing():
    result = check(EXC, with_(member_count=None, emulation_soldier_count=None))
    assert result.status == UNKNOWN
    assert result.rules(MISSING) == {21}
    assert len(result.missing) == 3


# --- RULES 22 ----------------------------------------------------------------------------

def test_rule_22_a_flag_for_the_year_excludes_the_certificate():
    result = check(CERT, same_year=[PROV])
    assert result.rules(UNMET) == {22}
    assert result.messages()[0].startswith(
        "Chưa đủ điều kiện Bằng khen của Chủ tịch UBND tỉnh: đã được đề nghị hoặc tặng Cờ thi "
        "đua của UBND tỉnh năm 2025 (một thành tích chỉ một hình thức khen thưởng) — Điều 5 "
        "khoản 2, Luật Thi đua, khen thưởng 2022")
    assert check(CERT, same_year=[EXC]).eligible  # a title outside the group
    assert check(PROV, same_year=[PROV]).eligible  # the form itself is no conflict


# --- facts and confirmation --------------------------------------------------------------

def test_no_facts_at_all_are_all_missing():
    result = check(PROV, facts=None)
    assert result.status == UNKNOWN
    assert result.rules(MISSING) == {17, 18, 19}


def test_rule_19a_unconfirmed_facts_are_reported_fact_by_fact_until_confirmed():
    """RULES 19a: only confirmed facts decide; each unconfirmed one is named, with the
    value the unit entered — even one that would fail (it is not read as failing)."""
    result = check(PROV, with_(confirmed=False, targets_exceeded=False))
    assert result.status == UNKNOWN
    unconfirmed = " (đơn vị đã nhập, chưa được Trưởng khối hoặc Thường trực thi đua tỉnh xác nhận)"
    assert [c.sentence for c in result.missing] == [s + unconfirmed for s in (
        "chưa hoàn thành vượt mức chỉ tiêu",
        "tổ chức đảng xếp loại «Hoàn thành xuất sắc nhiệm vụ»",
        "Công đoàn cơ sở xếp loại «Hoàn thành tốt nhiệm vụ»",
        "đơn vị không có tổ chức Đoàn Thanh niên",
        "không có cá nhân bị kỷ luật từ «Cảnh cáo» trở lên",
        "không có kết luận thanh tra, kiểm tra có vi phạm",
        "không có vụ việc kỷ luật, thanh tra, khiếu nại, tố cáo hay báo chí phản ánh đang "
        "xem xét")]
    assert check(PROV, with_(confirmed=False), require_confirmed=False).eligible
    # The Bằng khen reads one fact (the pending matter): it waits for it too.
    assert check(CERT, with_(confirmed=False)).rules(MISSING) == {19}
    # The ranking (RULES 20) is no unit's fact: never "unconfirmed".
    assert 20 not in check(GOV, with_(confirmed=False)).rules(MISSING)


def test_unmet_wins_over_missing():
    result = check(PROV, with_(targets_exceeded=False, party_rating=None))
    assert result.status == INELIGIBLE
    assert len(result.messages()) == 2


def test_impossible_counts_are_refused_before_saving():
    assert facts_errors(GOOD) == []
    assert facts_errors(with_(member_count=10, completed_count=11, advanced_worker_count=7,
                              emulation_soldier_count=12)) == [
        "Số hoàn thành nhiệm vụ (11) không được lớn hơn số thành viên (10).",
        "Số đạt Chiến sĩ thi đua cơ sở (12) không được lớn hơn số thành viên (10).",
        "Số đạt Chiến sĩ thi đua cơ sở không được lớn hơn số đạt Lao động tiên tiến.",
    ]


def _book_with(key, value):
    setting = dataclasses.replace(BOOK.setting(key), value=value)
    return dataclasses.replace(BOOK, settings={**BOOK.settings, key: setting})
