"""Background tasks (django.tasks; the database backend's worker: `thidua db_worker`)."""

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from thidua.documents import jobs, pdf
from thidua.documents.kinds import kind_for
from thidua.documents.models import DocumentJob
from thidua.documents.rendering import render
from thidua.org.rules import actor_for

Status = DocumentJob.Status


def _step(job_id, progress, step, **fields):
    DocumentJob.objects.filter(pk=job_id).update(progress=progress, step=step, **fields)


@task()
def make_pdf(job_id: str) -> str:
    """Render the DOCX (a draft's from today's data, an issued one as issued), convert it
    with LibreOffice, store the PDF. Any failure ends the job as failed with its reason."""
    jobs.recover_interrupted_jobs()
    claimed = DocumentJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), progress=10,
        step="Đang dựng văn bản Word")
    if not claimed:
        return "skipped"
    job = DocumentJob.objects.select_related("document", "requested_by").get(pk=job_id)
    try:
        if job.document is not None:
            docx = bytes(job.document.docx)
        else:
            actor = actor_for(job.requested_by)
            kind = kind_for(job.kind)
            subject = kind.load(actor, job.subject_id)
            docx = render(kind, actor, subject, number=None,
                                   on=timezone.localdate())
        _step(job_id, 40, "Đang chuyển sang PDF (LibreOffice)")
        data = pdf.docx_to_pdf(docx)
    except Exception as exc:  # noqa: BLE001 - every failure is the user's to read
        reason = exc.messages[0] if getattr(exc, "messages", None) else (
            str(exc) if isinstance(exc, pdf.ConversionError) else
            f"Lỗi không mong đợi khi tạo PDF ({type(exc).__name__}).")
        with transaction.atomic():
            DocumentJob.objects.filter(pk=job_id).update(
                status=Status.FAILED, error=reason, finished_at=timezone.now(), step="")
        return "failed"
    DocumentJob.objects.filter(pk=job_id).update(
        status=Status.DONE, pdf=data, progress=100, step="Hoàn thành",
        finished_at=timezone.now())
    return "done"
