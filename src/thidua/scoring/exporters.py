"""Excel workbooks of scoring (xlsxwriter): a criteria table, and a score-entry template
for one score sheet. `scoring.importers` reads both back; what is exported re-imports
unchanged.

Layout (the importer relies on it, so both modules share these constants):

- "Tiêu chí": name and total in B1, B2; the header in row HEADER_ROW; one criterion a row.
- "Phiếu chấm": the sheet's identity on the hidden "thidua" sheet; one leaf a row: what
  the scorer types (points, faults or a count, by method) in column D, the points as a
  locked formula in column E, the note in F. Sections sum their rows; the sheet is
  protected, only D and F of scorable rows are unlocked. Graded criteria get a dropdown.
"""

import io
from decimal import Decimal
from fractions import Fraction

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from thidua.core.workbook import HEADER_ROW
from thidua.law.award_forms import AwardForm
from thidua.scoring import services
from thidua.scoring.domain import methods
from thidua.scoring.models import CriteriaTable, Score, ScoreSheet

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TABLE_SHEET = "Tiêu chí"
TABLE_HEADERS = ("Mã", "Thuộc nhóm", "Tên tiêu chí", "Điểm chuẩn", "Phương pháp chấm",
                 "Là nhóm", "Yêu cầu minh chứng", "Các mức điểm", "Điểm mỗi lần", "Mức trần",
                 "Chỉ tiêu", "Khen thưởng năm trước")
TABLE_WIDTHS = (10, 12, 60, 12, 28, 9, 12, 16, 12, 10, 30, 30)
YES, NO = "Có", "Không"

SCORE_SHEET = "Phiếu chấm"
META_SHEET = "thidua"
SCORE_HEADERS = ("Mã", "Tên tiêu chí", "Điểm chuẩn", "Nhập", "Điểm", "Ghi chú", "Cách nhập")
SCORE_WIDTHS = (10, 60, 12, 10, 10, 40, 44)
# Column D by method: what the scorer types there.
ENTRY_KEY = {methods.GRADED: "points", methods.FREE: "points", methods.DEDUCTION: "items",
             methods.COUNT: "count", methods.BONUS: "count", methods.PENALTY: "count",
             methods.IMPORTED: "points", methods.TARGET_FORMULA: "points"}
GRADES_SEPARATOR = "; "


def number(value) -> int | str:
    """A parameter as stored and written: an int when whole, else its decimal text."""
    fraction = methods.as_fraction(str(value))
    if fraction.denominator == 1:
        return int(fraction)
    return format(Decimal(fraction.numerator) / Decimal(fraction.denominator), "f")


def _cell_number(value):
    """A number for a cell (xlsxwriter writes floats; a hundredth is exact enough to read
    back through its shortest repr, which the importer does)."""
    fraction = Fraction(Decimal(str(value)))
    return int(fraction) if fraction.denominator == 1 else float(Decimal(str(value)))


def _formats(book):
    return {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "head": book.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1,
                                 "text_wrap": True, "valign": "top"}),
        "cell": book.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
        "section": book.add_format({"border": 1, "bold": True, "bg_color": "#F2F2F2",
                                    "text_wrap": True, "valign": "top"}),
        "input": book.add_format({"border": 1, "locked": False, "bg_color": "#FFF8DC",
                                  "valign": "top"}),
        "input_text": book.add_format({"border": 1, "locked": False, "bg_color": "#FFF8DC",
                                       "text_wrap": True, "valign": "top"}),
        "formula": book.add_format({"border": 1, "num_format": "0.00", "valign": "top"}),
        "formula_bold": book.add_format({"border": 1, "num_format": "0.00", "bold": True,
                                         "bg_color": "#F2F2F2", "valign": "top"}),
        "points": book.add_format({"border": 1, "num_format": "0.00", "valign": "top"}),
    }


def _ordered(table: CriteriaTable):
    return list(table.criteria.select_related("parent").order_by("position", "id"))


# --- the criteria table ---------------------------------------------------------------

def export_table(table: CriteriaTable) -> bytes:
    """The criteria table as an .xlsx: editable, with dropdowns for the method and the
    yes/no columns; re-importing it unchanged changes nothing."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    fmt = _formats(book)
    sheet = book.add_worksheet(TABLE_SHEET)
    for col, width in enumerate(TABLE_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.write(0, 0, "Tên bảng", fmt["title"])
    sheet.write_string(0, 1, table.name)
    sheet.write(1, 0, "Tổng điểm", fmt["title"])
    sheet.write_number(1, 1, _cell_number(table.total))
    bloc_year = table.bloc_year
    sheet.write(2, 0, "Khối")
    sheet.write_string(2, 1, f"{bloc_year.bloc.name} — năm {bloc_year.year}, phiên bản "
                             f"{table.version}")
    for col, title in enumerate(TABLE_HEADERS):
        sheet.write(HEADER_ROW, col, title, fmt["head"])
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    rows = _ordered(table)
    for offset, c in enumerate(rows):
        row = HEADER_ROW + 1 + offset
        style = fmt["section"] if c.is_section else fmt["cell"]
        params = c.params or {}
        sheet.write_string(row, 0, c.code, style)
        sheet.write_string(row, 1, c.parent.code if c.parent else "", style)
        sheet.write_string(row, 2, c.title, style)
        sheet.write_number(row, 3, _cell_number(c.max_points), fmt["points"])
        sheet.write_string(row, 4, methods.METHOD_LABELS.get(c.scoring_method, "")
                           if not c.is_section else "", style)
        sheet.write_string(row, 5, YES if c.is_section else NO, style)
        sheet.write_string(row, 6, YES if c.evidence_required else NO, style)
        grades = params.get("grades")
        sheet.write_string(row, 7, GRADES_SEPARATOR.join(str(number(g)) for g in grades)
                           if grades else "", style)
        for col, key in ((8, "per_item"), (9, "cap")):
            if params.get(key) is not None:
                sheet.write_number(row, col, _cell_number(number(params[key])), fmt["points"])
            else:
                sheet.write_blank(row, col, None, style)
        sheet.write_string(row, 10, str(params.get("indicator") or ""), style)
        sheet.write_string(row, 11, award_forms_text(params.get(methods.AWARD_FORMS)), style)
    last = HEADER_ROW + max(len(rows), 1) + 200  # room to add rows in Excel
    sheet.data_validation(HEADER_ROW + 1, 4, last, 4, {
        "validate": "list", "source": list(methods.METHOD_LABELS.values()),
        "error_message": "Chọn một phương pháp chấm trong danh sách."})
    for col in (5, 6):
        sheet.data_validation(HEADER_ROW + 1, col, last, col, {
            "validate": "list", "source": [YES, NO]})
    sheet.data_validation(HEADER_ROW + 1, 3, last, 3, {
        "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 9999.99,
        "error_message": "Điểm chuẩn là số từ 0 đến 9.999,99."})
    book.close()
    return out.getvalue()


def award_forms_text(forms) -> str:
    """RULES.md 11's award forms of a bonus criterion, by their Vietnamese names."""
    return GRADES_SEPARATOR.join(AwardForm(f).label if f in AwardForm.values else str(f)
                                 for f in forms or [])


# --- the score-entry template -----------------------------------------------------------

def _how(criterion) -> str:
    method, params = criterion.scoring_method, criterion.params or {}
    if method == methods.GRADED:
        return "Chọn một mức: " + GRADES_SEPARATOR.join(
            str(number(g)) for g in params.get("grades", []))
    if method == methods.FREE:
        return f"Điểm từ 0 đến {number(criterion.max_points)}"
    if method == methods.DEDUCTION:
        return f"Số lỗi (trừ {number(params.get('per_item', 1))} điểm mỗi lỗi)"
    if method in (methods.COUNT, methods.BONUS, methods.PENALTY):
        return f"Số lượng ({number(params.get('per_item', 1))} điểm mỗi lần)"
    return "Tính tự động, không nhập"


def _formula(criterion, entry_cell: str) -> str:
    method, params = criterion.scoring_method, criterion.params or {}
    top = number(criterion.max_points)
    if method in (methods.GRADED, methods.FREE):
        return f'=IF({entry_cell}="","",{entry_cell})'
    per = number(params.get("per_item", 1))
    if method == methods.DEDUCTION:
        return f'=IF({entry_cell}="","",MAX(0,{top}-{entry_cell}*{per}))'
    cap = min(Fraction(str(number(params["cap"]))), Fraction(str(top))) \
        if params.get("cap") is not None else Fraction(str(top))
    return f'=IF({entry_cell}="","",MIN({entry_cell}*{per},{number(cap)}))'


def sheet_filename(sheet: ScoreSheet) -> str:
    return f"phieu-cham-{sheet.kind}-{sheet.scored_unit.code}-{sheet.id}.xlsx"


def table_filename(table: CriteriaTable) -> str:
    return f"bang-tieu-chi-{table.bloc_year_id}-v{table.version}.xlsx"


def export_sheet(sheet: ScoreSheet) -> bytes:
    """A score sheet as a template to fill offline: current entries filled in, the points
    and section sums as locked formulas, the sheet protected."""
    table = sheet.table
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    fmt = _formats(book)
    ws = book.add_worksheet(SCORE_SHEET)
    for col, width in enumerate(SCORE_WIDTHS):
        ws.set_column(col, col, width)
    who = f" — do {sheet.scorer_unit.name} chấm" if sheet.kind == ScoreSheet.Kind.PEER else ""
    ws.write(0, 0, f"{sheet.get_kind_display()}: {sheet.scored_unit.name}{who}", fmt["title"])
    ws.write(1, 0, f"{table.name} (phiên bản {table.version}), tổng {number(table.total)} "
                   "điểm. Chỉ nhập ở các ô nền vàng.")
    for col, title in enumerate(SCORE_HEADERS):
        ws.write(HEADER_ROW, col, title, fmt["head"])
    ws.freeze_panes(HEADER_ROW + 1, 2)
    rows = _ordered(table)
    scores = {s.criterion_id: s for s in Score.objects.filter(sheet=sheet)}
    row_of = {c.id: HEADER_ROW + 1 + i for i, c in enumerate(rows)}
    children: dict[int, list] = {}
    for c in rows:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    lines = _SheetLines(ws, fmt, sheet, _by_hand(sheet, rows))
    for c in rows:
        if c.is_section:
            cells = ",".join(xl_rowcol_to_cell(row_of[k.id], 4) for k in children.get(c.id, []))
            lines.section(row_of[c.id], c, cells)
        else:
            lines.leaf(row_of[c.id], c, scores.get(c.id))
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True,
                    "format_columns": True})
    _write_meta(book, sheet)
    book.close()
    return out.getvalue()


def _by_hand(sheet: ScoreSheet, rows) -> set:
    """Computed criteria whose data is missing and which the scorer may enter instead."""
    if sheet.kind == ScoreSheet.Kind.APPRAISAL:
        return set()
    method = {c.code: c.scoring_method for c in rows}
    return {code for code in services.missing_data(sheet)
            if services.may_enter_by_hand(sheet.kind, method[code])}


class _SheetLines:
    """Writes the score sheet's lines: a section's sum, a leaf's entry cell, its points
    formula, note and the "how to enter" hint, with the entry cell's validation."""

    def __init__(self, ws, fmt, sheet: ScoreSheet, by_hand: set):
        self.ws, self.fmt, self.by_hand = ws, fmt, by_hand
        self.appraisal = sheet.kind == ScoreSheet.Kind.APPRAISAL

    def _start(self, row: int, c, style):
        self.ws.write_string(row, 0, c.code, style)
        self.ws.write_string(row, 1, c.title, style)
        self.ws.write_number(row, 2, _cell_number(c.max_points), self.fmt["points"])

    def section(self, row: int, c, cells: str):
        style = self.fmt["section"]
        self._start(row, c, style)
        self.ws.write_blank(row, 3, None, style)
        self.ws.write_formula(row, 4, f"=SUM({cells})" if cells else "=0",
                              self.fmt["formula_bold"])
        self.ws.write_blank(row, 5, None, style)
        self.ws.write_blank(row, 6, None, style)

    def leaf(self, row: int, c, score):
        ws, fmt = self.ws, self.fmt
        self._start(row, c, fmt["cell"])
        key = ENTRY_KEY.get(c.scoring_method, "points")
        by_hand = c.code in self.by_hand
        typed = not methods.is_computed(c.scoring_method, c.params) or self.appraisal or by_hand
        source = by_hand and c.scoring_method == methods.IMPORTED
        entry = _entry(score, key)
        entry_style = fmt["input"] if typed else fmt["cell"]
        if entry in (None, ""):
            ws.write_blank(row, 3, None, entry_style)
        else:
            ws.write_number(row, 3, _cell_number(entry), entry_style)
        points = _cell_number(score.points) if score is not None else ""
        ws.write_formula(row, 4, _formula(c, xl_rowcol_to_cell(row, 3)), fmt["formula"], points)
        if source:  # the note column holds the source of a figure entered by hand
            note = (score.raw or {}).get(services.SOURCE, "") if score else ""
        else:
            note = score.note if score else ""
        # Notes are typed on every row (a computed criterion asking for evidence needs one).
        ws.write_string(row, 5, note, fmt["input_text"])
        if source:
            how = (f"Chưa có số liệu khối nhập: nhập số liệu (0 đến {number(c.max_points)}), "
                   "ghi nguồn ở cột Ghi chú")
        elif by_hand:
            how = (f"Đơn vị chưa báo cáo kết quả: chấm theo căn cứ của đơn vị mình, 0 đến "
                   f"{number(c.max_points)}")
        else:
            how = _how(c) if typed else "Tính tự động, không nhập"
        ws.write_string(row, 6, how, fmt["cell"])
        if typed:
            ws.data_validation(row, 3, row, 3, _validation(c, key))


def _entry(score, key: str):
    """What the entry cell shows: the raw figure typed (count, grade…) or the points."""
    if score is None:
        return None
    entry = (score.raw or {}).get(key) if key != "points" else score.points
    if entry in (None, "") and key == "points":
        entry = score.points
    return entry


def _validation(c, key: str) -> dict:
    if c.scoring_method == methods.GRADED:
        return {"validate": "list",
                "source": [str(number(g)) for g in (c.params or {}).get("grades", [])],
                "error_message": "Chọn một mức điểm trong danh sách."}
    if key == "points":
        return {"validate": "decimal", "criteria": "between", "minimum": 0,
                "maximum": _cell_number(c.max_points),
                "error_message": f"Điểm từ 0 đến {number(c.max_points)}."}
    return {"validate": "integer", "criteria": ">=", "value": 0,
            "error_message": "Nhập số nguyên không âm."}


def _write_meta(book, sheet: ScoreSheet):
    """The hidden sheet the importer reads back to know which sheet a file fills."""
    meta = book.add_worksheet(META_SHEET)
    for i, (key, value) in enumerate((("sheet_id", sheet.id), ("table_id", sheet.table.id),
                                      ("table_version", sheet.table.version),
                                      ("kind", sheet.kind),
                                      ("scored_unit", sheet.scored_unit.code))):
        meta.write_string(i, 0, key)
        meta.write_string(i, 1, str(value))
    meta.hide()
    meta.protect()
