"""Criteria table validation and a sheet's figures (scoring.domain.table): RULES.md 9, 10."""

from dataclasses import replace
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from thidua.scoring.domain.methods import points_for
from thidua.scoring.domain.table import SheetFigures, TableShape, table_errors

from .specs import demo_like, leaf, section


def test_demo_shaped_table_is_valid_rule_9():
    assert table_errors(Fraction(100), demo_like()) == []


def test_rule_9_leaves_must_add_up_to_the_total_bonus_and_penalty_outside():
    specs = demo_like()
    assert table_errors(Fraction(110), specs) == [
        "Tổng điểm chuẩn các tiêu chí (100,00) khác tổng điểm của bảng (110,00); điểm thưởng, "
        "điểm trừ không tính vào tổng (Quy tắc 9)."]


def test_section_max_must_equal_its_leaves_naming_the_section():
    specs = [replace(s, max_points=Fraction(45)) if s.code == "I" else s for s in demo_like()]
    assert table_errors(Fraction(100), specs) == [
        "Nhóm I “Nhóm I”: điểm chuẩn 45,00 khác tổng điểm các tiêu chí con 50,00."]


def test_negative_max_duplicate_code_unknown_parent_bad_method_all_named():
    specs = [
        section("I", 10),
        leaf("I.1", -5, "free", "I"),
        leaf("I.1", 5, "free", "I"),
        leaf("I.2", 5, "magic", "I"),
        leaf("I.3", 5, "free", "IX"),
        leaf("I.4", 5, "graded", "I", grades=[0, 6]),
    ]
    assert table_errors(Fraction(10), specs) == [
        "Mã tiêu chí I.1 bị trùng: mỗi mã chỉ dùng một lần trong bảng.",
        "Tiêu chí I.1 “Tiêu chí I.1”: điểm chuẩn không được âm.",
        "Tiêu chí I.2 “Tiêu chí I.2”: phương pháp chấm “magic” không hợp lệ.",
        "Tiêu chí I.3 “Tiêu chí I.3”: nhóm cha IX không tồn tại.",
        "Tiêu chí I.4 “Tiêu chí I.4”: các mức điểm phải khác nhau, từ 0 đến 5,00.",
    ]


def test_bonus_must_sit_in_its_own_top_level_section_rule_9():
    specs = [section("I", 10), leaf("I.1", 10, "free", "I"), leaf("I.B", 5, "bonus", "I")]
    assert table_errors(Fraction(10), specs) == [
        "Nhóm I “Nhóm I” trộn tiêu chí tính vào tổng điểm với điểm thưởng hoặc điểm trừ; hãy "
        "tách riêng (Quy tắc 9).",
    ]
    nested = [section("I", 10), leaf("I.1", 10, "free", "I"), section("B", 5),
              section("B.x", 5, "B"), leaf("B.x.1", 5, "bonus", "B.x"), leaf("top", 1, "penalty")]
    assert table_errors(Fraction(10), nested) == [
        "Tiêu chí B.x.1 “Tiêu chí B.x.1”: điểm thưởng, điểm trừ phải nằm trong một nhóm cấp cao "
        "nhất dành riêng cho chúng (Quy tắc 9).",
        "Tiêu chí top “Tiêu chí top”: điểm thưởng, điểm trừ phải nằm trong một nhóm cấp cao "
        "nhất dành riêng cho chúng (Quy tắc 9).",
    ]


def test_empty_section_and_nested_sections():
    specs = [section("I", 10), section("I.A", 10, "I"), leaf("I.A.1", 10, "free", "I.A"),
             section("II", 0)]
    assert table_errors(Fraction(10), specs) == ["Nhóm II “Nhóm II” chưa có tiêu chí nào."]


def test_rule_10_example_97_plus_10_is_107():
    shape = TableShape(Fraction(100), demo_like())
    figures = shape.figures({"I.1": Fraction(30), "I.2": Fraction(10), "I.3": Fraction(10),
                             "II.1": Fraction(5), "II.2": Fraction(5), "II.3": Fraction(5),
                             "III.1": Fraction(12), "IV.1": Fraction(10), "V.1": Fraction(10),
                             "B.2": Fraction(10)})
    assert (figures.total, figures.bonus, figures.penalty) == (
        Fraction(97), Fraction(10), Fraction(0))
    assert figures.final == Fraction(107)
    assert figures.sections == {"I": 50, "II": 15, "III": 12, "IV": 10, "V": 10, "B": 10}


def test_bonus_part_capped_by_its_section_and_penalty_subtracted():
    shape = TableShape(Fraction(100), demo_like())
    figures = shape.figures({"I.1": Fraction(20), "B.1": Fraction(15), "B.2": Fraction(10),
                             "P.1": Fraction(10)})
    assert (figures.bonus, figures.penalty, figures.final) == (
        Fraction(15), Fraction(10), Fraction(25))
    assert figures.sections["B"] == 25  # the raw sum is kept; the cap applies to the bonus


def test_final_never_below_zero():
    assert SheetFigures(Fraction(5), Fraction(0), Fraction(10), {}).final == 0


LEAVES = [s for s in demo_like() if not s.is_section]


def raw_for(spec, draw):
    if spec.method == "graded":
        return {"points": draw(st.sampled_from([0, 5, 10]))}
    if spec.method in ("free", "imported", "target_formula"):
        hundredths = draw(st.integers(0, int(spec.max_points * 100)))
        return {"points": f"{hundredths // 100}.{hundredths % 100:02d}"}
    if spec.method == "deduction":
        return {"items": draw(st.integers(0, 30))}
    return {"count": draw(st.integers(0, 30))}


@st.composite
def sheets(draw):
    return {spec.code: points_for(spec, raw_for(spec, draw)) for spec in LEAVES
            if draw(st.booleans())}


@given(sheets())
def test_property_totals_never_exceed_max_plus_bonus_rule_10(points):
    shape = TableShape(Fraction(100), demo_like())
    figures = shape.figures(points)
    assert 0 <= figures.total <= 100
    assert 0 <= figures.bonus <= 15
    assert 0 <= figures.final <= figures.total + figures.bonus <= 115
    for code in ("I", "II", "III", "IV", "V"):
        assert figures.sections.get(code, 0) <= shape.specs[code].max_points


@given(sheets(), st.lists(st.tuples(st.sampled_from([s.code for s in LEAVES]),
                                    st.integers(0, 3)), max_size=30), st.data())
def test_property_incremental_totals_equal_a_rescan(start, edits, data):
    """What services keep current per change equals summing every cell again."""
    shape = TableShape(Fraction(100), demo_like())
    current = dict(start)
    figures = shape.figures(current)
    for code, _ in edits:
        spec = shape.specs[code]
        new = points_for(spec, raw_for(spec, data.draw))
        figures = shape.apply(figures, {code: (current.get(code, Fraction(0)), new)})
        current[code] = new
    again = shape.figures(current)
    assert (figures.total, figures.bonus, figures.penalty, figures.final) == (
        again.total, again.bonus, again.penalty, again.final)
    assert {k: v for k, v in figures.sections.items() if v} == {
        k: v for k, v in again.sections.items() if v}
