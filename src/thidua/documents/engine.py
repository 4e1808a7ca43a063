"""The document engine: fill a shipped Word template (docxtpl) with a context, check a
template for the mistakes a user would otherwise find (a Jinja tag split across runs, a
stray brace), turn wide tables into sub-documents.

A context is plain data (strings, lists, dicts) plus `Table` values, which become real
Word tables in the template's own styles; nothing here knows which document it renders.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from thidua.documents import format as fmt

TEMPLATE_DIR = Path(__file__).with_name("templates") / "docx"
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
OPENERS = re.compile(r"\{\{|\{%|\{#")


@dataclass(frozen=True)
class Table:
    """A bordered table drawn in code: a header row, body rows, column widths (mm).
    `bold_rows`: indexes of body rows set in bold (sections, totals)."""

    headers: list
    rows: list
    widths_mm: list
    bold_rows: frozenset = field(default_factory=frozenset)
    left_columns: frozenset = frozenset({1})  # the name column reads left-aligned


@dataclass(frozen=True)
class Image:
    """A picture (PNG bytes: a chart, a QR code) set inline `width_mm` wide (docxtpl
    InlineImage); it may sit anywhere in the context, in lists and dicts too."""

    data: bytes
    width_mm: float


def template_path(name: str) -> Path:
    return TEMPLATE_DIR / f"{name}.docx"


def shipped_templates() -> list[str]:
    return sorted(p.stem for p in TEMPLATE_DIR.glob("*.docx"))


def template_problems(path: Path) -> list[str]:
    """Each paragraph of the document, headers and footers: every Jinja tag must lie in one
    run's text (Word splits runs when someone edits a template by hand; docxtpl then sees
    half a tag), and no tag may be left open."""
    problems = []
    with zipfile.ZipFile(path) as archive:
        parts = [n for n in archive.namelist()
                 if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)]
        from lxml import etree

        for part in parts:
            root = etree.fromstring(archive.read(part))  # noqa: S320 - our own file
            for number, paragraph in enumerate(root.iter(qn("w:p")), 1):
                texts = [t.text or "" for t in paragraph.iter(qn("w:t"))]
                joined = "".join(texts)
                tags = TAG.findall(joined)
                if len(OPENERS.findall(joined)) != len(tags):
                    problems.append(f"{path.name} {part} đoạn {number}: thẻ Jinja chưa đóng "
                                    f"trong {joined!r}")
                for tag in tags:
                    if not any(tag in text for text in texts):
                        problems.append(f"{path.name} {part} đoạn {number}: thẻ {tag!r} bị "
                                        "tách qua nhiều đoạn chữ (run)")
    return problems


def template_variables(name: str) -> set[str]:
    return set(DocxTemplate(template_path(name)).get_undeclared_template_variables())


def _cell_text(cell, text, *, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER):
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run(str(text))
    run.bold = bold
    run.font.name = fmt.FONT
    run.font.size = fmt.TABLE_SIZE
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), fmt.FONT)


def _marker(key: str) -> str:
    return f"[[thidua-table:{key}]]"


def _draw(document, paragraph, table: Table):
    """Replace the placeholder paragraph by a real Word table in the template's styles."""
    from docx.shared import Mm

    word = document.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    word.autofit = False
    for column, width in zip(word.columns, table.widths_mm, strict=True):
        column.width = Mm(width)
    for row_index, values in enumerate([table.headers, *table.rows]):
        row = word.rows[row_index]
        for col, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = Mm(table.widths_mm[col])
            bold = row_index == 0 or (row_index - 1) in table.bold_rows
            align = (WD_ALIGN_PARAGRAPH.LEFT if row_index and col in table.left_columns
                     else WD_ALIGN_PARAGRAPH.CENTER)
            _cell_text(cell, value, bold=bold, align=align)
    word.rows[0]._tr.get_or_add_trPr().append(_element("w:tblHeader"))  # repeats per page
    paragraph._p.addprevious(word._tbl)
    paragraph._p.getparent().remove(paragraph._p)


def _element(tag):
    from docx.oxml import OxmlElement

    return OxmlElement(tag)


# Software internals stay off formal papers (issue 15, item 6): the rule numbers of
# docs/RULES.md that pages and API errors cite ("(Quy tắc 28–33)", "— Quy tắc 4").
CITATION = re.compile(r"\s*\((?:theo )?Quy tắc [0-9][0-9,–\- ]*\)"
                      r"|\s*[—–-]\s*Quy tắc [0-9][0-9,–\- ]*(?=\))"
                      r"|;?\s*Quy tắc [0-9][0-9,–\- ]*(?=\))")


def formal_text(text: str) -> str:
    """`text` as a formal paper prints it: without the product's rule citations."""
    return CITATION.sub("", text)


def _formal(value):
    if isinstance(value, str):
        return formal_text(value)
    if isinstance(value, dict):
        return {key: _formal(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_formal(item) for item in value]
    if isinstance(value, Table):
        return Table(_formal(value.headers), _formal(value.rows), value.widths_mm,
                     value.bold_rows, value.left_columns)
    return value


def _subject_rule(document, subject: str):
    """Narrow the rule under the trích yếu (templates/build.subject_rule) to a share of the
    subject's longest line, centred."""
    from docx.shared import Pt

    section = document.sections[0]
    usable = section.page_width - section.left_margin - section.right_margin
    longest = max((fmt.text_width(line, fmt.SUBJECT_SIZE.pt) for line in subject.splitlines()),
                  default=0)
    numerator, denominator = fmt.SUBJECT_RULE_SHARE
    length = max(fmt.SUBJECT_RULE_MIN, min(longest, usable) * numerator // denominator)
    names = {style.name: style.style_id for style in document.styles}
    if fmt.SUBJECT_RULE_STYLE not in names:
        return
    wanted = names[fmt.SUBJECT_RULE_STYLE]
    # The paragraph's own style id, read from its XML: `paragraph.style` looks the
    # document's default style up for every unstyled paragraph — half the minutes'
    # rendering time (bench/documents.py, issue 15).
    for paragraph in document.paragraphs:
        if paragraph._p.style == wanted:
            side = max(0, int((usable - length) / 2))
            paragraph.paragraph_format.left_indent = side
            paragraph.paragraph_format.right_indent = side
            paragraph.paragraph_format.space_before = Pt(0)


def _images(template, value):
    """Every `Image` in the context (at any depth) as the template's InlineImage."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    if isinstance(value, Image):
        return InlineImage(template, io.BytesIO(value.data), width=Mm(value.width_mm))
    if isinstance(value, dict):
        return {key: _images(template, item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_images(template, item) for item in value]
    return value


def render(name: str, context: dict) -> bytes:
    """The filled DOCX of template `name` as bytes."""
    template = DocxTemplate(template_path(name))
    context = _formal(context)
    tables = {key: value for key, value in context.items() if isinstance(value, Table)}
    filled = {key: (_marker(key) if key in tables else _images(template, value))
              for key, value in context.items()}
    template.render(filled, autoescape=True)
    document = template.docx
    if tables:
        for paragraph in list(document.paragraphs):
            for key, table in tables.items():
                if paragraph.text.strip() == _marker(key):
                    _draw(document, paragraph, table)
    _subject_rule(document, str(context.get("subject", "")))
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
