"""The province's award register (sổ khen thưởng) as its secretariat reads it (a former
province's: the successor's secretariat, org.rules.can_read_province), on the page
and through the API: search by unit (name, without diacritics) and by year; each entry
with its register number, decision and the papers filled from that decision (quyết định,
thông báo kết quả, phôi). Reads: awards.queries.award_register."""

from dataclasses import dataclass

from thidua.awards.queries import RegisterEntry, award_register
from thidua.core.errors import DomainError, NotFound
from thidua.core.text import nfc
from thidua.org.models import Province
from thidua.org.rules import Actor, can_read_province

LIMIT = 500


@dataclass(frozen=True)
class Register:
    province: Province
    year: int | None
    unit_text: str
    entries: list[RegisterEntry]

    @property
    def truncated(self) -> bool:
        return len(self.entries) >= LIMIT


def find_province(actor: Actor, code: str) -> Province:
    province = Province.objects.filter(code=nfc(code or "").strip().upper()).first()
    if province is None or not can_read_province(actor, province.id):
        raise NotFound("Không tìm thấy tỉnh.")
    return province


def parse_year(text) -> int | None:
    """The year typed in the search ("" → every year); anything else is refused."""
    value = nfc(str(text if text is not None else "")).strip()
    if not value:
        return None
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise DomainError(f"Năm “{value[:20]}” không hợp lệ: nhập năm bốn chữ số, ví dụ "
                          "2026.")
    return int(value)


def search(actor: Actor, code: str, *, year=None, unit_text: str = "") -> Register:
    province = find_province(actor, code)
    unit_text = nfc(unit_text or "").strip()
    if len(unit_text) > 200:
        raise DomainError("Tên đơn vị tìm kiếm dài quá 200 ký tự.")
    year = parse_year(year)
    return Register(province, year, unit_text,
                    award_register(province, year=year, unit_text=unit_text, limit=LIMIT))
