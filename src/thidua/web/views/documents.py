"""Documents (Decree 30 format): a subject's page with the draft DOCX, issue (numbering),
the issued documents, and PDF jobs with a progress bar (htmx polling).

Every view asks documents.kinds to load the subject, which applies documents.rules: a
subject out of sight is 404, issuing without the right is 403.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from thidua.core.dates import short_date
from thidua.core.errors import DomainError, NotFound
from thidua.documents import digital, services
from thidua.documents.kinds import kind_for
from thidua.web.utils import error_items, get_actor, is_htmx, shows_domain_errors

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page(request, actor, slug, pk, *, errors=(), status=200, typed_date=""):
    kind = kind_for(slug)
    subject = kind.load(actor, pk)
    event = kind.paper_date(subject)
    return render(request, "web/documents/page.html", {
        "kind": kind, "subject": subject, "pk": pk,
        "issuer": kind.issuer(subject),
        "can_issue": kind.can_issue(actor, subject),
        "event_date": event,
        "signed_on": typed_date or f"{timezone.localdate():%Y-%m-%d}",
        "documents": services.issued_for(actor, slug, pk),
        "input_links": [(label, reverse(name, args=args))
                        for label, name, args in kind.input_links(actor, subject)],
        "errors": error_items(messages=errors),
    }, status=status)


def _typed_date(value: str):
    """The "Ngày ký" field (an HTML date input: YYYY-MM-DD); empty: today."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise DomainError(f"Ngày ký “{value[:20]}” không hợp lệ: nhập theo dạng "
                          "ngày/tháng/năm.") from None


@login_required
@shows_domain_errors
def page(request, slug, pk):
    return _page(request, get_actor(request), slug, pk)


@login_required
@shows_domain_errors
def draft_docx(request, slug, pk):
    produced = services.draft(get_actor(request), slug, pk)
    return _attachment(produced.content, produced.filename, DOCX)


@login_required
@require_POST
@shows_domain_errors
def issue(request, slug, pk):
    actor = get_actor(request)
    typed = request.POST.get("ngay_ky", "")
    try:
        document = services.issue(actor, slug, pk, signed_on=_typed_date(typed))
    except NotFound:
        raise
    except DomainError as exc:
        if exc.status == 403:
            raise
        return _page(request, actor, slug, pk, errors=exc.messages, status=exc.status,
                     typed_date=typed[:20])
    messages.success(request, f"Đã ban hành văn bản số {document.reference} ngày "
                              f"{short_date(document.issued_on)}.")
    return redirect("document_page", slug=slug, pk=pk)


@login_required
@shows_domain_errors
def issued_docx(request, pk):
    document = services.find_document(get_actor(request), pk)
    return _attachment(bytes(document.docx), services.document_filename(document, "docx"),
                       DOCX)


@login_required
@require_POST
@shows_domain_errors
def request_pdf(request, slug, pk):
    actor = get_actor(request)
    document = None
    if request.POST.get("van_ban"):
        try:
            document = services.find_document(actor, int(request.POST["van_ban"]))
        except ValueError:
            raise NotFound("Không tìm thấy văn bản.") from None
    job = services.request_pdf(actor, slug, pk, document)
    return redirect("document_job", job_id=job.id)


@login_required
@shows_domain_errors
def job(request, job_id):
    actor = get_actor(request)
    found = services.find_job(actor, job_id)
    context = {"job": found, "back": reverse("document_page", kwargs={
        "slug": found.kind, "pk": found.subject_id}),
        "certificates": digital.certificates_for_job(actor, found)}
    if is_htmx(request):
        return render(request, "web/documents/job.html#progress", context)
    return render(request, "web/documents/job.html", context)


@login_required
@shows_domain_errors
def job_download(request, job_id):
    found = services.job_pdf(get_actor(request), job_id)
    return _attachment(bytes(found.pdf), found.filename, "application/pdf")




@login_required
@require_POST
@shows_domain_errors
def sign_job(request, job_id):
    """Sign an issued document's PDF with the province's certificate (documents.digital)."""
    chosen = request.POST.get("chung_thu", "")
    certificate = int(chosen) if chosen.isdecimal() and len(chosen) < 10 else None
    digital.sign_job(get_actor(request), job_id, certificate)
    messages.success(request, "Đã ký số tệp PDF.")
    return redirect("document_job", job_id=job_id)
