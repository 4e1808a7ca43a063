"""Statistics forms 0601.N (emulation movements) and 0603.N (awards) of Thông tư
02/2023/TT-BNV for a province and year, as Excel (RULES.md 42).

SOURCE OF THE LAYOUT. The circular's appendix (the printed forms and their columns) could not
be found in the reference material available when this was written (searched: "0601.N",
"0603.N", "Thông tư 02/2023/TT-BNV biểu mẫu", "chế độ báo cáo thống kê ngành Nội vụ").
The layout below is therefore the closest faithful one built from RULES.md 42 — 0601.N
counts movements by scope (including cụm/khối), duration band and method; 0603.N counts
awards by subject type, form and method — in the usual shape of a Vietnamese statistics
form (form number, title, reporting and receiving units, lettered and numbered columns,
a code per row, the total row first). The category names are the law's:
- method of a movement: "thi đua thường xuyên" / "thi đua theo đợt (chuyên đề)";
- duration band: short movements "dưới 1 năm" / long ones "từ 1 năm trở lên" (the split
  the ministries' emulation circulars use, e.g. Thông tư 26/2015/TT-BCT Điều 9);
- forms of the award: those of law.award_forms, split into titles (danh hiệu thi đua)
  and forms of reward (hình thức khen thưởng) as the Law of 2022 does.
When the appendix is at hand, compare the column lists here (MOVEMENT_COLUMNS,
AWARD_COLUMNS) with it and correct them in this one place.

MOVEMENTS. thidua has no movement register (no model in org or pledges tags movements), so
each bloc year is taken as one movement of the province: scope cụm or khối (the bloc's
kind), duration one year (band "từ 1 năm trở lên"), method thường xuyên (a bloc's yearly
emulation is the regular kind). Awards are the decided ones (awards.Award) of the year:
every one is a collective's, method thường xuyên (the year-end awards of the blocs).
"""

import io
from dataclasses import dataclass

import xlsxwriter

from thidua.awards.models import Award
from thidua.core.errors import NotFound
from thidua.law.award_forms import AwardForm
from thidua.org.models import Bloc, BlocYear, EmulationYear
from thidua.org.rules import Actor, can_oversee_province

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMS = ("0601", "0603")

# 0601.N: rows are scopes, columns the duration bands and methods.
SCOPE_PROVINCE, SCOPE_CLUSTER, SCOPE_BLOC = "province", "cum", "khoi"
SCOPE_SECTOR, SCOPE_BASE = "sector", "base"
MOVEMENT_ROWS = [  # (code, label, scope keys counted, indent)
    ("01", "Tổng số", None, 0),
    ("02", "Phong trào thi đua phạm vi toàn tỉnh", (SCOPE_PROVINCE,), 0),
    ("03", "Phong trào thi đua của cụm, khối thi đua", (SCOPE_CLUSTER, SCOPE_BLOC), 0),
    ("04", "- Cụm thi đua", (SCOPE_CLUSTER,), 1),
    ("05", "- Khối thi đua", (SCOPE_BLOC,), 1),
    ("06", "Phong trào thi đua của sở, ban, ngành, đoàn thể", (SCOPE_SECTOR,), 0),
    ("07", "Phong trào thi đua ở cơ sở", (SCOPE_BASE,), 0),
]
SHORT, LONG = "short", "long"
REGULAR, THEMATIC = "regular", "thematic"
MOVEMENT_COLUMNS = [  # (column number, header group, header, key)
    (1, "", "Tổng số", None),
    (2, "Chia theo thời gian", "Dưới 1 năm", SHORT),
    (3, "Chia theo thời gian", "Từ 1 năm trở lên", LONG),
    (4, "Chia theo hình thức tổ chức", "Thường xuyên", REGULAR),
    (5, "Chia theo hình thức tổ chức", "Theo đợt (chuyên đề)", THEMATIC),
]

# 0603.N: rows are the forms of award, columns the subject types and methods.
COLLECTIVE, INDIVIDUAL = "collective", "individual"
SUDDEN = "sudden"
TITLE_FORMS = (AwardForm.GOVERNMENT_FLAG, AwardForm.PROVINCIAL_FLAG,
               AwardForm.EXCELLENT_COLLECTIVE)
REWARD_FORMS = (AwardForm.CERTIFICATE_OF_MERIT,)
AWARD_ROWS = ([("01", "Tổng số", None, 0), ("02", "Danh hiệu thi đua", TITLE_FORMS, 0)]
              + [(f"{3 + i:02d}", f"- {AwardForm(f).label}", (f,), 1)
                 for i, f in enumerate(TITLE_FORMS)]
              + [(f"{3 + len(TITLE_FORMS):02d}", "Hình thức khen thưởng", REWARD_FORMS, 0)]
              + [(f"{4 + len(TITLE_FORMS) + i:02d}", f"- {AwardForm(f).label}", (f,), 1)
                 for i, f in enumerate(REWARD_FORMS)])
AWARD_COLUMNS = [
    (1, "", "Tổng số", None),
    (2, "Chia theo đối tượng", "Tập thể", COLLECTIVE),
    (3, "Chia theo đối tượng", "Cá nhân", INDIVIDUAL),
    (4, "Chia theo phương thức khen thưởng", "Thường xuyên", REGULAR),
    (5, "Chia theo phương thức khen thưởng", "Theo đợt (chuyên đề)", THEMATIC),
    (6, "Chia theo phương thức khen thưởng", "Đột xuất", SUDDEN),
]


@dataclass(frozen=True)
class Movement:
    """One emulation movement as form 0601.N tags it (RULES.md 42)."""

    name: str
    scope: str
    duration: str  # SHORT | LONG
    method: str  # REGULAR | THEMATIC


@dataclass(frozen=True)
class AwardFact:
    """One award as form 0603.N tags it (RULES.md 42)."""

    form: str
    subject: str  # COLLECTIVE | INDIVIDUAL
    method: str  # REGULAR | THEMATIC | SUDDEN


def count_rows(items, rows, columns, attr_of) -> list[list[int]]:
    """The form's body: for each row (its keys on `attr_of(item, None)`), the count in
    each column (a column key matches any of the item's tags)."""
    table = []
    for _, _, keys, _ in rows:
        chosen = [i for i in items if keys is None or attr_of(i, None) in keys]
        table.append([sum(1 for i in chosen if key is None or key in attr_of(i, key))
                      for _, _, _, key in columns])
    return table


def _movement_tags(movement: Movement, key):
    return movement.scope if key is None else (movement.duration, movement.method)


def _award_tags(award: AwardFact, key):
    return award.form if key is None else (award.subject, award.method)


# --- reading the year -------------------------------------------------------------------------

def movements(emulation_year: EmulationYear) -> list[Movement]:
    """Each bloc year is the bloc's yearly movement (see the module doc)."""
    return [Movement(b.bloc.name, SCOPE_CLUSTER if b.bloc.kind == Bloc.Kind.CUM else SCOPE_BLOC,
                     LONG, REGULAR)
            for b in BlocYear.objects.filter(emulation_year=emulation_year)
            .select_related("bloc").order_by("bloc__sort_key", "bloc_id")]


def awards(emulation_year: EmulationYear) -> list[AwardFact]:
    return [AwardFact(form, COLLECTIVE, REGULAR) for form in Award.objects.filter(
        emulation_year=emulation_year).values_list("award_form", flat=True)]


def find_year(actor: Actor, province, year: int) -> EmulationYear:
    """The province's emulation year, for its secretariat (the administrator) only."""
    if not can_oversee_province(actor, province.id):
        raise NotFound("Không tìm thấy tỉnh.")
    emulation_year = EmulationYear.objects.select_related("province").filter(
        province=province, year=year).first()
    if emulation_year is None:
        raise NotFound("Tỉnh chưa có năm thi đua này.")
    return emulation_year


# --- the workbook -----------------------------------------------------------------------------

@dataclass(frozen=True)
class FormSpec:
    number: str
    title: str
    rows: list
    columns: list
    first_header: str


SPECS = {
    "0601": FormSpec("0601.N", "SỐ PHONG TRÀO THI ĐUA", MOVEMENT_ROWS, MOVEMENT_COLUMNS,
                     "Phạm vi phát động"),
    "0603": FormSpec("0603.N", "SỐ KHEN THƯỞNG", AWARD_ROWS, AWARD_COLUMNS,
                     "Danh hiệu thi đua, hình thức khen thưởng"),
}
HEADER_ROW = 6  # 0-based: title block above, the two header rows, the column codes


def form_body(form: str, emulation_year: EmulationYear) -> list[list[int]]:
    spec = SPECS[form]
    if form == "0601":
        return count_rows(movements(emulation_year), spec.rows, spec.columns, _movement_tags)
    return count_rows(awards(emulation_year), spec.rows, spec.columns, _award_tags)


def workbook(form: str, emulation_year: EmulationYear) -> bytes:
    """One form as an .xlsx: the title block, two header rows (groups merged), the row of
    column codes (A, B, 1, 2 …), then one line per row code with its counts."""
    if form not in SPECS:
        raise NotFound("Không có biểu thống kê này.")
    spec = SPECS[form]
    province, year = emulation_year.province, emulation_year.year
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
    bold = book.add_format({**base, "bold": True})
    title = book.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
    centre = book.add_format({**base, "align": "center"})
    head = book.add_format({**base, "bold": True, "align": "center", "border": 1,
                            "text_wrap": True})
    code = book.add_format({**base, "italic": True, "align": "center", "border": 1})
    cell = book.add_format({**base, "border": 1, "align": "center"})
    label = book.add_format({**base, "border": 1, "text_wrap": True})
    label_bold = book.add_format({**base, "border": 1, "bold": True, "text_wrap": True})
    sheet = book.add_worksheet(f"Biểu {spec.number}")
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    last = 2 + len(spec.columns)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 2, 8)
    sheet.set_column(3, last, 14)
    sheet.write(0, 0, f"Biểu số: {spec.number}", bold)
    sheet.merge_range(1, 0, 1, last, spec.title, title)
    sheet.merge_range(2, 0, 2, last, f"Năm {year}", centre)
    sheet.write(3, 0, f"Đơn vị báo cáo: Ủy ban nhân dân {province.full_name}")
    sheet.write(4, 0, "Đơn vị nhận báo cáo: Bộ Nội vụ")
    top, sub = HEADER_ROW - 1, HEADER_ROW
    for col, text in ((0, "STT"), (1, spec.first_header), (2, "Mã số")):
        sheet.merge_range(top, col, sub, col, text, head)
    groups: dict[str, list[int]] = {}
    for index, (_, group, header, _) in enumerate(spec.columns):
        col = 3 + index
        if group:
            groups.setdefault(group, []).append(col)
            sheet.write(sub, col, header, head)
        else:
            sheet.merge_range(top, col, sub, col, header, head)
    for group, cols in groups.items():
        if len(cols) > 1:
            sheet.merge_range(top, cols[0], top, cols[-1], group, head)
        else:
            sheet.write(top, cols[0], group, head)
    codes = ["A", "B", "C"] + [str(number) for number, _, _, _ in spec.columns]
    for col, text in enumerate(codes):
        sheet.write(HEADER_ROW + 1, col, text, code)
    body = form_body(form, emulation_year)
    number = 0
    for offset, ((row_code, text, _, indent), counts) in enumerate(zip(spec.rows, body,
                                                                       strict=True)):
        row = HEADER_ROW + 2 + offset
        if indent == 0 and row_code != "01":
            number += 1
        sheet.write(row, 0, str(number) if indent == 0 and row_code != "01" else "", cell)
        sheet.write(row, 1, text, label if indent else label_bold)
        sheet.write(row, 2, row_code, cell)
        for col, value in enumerate(counts, 3):
            sheet.write_number(row, col, value, cell)
    book.close()
    return out.getvalue()


def filename(form: str, emulation_year: EmulationYear) -> str:
    return f"bieu-{form}-N-{emulation_year.year}-{emulation_year.province.code}.xlsx"


def statistics_form(actor: Actor, province, year: int, form: str) -> tuple[str, bytes]:
    """(file name, .xlsx) of form 0601 or 0603 for the province's year."""
    emulation_year = find_year(actor, province, year)
    if form not in SPECS:
        raise NotFound("Không có biểu thống kê này.")
    return filename(form, emulation_year), workbook(form, emulation_year)
