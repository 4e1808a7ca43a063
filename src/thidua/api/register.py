"""The province's award register (sổ khen thưởng): the same search as the page
(documents.register)."""

import datetime

from ninja import Field, Router, Schema

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, responses
from thidua.documents import register
from thidua.law.award_forms import label_for

router = Router(tags=["Văn bản"])


class RegisterEntryOut(Schema):
    number: int = Field(description="Số vào sổ trong năm (thứ tự ghi, không dùng lại).")
    year: int
    unit_id: int
    unit_name: str
    award_form: str
    award_form_label: str
    decision_number: str
    decision_date: datetime.date
    signer: str
    decision_id: int | None


class RegisterOut(Schema):
    province: str
    year: int | None
    unit: str
    truncated: bool = Field(description="Đúng khi chỉ trả về 500 dòng đầu.")
    entries: list[RegisterEntryOut]


@router.get("/provinces/{code}/award-register", response=responses({200: RegisterOut}, *READ))
def award_register(request, code: s.text(20), year: s.text(20) = "", unit: s.text(200) = ""):
    """Sổ khen thưởng của tỉnh, tìm theo năm và tên đơn vị (không dấu cũng được)."""
    found = register.search(actor(request), code, year=year, unit_text=unit)
    return {"province": found.province.code, "year": found.year, "unit": found.unit_text,
            "truncated": found.truncated,
            "entries": [{"number": e.number, "year": e.award.emulation_year.year,
                         "unit_id": e.award.unit_id, "unit_name": e.award.unit.name,
                         "award_form": e.award.award_form,
                         "award_form_label": label_for(e.award.award_form, found.province),
                         "decision_number": e.award.decision_number,
                         "decision_date": e.award.decision_date, "signer": e.award.signer,
                         "decision_id": e.award.decision_id} for e in found.entries]}
