"""Issue 14, 2025 reform: rulebooks per former territory during the transition. After a
province merger (Nghị quyết 202/2025/QH15, from 1/7/2025) the former provinces'
regulations stay in force on their old territories until the merged province issues its
own; a book of the merged province says which former territories it governs
(`territories` in its header) — data, not code."""

import datetime
import shutil

import pytest

from thidua.law.rulebooks import RULEBOOK_DIR, RulebookError, load_library, rulebook_for

D = datetime.date


def province_book(code, province, start, end=None, bonus=10, territories=None,
                  regulation="Quyết định số 01/2024/QĐ-UBND"):
    lines = [f"  code: {code}", f'  title: "Quy định thi đua, khen thưởng ({code})"',
             "  scope: province", f"  province: {province}", f"  effective_from: {start}"]
    if end:
        lines.append(f"  effective_to: {end}")
    if territories:
        lines.append(f"  territories: [{', '.join(territories)}]")
    return ("rulebook:\n" + "\n".join(lines) + "\n\nsettings:\n"
            "  scoring.previous_award_bonus:\n"
            f"    value: {{ government_flag: 15, provincial_flag: {bonus} }}\n"
            "    tag: practice\n"
            f'    citation: {{ text: "{regulation}", article: "Điều 9" }}\n')


def merged_library(tmp_path, *, new_regulation=True):
    """Bắc Ninh's and Bắc Giang's own regulations (a provincial-flag bonus of 10 and 8),
    and — from 1/1/2026 — the merged Bắc Ninh's regulation for both territories (12)."""
    for path in RULEBOOK_DIR.glob("national-*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    books = {
        "province-bn-old.yaml": province_book(
            "province-bn-old", "BN", "2024-01-01", "2025-12-31" if new_regulation else None,
            bonus=10, regulation="Quy định của UBND tỉnh Bắc Ninh (cũ)"),
        "province-bg-old.yaml": province_book(
            "province-bg-old", "BG", "2024-01-01", bonus=8,
            regulation="Quy định của UBND tỉnh Bắc Giang (cũ)"),
    }
    if new_regulation:
        books["province-bn-2026.yaml"] = province_book(
            "province-bn-2026", "BN", "2026-01-01", bonus=12, territories=["BN", "BG"],
            regulation="Quy định của UBND tỉnh Bắc Ninh sau hợp nhất")
    for name, text in books.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return load_library(tmp_path)


def _bonus(book):
    return book.value("scoring.previous_award_bonus")["provincial_flag"]


def test_rule_48_each_former_territory_keeps_its_own_regulation_until_the_merged_one(tmp_path):
    library = merged_library(tmp_path)
    in_2025 = D(2025, 11, 30)
    bn = rulebook_for("BN", in_2025, library)
    bg = rulebook_for("BN", in_2025, library, territory="BG")
    assert (bn.provincial.code, _bonus(bn)) == ("province-bn-old", 10)
    assert (bg.provincial.code, _bonus(bg)) == ("province-bg-old", 8)
    assert bg.citation("scoring.previous_award_bonus").text == (
        "Quy định của UBND tỉnh Bắc Giang (cũ)")
    assert bg.province_code == "BN"  # still judged inside the merged province
    in_2026 = D(2026, 11, 30)
    for territory in (None, "BN", "BG"):
        book = rulebook_for("BN", in_2026, library, territory=territory)
        assert (book.provincial.code, _bonus(book)) == ("province-bn-2026", 12)


def test_rule_48_without_a_merged_regulation_the_former_rules_go_on(tmp_path):
    library = merged_library(tmp_path, new_regulation=False)
    assert _bonus(rulebook_for("BN", D(2026, 6, 1), library, territory="BG")) == 8
    assert _bonus(rulebook_for("BN", D(2026, 6, 1), library)) == 10


def test_rule_48_a_territory_without_a_book_falls_back_to_the_national_rules(tmp_path):
    library = merged_library(tmp_path)
    book = rulebook_for("BN", D(2025, 11, 30), library, territory="HB")
    assert book.provincial is None
    assert _bonus(book) == _bonus(rulebook_for("XX", D(2025, 11, 30), library)) == 10


def test_the_shipped_books_judge_a_former_territory_without_their_province_override():
    """Shipped: Bắc Ninh's book covers Bắc Ninh only; a former Bắc Giang bloc has no
    provincial book shipped (its regulation is not verified), so the national rules."""
    assert rulebook_for("BN", D(2025, 11, 30)).provincial.code == "province-bn-2024"
    assert rulebook_for("BN", D(2025, 11, 30), territory="BG").provincial is None


@pytest.mark.parametrize("header, message", [
    ("  territories: [BG]", "phải gồm chính tỉnh đó"),
    ("  territories: BN", "dòng 7: cần một danh sách"),
])
def test_a_bad_territories_header_is_refused_with_its_line(tmp_path, header, message):
    for path in RULEBOOK_DIR.glob("national-*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    text = province_book("province-bn-x", "BN", "2024-01-01").replace(
        "  effective_from: 2024-01-01", "  effective_from: 2024-01-01\n" + header)
    (tmp_path / "province-bn-x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as caught:
        load_library(tmp_path)
    assert message in str(caught.value)
    assert caught.value.problems[0].file == "province-bn-x.yaml"


def test_rule_48_a_former_territorys_papers_cite_its_own_regulation(tmp_path):
    """The căn cứ of a former Bắc Giang bloc's paper in 2025 name Bắc Giang's
    regulation (documents.kind.legal_bases passes the bloc's territory); Bắc Ninh's
    blocs' papers do not."""
    merged_library(tmp_path)
    text = (tmp_path / "province-bg-old.yaml").read_text(encoding="utf-8") + (
        "  documents.provincial_legal_bases:\n"
        "    value:\n"
        "      - title: \"Quyết định số 20/2024/QĐ-UBND ngày 10 tháng 5 năm 2024 của UBND "
        "tỉnh Bắc Giang ban hành Quy chế thi đua, khen thưởng\"\n"
        "        number: \"20/2024/QĐ-UBND\"\n"
        "        issued: 2024-05-10\n"
        "        effective_from: 2024-05-20\n"
        "    tag: practice\n"
        "    citation: { text: \"Quyết định số 20/2024/QĐ-UBND\" }\n")
    (tmp_path / "province-bg-old.yaml").write_text(text, encoding="utf-8")
    library = load_library(tmp_path)
    on = D(2025, 11, 30)
    bg = rulebook_for("BN", on, library, territory="BG").legal_basis_lines(on)
    bn = rulebook_for("BN", on, library).legal_basis_lines(on)
    assert bg[-1] == ("Căn cứ Quyết định số 20/2024/QĐ-UBND ngày 10 tháng 5 năm 2024 của UBND "
                      "tỉnh Bắc Giang ban hành Quy chế thi đua, khen thưởng.")
    assert [line.rstrip(";.") for line in bn] == [line.rstrip(";.") for line in bg[:-1]]
