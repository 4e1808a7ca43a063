"""The bookkeeping of background jobs (PDFs, a province's pack): how long each may run,
and failing — with the reason — a job a killed worker left running or no worker picked
up, so no page shows "running" forever."""

from django.utils import timezone

from thidua.documents import pdf
from thidua.documents.models import DocumentJob
from thidua.org.models import BlocYear

# A job still "running" after this is failed with the reason (a killed worker, a reboot).
JOB_STALE_SECONDS = pdf.TIMEOUT_SECONDS + pdf.LOCK_WAIT_SECONDS + 60
# A job nobody picked up (no worker running) is failed after this, with the reason.
QUEUE_STALE_SECONDS = 30 * 60
PACK_KIND = "goi-ho-so"  # a province's pack (documents.pack)
Status = DocumentJob.Status


def stale_seconds(job: DocumentJob) -> int:
    """A pack may run one conversion's allowance per group (blocs and the province)."""
    blocs = BlocYear.objects.filter(emulation_year_id=job.subject_id).count()
    return JOB_STALE_SECONDS * (blocs + 1)


def reap(job: DocumentJob, now=None, stale_seconds: int = JOB_STALE_SECONDS) -> DocumentJob:
    """`stale_seconds`: how long the job may run (a province's pack: per bloc)."""
    now = now or timezone.now()
    reason = None
    if job.status == DocumentJob.Status.RUNNING and job.started_at and (
            now - job.started_at).total_seconds() > stale_seconds:
        reason = (f"Quá thời gian ({stale_seconds} giây) mà chưa xong: tiến trình nền "
                  "đã dừng giữa chừng. Vui lòng tạo lại.")
    elif job.status == DocumentJob.Status.QUEUED and (
            now - job.created_at).total_seconds() > QUEUE_STALE_SECONDS:
        reason = ("Chưa có tiến trình nền nào nhận yêu cầu (máy chủ cần chạy "
                  "`thidua db_worker`). Vui lòng tạo lại.")
    if reason:
        updated = DocumentJob.objects.filter(pk=job.pk, status=job.status).update(
            status=DocumentJob.Status.FAILED, error=reason, finished_at=now)
        if updated:
            job.status, job.error, job.finished_at = DocumentJob.Status.FAILED, reason, now
    return job


def _allowance(job) -> int:
    # A province's pack is allowed time per bloc; a single paper the fixed allowance.
    return stale_seconds(job) if job.kind == PACK_KIND else JOB_STALE_SECONDS


def recover_interrupted_jobs(now=None) -> int:
    """Jobs a killed worker left "running" past their allowance are failed with the reason
    (reap) by the next task any worker runs — not only when someone opens the job page —
    so none stays running. Returns how many were failed."""
    failed = 0
    for job in DocumentJob.objects.filter(status=Status.RUNNING).defer("pdf"):
        job = reap(job, now=now, stale_seconds=_allowance(job))
        failed += job.status == Status.FAILED
    return failed
