"""Documents (Decree 30): list, draft, issue and download; PDF jobs; numbering read-only.
Every call goes through documents.services with documents.rules (as the pages)."""

import datetime
import uuid
from typing import Literal

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, responses
from thidua.documents import services
from thidua.documents.kinds import KINDS, kind_for
from thidua.documents.models import Document, DocumentJob
from thidua.documents.numbering import last_numbers

router = Router(tags=["Văn bản"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Kind = Literal[tuple(KINDS)]  # type: ignore[valid-type]
_FILE = {"description": "Tệp văn bản", "content": {
    DOCX: {"schema": {"type": "string", "format": "binary"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}


class DocumentOut(Schema):
    id: int
    kind: str
    subject_id: int
    reference: str = Field(description='Số, ký hiệu: "05/BB-KTKT" (Quy tắc 37).')
    number: int
    symbol: str
    year: int
    issued_on: datetime.date
    docx_url: str


class DocumentListOut(Schema):
    kind: str
    label: str
    symbol: str
    can_issue: bool
    draft_url: str
    documents: list[DocumentOut]


class JobIn(s.InputObject):
    document_id: s.Id | None = Field(None, description="Văn bản đã ban hành; bỏ trống: "
                                                         "bản dự thảo hiện tại.")


class IssueIn(s.InputObject):
    signed_on: datetime.date | None = Field(
        None, description="Ngày ký (YYYY-MM-DD), không sau hôm nay; bỏ trống: hôm nay. Văn "
                          "bản ghi một sự kiện (biên bản họp, biên bản kiểm phiếu) mang ngày "
                          "của sự kiện và không nhận ngày khác.")


class JobOut(Schema):
    id: uuid.UUID
    status: Literal["queued", "running", "done", "failed"]
    progress: int = Field(ge=0, le=100)
    step: str
    error: str
    filename: str
    pdf_url: str | None


class NumberingOut(Schema):
    issuer: str
    year: int
    last_numbers: dict[str, int] = Field(description="Số cuối đã cấp theo ký hiệu loại "
                                                      "văn bản.")


def document_out(document: Document) -> dict:
    return {"id": document.id, "kind": document.kind, "subject_id": document.subject_id,
            "reference": document.reference, "number": document.number,
            "symbol": document.symbol, "year": document.year, "issued_on": document.issued_on,
            "docx_url": reverse("api:document_docx", kwargs={"document_id": document.id})}


def job_out(job: DocumentJob) -> dict:
    return {"id": job.id, "status": job.status, "progress": job.progress, "step": job.step,
            "error": job.error, "filename": job.filename,
            "pdf_url": reverse("api:document_job_pdf", kwargs={"job_id": job.id})
            if job.status == DocumentJob.Status.DONE else None}


class KindOut(Schema):
    kind: str
    label: str
    symbol: str = Field(description='Ký hiệu loại văn bản trong số, ký hiệu: "BB", "TTr".')


@router.get("/document-kinds", response=responses({200: list[KindOut]}, 401),
            summary="Các loại văn bản hệ thống tạo được (dùng làm {kind} ở các thao tác khác)")
def kinds(request):
    actor(request)
    return [{"kind": k.slug, "label": k.label, "symbol": k.symbol} for k in KINDS.values()]


@router.get("/documents/{kind}/{subject_id}", response=responses({200: DocumentListOut}, *READ),
            summary="Văn bản của một đối tượng: dự thảo và các văn bản đã ban hành")
def list_documents(request, kind: Kind, subject_id: s.Id):
    actor_ = actor(request)
    spec = kind_for(kind)
    subject = spec.load(actor_, subject_id)
    return {"kind": spec.slug, "label": spec.label, "symbol": spec.symbol,
            "can_issue": spec.can_issue(actor_, subject),
            "draft_url": reverse("api:document_draft", kwargs={"kind": kind,
                                                               "subject_id": subject_id}),
            "documents": [document_out(d) for d in services.issued_for(actor_, kind,
                                                                       subject_id)]}


@router.get("/documents/{kind}/{subject_id}/draft.docx", response=responses({}, *READ, 409),
            url_name="document_draft", openapi_extra={"responses": {200: _FILE}},
            summary="Tải bản dự thảo DOCX (chưa có số)")
def draft(request, kind: Kind, subject_id: s.Id):
    produced = services.draft(actor(request), kind, subject_id)
    return _file(produced.content, produced.filename, DOCX)


@router.post("/documents/{kind}/{subject_id}/issue",
             response=responses({201: DocumentOut}, *WRITE),
             summary="Ban hành: lấy số tiếp theo của cơ quan ban hành (Quy tắc 37)")
def issue(request, kind: Kind, subject_id: s.Id, payload: IssueIn):
    return Status(201, document_out(services.issue(actor(request), kind, subject_id,
                                                   signed_on=payload.signed_on)))


@router.get("/issued-documents/{document_id}/docx", response=responses({}, *READ),
            url_name="document_docx", openapi_extra={"responses": {200: _FILE}},
            summary="Tải văn bản đã ban hành (DOCX)")
def issued_docx(request, document_id: s.Id):
    document = services.find_document(actor(request), document_id)
    return _file(bytes(document.docx), services.document_filename(document, "docx"), DOCX)


@router.post("/documents/{kind}/{subject_id}/pdf", response=responses({202: JobOut}, *WRITE),
             summary="Yêu cầu tạo PDF (chạy nền); theo dõi bằng /jobs/{id}")
def request_pdf(request, kind: Kind, subject_id: s.Id, payload: JobIn):
    actor_ = actor(request)
    document = (services.find_document(actor_, payload.document_id)
                if payload.document_id else None)
    return Status(202, job_out(services.request_pdf(actor_, kind, subject_id, document)))


@router.get("/jobs/{job_id}", response=responses({200: JobOut}, *READ),
            summary="Tiến độ một yêu cầu tạo PDF")
def job(request, job_id: uuid.UUID):
    return job_out(services.find_job(actor(request), job_id))


@router.get("/jobs/{job_id}/pdf", response=responses({}, *READ), url_name="document_job_pdf",
            openapi_extra={"responses": {200: _FILE}}, summary="Tải tệp PDF đã tạo")
def job_pdf(request, job_id: uuid.UUID):
    found = services.job_pdf(actor(request), job_id)
    return _file(bytes(found.pdf), found.filename, "application/pdf")


@router.get("/documents/{kind}/{subject_id}/numbering",
            response=responses({200: NumberingOut}, *READ),
            summary="Sổ đăng ký số của cơ quan ban hành văn bản này (chỉ đọc)")
def numbering(request, kind: Kind, subject_id: s.Id, year: s.Year):
    spec = kind_for(kind)
    issuer = spec.issuer(spec.load(actor(request), subject_id))
    return {"issuer": issuer.issuing_agency, "year": year,
            "last_numbers": last_numbers(issuer.key, year)}


def _file(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
