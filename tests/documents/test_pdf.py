"""PDF through LibreOffice from the same DOCX, in the background job queue (here the
immediate backend): the file, its pages and text, page numbers from page 2 only (RULES.md
39), one conversion at a time, the timeout, and no job left "running" forever."""

import datetime
import fcntl
import unicodedata
from datetime import timedelta

import pytest
from django.utils import timezone

from thidua.documents import engine, jobs, pdf, services
from thidua.documents.format import MOTTO, NATIONAL_NAME
from thidua.documents.models import DocumentJob

from .conftest import pdf_info

ON = datetime.date(2026, 3, 5)


def test_issued_pledge_as_pdf_pages_text_and_page_numbers(world, needs_libreoffice,
                                                          tmp_path):
    leader = world.actor("leader")
    bloc_year = world.bloc_years["KT"]
    document = services.issue(leader, "giao-uoc", bloc_year.pk, on=ON)
    job = services.request_pdf(leader, "giao-uoc", bloc_year.pk, document)
    job = services.find_job(leader, job.id)
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    assert job.filename == "giao-uoc-so-01-BTT-2026.pdf"
    data = bytes(DocumentJob.objects.get(pk=job.id).pdf)
    assert data.startswith(b"%PDF")
    pages, text = pdf_info(data, tmp_path)
    assert pages == 2  # the signatures and recipients spill onto page 2
    text = unicodedata.normalize("NFC", text)
    assert NATIONAL_NAME in text and MOTTO in text
    assert "Số: 01/BTT-KT" in text
    assert "Bắc Ninh, ngày 05 tháng 3 năm 2026" in text
    assert "TM. KHỐI THI ĐUA" in text
    first, second = text.split("\f")[:2]
    assert first.strip().splitlines()[0].split()[0] != "1"  # no number on page 1
    assert second.strip().splitlines()[0].strip() == "2"  # centred number at the top


def test_demo_ranking_pdf_landscape_numbered_from_page_2(demo_year, needs_libreoffice,
                                                        tmp_path):
    from thidua.org.models import RoleAssignment
    from thidua.org.rules import actor_for

    leader = actor_for(RoleAssignment.objects.get(role="bloc_leader_officer",
                                                  bloc_year=demo_year).user)
    document = services.issue(leader, "xep-hang", demo_year.pk, on=ON)
    job = DocumentJob.objects.get(pk=services.request_pdf(
        leader, "xep-hang", demo_year.pk, document).id)
    assert job.status == "done", job.error
    path = tmp_path / "x.pdf"
    path.write_bytes(bytes(job.pdf))
    pages, text = pdf_info(bytes(job.pdf), tmp_path)
    assert pages == 2
    size = pdf.subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                              check=True).stdout
    assert "x 595.3" in size and "pts (A4)" in size and "841.8" in size  # A4 landscape
    text = unicodedata.normalize("NFC", text)
    assert NATIONAL_NAME in text and "Số: 01/BC-KTKT" in text
    first, second = text.split("\f")[:2]
    assert first.strip().splitlines()[0].split()[0] != "1"  # no number on page 1
    assert second.strip().splitlines()[0].strip() == "2"  # centred number at the top


def test_draft_pdf_of_a_registration_is_one_page(world, needs_libreoffice, tmp_path):
    from thidua.pledges import services as pledges

    officer = world.actor("officer")
    registration = pledges.open_registration(officer, world.units["KT1"], world.year)
    job = services.request_pdf(officer, "dang-ky", registration.pk)
    job = DocumentJob.objects.get(pk=job.id)
    assert job.status == "done", job.error
    assert job.filename == f"dang-ky-thi-dua-{world.year.year}-KT1-du-thao.pdf"
    pages, text = pdf_info(bytes(job.pdf), tmp_path)
    assert pages == 1
    assert "BẢN ĐĂNG KÝ THI ĐUA" in unicodedata.normalize("NFC", text)
    # Another unit's officer cannot reach the job, nor its file.
    with pytest.raises(services.NotFound):
        services.find_job(world.actor("peer"), job.id)
    with pytest.raises(services.NotFound):
        services.job_pdf(world.actor("peer"), job.id)


def test_conversion_timeout_fails_the_job_with_the_reason(needs_libreoffice):
    docx = engine.template_path("registration").read_bytes()
    with pytest.raises(pdf.ConversionError, match="quá 0.01 giây"):
        pdf.docx_to_pdf(docx, timeout=0.01)


def test_one_conversion_at_a_time(needs_libreoffice, settings):
    docx = engine.template_path("registration").read_bytes()
    with open(pdf._lock_path(), "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(pdf.ConversionError, match="đang bận"):
            pdf.docx_to_pdf(docx, lock_wait=0)
    assert pdf.docx_to_pdf(docx).startswith(b"%PDF")


def test_missing_libreoffice_fails_the_job_with_the_reason(world, monkeypatch):
    monkeypatch.setattr(pdf, "CANDIDATES", ("khong-co-libreoffice",))
    leader = world.actor("leader")
    job = services.request_pdf(leader, "giao-uoc", world.bloc_years["KT"].pk)
    job = services.find_job(leader, job.id)
    assert job.status == "failed"
    assert "chưa cài LibreOffice" in job.error


def test_a_job_never_stays_running_or_queued_forever(world):
    leader = world.actor("leader")
    long_ago = timezone.now() - timedelta(seconds=jobs.JOB_STALE_SECONDS + 1)
    running = DocumentJob.objects.create(
        requested_by=leader.user, kind="giao-uoc", subject_id=1, filename="a.pdf",
        status="running", started_at=long_ago)
    queued = DocumentJob.objects.create(
        requested_by=leader.user, kind="giao-uoc", subject_id=1, filename="b.pdf")
    DocumentJob.objects.filter(pk=queued.pk).update(
        created_at=timezone.now() - timedelta(seconds=jobs.QUEUE_STALE_SECONDS + 1))
    fresh = DocumentJob.objects.create(
        requested_by=leader.user, kind="giao-uoc", subject_id=1, filename="c.pdf",
        status="running", started_at=timezone.now())
    assert services.find_job(leader, running.id).status == "failed"
    assert "Quá thời gian" in DocumentJob.objects.get(pk=running.pk).error
    assert services.find_job(leader, queued.id).status == "failed"
    assert "thidua db_worker" in DocumentJob.objects.get(pk=queued.pk).error
    assert services.find_job(leader, fresh.id).status == "running"
