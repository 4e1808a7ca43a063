"""What the legal review moves to the province (issue 14, LEGAL-REVIEW §1.2 and R8): the
Government-flag quota by bloc size (RULES 24), the base of the 20 % cap (RULES 23), and the
Bằng khen / excellent-collective standards a province's own regulation sets (RULES 43, 21;
Luật 2022 khoản 6 Điều 74, khoản 3 Điều 27) — each read from the province's rulebook with
the province's citation, the national book's value everywhere else."""

import datetime
import shutil

import pytest

from thidua.awards import proposals as service
from thidua.law.eligibility import check_eligibility
from thidua.law.facts import UnitYearFacts
from thidua.law.quotas import bloc_quotas, province_government_flag_cap
from thidua.law.rulebooks import RULEBOOK_DIR, load_library, rulebook_for

from .conftest import conference_day, polls

D = datetime.date
REGULATION = "Quyết định số 99/2024/QĐ-UBND ngày 01/3/2024 của UBND tỉnh (quy chế thử)"
PROVINCE_BOOK = f"""\
rulebook:
  code: province-bn-test
  title: "Quy chế thi đua của tỉnh (thử)"
  scope: province
  province: BN
  effective_from: 2024-01-01
settings:
  quotas.government_flag_per_bloc:
    value:
      - {{ min_members: 1, max_members: 10, quota: 0 }}
      - {{ min_members: 11, quota: 1 }}
    tag: practice
    citation: {{ text: "{REGULATION}", article: "Điều 12" }}
  quotas.government_flag_province_cap:
    value: {{ fraction: "20/100", rounding: floor, base: bloc_leaders }}
    tag: practice
    citation: {{ text: "{REGULATION}", article: "Điều 13" }}
  eligibility.certificate_of_merit:
    value: {{ min_task_rating: good }}
    tag: practice
    citation: {{ text: "{REGULATION}", article: "Điều 8" }}
  eligibility.excellent_collective:
    value:
      min_task_rating: excellent
      members_completed: {{ comparison: at_least, fraction: "100/100" }}
      advanced_workers: {{ comparison: at_least, fraction: "80/100" }}
      min_emulation_soldiers: 2
    tag: practice
    citation: {{ text: "{REGULATION}", article: "Điều 7" }}
"""


@pytest.fixture
def library(tmp_path):
    for path in RULEBOOK_DIR.glob("national-*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "province-bn-test.yaml").write_text(PROVINCE_BOOK, encoding="utf-8")
    return load_library(tmp_path)


def test_rule_24_government_flag_quota_by_bloc_size_a_ten_member_bloc_has_none(library):
    book = library.rulebook_for("BN", D(2026, 1, 15))
    ten, eleven = bloc_quotas(10, book)["government_flag"], bloc_quotas(11, book)[
        "government_flag"]
    assert (ten.count, eleven.count) == (0, 1)
    assert ten.explanation == ("Khối có 10 thành viên (mức đến 10 thành viên): tối đa 0 Cờ "
                               "thi đua của Chính phủ")
    assert str(ten.citation) == f"Điều 12, {REGULATION} (thực tiễn)"
    # The national book keeps one number for every bloc size.
    national = rulebook_for("HN", D(2026, 1, 15))
    assert bloc_quotas(10, national)["government_flag"].explanation == (
        "Mỗi khối đề nghị tối đa 1 Cờ thi đua của Chính phủ")


def test_rule_23_cap_base_is_a_setting_naming_its_base(library):
    book = library.rulebook_for("BN", D(2026, 1, 15))
    assert province_government_flag_cap(12, book).explanation.startswith(
        "20 % của 12 tập thể được các khối bình xét dẫn đầu là 2,4; lấy phần nguyên")
    nd91 = rulebook_for("BN", D(2022, 11, 30))
    assert nd91.value("quotas.government_flag_province_cap").base == "standard_met"
    assert province_government_flag_cap(66, nd91).count == 13  # Bắc Ninh 2022: 12 ≤ 13


@pytest.mark.django_db
def test_rule_23_bloc_leaders_base_counts_the_flags_the_blocs_proposed(world, kt, library):
    """KT's conference proposed KT1 (Government flag) and KT2 (provincial flag): two
    collectives voted as leading, 20 % of 2 is 0,4 → no Government flag allowed."""
    proposal = service.assemble_proposal(world.actor("leader"), kt, polls(world),
                                         conference_date=conference_day(world))
    service.move_proposal(world.actor("leader"), proposal, "submit")
    cap = service.province_cap(world.year, on_date=conference_day(world), library=library)
    assert (cap.cap.count, cap.proposed, cap.excess) == (0, 1, 1)
    assert cap.cap.explanation.startswith(
        "20 % của 2 tập thể được các khối bình xét dẫn đầu là 0,4")
    # The shipped books count the collectives meeting the provincial standard instead.
    shipped = service.province_cap(world.year, on_date=conference_day(world))
    assert "tập thể đạt tiêu chuẩn Cờ thi đua của UBND tỉnh" in shipped.cap.explanation


def _eligibility(book, form, **facts):
    values = {"targets_exceeded": True, "task_rating": "completed", "party_rating": "good",
              "discipline_level": "none", "negative_inspection": False, "member_count": 10,
              "completed_count": 10, "advanced_worker_count": 7, "emulation_soldier_count": 1,
              "union_rating": "good", "youth_union_rating": "good", "pending_matter": "none",
              "confirmed": True} | facts
    return check_eligibility(
        unit_id=1, year=2025, award_form=form, rulebook=book,
        facts=UnitYearFacts(unit_id=1, year=2025, **values),
        registration_submitted_on=D(2025, 3, 1), registration_deadline=D(2025, 3, 31))


def test_rule_43_the_provinces_bang_khen_standard_cites_its_regulation(library):
    book = library.rulebook_for("BN", D(2026, 1, 15))
    refused = _eligibility(book, "certificate_of_merit")
    assert refused.rules("unmet") == {43}
    assert refused.messages() == [
        "Chưa đủ điều kiện Bằng khen của Chủ tịch UBND tỉnh: tập thể xếp loại «Hoàn thành "
        f"nhiệm vụ», chưa đạt «Hoàn thành tốt nhiệm vụ» — Điều 8, {REGULATION} (thực tiễn)"]
    assert _eligibility(book, "certificate_of_merit", task_rating="good").eligible
    # Nationally (khoản 6 Điều 74 delegates the detail) no rating is asked.
    assert _eligibility(rulebook_for("HN", D(2026, 1, 15)), "certificate_of_merit").eligible


def test_rule_21_the_province_may_raise_the_excellent_collective_standard(library):
    book = library.rulebook_for("BN", D(2026, 1, 15))
    facts = {"task_rating": "excellent", "advanced_worker_count": 7,
             "emulation_soldier_count": 1}
    here = _eligibility(book, "excellent_collective", **facts)
    assert here.rules("unmet") == {21}
    assert {c.sentence for c in here.unmet} == {
        "7/10 thành viên đạt «Lao động tiên tiến» (70 %), cần ít nhất 80 %",
        "có 1 cá nhân đạt «Chiến sĩ thi đua cơ sở», cần ít nhất 2"}
    assert all(REGULATION in str(c.citation) for c in here.unmet)
    assert _eligibility(rulebook_for("HN", D(2026, 1, 15)), "excellent_collective",
                        **facts).eligible
