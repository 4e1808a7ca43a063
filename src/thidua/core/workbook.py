"""Reading an uploaded Excel workbook (python-calamine) safely, for every importer.

The file is checked before it is opened: its size, that it really is an .xlsx
(core.evidence: by content, not by name) and that it cannot unpack into a bomb.
Cells come back NFC; messages name the place as Excel shows it ("Trang 'X', dòng 7,
cột D"). The house layout: title rows above, the column headers on row 5 (HEADER_ROW,
0-based 4), data below.
"""

import io
import re
import zipfile

from python_calamine import CalamineWorkbook

from thidua.core.errors import DomainError
from thidua.core.evidence import classify, too_large
from thidua.core.text import nfc, tidy

HEADER_ROW = 4  # 0-based: the header is row 5 as Excel shows it; data from row 6

MAX_WORKBOOK_BYTES = 5 * 1024 * 1024
# What the workbook may unpack to: a criteria table or a sheet is a few hundred KB.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 2000


class WorkbookError(DomainError):
    """The workbook cannot be imported; `messages` name sheet, row, column."""


def _column(col: int) -> str:
    return chr(ord("A") + col)


def where(sheet: str, row: int, col: int | None = None) -> str:
    """Row and column as Excel shows them (1-based, letters)."""
    text = f"Trang '{sheet}', dòng {row + 1}"
    return text + (f", cột {_column(col)}" if col is not None else "")


# --- the file ---------------------------------------------------------------------------

# A sheet is read into a full grid from A1 to its farthest cell: two cells, A1 and
# XFD1048576, in a 2 KB file would make 17 billion. The farthest cell (and the declared
# dimension) are checked on the XML before the reader builds anything.
MAX_COLUMNS = 100
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="\$?([A-Z]{1,3})\$?([0-9]{1,7})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
_REF = re.compile(rb"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_sheet_extents(archive: zipfile.ZipFile, label: str):
    """Refuse a worksheet whose grid would be larger than a real table or sheet can be:
    cells beyond MAX_ROWS / MAX_COLUMNS, by reference, dimension or sheer count. The bytes
    really unpacked are counted too (a header may lie about its size)."""
    too_big = WorkbookError(f"Tệp “{label}” có vùng dữ liệu quá lớn (quá {MAX_ROWS} dòng "
                            f"hoặc {MAX_COLUMNS} cột) hoặc giải nén ra quá lớn; không đọc.")
    unpacked = 0
    max_rows = MAX_ROWS + HEADER_ROW + 1
    for entry in archive.infolist():
        if not entry.filename.startswith("xl/worksheets/"):
            continue
        try:
            with archive.open(entry) as member:
                xml = member.read(MAX_UNPACKED_BYTES - unpacked + 1)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
            raise WorkbookError(f"Không đọc được tệp “{label}” như một bảng tính Excel."
                                ) from exc
        unpacked += len(xml)
        if unpacked > MAX_UNPACKED_BYTES:
            raise too_big
        refs = _CELL_REF.findall(xml)
        for dimension in _DIMENSION.findall(xml):
            refs.extend(_REF.findall(dimension))
        if any(int(row) > max_rows or _column_number(col) > MAX_COLUMNS for col, row in refs):
            raise too_big
        if len(_CELL.findall(xml)) > max_rows * MAX_COLUMNS:
            raise too_big


def read_workbook(name: str, content: bytes) -> dict[str, list[list]]:
    """Sheet name (NFC) → rows of cell values. Refuses what is not a sane .xlsx."""
    label = nfc(name or "(không tên)")
    if len(content) > MAX_WORKBOOK_BYTES:
        raise WorkbookError(too_large(label, len(content), MAX_WORKBOOK_BYTES))
    verdict = classify(label if label.lower().endswith(".xlsx") else label + ".xlsx",
                       content, MAX_WORKBOOK_BYTES)
    if verdict.kind != "xlsx":
        raise WorkbookError(f"Tệp “{label}” không phải bảng tính Excel (.xlsx) hợp lệ: tệp "
                            "hỏng, bị đổi đuôi hoặc nén bất thường.")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if sum(entry.file_size for entry in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise WorkbookError(f"Tệp “{label}” giải nén ra quá lớn; không đọc.")
        _check_sheet_extents(archive, label)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = {}
        for sheet_name in book.sheet_names:
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            sheets[nfc(sheet_name)] = rows[:MAX_ROWS + HEADER_ROW + 1]
            if len(rows) > MAX_ROWS + HEADER_ROW + 1:
                raise WorkbookError(f"Trang '{nfc(sheet_name)}' có quá {MAX_ROWS} dòng.")
    except WorkbookError:
        raise
    except Exception as exc:  # calamine raises its own errors for a damaged workbook
        raise WorkbookError(f"Không đọc được tệp “{label}” như một bảng tính Excel.") from exc
    return sheets


def cell(rows, row: int, col: int):
    if row >= len(rows) or col >= len(rows[row]):
        return ""
    value = rows[row][col]
    return tidy(value) if isinstance(value, str) else value


def empty(value) -> bool:
    return value is None or value == ""


def text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if empty(value) else tidy(value)


def check_headers(rows, title: str, headers: tuple, errors: list) -> bool:
    found = tuple(text(cell(rows, HEADER_ROW, c)) for c in range(len(headers)))
    if found != headers:
        errors.append(f"{where(title, HEADER_ROW)}: tiêu đề cột không đúng mẫu (cần: "
                      + ", ".join(headers) + "). Hãy dùng mẫu tải từ thidua.")
        return False
    return True
