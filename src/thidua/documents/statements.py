"""What a unit writes for its achievement report (issue 15, item 8): the few things the
product cannot know — address and contacts, functions and duties, outstanding results,
the measures behind them, its work on the Party's and State's policies — entered once per
unit and year, checked and saved with an audit event. The report (achievement.py) prints
them beside the data the product has (year facts, scores, pledge targets, past awards).
"""

import re
from dataclasses import asdict, dataclass, fields

from django.db import transaction

from thidua.core import audit
from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.core.text import nfc
from thidua.documents import rules
from thidua.documents.models import AchievementStatement
from thidua.org.models import EmulationYear, Unit
from thidua.org.rules import Actor

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9+()./ -]{6,50}$")
LIMITS = {"address": 300, "phone": 50, "email": 254, "duties": 20_000,
          "highlights": 20_000, "measures": 20_000, "policy": 20_000}
LABELS = {name: AchievementStatement._meta.get_field(name).verbose_name for name in LIMITS}


@dataclass(frozen=True)
class StatementIn:
    address: str = ""
    phone: str = ""
    email: str = ""
    duties: str = ""
    highlights: str = ""
    measures: str = ""
    policy: str = ""


def _tidy(text: str) -> str:
    """NFC, each line trimmed, runs of blank lines made one (paragraphs stay apart)."""
    lines = [line.strip() for line in nfc(text or "").replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean(data: StatementIn) -> StatementIn:
    """Tidied values, or every reason (Vietnamese) why one cannot be printed."""
    values = {f.name: _tidy(getattr(data, f.name)) for f in fields(StatementIn)}
    problems = []
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            count = f"{limit:,}".replace(",", ".")  # 20.000
            problems.append(f"{LABELS[name].capitalize()} dài quá {count} ký tự.")
    for name in ("address", "phone", "email"):
        if "\n" in values[name]:
            problems.append(f"{LABELS[name].capitalize()} ghi trên một dòng.")
    if values["email"] and not EMAIL.match(values["email"]):
        problems.append("Thư điện tử không đúng dạng (ví dụ: sct@bacninh.gov.vn).")
    if values["phone"] and not PHONE.match(values["phone"]):
        problems.append("Điện thoại chỉ gồm chữ số và các dấu + ( ) . - (ví dụ: "
                        "0222 3822 111).")
    if problems:
        raise DomainError(*problems)
    return StatementIn(**values)


def find(actor: Actor, unit_id: int, year: int) -> tuple[Unit, EmulationYear]:
    """The unit and its province's emulation year `year`, when the actor may write the
    statement; otherwise NotFound (another unit's statement is not shown)."""
    unit = Unit.objects.select_related("province").filter(pk=unit_id).first()
    if unit is None or not rules.can_write_achievement_statement(actor, unit):
        raise NotFound("Không tìm thấy đơn vị.")
    emulation_year = EmulationYear.objects.filter(province_id=unit.province_id,
                                                  year=year).first()
    if emulation_year is None:
        raise NotFound(f"Tỉnh chưa mở năm thi đua {year}.")
    return unit, emulation_year


def current(unit_id: int, emulation_year) -> StatementIn:
    """The statement the report of `emulation_year` prints: the year's own, its address,
    contacts and duties taken from the unit's latest earlier year where it leaves them
    empty (they rarely change)."""
    rows = list(AchievementStatement.objects.filter(
        unit_id=unit_id, emulation_year__year__lte=emulation_year.year)
        .order_by("-emulation_year__year"))
    own = rows[0] if rows and rows[0].emulation_year_id == emulation_year.id else None
    values = {name: getattr(own, name) if own else "" for name in LIMITS}
    for name in AchievementStatement.CARRIED:
        if not values[name]:
            values[name] = next((getattr(r, name) for r in rows if getattr(r, name)), "")
    return StatementIn(**values)


@transaction.atomic
def save(actor: Actor, unit, emulation_year, data: StatementIn) -> AchievementStatement:
    if not rules.can_write_achievement_statement(actor, unit):
        raise Forbidden("Chỉ cán bộ của đơn vị hoặc Thường trực thi đua tỉnh nhập nội dung "
                        "báo cáo thành tích của đơn vị.")
    data = clean(data)
    row = (AchievementStatement.objects.select_for_update()
           .filter(unit=unit, emulation_year=emulation_year).first())
    before = {name: getattr(row, name) for name in LIMITS} if row else None
    row = row or AchievementStatement(unit=unit, emulation_year=emulation_year)
    for name, value in asdict(data).items():
        setattr(row, name, value)
    row.save()
    audit.record(actor, "documents.achievement_statement", row, province_id=unit.province_id,
                 before=before, after={"year": emulation_year.year, **asdict(data)})
    return row
