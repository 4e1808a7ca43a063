"""The engine's own checks: Decree 30 number and date formats (RULES.md 37, 38), every
shipped template free of split or open Jinja tags, and its variables all supplied."""

import datetime

import pytest
from docx import Document as Docx

from thidua.core import dates
from thidua.documents import engine, kinds
from thidua.documents import format as fmt
from thidua.documents.templates import build


@pytest.mark.parametrize(("number", "expected"), [
    (5, "Số: 05/BB-KTĐ"), (1, "Số: 01/BB-KTĐ"), (9, "Số: 09/BB-KTĐ"), (10, "Số: 10/BB-KTĐ"),
    (123, "Số: 123/BB-KTĐ"), (None, "Số:       /BB-KTĐ")])
def test_rule_37_number_zero_padded_below_10_and_blank_on_a_draft(number, expected):
    assert fmt.number_line(number, "BB", "KTĐ") == expected


@pytest.mark.parametrize(("on", "expected"), [
    (datetime.date(2023, 1, 5), "Bắc Ninh, ngày 05 tháng 01 năm 2023"),
    (datetime.date(2026, 3, 15), "Bắc Ninh, ngày 15 tháng 3 năm 2026"),
    (datetime.date(2026, 2, 9), "Bắc Ninh, ngày 09 tháng 02 năm 2026"),
    (datetime.date(2026, 12, 31), "Bắc Ninh, ngày 31 tháng 12 năm 2026"),
    (datetime.date(2026, 10, 1), "Bắc Ninh, ngày 01 tháng 10 năm 2026")])
def test_rule_38_days_below_10_and_months_1_2_zero_padded(on, expected):
    assert dates.date_line("Bắc Ninh", on) == expected


def test_every_kind_has_its_template_and_every_template_a_kind():
    assert sorted(k.template for k in kinds.KINDS.values()) == engine.shipped_templates()
    assert sorted(build.TEMPLATES) == engine.shipped_templates()


@pytest.mark.parametrize("name", engine.shipped_templates())
def test_shipped_template_has_no_split_or_open_tag(name):
    assert engine.template_problems(engine.template_path(name)) == []


def test_a_tag_split_across_runs_is_caught(tmp_path):
    doc = Docx()
    paragraph = doc.add_paragraph()
    paragraph.add_run("Kính gửi {{ recip")
    paragraph.add_run("ient }}")
    doc.add_paragraph("{% for x in items ")  # never closed
    path = tmp_path / "broken.docx"
    doc.save(path)
    problems = engine.template_problems(path)
    assert len(problems) == 2
    assert "bị tách qua nhiều đoạn chữ" in problems[0] and "{{ recipient }}" in problems[0]
    assert "chưa đóng" in problems[1]


def test_rebuilding_gives_the_same_template_content(tmp_path):
    """The committed .docx files are what build.py makes (nobody edited one by hand)."""
    build.build(tmp_path)
    for name in engine.shipped_templates():
        shipped = Docx(engine.template_path(name))
        rebuilt = Docx(tmp_path / f"{name}.docx")
        assert shipped.element.xml == rebuilt.element.xml, name


def test_national_name_and_motto_fit_and_the_rule_is_as_long_as_the_motto():
    doc = Docx(engine.template_path("registration"))
    right = doc.tables[0].rows[0].cells[1]
    motto = right.paragraphs[1]
    usable = doc.sections[0].page_width - doc.sections[0].left_margin \
        - doc.sections[0].right_margin - fmt.HEADER_LEFT_WIDTH - 2 * fmt.CELL_PADDING
    rule_length = usable - motto.paragraph_format.left_indent \
        - motto.paragraph_format.right_indent
    width = fmt.text_width(fmt.MOTTO, fmt.MOTTO_SIZE.pt)
    assert width <= rule_length <= width + fmt.Mm(1.1)
    assert fmt.text_width(fmt.NATIONAL_NAME, fmt.NATIONAL_NAME_SIZE.pt) <= usable
