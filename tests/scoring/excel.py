"""Workbook helpers for the Excel tests: read a workbook as rows, edit cells, write it back
(values only, as a user's spreadsheet program would save it), and broken files."""

import io
import unicodedata
import zipfile

import xlsxwriter
from python_calamine import CalamineWorkbook


def read(content: bytes) -> dict:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: [list(r) for r in book.get_sheet_by_name(name).to_python(
        skip_empty_area=False)] for name in book.sheet_names}


def write(sheets: dict) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value in ("", None):
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value)
    book.close()
    return out.getvalue()


def edit(content: bytes, changes: dict, sheet: str, rename: dict | None = None) -> bytes:
    """`changes`: {(row, col): value} with Excel's 1-based row and letter column."""
    sheets = read(content)
    rows = sheets[sheet]
    for (row, col), value in changes.items():
        r, c = row - 1, ord(col) - ord("A")
        while len(rows) <= r:
            rows.append([])
        while len(rows[r]) <= c:
            rows[r].append("")
        rows[r][c] = value
    if rename:
        sheets = {rename.get(n, n): v for n, v in sheets.items()}
    return write(sheets)


def row_of(content: bytes, sheet: str, code: str) -> int:
    """The 1-based row of a criterion code in column A."""
    for i, row in enumerate(read(content)[sheet], 1):
        if row and row[0] == code:
            return i
    raise AssertionError(code)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def zip_bomb() -> bytes:
    """A small .xlsx-looking archive whose one entry unpacks to 200 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
            chunk = b"0" * (1024 * 1024)
            for _ in range(200):
                handle.write(chunk)
    return out.getvalue()
