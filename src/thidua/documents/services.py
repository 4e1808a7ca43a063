"""Produce documents: a draft (no number), issue (takes the number, keeps the DOCX), and
PDF jobs run by the background worker (django.tasks, database backend)."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from thidua.core import audit
from thidua.core.dates import short_date
from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.documents.format import number_text
from thidua.documents.jobs import reap
from thidua.documents.kind import Kind
from thidua.documents.kinds import kind_for
from thidua.documents.models import Document, DocumentJob
from thidua.documents.numbering import take_number
from thidua.documents.rendering import render
from thidua.documents.tasks import make_pdf
from thidua.org.rules import Actor


@dataclass(frozen=True)
class Produced:
    filename: str
    content: bytes


def draft(actor: Actor, slug: str, subject_id: int, on: datetime.date | None = None
          ) -> Produced:
    """The current draft as DOCX: today's data and date, no number (RULES.md 37). Making
    one only reads (the voting cards sheet prints the cards already issued)."""
    kind = kind_for(slug)
    subject = kind.load(actor, subject_id)
    on = on or timezone.localdate()
    return Produced(f"{kind.filename(subject)}-du-thao.docx",
                    render(kind, actor, subject, number=None, on=on))


def check_signing_date(kind: Kind, subject, signed_on: datetime.date) -> datetime.date:
    """The signing date a user typed (issue 15, item 3). A paper that records an event
    (minutes: the meeting) carries the event's day and takes no other; a date after today
    (local time), or before last year (the numbering registry is kept per year), is
    refused."""
    event = kind.paper_date(subject)
    today = timezone.localdate()
    if event is not None and signed_on != event:
        raise DomainError(f"{kind.label} mang ngày của sự kiện ghi trong văn bản "
                          f"({short_date(event)}), không nhận ngày ký khác.")
    if signed_on > today:
        raise DomainError(f"Ngày ký ({short_date(signed_on)}) không được sau hôm nay "
                          f"({short_date(today)}).")
    if signed_on.year < today.year - 1:
        raise DomainError(f"Ngày ký ({short_date(signed_on)}) quá cũ: chỉ ban hành văn bản ký "
                          f"trong năm {today.year - 1} hoặc {today.year}.")
    return signed_on


@transaction.atomic
def issue(actor: Actor, slug: str, subject_id: int, on: datetime.date | None = None, *,
          signed_on: datetime.date | None = None) -> Document:
    """Take the next number of the issuing body for this type and year and keep the DOCX
    as issued. The number is never given again, even if the document is superseded.
    `signed_on`: the signing date the user typed (checked, `check_signing_date`); `on`:
    the caller's clock (default today, local time). A paper that records an event is
    dated by it whatever the day it is numbered (`kind.date_line`)."""
    kind = kind_for(slug)
    subject = kind.load(actor, subject_id)
    if not kind.can_issue(actor, subject):
        raise Forbidden("Bạn không có quyền ban hành văn bản này (hoặc dữ liệu chưa được "
                        "gửi chính thức).")
    if signed_on is not None:
        on = check_signing_date(kind, subject, signed_on)
    on = on or timezone.localdate()
    issuer = kind.issuer(subject)
    number = take_number(issuer.key, kind.symbol, on.year)
    document = Document.objects.create(
        province_id=kind.province_id(subject), kind=kind.slug, subject_id=subject_id,
        issuer=issuer.key, symbol=kind.symbol, year=on.year, number=number,
        reference=f"{number_text(number)}/{kind.symbol}-{issuer.abbreviation}",
        issued_on=on, issued_by=actor.user,
        docx=render(kind, actor, subject, number=number, on=on))
    audit.record(actor, "documents.issue", document, province_id=document.province_id,
                 after={"kind": kind.slug, "subject_id": subject_id,
                        "reference": document.reference, "issued_on": on})
    return document


def issued_for(actor: Actor, slug: str, subject_id: int) -> list[Document]:
    """The issued documents of a subject the actor may see, newest first."""
    kind_for(slug).load(actor, subject_id)
    return list(Document.objects.filter(kind=slug, subject_id=subject_id).defer("docx"))


def find_document(actor: Actor, pk: int) -> Document:
    document = Document.objects.filter(pk=pk).first()
    if document is None:
        raise NotFound("Không tìm thấy văn bản.")
    kind_for(document.kind).load(actor, document.subject_id)  # NotFound when not visible
    return document


def document_filename(document: Document, extension: str) -> str:
    """"dang-ky-so-05-DK-2026.docx": ASCII, so every browser keeps the name."""
    symbol = document.symbol.replace("Đ", "D").replace("đ", "d")
    return (f"{document.kind}-so-{number_text(document.number)}-{symbol}-{document.year}"
            f".{extension}")


# --- PDF jobs ----------------------------------------------------------------------------

@transaction.atomic
def request_pdf(actor: Actor, slug: str, subject_id: int, document: Document | None = None
                ) -> DocumentJob:
    """Queue the PDF of the draft (document None) or of an issued document; the worker
    runs `tasks.make_pdf`."""
    kind = kind_for(slug)
    subject = kind.load(actor, subject_id)
    if document is not None and (document.kind, document.subject_id) != (slug, subject_id):
        raise NotFound("Không tìm thấy văn bản.")
    filename = (document_filename(document, "pdf") if document
                else f"{kind.filename(subject)}-du-thao.pdf")
    job = DocumentJob.objects.create(requested_by=actor.user, kind=slug,
                                     subject_id=subject_id, document=document,
                                     filename=filename, step="Đang chờ xử lý")
    make_pdf.enqueue(str(job.id))
    job.refresh_from_db()
    return job


def find_job(actor: Actor, job_id) -> DocumentJob:
    """A job is its requester's own; a stale one is failed here with the reason, so no
    page ever shows "running" forever."""
    job = DocumentJob.objects.filter(pk=job_id, requested_by=actor.user).defer("pdf").first()
    if job is None:
        raise NotFound("Không tìm thấy yêu cầu tạo văn bản.")
    return reap(job)


def job_pdf(actor: Actor, job_id) -> DocumentJob:
    job = DocumentJob.objects.filter(pk=job_id, requested_by=actor.user).first()
    if job is None or job.status != DocumentJob.Status.DONE:
        raise NotFound("Văn bản PDF chưa sẵn sàng.")
    return job
