"""Excel workbooks read back (python-calamine): a criteria table, a filled score sheet.

An import is all-or-nothing: the whole workbook is read and checked first, every problem
listed as "Trang 'Tiêu chí', dòng 7, cột D: …", and only a clean workbook goes through the
services (one transaction, the same rules and audit as typing it in). A workbook equal to
what is stored changes nothing. The file itself is read by core.workbook (size, content
type, no bomb).
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.core.text import nfc
from thidua.core.workbook import (
    WorkbookError,
    read_workbook,
    where,
)
from thidua.core.workbook import cell as _cell
from thidua.core.workbook import check_headers as _check_headers
from thidua.core.workbook import empty as _empty
from thidua.core.workbook import text as _text
from thidua.law.award_forms import AwardForm
from thidua.org.models import BlocYear
from thidua.org.rules import Actor
from thidua.scoring import rules, services
from thidua.scoring.domain import methods
from thidua.scoring.exporters import (
    ENTRY_KEY,
    HEADER_ROW,
    META_SHEET,
    NO,
    SCORE_HEADERS,
    SCORE_SHEET,
    TABLE_HEADERS,
    TABLE_SHEET,
    YES,
    number,
)
from thidua.scoring.models import CriteriaTable, Score, ScoreSheet

METHOD_BY_LABEL = {nfc(label).casefold(): key for key, label in methods.METHOD_LABELS.items()}


def _sheet(sheets: dict, title: str) -> list[list]:
    if title not in sheets:
        found = ", ".join(f"'{n}'" for n in sheets if n != META_SHEET) or "không có"
        raise WorkbookError(f"Không tìm thấy trang '{title}' trong tệp (các trang có: "
                            f"{found}). Hãy dùng mẫu tải từ thidua.")
    return sheets[title]


_NUMBER = re.compile(r"^-?[0-9]+([.,][0-9]+)?$")


def _decimal(value) -> Decimal | None:
    """A cell as an exact decimal, or None if it is not a number. Excel keeps numbers as
    binary floats; their shortest repr is what was typed (12.5, 0.25)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            return Decimal(repr(value))
        except InvalidOperation:
            return None
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        return Decimal(value.strip().replace(",", "."))
    return None


def _show(value: Decimal) -> str:
    return str(number(value))


# --- the criteria table -----------------------------------------------------------------

@dataclass
class ParsedTable:
    name: str
    total: Decimal
    criteria: list  # services.CriterionInput
    rows: dict  # code → row index (for messages)


def _yes_no(value, at: str, errors: list) -> bool:
    text = _text(value).casefold()
    if text in ("", NO.casefold()):
        return False
    if text == YES.casefold():
        return True
    errors.append(f"{at}: chỉ ghi “{YES}” hoặc “{NO}”, đã ghi “{_text(value)}”.")
    return False


def _points_cell(value, at: str, errors: list, what: str) -> Decimal | None:
    amount = _decimal(value)
    if amount is None:
        errors.append(f"{at}: {what} “{_text(value)}” không phải là số.")
        return None
    if amount < 0:
        errors.append(f"{at}: {what} {_show(amount)} không được âm.")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors.append(f"{at}: {what} {_show(amount)} chỉ được có tối đa 2 chữ số thập phân.")
        return None
    return amount


def parse_table(sheets: dict) -> ParsedTable:
    rows = _sheet(sheets, TABLE_SHEET)
    title, errors = TABLE_SHEET, []
    name = _text(_cell(rows, 0, 1))
    if not name:
        errors.append(f"{where(title, 0, 1)}: chưa ghi tên bảng tiêu chí.")
    total = _points_cell(_cell(rows, 1, 1), where(title, 1, 1), errors, "tổng điểm")
    # A template exported before the last column existed has it empty: read as blank.
    headers = TABLE_HEADERS if _text(_cell(rows, HEADER_ROW, len(TABLE_HEADERS) - 1)) \
        else TABLE_HEADERS[:-1]
    if not _check_headers(rows, title, headers, errors):
        raise WorkbookError(*errors)
    criteria, seen = [], {}
    for row in range(HEADER_ROW + 1, len(rows)):
        cells = [_cell(rows, row, c) for c in range(len(TABLE_HEADERS))]
        if all(_empty(v) for v in cells):
            continue
        at = lambda col, row=row: where(title, row, col)  # noqa: E731
        code = _text(cells[0])
        if not code:
            errors.append(f"{at(0)}: chưa ghi mã tiêu chí.")
            continue
        if code in seen:
            errors.append(f"{at(0)}: mã {code} trùng với dòng {seen[code] + 1}.")
            continue
        seen[code] = row
        item_title = _text(cells[2])
        if not item_title:
            errors.append(f"{at(2)}: chưa ghi tên tiêu chí {code}.")
        max_points = _points_cell(cells[3], at(3), errors, "điểm chuẩn")
        is_section = _yes_no(cells[5], at(5), errors)
        evidence = _yes_no(cells[6], at(6), errors)
        method = ""
        if not is_section:
            label = _text(cells[4])
            method = METHOD_BY_LABEL.get(label.casefold(), label if label in methods.METHODS
                                         else None)
            if method is None or not label:
                errors.append(f"{at(4)}: phương pháp chấm “{label}” không có trong danh sách ("
                              + ", ".join(methods.METHOD_LABELS.values()) + ")."
                              if label else f"{at(4)}: chưa chọn phương pháp chấm.")
                method = ""
        params = {}
        grades = _text(cells[7])
        if grades:
            steps = []
            for part in re.split(r"\s*;\s*", grades.strip().strip(";")):
                step = _decimal(part)
                if step is None:
                    errors.append(f"{at(7)}: mức điểm “{part}” không phải là số (các mức "
                                  "cách nhau bằng dấu “;”).")
                    break
                steps.append(number(step))
            else:
                params["grades"] = steps
        for col, key in ((8, "per_item"), (9, "cap")):
            if not _empty(cells[col]):
                amount = _points_cell(cells[col], at(col), errors, TABLE_HEADERS[col].lower())
                if amount is not None:
                    params[key] = number(amount)
        if _text(cells[10]):
            params["indicator"] = _text(cells[10])
        if _text(cells[11]):
            params[methods.AWARD_FORMS] = _award_forms(_text(cells[11]), at(11), errors)
        criteria.append(services.CriterionInput(
            code=code, title=item_title, max_points=max_points or Decimal(0), method=method,
            parent=_text(cells[1]) or None, params=params, evidence_required=evidence,
            is_section=is_section))
    if not criteria and not errors:
        errors.append(f"{where(title, HEADER_ROW + 1)}: bảng chưa có tiêu chí nào.")
    if errors:
        raise WorkbookError(*errors)
    return ParsedTable(name, total, criteria, seen)


def _award_forms(text: str, at: str, errors: list) -> list:
    """“Cờ thi đua của Chính phủ; …” (names or values) → award form values (RULES.md 11);
    an unknown name is refused with its cell."""
    by_name = {f.label.casefold(): f.value for f in AwardForm}
    forms = []
    for part in re.split(r"\s*;\s*", text.strip().strip(";")):
        form = by_name.get(part.casefold(), part if part in AwardForm.values else None)
        if form is None:
            errors.append(f"{at}: hình thức khen thưởng “{part}” không có trong danh sách ("
                          + ", ".join(AwardForm.labels) + ").")
            continue
        if form not in forms:
            forms.append(form)
    return forms


def _canonical_params(params: dict) -> dict:
    out = {}
    for key, value in (params or {}).items():
        if key == "grades":
            out[key] = tuple(methods.as_fraction(str(g)) for g in value)
        elif key in ("per_item", "cap"):
            out[key] = methods.as_fraction(str(value))
        else:
            out[key] = value
    return out


def _key(item) -> tuple:
    return (nfc(item.code), nfc(item.parent) if item.parent else None, nfc(item.title),
            Fraction(Decimal(item.max_points)), "" if item.is_section else item.method,
            _canonical_params(item.params), bool(item.evidence_required and not item.is_section),
            item.is_section)


def same_table(table: CriteriaTable, parsed: ParsedTable) -> bool:
    return (table.name == parsed.name and Decimal(table.total) == parsed.total
            and [_key(c) for c in services.criteria_inputs(table)]
            == [_key(c) for c in parsed.criteria])


def _located(exc: DomainError, parsed: ParsedTable) -> DomainError:
    """The service's sentences name criteria ("Tiêu chí I.1 “…”: …"): add the row."""
    def locate(message):
        for code, row in sorted(parsed.rows.items(), key=lambda item: -len(item[0])):
            if f"{code} “" in message or f" {code} " in f" {message} ":
                return f"{where(TABLE_SHEET, row)}: {message}"
        return f"Trang '{TABLE_SHEET}': {message}"
    located = type(exc)(*[locate(m) for m in exc.messages])
    return located


@dataclass(frozen=True)
class TableResult:
    table: CriteriaTable
    action: str  # "created", "replaced", "new_version", "unchanged"


def import_table(actor: Actor, bloc_year: BlocYear, name: str, content: bytes, *,
                 reason: str = "") -> TableResult:
    """The bloc year's criteria table from a workbook: the first table, a replacement of
    the unlocked one, or (locked) a new version with `reason`. Unchanged: nothing done."""
    if not rules.can_run_scoring(actor, bloc_year):
        raise Forbidden("Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh được nhập bảng "
                        "tiêu chí.")
    parsed = parse_table(read_workbook(name, content))
    table = services.current_table(bloc_year)
    try:
        if table is None:
            return TableResult(services.create_table(
                actor, bloc_year, name=parsed.name, total=parsed.total,
                criteria=parsed.criteria), "created")
        if same_table(table, parsed):
            return TableResult(table, "unchanged")
        if not table.is_locked:
            return TableResult(services.replace_criteria(
                actor, table, criteria=parsed.criteria, total=parsed.total, name=parsed.name),
                "replaced")
        fresh = services.new_version(actor, table, reason=reason, criteria=parsed.criteria,
                                     total=parsed.total)
        if fresh.name != parsed.name:
            services.replace_criteria(actor, fresh, criteria=parsed.criteria,
                                      total=parsed.total, name=parsed.name)
        return TableResult(fresh, "new_version")
    except (Forbidden, Conflict):
        raise
    except DomainError as exc:
        raise _located(exc, parsed) from exc


# --- a filled score sheet ---------------------------------------------------------------

def _meta(sheets: dict) -> dict:
    rows = sheets.get(META_SHEET)
    if rows is None:
        raise WorkbookError(f"Không tìm thấy trang '{META_SHEET}' (trang ẩn của mẫu). Hãy "
                            "dùng mẫu phiếu chấm tải từ thidua.")
    return {_text(r[0]): _text(r[1]) for r in rows if len(r) >= 2 and _text(r[0])}


def import_sheet(actor: Actor, sheet: ScoreSheet, name: str, content: bytes, *,
                 reason: str = "") -> int:
    """A filled template back into its sheet through `services.set_scores` (all checked,
    then all written in one transaction). Returns how many cells changed (0: unchanged)."""
    sheet = services.find_sheet(actor, sheet.pk)
    if not rules.is_author(actor, sheet):
        raise Forbidden("Bạn không được chấm phiếu này.")
    if not rules.can_edit_sheet(actor, sheet):
        raise Conflict("Phiếu chấm đã gửi hoặc khối không ở giai đoạn cho phép chấm phiếu "
                       "này.")
    sheets = read_workbook(name, content)
    rows = _sheet(sheets, SCORE_SHEET)
    _check_meta(sheet, _meta(sheets))
    errors = []
    if not _check_headers(rows, SCORE_SHEET, SCORE_HEADERS, errors):
        raise WorkbookError(*errors)
    lines = _SheetLines(sheet)
    entries, seen = {}, {}
    for row in range(HEADER_ROW + 1, len(rows)):
        cells = [_cell(rows, row, c) for c in range(len(SCORE_HEADERS))]
        if all(_empty(v) for v in cells):
            continue
        code = _text(cells[0])
        criterion = lines.loaded.by_code.get(code)
        if criterion is None:
            errors.append(f"{where(SCORE_SHEET, row, 0)}: bảng tiêu chí không có tiêu chí mã "
                          f"“{code}”.")
            continue
        if code in seen:
            errors.append(f"{where(SCORE_SHEET, row, 0)}: tiêu chí {code} trùng với dòng "
                          f"{seen[code] + 1}.")
            continue
        seen[code] = row
        if criterion.is_section:
            continue  # sums: formulas, not input
        entry, error = lines.read(row, criterion, cells[3], _text(cells[5]))
        if error:
            errors.append(error)
        elif entry is not None:
            entries[code] = entry
    if errors:
        raise WorkbookError(*errors)
    if entries:
        services.set_scores(actor, sheet, entries, reason=reason)
    return len(entries)


def _check_meta(sheet: ScoreSheet, meta: dict):
    """The file is this sheet's template, from the table version in force."""
    if meta.get("sheet_id") != str(sheet.id):
        raise WorkbookError(f"Tệp là mẫu của phiếu chấm khác (số {meta.get('sheet_id')}), "
                            f"không phải phiếu {sheet.get_kind_display().lower()} "
                            f"{sheet.scored_unit.name} (số {sheet.id}).")
    if meta.get("table_version") != str(sheet.table.version):
        raise WorkbookError(f"Tệp được xuất từ bảng tiêu chí phiên bản "
                            f"{meta.get('table_version')}; bảng hiện hành là phiên bản "
                            f"{sheet.table.version}. Hãy tải mẫu mới.")


class _SheetLines:
    """Reads a leaf's line of a filled sheet against what is stored: the entry to set,
    nothing (as stored, or nothing typed), or the sentence refusing the line."""

    def __init__(self, sheet: ScoreSheet):
        self.sheet = sheet
        self.loaded = services.load_table(sheet.table)
        self.scores = {s.criterion_id: s for s in Score.objects.filter(sheet=sheet)}
        self.appraisal = sheet.kind == ScoreSheet.Kind.APPRAISAL
        self.missing = {} if self.appraisal else services.missing_data(sheet)

    def read(self, row: int, criterion, entry, note: str) -> tuple[dict | None, str | None]:
        code, method = criterion.code, criterion.scoring_method
        score = self.scores.get(criterion.id)
        by_hand = code in self.missing and services.may_enter_by_hand(self.sheet.kind, method)
        if methods.is_computed(method, criterion.params) and not self.appraisal and not by_hand:
            # Computed points are formulas, not input; the note beside them is read (the
            # explanation a criterion asking for evidence needs, RULES.md 12).
            return ({services.NOTE: note} if note != (score.note if score else "") else None,
                    None)
        if _empty(entry):
            if note and (score is None or note != score.note):
                return None, (f"{where(SCORE_SHEET, row, 5)}: có ghi chú nhưng chưa nhập ở "
                              "cột D.")
            return None, None
        key = ENTRY_KEY.get(method, "points")
        value = _decimal(entry)
        at = where(SCORE_SHEET, row, 3)
        if value is None:
            return None, f"{at}: “{_text(entry)}” không phải là số."
        if key == "points" and value > Decimal(criterion.max_points):
            return None, (f"{at}: điểm {_show(value)} vượt điểm chuẩn "
                          f"{_show(Decimal(criterion.max_points))}.")
        raw = {key: _show(value)}
        if by_hand and method == methods.IMPORTED:
            # The figure's source is written in the note column (export_sheet says so).
            if score is not None and Fraction(score.points) == Fraction(value) and (
                    score.raw or {}).get(services.SOURCE) == note:
                return None, None  # as stored
            return {**raw, services.SOURCE: note, services.NOTE: ""}, None
        try:
            points = methods.points_for(self.loaded.spec(code), raw)
        except methods.ScoringError as exc:
            return None, f"{at}: {exc}"
        if score is not None and Fraction(score.points) == points and score.note == note \
                and _stored_equals(score, key, value):
            return None, None  # as stored: re-importing an export changes nothing
        return {**raw, "note": note}, None


def _stored_equals(score, key: str, value: Decimal) -> bool:
    stored = (score.raw or {}).get(key, score.points)
    try:
        return methods.as_fraction(str(stored)) == Fraction(value)
    except (ValueError, ArithmeticError):
        return False
