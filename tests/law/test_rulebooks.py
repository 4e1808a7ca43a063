"""Rulebooks as data (law.rulebooks): the shipped books, their selection by province
and date, every setting with its citation, and malformed files refused with file and line.
"""

import datetime
import textwrap
from decimal import Decimal
from fractions import Fraction

import pytest

from thidua.law.rulebook import FractionRule
from thidua.law.rulebooks import (
    RULEBOOK_DIR,
    SETTINGS,
    RulebookError,
    RulebookNotFound,
    load_library,
    parse_rulebook,
    registration_deadline,
    rulebook_for,
    shipped_library,
)

D = datetime.date


def test_shipped_books_load_and_every_national_setting_carries_its_citation():
    library = shipped_library()
    assert sorted(f.file for f in library.files) == [
        "national-2017-nd91.yaml", "national-2024-nd98.yaml", "national-2025-nd152.yaml",
        "province-bn-2017.yaml", "province-bn-2024.yaml"]
    for book in library.files:
        for key, setting in book.settings.items():
            assert setting.citation.text, key
            assert setting.citation.tag in {"law", "old-law", "practice", "format"}, key
    for book in (f for f in library.files if f.scope == "national"):
        assert set(book.settings) == set(SETTINGS)


def test_every_rule_17_to_34_and_1_to_4_7_11_is_in_each_national_book():
    """Done-when of issue 5: every rule of RULES.md 17–27 is in a shipped rulebook."""
    wanted = {1, 2, 3, 4, 7, 11, *range(17, 35)}
    for book in (f for f in shipped_library().files if f.scope == "national"):
        carried = {rule for s in book.settings.values() for rule in s.rules}
        assert wanted <= carried, wanted - carried


def test_a_january_2026_conference_for_2025_uses_decree_152():
    """The conference of January 2026 (emulation year 2025) applies the texts in force on
    the conference date: Decree 152/2025, not Decree 98/2023 of most of 2025."""
    book = rulebook_for("BN", D(2026, 1, 15))
    assert book.national.code == "national-2025-nd152"
    assert book.provincial.code == "province-bn-2024"
    assert [b.number for b in book.legal_bases()] == [
        "06/2022/QH15", "152/2025/NĐ-CP", "15/2025/TT-BNV"]


def test_selection_by_date_at_the_boundaries():
    assert rulebook_for("BN", D(2024, 1, 1)).national.code == "national-2024-nd98"
    assert rulebook_for("BN", D(2025, 6, 30)).national.code == "national-2024-nd98"
    assert rulebook_for("BN", D(2025, 7, 1)).national.code == "national-2025-nd152"
    assert rulebook_for("BN", D(2023, 12, 31)).national.code == "national-2017-nd91"
    assert rulebook_for("BN", D(2017, 9, 15)).national.code == "national-2017-nd91"
    with pytest.raises(RulebookNotFound, match="14/09/2017"):
        rulebook_for("BN", D(2017, 9, 14))


def test_a_date_no_rulebook_covers_is_refused_422_naming_the_periods():
    """Issue 14: a date outside every legal period is not "not found" (the object exists):
    422, and the message names the periods the product has."""
    with pytest.raises(RulebookNotFound) as caught:
        rulebook_for("BN", D(2016, 11, 30))
    assert caught.value.status == 422
    assert caught.value.messages == [
        "Không có bộ quy tắc quốc gia có hiệu lực ngày 30/11/2016: ngày này nằm ngoài các "
        "giai đoạn pháp luật mà hệ thống có. Các bộ quy tắc quốc gia hiện có: 15/09/2017 – "
        "31/12/2023 (Luật Thi đua, khen thưởng 2003 (sửa đổi, bổ sung 2005, 2013) và Nghị "
        "định 91/2017/NĐ-CP); 01/01/2024 – 30/06/2025 (Luật Thi đua, khen thưởng 2022 và "
        "Nghị định 98/2023/NĐ-CP); 01/07/2025 – nay (Luật Thi đua, khen thưởng 2022 và Nghị "
        "định 152/2025/NĐ-CP). Hãy chọn một ngày trong các giai đoạn này."]


def test_legal_bases_follow_the_document_date_inside_one_book():
    book = rulebook_for("BN", D(2025, 7, 20))
    assert [b.number for b in book.legal_bases()] == [
        "06/2022/QH15", "152/2025/NĐ-CP", "01/2024/TT-BNV"]
    assert [b.number for b in book.legal_bases(D(2025, 8, 5))] == [
        "06/2022/QH15", "152/2025/NĐ-CP", "15/2025/TT-BNV"]
    early = rulebook_for("BN", D(2024, 2, 1))
    assert [b.number for b in early.legal_bases()] == ["06/2022/QH15", "98/2023/NĐ-CP"]


def test_selection_by_province_lays_the_override_over_the_national_book():
    bn = rulebook_for("BN", D(2025, 12, 1))
    other = rulebook_for("HN", D(2025, 12, 1))
    assert other.provincial is None
    assert bn.setting("quotas.provincial_flag").source.file == "province-bn-2024.yaml"
    assert other.setting("quotas.provincial_flag").source.file == "national-2025-nd152.yaml"
    assert "Hội nghị tổng kết năm 2022" in str(bn.citation("quotas.provincial_flag"))
    # What Bắc Ninh does not set comes from the national book.
    assert bn.setting("voting.threshold").source.file == "national-2025-nd152.yaml"
    assert rulebook_for("bn", D(2025, 12, 1)).provincial.code == "province-bn-2024"
    assert bn.describe() == (
        "Luật Thi đua, khen thưởng 2022 và Nghị định 152/2025/NĐ-CP (01/07/2025 – nay); "
        "Quy định thi đua cụm, khối của tỉnh Bắc Ninh (01/01/2024 – nay)")


def test_values_are_exact_and_read_with_their_citation():
    book = rulebook_for("BN", D(2025, 3, 1))
    assert book["voting.quorum"] == FractionRule("at_least", Fraction(2, 3))
    assert book["voting.threshold"] == FractionRule("more_than", Fraction(1, 2))
    assert book["voting.base"] == "members"
    assert book["voting.vote_per"] == "unit"
    assert book["scoring.aggregation"] == "appraised"
    assert book["scoring.tie_break_chain"] == ("section:I", "fewer_penalty", "vote")
    assert book["scoring.previous_award_bonus"] == {
        "government_flag": Decimal(15), "provincial_flag": Decimal(10)}
    assert book["organisation.rotation_lookback_years"] == 1
    assert book["registration.deadline"] == (3, 31)
    setting = book.setting("eligibility.flag_requires_targets_exceeded")
    assert setting.value is True and setting.rules == (17,)
    assert str(setting.citation.for_form("provincial_flag")) == (
        "Điều 26, Luật Thi đua, khen thưởng 2022")
    assert setting.source.file == "national-2024-nd98.yaml"
    assert setting.source.line > 1


def test_the_20_percent_cap_is_an_open_point_only_under_decree_152():
    """RULES.md "Open points": whether Decree 152/2025 keeps the 20 % cap."""
    old = rulebook_for("BN", D(2025, 1, 10)).setting("quotas.government_flag_province_cap")
    new = rulebook_for("BN", D(2026, 1, 10)).setting("quotas.government_flag_province_cap")
    assert old.value.fraction == new.value.fraction == Fraction(1, 5)
    assert old.tag == new.tag == "old-law"
    assert old.open_point == ""
    assert "152/2025" in new.open_point


def test_registration_deadline_uses_the_emulation_year():
    """RULES.md 7: the 2025 year's deadline is 31/3/2025, whatever the conference date."""
    assert registration_deadline("BN", 2025) == D(2025, 3, 31)
    assert registration_deadline("BN", 2026) == D(2026, 3, 31)


# --- malformed files ---------------------------------------------------------------------

HEADER = """\
rulebook:
  code: test-bn
  title: "Thử"
  scope: province
  province: BN
  effective_from: 2026-01-01
settings:
"""


def _refused(text, file="thu.yaml"):
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(textwrap.dedent(text), file)
    return caught.value.problems


def test_bad_yaml_is_refused_with_its_line():
    problems = _refused(HEADER + "  voting.base:\n    value: [members\n    tag: practice\n")
    assert len(problems) == 1
    assert problems[0].file == "thu.yaml"
    assert problems[0].line in (10, 11)
    assert str(problems[0]).startswith(f"Bộ quy tắc thu.yaml, dòng {problems[0].line}: "
                                       "không đọc được YAML")


def test_an_unknown_setting_is_refused_with_its_line():
    problems = _refused(HEADER + """\
  voting.treshold:
    value: { comparison: more_than, fraction: "1/2" }
    tag: practice
    citation: { text: "Thử" }
""")
    assert [(p.line, p.message) for p in problems] == [
        (8, "thiết lập 'voting.treshold' không được biết.")]


def test_an_unknown_field_inside_a_setting_is_refused():
    problems = _refused(HEADER + """\
  voting.base:
    value: members
    tag: practice
    citation: { text: "Thử", articel: "Điều 1" }
""")
    assert [p.line for p in problems] == [11]
    assert "'articel' không được biết" in problems[0].message


def test_a_wrong_type_is_refused_with_the_line_of_the_value():
    problems = _refused(HEADER + """\
  quotas.government_flag_per_bloc:
    value: "một"
    tag: practice
    citation: { text: "Thử" }
  voting.threshold:
    value: { comparison: more_than, fraction: 0.5 }
    tag: practice
    citation: { text: "Thử" }
""")
    assert [(p.line, p.message) for p in problems] == [
        (9, "quotas.government_flag_per_bloc: cần số nguyên, nhận được chuỗi 'một'."),
        (13, 'voting.threshold: cần một phân số như "2/3" hoặc "70/100", nhận được '
             "số thập phân '0.5'."),
    ]


def test_overlapping_brackets_and_a_wrong_tag_are_refused():
    problems = _refused(HEADER + """\
  quotas.provincial_flag:
    value:
      - { min_members: 1, max_members: 10, quota: 1 }
      - { min_members: 10, quota: 2 }
    tag: practice
    citation: { text: "Thử" }
  voting.base:
    value: members
    tag: custom
    citation: { text: "Thử" }
""")
    assert [p.line for p in problems] == [11, 16]
    assert "phải bắt đầu từ 11 thành viên" in problems[0].message
    assert "'custom' không hợp lệ" in problems[1].message


def test_a_duplicate_key_is_refused_not_silently_overwritten():
    problems = _refused(HEADER + """\
  voting.base:
    value: members
    value: present
    tag: practice
    citation: { text: "Thử" }
""")
    assert [(p.line, p.message) for p in problems] == [
        (10, "voting.base: khóa 'value' bị lặp (đã có ở dòng 9).")]


def test_a_province_may_not_override_the_law():
    problems = _refused(HEADER + """\
  eligibility.flag_requires_targets_exceeded:
    value: false
    tag: practice
    citation: { text: "Thử" }
""")
    assert [p.line for p in problems] == [8]
    assert "do luật quy định" in problems[0].message


def test_a_national_book_missing_settings_is_refused():
    problems = _refused("""\
rulebook:
  code: thieu
  title: "Thiếu"
  scope: national
  effective_from: 2030-01-01
settings:
  voting.base:
    value: members
    tag: practice
    citation: { text: "Thử" }
""")
    assert [p.line for p in problems] == [7]
    assert "còn thiếu: organisation.blocs_per_unit" in problems[0].message


def test_overlapping_periods_are_refused_naming_both_files(tmp_path):
    for path in RULEBOOK_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    clash = (RULEBOOK_DIR / "province-bn-2024.yaml").read_text(encoding="utf-8").replace(
        "code: province-bn-2024", "code: province-bn-2025").replace(
        "effective_from: 2024-01-01", "effective_from: 2025-07-01")
    (tmp_path / "province-bn-2025.yaml").write_text(clash, encoding="utf-8")
    line = next(i for i, text in enumerate(clash.splitlines(), 1)
                if text.strip().startswith("effective_from"))
    with pytest.raises(RulebookError) as caught:
        load_library(tmp_path)
    assert [(p.file, p.line) for p in caught.value.problems] == [("province-bn-2025.yaml", line)]
    message = str(caught.value)
    assert "chồng lên bộ quy tắc province-bn-2024.yaml" in message
    assert "01/07/2025 – nay" in message


def test_closing_the_old_period_makes_the_new_book_valid(tmp_path):
    for path in RULEBOOK_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "province-bn-2024.yaml":
            text = text.replace("effective_from: 2024-01-01",
                                "effective_from: 2024-01-01\n  effective_to: 2025-06-30")
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    new = (RULEBOOK_DIR / "province-bn-2024.yaml").read_text(encoding="utf-8").replace(
        "code: province-bn-2024", "code: province-bn-2025").replace(
        "effective_from: 2024-01-01", "effective_from: 2025-07-01").replace(
        "- { min_members: 11, quota: 2 }", "- { min_members: 11, quota: 3 }")
    (tmp_path / "province-bn-2025.yaml").write_text(new, encoding="utf-8")
    library = load_library(tmp_path)
    assert rulebook_for("BN", D(2025, 6, 30), library).provincial.code == "province-bn-2024"
    after = rulebook_for("BN", D(2026, 1, 10), library)
    assert after.provincial.code == "province-bn-2025"
    assert after["quotas.provincial_flag"].bracket_for(12).quota == 3


# --- the command and the system check ----------------------------------------------------

def test_rulebook_command_shows_the_book_in_force_with_citations(capsys):
    from django.core.management import call_command

    call_command("rulebook", "show", "BN", "2026-01-15")
    out = capsys.readouterr().out
    assert out.startswith("Bộ quy tắc ngày 15/01/2026: Luật Thi đua, khen thưởng 2022 và "
                          "Nghị định 152/2025/NĐ-CP")
    assert ("quotas.provincial_flag — Số Cờ thi đua của UBND tỉnh mỗi khối theo số thành "
            "viên (Quy tắc 25)\n  giá trị: đến 10 thành viên: 1; từ 11 thành viên trở lên: 2"
            ) in out
    assert "vấn đề còn mở: Chưa rõ Nghị định 152/2025/NĐ-CP" in out
    assert "  Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;" in out
    # The last căn cứ closes the preamble: no trailing ";" (issue 14).
    assert out.rstrip().endswith("Luật Thi đua, khen thưởng.")


def test_rulebook_command_refuses_a_broken_directory_with_file_and_line(tmp_path):
    from django.core.management import CommandError, call_command

    (tmp_path / "hong.yaml").write_text(HEADER + "  voting.base: [\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("rulebook", "check", str(tmp_path))
    assert str(caught.value).startswith("Bộ quy tắc hong.yaml, dòng ")


def test_the_system_check_loads_the_shipped_books():
    from thidua.law.apps import rulebooks_load

    assert rulebooks_load() == []


def test_decree_152s_recorded_end_is_an_open_point_of_the_2025_book():
    """LEGAL-REVIEW R10: vbpl records an end date 01/3/2027 for NĐ 152/2025 [secondary];
    the book says so where the secretariat reads it (rulebook show, API)."""
    setting = rulebook_for("BN", D(2026, 1, 15)).setting("documents.legal_bases")
    assert "01/3/2027" in setting.open_point
    assert rulebook_for("BN", D(2024, 6, 1)).setting("documents.legal_bases").open_point == ""


def test_problems_are_reported_in_the_order_a_reader_meets_them():
    """The schema is pydantic's; a setting still reports its first problem in the file's
    order: a mapping's missing key before a later value's wrong type."""
    problems = _refused(HEADER + """\
  voting.threshold:
    value: { comparison: more_than }
    tag: practice
    citation: { text: "Thử" }
  voting.quorum:
    value: { comparison: at_least, fraction: "1/2", extra: 1 }
    tag: practice
    citation: { text: "Thử" }
""")
    assert [(p.line, p.message) for p in problems] == [
        (9, "voting.threshold: thiếu khóa fraction."),
        (13, "voting.quorum: khóa 'extra' không được biết; các khóa hợp lệ: comparison, "
             "fraction.")]


def test_a_date_yaml_cannot_read_is_shown_as_written():
    problems = _refused("""\
rulebook:
  code: thu
  title: "Thử"
  scope: province
  province: BN
  effective_from: 2026-13-01
settings: {}
""")
    assert [(p.line, p.message) for p in problems] == [
        (6, "cần ngày dạng YYYY-MM-DD, nhận được '2026-13-01'.")]
