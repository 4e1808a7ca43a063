"""History as data in Excel: the province's past years out as a workbook, and back in.

Two sheets in the house layout (core.workbook: headers on row 5): "Khen thưởng" (a past
year's decided awards) and "Trưởng khối" (a past year's bloc leaders). The name columns
are there for the reader; the codes decide. An import is all-or-nothing: every row is
checked first and every problem listed by sheet, row and column; a clean workbook goes
through awards.history (the same rules and audit as the page), in one transaction. A row
equal to what is stored changes nothing, so the exported workbook imports as a no-op.
"""

import datetime
import io
from dataclasses import dataclass

import xlsxwriter
from django.db import transaction

from thidua.awards import history
from thidua.awards.models import Award
from thidua.core.errors import DomainError
from thidua.core.text import nfc
from thidua.core.workbook import (
    HEADER_ROW,
    WorkbookError,
    cell,
    check_headers,
    empty,
    read_workbook,
    text,
    where,
)
from thidua.law.award_forms import AwardForm
from thidua.org.models import Bloc, PastLeader, Province, Unit
from thidua.org.rules import Actor

AWARDS_SHEET = "Khen thưởng"
AWARD_HEADERS = ("Năm thi đua", "Mã đơn vị", "Tên đơn vị", "Hình thức khen thưởng",
                 "Số quyết định", "Ngày quyết định", "Người ký")
LEADERS_SHEET = "Trưởng khối"
LEADER_HEADERS = ("Năm thi đua", "Mã khối", "Tên khối", "Mã đơn vị Trưởng khối",
                  "Tên đơn vị", "Số văn bản", "Ngày văn bản")
WIDTHS = (12, 12, 44, 36, 18, 16, 30)
FORM_BY_NAME = {**{nfc(f.label).casefold(): f.value for f in AwardForm},
                **{f.value: f.value for f in AwardForm}}


# --- out ----------------------------------------------------------------------------------

def export_history(province: Province, recorded: history.ProvinceHistory) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "font_size": 13})
    head = book.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1,
                            "text_wrap": True, "valign": "top"})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    awards = [(a.emulation_year.year, a.unit.code, a.unit.name, a.get_award_form_display(),
               a.decision_number, a.decision_date, a.signer) for a in recorded.awards]
    leaders = [(p.emulation_year.year, p.bloc.code, p.bloc.name, p.leader_unit.code,
                p.leader_unit.name, p.document_number, p.document_date)
               for p in recorded.leaders]
    for title, headers, rows, note in (
            (AWARDS_SHEET, AWARD_HEADERS, awards,
             "Hình thức: " + "; ".join(f.label for f in AwardForm) + ". Ngày: dd/mm/yyyy."),
            (LEADERS_SHEET, LEADER_HEADERS, leaders,
             "Văn bản: biên bản hội nghị bầu Trưởng khối hoặc quyết định của tỉnh.")):
        sheet = book.add_worksheet(title)
        for col, width in enumerate(WIDTHS):
            sheet.set_column(col, col, width)
        sheet.write(0, 0, f"{title} các năm trước — {province.full_name}", bold)
        sheet.write_string(1, 0, note)
        for col, header in enumerate(headers):
            sheet.write(HEADER_ROW, col, header, head)
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        for offset, values in enumerate(rows):
            row = HEADER_ROW + 1 + offset
            for col, value in enumerate(values):
                if isinstance(value, datetime.date):
                    sheet.write_datetime(row, col, datetime.datetime.combine(
                        value, datetime.time()), date)
                elif isinstance(value, int):
                    sheet.write_number(row, col, value)
                else:
                    sheet.write_string(row, col, value)
    book.close()
    return out.getvalue()


# --- in -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    awards: int  # rows added
    leaders: int
    unchanged: int


def _year_cell(value, at, errors):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(f"{at}: năm thi đua “{text(value)}” không phải là một năm.")
        return None
    return value


def _date_cell(value, at, errors, what):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.datetime.strptime(text(value), "%d/%m/%Y").date()
    except ValueError:
        errors.append(f"{at}: {what} “{text(value)}” không phải ngày dạng dd/mm/yyyy.")
        return None


def _rows(rows, width):
    """(row index, cells) of the filled data rows under the header."""
    for index in range(HEADER_ROW + 1, len(rows)):
        cells = [cell(rows, index, col) for col in range(width)]
        if not all(empty(c) for c in cells):
            yield index, cells


# Column readers: (cell value, "sheet, row, column", errors, the province's lookups) -> the
# value for the row, or None with a line added to errors.

def _year(value, at, errors, lookups):
    return _year_cell(value, at, errors)


def _code(lookup, what):
    def read(value, at, errors, lookups):
        found = lookups[lookup].get(text(value).casefold())
        if found is None:
            errors.append(f"{at}: không có {what} “{text(value)}” trong tỉnh.")
        return found
    return read


def _form(value, at, errors, lookups):
    form = FORM_BY_NAME.get(text(value).casefold())
    if form is None:
        errors.append(f"{at}: hình thức “{text(value)}” không có; ghi một trong: "
                      + "; ".join(f.label for f in AwardForm) + ".")
    return form


def _required(missing):
    def read(value, at, errors, lookups):
        if not text(value):
            errors.append(f"{at}: {missing}")
        return text(value)
    return read


def _date(what):
    def read(value, at, errors, lookups):
        return _date_cell(value, at, errors, what)
    return read


def _free(value, at, errors, lookups):
    return text(value)


@dataclass(frozen=True)
class SheetReader:
    headers: tuple
    columns: tuple  # (column index, reader), in the order the row's values come out


# One reader per sheet, in import order; a row comes out as (row index, *values).
READERS = {
    AWARDS_SHEET: SheetReader(AWARD_HEADERS, (
        (0, _year), (1, _code("units", "đơn vị mã")), (3, _form),
        (4, _required("chưa ghi số quyết định.")), (5, _date("ngày quyết định")),
        (6, _free))),
    LEADERS_SHEET: SheetReader(LEADER_HEADERS, (
        (0, _year), (1, _code("blocs", "khối mã")), (3, _code("units", "đơn vị mã")),
        (5, _required("chưa ghi số văn bản.")), (6, _date("ngày văn bản")))),
}


def _parse(sheet, rows, lookups, errors) -> list:
    reader = READERS[sheet]
    return [(index, *[read(cells[col], where(sheet, index, col), errors, lookups)
                      for col, read in reader.columns])
            for index, cells in _rows(rows, len(reader.headers))]


def _stored_awards(province):
    return {(a.unit_id, a.emulation_year.year, a.award_form): a for a in Award.objects.filter(
        unit__province=province).select_related("emulation_year")}


def _stored_leaders(province):
    return {(p.bloc_id, p.emulation_year.year): p for p in PastLeader.objects.filter(
        bloc__province=province).select_related("emulation_year")}


def import_history(actor: Actor, province: Province, name: str, content: bytes, *,
                   today: datetime.date | None = None) -> ImportResult:
    """Read the workbook whole, then record its new rows through awards.history."""
    history.province_history(actor, province)  # 404 for a province out of scope
    sheets = read_workbook(name, content)
    if AWARDS_SHEET not in sheets and LEADERS_SHEET not in sheets:
        raise WorkbookError(f"Không tìm thấy trang '{AWARDS_SHEET}' hay '{LEADERS_SHEET}' "
                            "trong tệp. Hãy dùng mẫu tải từ thidua.")
    lookups = {"units": {u.code.casefold(): u for u in Unit.objects.filter(province=province)},
               "blocs": {b.code.casefold(): b for b in Bloc.objects.filter(province=province)}}
    errors, parsed = [], {}
    for sheet, reader in READERS.items():
        if sheet in sheets and check_headers(sheets[sheet], sheet, reader.headers, errors):
            parsed[sheet] = _parse(sheet, sheets[sheet], lookups, errors)
    awards, leaders = parsed.get(AWARDS_SHEET, []), parsed.get(LEADERS_SHEET, [])
    if errors:
        raise WorkbookError(*errors)
    if not awards and not leaders:
        raise WorkbookError("Tệp không có dòng nào dưới dòng tiêu đề: chưa có gì để nhập.")
    stored_awards, stored_leaders = _stored_awards(province), _stored_leaders(province)
    counts = {"awards": 0, "leaders": 0, "unchanged": 0}
    seen = {}

    def once(key, index, at, what):
        if key in seen:
            errors.append(f"{at}: trùng với dòng {seen[key] + 1} (cùng {what}).")
            return False
        seen[key] = index
        return True

    def record(kind, at, service, **values):
        try:  # each service call is its own savepoint: a refused row leaves nothing
            service(actor, province, today=today, **values)
        except DomainError as exc:
            errors.extend(f"{at}: {message}" for message in exc.messages)
        else:
            counts[kind] += 1

    with transaction.atomic():
        for index, year, unit, form, number, date, signer in awards:
            at, key = where(AWARDS_SHEET, index), ("award", unit.id, year, form)
            if not once(key, index, at, "đơn vị, năm, hình thức"):
                continue
            stored = stored_awards.get(key[1:])
            if stored is not None and (stored.decision_number, stored.decision_date,
                                       stored.signer) == (number, date, signer):
                counts["unchanged"] += 1
                continue
            record("awards", at, history.record_past_award, unit=unit, year=year,
                   award_form=form, decision_number=number, decision_date=date, signer=signer)
        for index, year, bloc, unit, number, date in leaders:
            at, key = where(LEADERS_SHEET, index), ("leader", bloc.id, year)
            if not once(key, index, at, "khối, năm"):
                continue
            stored = stored_leaders.get(key[1:])
            if stored is not None and (stored.leader_unit_id, stored.document_number,
                                       stored.document_date) == (unit.id, number, date):
                counts["unchanged"] += 1
                continue
            record("leaders", at, history.record_past_leader, bloc=bloc, year=year,
                   unit=unit, document_number=number, document_date=date)
        if errors:
            raise WorkbookError(*errors)
    return ImportResult(counts["awards"], counts["leaders"], counts["unchanged"])
