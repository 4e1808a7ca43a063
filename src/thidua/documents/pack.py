"""A province's pack (issue 6, item 3): for one emulation year, every bloc's documents —
its pledge, its published ranking, the conference minutes where they exist, its proposal
letter and the achievement reports (RULES.md 41) — and the chairman's decision draft, each
as DOCX and PDF, in one ZIP.

One background job (the tasks.py pattern, a `DocumentJob` of kind "goi-ho-so" whose
subject is the emulation year; the ZIP is kept in the job's file field, `pdf`). Progress
is written on the job after each bloc, so the page's bar moves; the PDFs of a bloc are
made in one LibreOffice run under the host's conversion lock (one conversion at a time).
Any failure ends the job as failed with its reason; a job whose worker died is failed with
the reason when someone looks at it (jobs.reap, allowed time scaled by the blocs).
"""

import io
import zipfile
from dataclasses import dataclass

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.documents import jobs, pdf, services, statistics
from thidua.documents.kinds import KINDS, kind_for
from thidua.documents.kinds_awards import proposal_documents
from thidua.documents.models import Document, DocumentJob
from thidua.org.models import BlocYear, EmulationYear
from thidua.org.rules import Actor, actor_for, can_oversee_province
from thidua.scoring.models import PublishedRanking
from thidua.voting.models import Conference

PACK_KIND = jobs.PACK_KIND
MINUTES_KIND = "bien-ban-hop"  # kinds_conference, when the conference has its minutes
Status = DocumentJob.Status


@dataclass(frozen=True)
class Group:
    """The papers of one folder of the ZIP: a bloc's, or the province's own."""

    folder: str
    label: str
    items: list  # (kind slug, subject id)


def contents(emulation_year: EmulationYear) -> list[Group]:
    """What the pack holds, bloc by bloc (the bloc's order), then the province's."""
    groups = []
    bloc_years = list(BlocYear.objects.filter(emulation_year=emulation_year)
                      .select_related("bloc").order_by("bloc__sort_key", "bloc_id"))
    ranked = set(PublishedRanking.objects.filter(table__bloc_year__in=bloc_years)
                 .values_list("table__bloc_year_id", flat=True))
    conferences = {}
    if MINUTES_KIND in KINDS:
        conferences = dict(Conference.objects.filter(bloc_year__in=bloc_years)
                           .values_list("bloc_year_id", "id"))
    for bloc_year in bloc_years:
        items = [("giao-uoc", bloc_year.id)]
        if bloc_year.id in ranked:
            items.append(("xep-hang", bloc_year.id))
        if bloc_year.id in conferences:
            items.append((MINUTES_KIND, conferences[bloc_year.id]))
        items += proposal_documents(bloc_year)
        groups.append(Group(bloc_year.bloc.code, bloc_year.bloc.name, items))
    groups.append(Group("tinh", "Văn bản của tỉnh", [("du-thao-quyet-dinh", emulation_year.id)]))
    return groups


def _paper(actor: Actor, slug: str, subject_id: int, on) -> tuple[str, bytes]:
    """(file stem, DOCX): the latest issued document of the subject, else today's draft.
    DomainError when the paper cannot be made yet (e.g. minutes of polls not counted)."""
    kind = kind_for(slug)
    subject = kind.load(actor, subject_id)
    issued = Document.objects.filter(kind=slug, subject_id=subject_id).first()
    if issued is not None:
        return (services.document_filename(issued, "docx")[:-5], bytes(issued.docx))
    return (f"{kind.filename(subject)}-du-thao",
            services.render(kind, actor, subject, number=None, on=on))


NOTES = "ghi-chu.txt"  # the papers left out, each with its reason (only when there are)


def build_zip(actor: Actor, emulation_year: EmulationYear, *, progress=None) -> bytes:
    """The pack's ZIP; `progress(percent, step)` after each group."""
    groups = contents(emulation_year)
    today = timezone.localdate()
    out, left_out = io.BytesIO(), []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, group in enumerate(groups):
            if progress:
                progress(5 + 90 * index // len(groups),
                         f"{group.label} ({index + 1}/{len(groups)}): dựng văn bản, chuyển "
                         "sang PDF")
            papers = []
            for slug, pk in group.items:
                try:
                    papers.append(_paper(actor, slug, pk, today))
                except DomainError as exc:
                    left_out.append(f"{group.label}: {kind_for(slug).label} — "
                                    + "; ".join(exc.messages))
            pdfs = pdf.docx_to_pdfs([docx for _, docx in papers])
            for (stem, docx), data in zip(papers, pdfs, strict=True):
                archive.writestr(f"{group.folder}/{stem}.docx", docx)
                archive.writestr(f"{group.folder}/{stem}.pdf", data)
        for spec in statistics.forms_for(emulation_year.year):
            archive.writestr(f"tinh/{statistics.filename(spec.key, emulation_year)}",
                             statistics.workbook(spec.key, emulation_year))
        if left_out:
            archive.writestr(NOTES, "Văn bản chưa đưa vào bộ hồ sơ:\n"
                             + "\n".join(f"- {line}" for line in left_out) + "\n")
    return out.getvalue()


# --- the job ------------------------------------------------------------------------------------

def pack_filename(emulation_year: EmulationYear) -> str:
    return f"ho-so-thi-dua-{emulation_year.year}-{emulation_year.province.code}.zip"


@transaction.atomic
def request_pack(actor: Actor, province, year: int) -> DocumentJob:
    """Queue the pack of the province's year (its secretariat only: who only reads a former
    province gets 403); the worker runs `make_pack`."""
    emulation_year = statistics.find_year(actor, province, year)
    if not can_oversee_province(actor, province.id):
        raise Forbidden("Chỉ Thường trực thi đua của tỉnh được tạo bộ hồ sơ; hồ sơ của tỉnh "
                        "cũ đã hợp nhất chỉ để xem.")
    job = DocumentJob.objects.create(requested_by=actor.user, kind=PACK_KIND,
                                     subject_id=emulation_year.id,
                                     filename=pack_filename(emulation_year),
                                     step="Đang chờ xử lý")
    make_pack.enqueue(str(job.id))
    job.refresh_from_db()
    return job


stale_seconds = jobs.stale_seconds


def find_pack_job(actor: Actor, job_id) -> DocumentJob:
    job = DocumentJob.objects.filter(pk=job_id, kind=PACK_KIND,
                                     requested_by=actor.user).defer("pdf").first()
    if job is None:
        raise NotFound("Không tìm thấy yêu cầu tạo bộ hồ sơ.")
    return jobs.reap(job, stale_seconds=stale_seconds(job))


def pack_jobs(actor: Actor, emulation_year: EmulationYear) -> list[DocumentJob]:
    jobs = DocumentJob.objects.filter(kind=PACK_KIND, subject_id=emulation_year.id,
                                      requested_by=actor.user).defer("pdf")[:5]
    return [jobs.reap(job, stale_seconds=stale_seconds(job)) for job in jobs]


def pack_zip(actor: Actor, job_id) -> DocumentJob:
    job = DocumentJob.objects.filter(pk=job_id, kind=PACK_KIND,
                                     requested_by=actor.user).first()
    if job is None or job.status != Status.DONE:
        raise NotFound("Bộ hồ sơ chưa sẵn sàng.")
    return job


@task()
def make_pack(job_id: str) -> str:
    """Build the ZIP, writing the progress on the job after each bloc. Any failure ends the
    job as failed with its reason."""
    jobs.recover_interrupted_jobs()  # a pack a killed worker left running is failed now
    claimed = DocumentJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), progress=5,
        step="Đang chuẩn bị danh sách văn bản")
    if not claimed:
        return "skipped"
    job = DocumentJob.objects.select_related("requested_by").get(pk=job_id)

    def progress(percent, step):
        DocumentJob.objects.filter(pk=job_id).update(progress=percent, step=step[:200])

    try:
        actor = actor_for(job.requested_by)
        emulation_year = EmulationYear.objects.select_related("province").get(
            pk=job.subject_id)
        statistics.find_year(actor, emulation_year.province, emulation_year.year)
        data = build_zip(actor, emulation_year, progress=progress)
    except Exception as exc:  # noqa: BLE001 - every failure is the user's to read
        reason = exc.messages[0] if getattr(exc, "messages", None) else (
            str(exc) if isinstance(exc, pdf.ConversionError) else
            f"Lỗi không mong đợi khi tạo bộ hồ sơ ({type(exc).__name__}).")
        DocumentJob.objects.filter(pk=job_id).update(
            status=Status.FAILED, error=reason, finished_at=timezone.now(), step="")
        return "failed"
    DocumentJob.objects.filter(pk=job_id).update(
        status=Status.DONE, pdf=data, progress=100, step="Hoàn thành",
        finished_at=timezone.now())
    return "done"
