"""Year facts (issue 11): a unit's facts of an emulation year — entered by the unit with
evidence, confirmed or returned by the bloc's leader or the province — and the bloc's
list. The same services as the pages (awards.services); the same read side
(awards.queries)."""

import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from ninja import Field, File, Router, Schema, Status, UploadedFile

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, bloc_year_in_scope, responses
from thidua.api.org import unit_ref
from thidua.awards import queries, rules
from thidua.awards import services as service
from thidua.awards.models import FactsEvidence, UnitYearFacts
from thidua.core.downloads import file_response
from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.core.evidence import KINDS, Upload
from thidua.law.facts import DisciplineLevel, OrganisationRating, PendingMatter, Rating

router = Router(tags=["Số liệu năm"])

RatingCode = Literal[tuple(Rating.values)]
OrganisationCode = Literal[tuple(OrganisationRating.values)]
DisciplineCode = Literal[tuple(DisciplineLevel.values)]
PendingCode = Literal[tuple(PendingMatter.values)]
Count = s.whole(0, 1_000_000)
Text = Annotated[str, Field(max_length=4000)]


class FactsIn(Schema):
    """Only the fields sent change; null means "not known" (eligibility reports it as
    missing)."""

    targets_exceeded: bool | None = None
    task_rating: RatingCode | None = None
    party_rating: RatingCode | None = None
    union_rating: OrganisationCode | None = None
    youth_union_rating: OrganisationCode | None = None
    discipline_level: DisciplineCode | None = None
    negative_inspection: bool | None = None
    pending_matter: PendingCode | None = None
    pending_matter_detail: Text | None = None
    discipline_ended_on: datetime.date | None = None
    member_count: Count | None = None
    completed_count: Count | None = None
    advanced_worker_count: Count | None = None
    emulation_soldier_count: Count | None = None
    note: Text | None = None

    model_config = {"extra": "forbid"}


class ReturnIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=4000)]

    model_config = {"extra": "forbid"}


class FactsEvidenceOut(Schema):
    id: int
    original_name: str
    kind: Literal["pdf", "jpeg", "png", "docx", "xlsx"]
    size: int
    sha256: str
    uploaded_at: datetime.datetime
    download_url: str


class FactsOut(Schema):
    unit: s.UnitRef
    year: int
    bloc_year_id: int
    state: Literal["missing", "entered", "returned", "confirmed"]
    state_label: str
    targets_exceeded: bool | None
    task_rating: str | None
    party_rating: str | None
    union_rating: str | None
    youth_union_rating: str | None
    discipline_level: str | None
    negative_inspection: bool | None
    pending_matter: str | None
    pending_matter_detail: str
    discipline_ended_on: datetime.date | None
    member_count: int | None
    completed_count: int | None
    advanced_worker_count: int | None
    emulation_soldier_count: int | None
    note: str
    entered_at: datetime.datetime | None
    confirmed_at: datetime.datetime | None
    confirmed_as: Literal["leader", "secretariat"] | None
    returned_at: datetime.datetime | None
    return_reason: str
    evidence: list[FactsEvidenceOut]


class BlocFactsRowOut(Schema):
    unit: s.UnitRef
    state: Literal["missing", "entered", "returned", "confirmed"]
    state_label: str
    evidence_count: int
    return_reason: str


class BlocFactsOut(Schema):
    bloc_year_id: int
    year: int
    members: int
    confirmed: int
    entered: int
    returned: int
    missing: int
    unconfirmed: int
    units: list[BlocFactsRowOut]


def evidence_out(evidence: FactsEvidence) -> dict:
    return {"id": evidence.id, "original_name": evidence.original_name, "kind": evidence.kind,
            "size": evidence.size, "sha256": evidence.sha256,
            "uploaded_at": evidence.uploaded_at,
            "download_url": reverse("api:facts_evidence_file",
                                    kwargs={"evidence_id": evidence.id})}


def facts_out(unit, emulation_year, bloc_year, facts: UnitYearFacts | None) -> dict:
    data = {name: None for name in UnitYearFacts.FACT_FIELDS}
    data.update(pending_matter_detail="", note="", entered_at=None, confirmed_at=None,
                confirmed_as=None, returned_at=None, return_reason="", evidence=[],
                state=queries.MISSING, state_label="Chưa nhập")
    if facts is not None:
        for name in UnitYearFacts.FACT_FIELDS:
            value = getattr(facts, name)
            data[name] = None if value == "" and name != "pending_matter_detail" else value
        data.update(note=facts.note, entered_at=facts.entered_at,
                    confirmed_at=facts.confirmed_at, confirmed_as=facts.confirmed_as or None,
                    returned_at=facts.returned_at, return_reason=facts.return_reason,
                    state=facts.state, state_label=facts.state_label,
                    evidence=[evidence_out(e) for e in facts.evidence.all()])
    return {"unit": unit_ref(unit), "year": emulation_year.year, "bloc_year_id": bloc_year.id,
            **data}




def _existing(unit, emulation_year):
    facts = queries.facts_of(unit, emulation_year)
    if facts is None:
        raise NotFound(f"{unit.name} chưa nhập số liệu năm {emulation_year.year}.")
    return facts


@router.get("/units/{unit_id}/facts/{year}", response=responses({200: FactsOut}, *READ),
            summary="Số liệu năm của đơn vị và trạng thái xác nhận")
def get_facts(request, unit_id: s.Id, year: s.Year):
    actor_ = actor(request)
    unit, emulation_year, bloc_year = queries.facts_unit_year(actor_, unit_id, year)
    return facts_out(unit, emulation_year, bloc_year, queries.facts_of(unit, emulation_year))


@router.patch("/units/{unit_id}/facts/{year}", response=responses({200: FactsOut}, *WRITE),
              summary="Đơn vị nhập hoặc sửa số liệu năm (sửa số liệu đã xác nhận thì cần "
                      "xác nhận lại)")
def enter_facts(request, unit_id: s.Id, year: s.Year, payload: FactsIn):
    actor_ = actor(request)
    unit, emulation_year, bloc_year = queries.facts_unit_year(actor_, unit_id, year)
    values = payload.dict(exclude_unset=True)
    note = values.pop("note", None)
    if note is None and "note" in payload.model_fields_set:
        note = ""
    facts = service.enter_facts(actor_, unit, emulation_year, values, note=note)
    return facts_out(unit, emulation_year, bloc_year, facts)


@router.post("/units/{unit_id}/facts/{year}/evidence",
             response=responses({201: FactsEvidenceOut}, *WRITE, 409),
             summary="Tải lên một tệp minh chứng cho số liệu năm")
def upload_facts_evidence(request, unit_id: s.Id, year: s.Year, file: File[UploadedFile]):
    actor_ = actor(request)
    unit, emulation_year, _ = queries.facts_unit_year(actor_, unit_id, year)
    if not rules.can_enter_facts(actor_, unit):
        raise Forbidden("Chỉ cán bộ thi đua của đơn vị hoặc Thường trực thi đua tỉnh được "
                        "thêm minh chứng cho số liệu của đơn vị.")
    facts = _existing(unit, emulation_year)
    limit = settings.EVIDENCE_MAX_BYTES
    if file.size > limit:
        raise DomainError(f"Tệp “{file.name}” vượt giới hạn {limit // (1024 * 1024)} MB.")
    with transaction.atomic():
        [evidence] = service.attach_facts_evidence(
            actor_, facts, [Upload(name=file.name or "", content=file.read())])
    return Status(201, evidence_out(evidence))


@router.post("/units/{unit_id}/facts/{year}/confirm",
             response=responses({200: FactsOut}, *WRITE, 409),
             summary="Trưởng khối (đơn vị khác trong khối) hoặc tỉnh xác nhận số liệu năm")
def confirm_facts(request, unit_id: s.Id, year: s.Year):
    actor_ = actor(request)
    unit, emulation_year, bloc_year = queries.facts_unit_year(actor_, unit_id, year)
    facts = service.confirm_facts(actor_, _existing(unit, emulation_year))
    return facts_out(unit, emulation_year, bloc_year, facts)


@router.post("/units/{unit_id}/facts/{year}/return",
             response=responses({200: FactsOut}, *WRITE, 409),
             summary="Trả lại số liệu năm cho đơn vị, kèm lý do")
def return_facts(request, unit_id: s.Id, year: s.Year, payload: ReturnIn):
    actor_ = actor(request)
    unit, emulation_year, bloc_year = queries.facts_unit_year(actor_, unit_id, year)
    facts = service.return_facts(actor_, _existing(unit, emulation_year), payload.reason)
    return facts_out(unit, emulation_year, bloc_year, facts)


@router.get("/bloc-years/{bloc_year_id}/facts", response=responses({200: BlocFactsOut}, *READ,
                                                                     403),
            summary="Số liệu năm của các đơn vị trong khối: ai đã nhập, đã xác nhận")
def bloc_facts(request, bloc_year_id: s.Id):
    actor_ = actor(request)
    bloc_year = bloc_year_in_scope(actor_, bloc_year_id)
    if not rules.can_preview(actor_, bloc_year):
        raise Forbidden("Chỉ Trưởng khối hoặc Thường trực thi đua tỉnh xem số liệu năm của "
                        "các đơn vị trong khối.")
    progress = queries.facts_progress(bloc_year)
    return {"bloc_year_id": bloc_year.id, "year": bloc_year.emulation_year.year,
            "members": progress.members, "confirmed": progress.confirmed,
            "entered": progress.entered, "returned": progress.returned,
            "missing": progress.missing, "unconfirmed": progress.unconfirmed,
            "units": [{"unit": unit_ref(row.unit), "state": row.state,
                       "state_label": row.state_label, "evidence_count": row.evidence_count,
                       "return_reason": row.facts.return_reason if row.facts else ""}
                      for row in queries.bloc_facts(bloc_year)]}


_FILE_RESPONSE = {
    "description": "Nội dung tệp minh chứng.",
    "content": {content_type: {"schema": {"type": "string", "format": "binary"}}
                for content_type, _ in KINDS.values()},
}


@router.get("/facts-evidence/{evidence_id}/file", response=responses({}, *READ),
            url_name="facts_evidence_file",
            openapi_extra={"responses": {200: _FILE_RESPONSE}},
            summary="Tải tệp minh chứng của số liệu năm")
def facts_evidence_file(request, evidence_id: s.Id):
    actor_ = actor(request)
    evidence = queries.facts_evidence_in_scope(actor_, evidence_id)
    if evidence.kind not in KINDS:
        raise NotFound("Không tìm thấy tệp minh chứng.")
    try:
        return file_response(evidence)
    except Http404 as exc:
        raise NotFound(str(exc)) from None
