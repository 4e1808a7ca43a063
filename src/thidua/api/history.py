"""A province's past years as data (issue 14): awards decided and bloc leaders of years not
run in thidua, with their papers' numbers and dates, one by one or from an Excel workbook.
Every change goes through awards.history (the province's secretariat only)."""

import datetime
from typing import Annotated, Literal

from ninja import Field, File, Router, Schema, Status, UploadedFile

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, responses
from thidua.api.org import unit_ref
from thidua.awards import history, history_workbook, rules
from thidua.core.errors import Forbidden, NotFound
from thidua.core.evidence import too_large
from thidua.core.workbook import MAX_WORKBOOK_BYTES, WorkbookError
from thidua.law.award_forms import AwardForm, label_for
from thidua.org.models import Province
from thidua.org.rules import can_read_province

router = Router(tags=["Các năm trước"])

Number = Annotated[str, Field(min_length=1, max_length=history.MAX_NUMBER)]
Reason = Annotated[str, Field(min_length=1, max_length=history.MAX_REASON)]


class BlocRef(Schema):
    id: int
    code: str
    name: str


class PastAwardOut(Schema):
    id: int
    year: int
    unit: s.UnitRef
    award_form: str
    award_form_label: str
    decision_number: str
    decision_date: datetime.date
    signer: str


class PastLeaderOut(Schema):
    id: int
    year: int
    bloc: BlocRef
    leader_unit: s.UnitRef
    document_number: str
    document_date: datetime.date


class PastYearsOut(Schema):
    awards: list[PastAwardOut]
    leaders: list[PastLeaderOut]


class PastAwardIn(Schema):
    year: s.Year
    unit_id: s.Id
    award_form: Literal[tuple(AwardForm.values)]
    decision_number: Number
    decision_date: datetime.date
    signer: s.text(history.MAX_SIGNER) = ""


class PastLeaderIn(Schema):
    year: s.Year
    bloc_id: s.Id
    unit_id: s.Id
    document_number: Number
    document_date: datetime.date


class RemoveIn(Schema):
    reason: Reason


class ImportOut(Schema):
    awards: int
    leaders: int
    unchanged: int


def award_out(award, province) -> dict:
    return {"id": award.id, "year": award.emulation_year.year, "unit": unit_ref(award.unit),
            "award_form": award.award_form,
            "award_form_label": label_for(award.award_form, province),
            "decision_number": award.decision_number, "decision_date": award.decision_date,
            "signer": award.signer}


def leader_out(leader) -> dict:
    bloc = leader.bloc
    return {"id": leader.id, "year": leader.emulation_year.year,
            "bloc": {"id": bloc.id, "code": bloc.code, "name": bloc.name},
            "leader_unit": unit_ref(leader.leader_unit),
            "document_number": leader.document_number, "document_date": leader.document_date}


def _province(actor_, code, *, write=True) -> Province:
    """The province if the actor reads it (else 404); for a change, if they record its
    awards (else 403: a former province is read-only for its successor)."""
    province = Province.objects.filter(code=code).first()
    if province is None or not can_read_province(actor_, province.id):
        raise NotFound("Không tìm thấy tỉnh.")
    if write and not rules.can_record_award(actor_, province.id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được ghi các năm trước.")
    return province


def _in(province, model_set, pk, what):
    found = model_set.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"Không tìm thấy {what} trong {province.full_name}.")
    return found


@router.get("/provinces/{code}/history", response=responses({200: PastYearsOut}, *READ, 403),
            summary="Khen thưởng và Trưởng khối các năm trước đã ghi")
def province_history(request, code: s.text(20)):
    actor_ = actor(request)
    province = _province(actor_, code, write=False)
    recorded = history.province_history(actor_, province)
    return {"awards": [award_out(a, province) for a in recorded.awards],
            "leaders": [leader_out(p) for p in recorded.leaders]}


@router.post("/provinces/{code}/history/awards",
             response=responses({201: PastAwardOut}, *WRITE, 409),
             summary="Ghi một khen thưởng năm trước theo quyết định (số, ngày)")
def add_award(request, code: s.text(20), payload: PastAwardIn):
    """RULES.md 11: it brings the bonus of the year after it; a year the bloc ran in thidua
    (its proposal exists) is refused (409)."""
    actor_ = actor(request)
    province = _province(actor_, code)
    award = history.record_past_award(
        actor_, province, unit=_in(province, province.units, payload.unit_id, "đơn vị"),
        year=payload.year, award_form=payload.award_form,
        decision_number=payload.decision_number, decision_date=payload.decision_date,
        signer=payload.signer)
    return Status(201, award_out(award, province))


@router.post("/provinces/{code}/history/leaders",
             response=responses({201: PastLeaderOut}, *WRITE, 409),
             summary="Ghi Trưởng khối của một năm trước theo biên bản hoặc quyết định")
def add_leader(request, code: s.text(20), payload: PastLeaderIn):
    """RULES.md 4: rotation reads it; a year the bloc ran in thidua is refused (409)."""
    actor_ = actor(request)
    province = _province(actor_, code)
    leader = history.record_past_leader(
        actor_, province, bloc=_in(province, province.blocs, payload.bloc_id, "khối"),
        year=payload.year, unit=_in(province, province.units, payload.unit_id, "đơn vị"),
        document_number=payload.document_number, document_date=payload.document_date)
    return Status(201, leader_out(leader))


@router.post("/provinces/{code}/history/awards/{award_id}/remove",
             response=responses({204: None}, *WRITE), summary="Xoá khen thưởng nhập nhầm")
def remove_award(request, code: s.text(20), award_id: s.Id, payload: RemoveIn):
    actor_ = actor(request)
    province = _province(actor_, code)
    history.remove_past_award(actor_, history.find_past_award(actor_, province, award_id),
                              payload.reason)
    return Status(204, None)


@router.post("/provinces/{code}/history/leaders/{leader_id}/remove",
             response=responses({204: None}, *WRITE), summary="Xoá Trưởng khối nhập nhầm")
def remove_leader(request, code: s.text(20), leader_id: s.Id, payload: RemoveIn):
    actor_ = actor(request)
    province = _province(actor_, code)
    history.remove_past_leader(actor_, history.find_past_leader(actor_, province, leader_id),
                               payload.reason)
    return Status(204, None)


@router.post("/provinces/{code}/history/import", response=responses({200: ImportOut}, *WRITE),
             summary="Nhập khen thưởng và Trưởng khối các năm trước từ tệp Excel")
def import_workbook(request, code: s.text(20), file: File[UploadedFile]):
    """The workbook the page downloads (sheets «Khen thưởng», «Trưởng khối»); all or
    nothing, every problem named by sheet, row and column (400)."""
    actor_ = actor(request)
    province = _province(actor_, code)
    if file.size > MAX_WORKBOOK_BYTES:
        raise WorkbookError(too_large(file.name or "", file.size, MAX_WORKBOOK_BYTES))
    result = history_workbook.import_history(actor_, province, file.name or "", file.read())
    return {"awards": result.awards, "leaders": result.leaders, "unchanged": result.unchanged}
