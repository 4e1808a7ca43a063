"""The statistics forms on thi đua, khen thưởng (RULES.md 42) — 0601.N–0605.N of Thông tư
02/2023/TT-BNV for a province's reporting year — as Excel.

The layout is data (statistics_forms.yaml, by reporting period; its header says what it
was checked against and which lines are unverified): this module only reads the facts of
the year, counts them into the cells the data describes and writes the sheet.

FACTS. thidua has no register of emulation movements: each bloc year is taken as one
movement organised by a cụm/khối (scope `bloc`, launched by the bloc's units — launcher
`unit` —, one year, method "thường xuyên hằng năm"). The awards are the decided ones of the
year (awards.Award: those of the province's decisions and those recorded as history),
every one a collective's, submitted by the province, method "thường xuyên" (the year-end
awards of the blocs). What thidua keeps no record of (huân chương, individuals'
titles, the emulation staff of 0604.N/0605.N) is marked `tracked: false` in the data and
left blank for the officer to fill in; the sheet says so under the table.

One function per figure: `figures` gives a form's body; the province's page and the
Excel file both show it. One function for the year's note (`note_for`, a newer circular
not checked against the forms): the page, the API and a line of each sheet above the
table show it.
"""

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import xlsxwriter
import yaml

from thidua.awards.models import Award
from thidua.core.errors import DomainError, NotFound
from thidua.org.models import BlocYear, EmulationYear
from thidua.org.rules import Actor, can_read_province

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_FILE = Path(__file__).with_name("statistics_forms.yaml")
UNTRACKED_NOTE = ("Ô để trống: thidua không ghi nhận số liệu này (chỉ ghi phong trào của các "
                  "khối, cụm và khen thưởng đã quyết định của năm); đơn vị báo cáo tự điền "
                  "trước khi ký.")


class NoStatisticsPeriod(DomainError):
    """A reporting year no statistics period of the data covers: 422, naming the periods
    that exist (the year itself exists)."""

    status = 422


@dataclass(frozen=True)
class Column:
    head: tuple[str, ...]
    code: str
    where: dict | None  # None: not tracked, blank cells


@dataclass(frozen=True)
class Row:
    label: str
    code: str | None  # None: a heading line, no figures
    unit: str
    where: dict | None
    bold: bool


@dataclass(frozen=True)
class FormSpec:
    key: str
    number: str
    title: str
    unit: str | None
    unit_column: bool
    facts: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @property
    def short_number(self) -> str:
        """"0601.N" (the number without the issuing ministry's suffix)."""
        return self.number.split("/")[0]


@dataclass(frozen=True)
class Period:
    circular: str
    from_year: int
    until_year: int | None
    receiving_unit: str
    receive_date: str
    forms: dict[str, FormSpec]
    check_from_year: int | None = None
    check_note: str = ""

    def covers(self, year: int) -> bool:
        return self.from_year <= year and (self.until_year is None or year <= self.until_year)

    def note_for(self, year: int) -> str:
        """What the officer must check before sending a year's forms (a newer circular whose
        forms thidua has not verified), or ""."""
        if self.check_from_year is not None and year >= self.check_from_year:
            return self.check_note
        return ""

    @property
    def label(self) -> str:
        end = f"đến năm {self.until_year}" if self.until_year else "trở đi"
        return f"từ năm {self.from_year} {end} ({self.circular})"


def _where(item: dict) -> dict | None:
    if item.get("tracked", True) is False:
        return None
    return {key: tuple(values) for key, values in item.get("where", {}).items()}


def _form(key: str, data: dict) -> FormSpec:
    columns = tuple(Column(tuple(c["head"]), str(c["code"]), _where(c)) for c in data["columns"])
    rows = tuple(Row(r["label"], r.get("code"), r.get("unit") or "",
                     None if r.get("code") is None else _where(r), bool(r.get("bold")))
                 for r in data["rows"])
    return FormSpec(key, data["number"], data["title"], data.get("unit"),
                    bool(data["unit_column"]), data["facts"], columns, rows)


@cache
def periods() -> tuple[Period, ...]:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(Period(p["circular"], p["from_year"], p.get("until_year"), p["receiving_unit"],
                        p["receive_date"], {k: _form(k, f) for k, f in p["forms"].items()},
                        p.get("check_from_year"), " ".join(p.get("check_note", "").split()))
                 for p in data["periods"])


def note_for(year: int) -> str:
    """The period's note on a year's forms (Period.note_for); "" when none or no period."""
    try:
        return period_for(year).note_for(year)
    except NoStatisticsPeriod:
        return ""


def period_for(year: int) -> Period:
    """The statistics period of a reporting year, or a 422 naming those that exist."""
    for period in periods():
        if period.covers(year):
            return period
    raise NoStatisticsPeriod(
        f"Năm {year} chưa có biểu thống kê thi đua, khen thưởng trong thidua (các năm trước "
        "2023 báo cáo theo Thông tư 03/2018/TT-BNV, thidua không lập). Biểu thống kê có: "
        + "; ".join(p.label for p in periods()) + ".")


def forms_for(year: int) -> list[FormSpec]:
    """The forms of the year's period, in their order; none for a year no period covers."""
    try:
        return list(period_for(year).forms.values())
    except NoStatisticsPeriod:
        return []


# --- the facts of the year --------------------------------------------------------------------

def movements(emulation_year: EmulationYear) -> list[dict]:
    """Each bloc year of the year is one movement of a cụm/khối (see the module doc)."""
    return [{"scope": "bloc", "launcher": "unit", "duration": "one_year", "method": "annual"}
            for _ in BlocYear.objects.filter(emulation_year=emulation_year).values_list("id")]


def awards(emulation_year: EmulationYear) -> list[dict]:
    """Each decided award of the year (decisions and history alike), as the forms tag it."""
    return [{"form": form, "subject": "collective", "submitter": "province", "method": "regular"}
            for form in Award.objects.filter(emulation_year=emulation_year)
            .values_list("award_form", flat=True)]


FACTS = {"movements": movements, "awards": awards, "none": lambda emulation_year: []}


def _matches(fact: dict, where: dict) -> bool:
    return all(fact.get(key) in values for key, values in where.items())


def count_cells(facts: list[dict], spec: FormSpec) -> list[list[int | None]]:
    """The form's body: per row, per column, the facts meeting both filters; None where the
    row is a heading or the row or column is not tracked."""
    body = []
    for row in spec.rows:
        if row.where is None:
            body.append([None] * len(spec.columns))
            continue
        chosen = [f for f in facts if _matches(f, row.where)]
        body.append([None if c.where is None else sum(1 for f in chosen if _matches(f, c.where))
                     for c in spec.columns])
    return body


def figures(spec: FormSpec, emulation_year: EmulationYear) -> list[list[int | None]]:
    """The one function for the form's figures (the page and the workbook show them)."""
    return count_cells(FACTS[spec.facts](emulation_year), spec)


def find_year(actor: Actor, province, year: int) -> EmulationYear:
    """The province's emulation year, for who reads the province: its secretariat, the
    administrator, and a former province's successor (org.rules.can_read_province)."""
    if not can_read_province(actor, province.id):
        raise NotFound("Không tìm thấy tỉnh, thành phố.")
    emulation_year = EmulationYear.objects.select_related("province").filter(
        province=province, year=year).first()
    if emulation_year is None:
        raise NotFound(f"{province.kind_word.capitalize()} chưa có năm thi đua này.")
    return emulation_year


def form_spec(form: str, year: int) -> FormSpec:
    spec = period_for(year).forms.get(form)
    if spec is None:
        raise NotFound("Không có biểu thống kê này.")
    return spec


# --- the workbook -----------------------------------------------------------------------------

class _Styles:
    def __init__(self, book):
        base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter",
                "text_wrap": True}
        grid = {**base, "border": 1}
        add = book.add_format
        self.bold = add({**base, "bold": True})
        self.plain = add(base)
        self.italic = add({**base, "italic": True})
        self.centre = add({**base, "align": "center"})
        self.centre_bold = add({**base, "align": "center", "bold": True})
        self.centre_italic = add({**base, "align": "center", "italic": True})
        self.title = add({**base, "bold": True, "font_size": 14, "align": "center"})
        self.right_italic = add({**base, "italic": True, "align": "right"})
        self.note = add({**base, "italic": True, "bold": True})
        self.head = add({**grid, "bold": True, "align": "center"})
        self.code = add({**grid, "bold": True, "align": "center"})
        self.cell = add({**grid, "align": "center"})
        self.cell_bold = add({**grid, "align": "center", "bold": True})
        self.label = add(grid)
        self.label_bold = add({**grid, "bold": True})


def _lead_columns(spec: FormSpec) -> list[tuple[str, str]]:
    """The columns before the figures: (header, code) — A the row's name, B its code, C its
    unit where the form has one."""
    lead = [("", "A"), ("Mã số", "B")]
    return lead + [("Đơn vị tính", "C")] if spec.unit_column else lead


def _runs(values: list) -> list[tuple[int, int, object]]:
    """(first, last, value) for each run of equal neighbours."""
    runs = []
    for index, value in enumerate(values):
        if runs and runs[-1][2] == value:
            runs[-1] = (runs[-1][0], index, value)
        else:
            runs.append((index, index, value))
    return runs


def _span(sheet, first_row, first_col, last_row, last_col, text, style):
    if (first_row, first_col) == (last_row, last_col):
        sheet.write(first_row, first_col, text, style)
    else:
        sheet.merge_range(first_row, first_col, last_row, last_col, text, style)


def _write_header(sheet, top: int, spec: FormSpec, styles: _Styles) -> int:
    """The header rows (levels merged across equal neighbours and down where a column has
    fewer levels) and the row of column codes; returns the first body row."""
    depth = max(len(c.head) for c in spec.columns)
    lead = _lead_columns(spec)
    for col, (text, _) in enumerate(lead):
        _span(sheet, top, col, top + depth - 1, col, text, styles.head)
    offset = len(lead)
    for level in range(depth):
        keys = [c.head[:level + 1] if len(c.head) > level else None for c in spec.columns]
        for first, last, key in _runs(keys):
            if key is None:
                continue
            bottom = top + depth - 1 if len(spec.columns[first].head) == level + 1 else top + level
            _span(sheet, top + level, offset + first, bottom, offset + last, key[-1], styles.head)
    codes_row = top + depth
    for col, (_, code) in enumerate(lead):
        sheet.write(codes_row, col, code, styles.code)
    for first, last, code in _runs([c.code for c in spec.columns]):
        _span(sheet, codes_row, offset + first, codes_row, offset + last, code, styles.code)
    return codes_row + 1


def _write_body(sheet, start: int, spec: FormSpec, body, styles: _Styles) -> int:
    """One line per row of the form; returns the row after the table."""
    lead = len(_lead_columns(spec))
    for index, (row, counts) in enumerate(zip(spec.rows, body, strict=True)):
        line = start + index
        sheet.write(line, 0, row.label, styles.label_bold if row.bold else styles.label)
        sheet.write(line, 1, row.code or "", styles.cell)
        if spec.unit_column:
            sheet.write(line, 2, row.unit, styles.cell)
        for col, value in enumerate(counts, lead):
            if value is None:
                sheet.write_blank(line, col, None, styles.cell)
            else:
                sheet.write_number(line, col, value, styles.cell_bold if row.bold
                                   else styles.cell)
    return start + len(spec.rows)


def _write_top(sheet, spec: FormSpec, period: Period, emulation_year, last: int, styles):
    """The title block: form number and circular (left), reporting and receiving units
    (right), the receipt date, the title, the reporting year and the unit of count."""
    province = emulation_year.province
    split = max(2, last // 2)
    sheet.merge_range(0, 0, 0, split - 1, f"Biểu số: {spec.number}", styles.bold)
    sheet.merge_range(1, 0, 1, split - 1, f"Ban hành theo {period.circular}", styles.plain)
    sheet.merge_range(2, 0, 2, split - 1, f"Ngày nhận báo cáo: {period.receive_date}",
                      styles.italic)
    sheet.merge_range(0, split, 0, last, f"Đơn vị báo cáo: Ủy ban nhân dân "
                      f"{province.full_name}", styles.centre_bold)
    sheet.merge_range(1, split, 1, last, f"Đơn vị nhận báo cáo: {period.receiving_unit}",
                      styles.centre)
    sheet.merge_range(4, 0, 4, last, spec.title, styles.title)
    sheet.merge_range(5, 0, 5, last, f"Năm {emulation_year.year}", styles.centre_italic)
    if spec.unit:
        sheet.merge_range(6, 0, 6, last, f"Đơn vị tính: {spec.unit}", styles.right_italic)


NOTE_ROW = 7  # the free line between the title block and the header


def _write_note(sheet, note: str, last: int, width: float, styles):
    """The year's note (`note_for`), when there is one, on the line above the table: tall
    enough for its text at the sheet's width (`width`: the columns' width in characters)."""
    if not note:
        return
    text = f"Lưu ý: {note}"
    sheet.merge_range(NOTE_ROW, 0, NOTE_ROW, last, text, styles.note)
    sheet.set_row(NOTE_ROW, 16 * (len(text) // max(1, int(width * 0.9)) + 1) + 4)


def _write_foot(sheet, row: int, spec: FormSpec, last: int, styles):
    """The note on blank cells (if any) and the two signatures."""
    untracked = any(c.where is None for c in spec.columns) or any(
        r.code is not None and r.where is None for r in spec.rows)
    if untracked:
        sheet.merge_range(row, 0, row, last, UNTRACKED_NOTE, styles.italic)
        sheet.set_row(row, 32)
    row += 2
    split = max(2, last // 2)
    sheet.merge_range(row, split, row, last, "…………, ngày … tháng … năm …", styles.centre_italic)
    for offset, (left, right) in enumerate((("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ"),
                                            ("(Ký, họ tên)", "(Ký, họ tên, đóng dấu)")), 1):
        style = styles.centre_bold if offset == 1 else styles.centre_italic
        sheet.merge_range(row + offset, 0, row + offset, split - 1, left, style)
        sheet.merge_range(row + offset, split, row + offset, last, right, style)


def workbook(form: str, emulation_year: EmulationYear) -> bytes:
    """One form as an .xlsx (A4 landscape): the title block, the year's note (if any), the
    header rows, the row of column codes, one line per row of the form with its figures,
    the note on blank cells and the signatures."""
    period = period_for(emulation_year.year)
    spec = form_spec(form, emulation_year.year)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    styles = _Styles(book)
    sheet = book.add_worksheet(f"Biểu {spec.short_number}")
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    lead = len(_lead_columns(spec))
    last = lead + len(spec.columns) - 1
    figure_width = 12 if len(spec.columns) > 6 else 16
    sheet.set_column(0, 0, 46)
    sheet.set_column(1, lead - 1, 9)
    sheet.set_column(lead, last, figure_width)
    _write_top(sheet, spec, period, emulation_year, last, styles)
    _write_note(sheet, note_for(emulation_year.year), last,
                46 + 9 * (lead - 1) + figure_width * len(spec.columns), styles)
    start = _write_header(sheet, 8, spec, styles)
    end = _write_body(sheet, start, spec, figures(spec, emulation_year), styles)
    _write_foot(sheet, end + 1, spec, last, styles)
    book.close()
    return out.getvalue()


def filename(form: str, emulation_year: EmulationYear) -> str:
    return f"bieu-{form}-N-{emulation_year.year}-{emulation_year.province.code}.xlsx"


def statistics_form(actor: Actor, province, year: int, form: str) -> tuple[str, bytes]:
    """(file name, .xlsx) of a form of the year's period for the province's year."""
    emulation_year = find_year(actor, province, year)
    form_spec(form, year)
    return filename(form, emulation_year), workbook(form, emulation_year)


@dataclass(frozen=True)
class FormSummary:
    spec: FormSpec
    total: int | None  # the "Tổng số" cell (None: nothing thidua records)


def summaries(emulation_year: EmulationYear) -> list[FormSummary]:
    """The year's forms with their total (row 01, column 1), as the page lists them."""
    return [FormSummary(spec, figures(spec, emulation_year)[0][0])
            for spec in forms_for(emulation_year.year)]
