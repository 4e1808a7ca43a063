"""Documents (Decree 30): list, draft, issue and download; PDF jobs; numbering read-only;
the province's statistics forms (Excel). Every call goes through documents.services with
documents.rules, or documents.statistics (as the pages)."""

import datetime
import uuid
from typing import Literal

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from thidua.api import schemas as s
from thidua.api.auth import actor
from thidua.api.common import READ, WRITE, responses
from thidua.documents import services, statistics
from thidua.documents.kinds import KINDS, kind_for
from thidua.documents.models import Document, DocumentJob
from thidua.documents.numbering import last_numbers
from thidua.org.queries import province_by_code

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


class StatisticsFormOut(Schema):
    form: str = Field(description='"0601" … "0605"')
    number: str = Field(description='"0601.N/BNV-TĐKT"')
    title: str
    total: int | None = Field(description="Tổng số (dòng 01, cột 1); null: đơn vị tự điền.")
    note: str = Field(description="Lưu ý của năm báo cáo (như trang hồ sơ của tỉnh và dòng "
                                  "«Lưu ý» trong tệp Excel; ví dụ: có thông tư mới mà thidua "
                                  "chưa đối chiếu); \"\": không có. Như nhau ở mọi biểu "
                                  "của năm.")
    xlsx_url: str


@router.get("/provinces/{code}/years/{year}/statistics",
            response=responses({200: list[StatisticsFormOut]}, *READ),
            summary="Các biểu thống kê thi đua, khen thưởng của năm (Quy tắc 42)")
def statistics_forms(request, code: s.text(20), year: s.Year):
    emulation_year = statistics.find_year(actor(request), province_by_code(code), year)
    note = statistics.note_for(emulation_year.year)
    return [{"form": item.spec.key, "number": item.spec.number, "title": item.spec.title,
             "total": item.total, "note": note,
             "xlsx_url": reverse("api:documents_statistics_xlsx", kwargs={
                 "code": code, "year": year, "form": item.spec.key})}
            for item in statistics.summaries(emulation_year)]


@router.get("/provinces/{code}/years/{year}/statistics/{form}.xlsx",
            response=responses({}, *READ), url_name="documents_statistics_xlsx",
            openapi_extra={"responses": {200: {"description": "Biểu thống kê (Excel)", "content": {
                statistics.CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}},
            summary="Tải một biểu thống kê 0601.N–0605.N (Excel)")
def statistics_xlsx(request, code: s.text(20), year: s.Year, form: s.text(4)):
    name, content = statistics.statistics_form(actor(request), province_by_code(code), year,
                                               form)
    return _file(content, name, statistics.CONTENT_TYPE)


def _file(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
