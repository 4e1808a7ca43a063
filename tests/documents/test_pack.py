"""A province's pack (issue 6 item 3; RULES.md 41): one background job builds, for the
province's year, every bloc's documents as DOCX and PDF and the province's own (decision
draft, statistics forms) into one ZIP; its progress moves on the job; a failure or a dead
worker ends it as failed with the reason; only the province's secretariat asks for it."""

import io
import unicodedata
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from thidua.core.errors import NotFound
from thidua.documents import jobs, pack, pdf, services
from thidua.documents.models import DocumentJob

from .award_year import ON


def expected_names(world):
    y = world.year.year
    kt = [f"giao-uoc-thi-dua-{y}-KT", f"ket-qua-xep-hang-{y}-KT",
          f"to-trinh-khen-thuong-{y}-KT", f"danh-sach-trich-ngang-{y}-KT"] + [
        f"bao-cao-thanh-tich-{y}-{code}-{form}" for code, form in (
            ("KT1", "government_flag"), ("KT2", "provincial_flag"),
            ("KT3", "certificate_of_merit"), ("KT4", "certificate_of_merit"))]
    names = {f"KT/{stem}-du-thao.{ext}" for stem in kt for ext in ("docx", "pdf")}
    names |= {f"VX/giao-uoc-thi-dua-{y}-VX-du-thao.{ext}" for ext in ("docx", "pdf")}
    names |= {f"tinh/du-thao-quyet-dinh-khen-thuong-{y}-BN-du-thao.{ext}"
              for ext in ("docx", "pdf")}
    names |= {f"tinh/bieu-{form}-N-{y}-BN.xlsx"
              for form in ("0601", "0602", "0603", "0604", "0605")}
    return names


def test_pack_job_zips_every_blocs_documents_as_docx_and_pdf(world, award_year,
                                                            needs_libreoffice):
    secretariat = world.actor("secretariat")
    # An issued letter goes in as issued (its number), not as a draft.
    letter = services.issue(world.actor("leader"), "to-trinh", award_year.proposal.pk, on=ON)
    job = pack.request_pack(secretariat, world.province, world.year.year)
    job = pack.find_pack_job(secretariat, job.id)
    assert (job.status, job.progress, job.step, job.error) == ("done", 100, "Hoàn thành", "")
    assert job.filename == f"ho-so-thi-dua-{world.year.year}-BN.zip"
    data = bytes(pack.pack_zip(secretariat, job.id).pdf)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        issued = services.document_filename(letter, "docx")[:-5]
        expected = expected_names(world) - {
            f"KT/to-trinh-khen-thuong-{world.year.year}-KT-du-thao.{e}" for e in ("docx",
                                                                                  "pdf")}
        expected |= {f"KT/{issued}.docx", f"KT/{issued}.pdf"}
        assert names == expected
        assert archive.read(f"KT/{issued}.docx") == bytes(letter.docx)
        for name in names:
            if name.endswith(".pdf"):
                assert archive.read(name).startswith(b"%PDF"), name
        text = unicodedata.normalize("NFC", PdfReader(io.BytesIO(archive.read(
            f"KT/{issued}.pdf"))).pages[0].extract_text())
        assert "TỜ TRÌNH" in text and "01/TTr-KT" in text


def test_pack_progress_moves_bloc_by_bloc(world, award_year, needs_libreoffice):
    seen = []
    pack.build_zip(world.actor("secretariat"), world.year,
                   progress=lambda percent, step: seen.append((percent, step)))
    assert seen == [(5, "Khối Kinh tế (1/3): dựng văn bản, chuyển sang PDF"),
                    (35, "Khối Văn hóa (2/3): dựng văn bản, chuyển sang PDF"),
                    (65, "Văn bản của tỉnh (3/3): dựng văn bản, chuyển sang PDF")]


def test_a_failed_pack_is_marked_failed_with_the_reason(world, award_year, monkeypatch):
    monkeypatch.setattr(pdf, "CANDIDATES", ("khong-co-libreoffice",))
    secretariat = world.actor("secretariat")
    job = pack.find_pack_job(secretariat, pack.request_pack(
        secretariat, world.province, world.year.year).id)
    assert job.status == "failed"
    assert "chưa cài LibreOffice" in job.error
    with pytest.raises(NotFound):
        pack.pack_zip(secretariat, job.id)


def test_an_interrupted_pack_is_failed_with_the_reason_after_its_allowance(world):
    """A worker that died leaves the job "running": it is failed when looked at, once the
    allowance of one conversion per group (2 blocs + the province) has passed."""
    secretariat = world.actor("secretariat")
    allowance = jobs.JOB_STALE_SECONDS * 3

    def running(seconds):
        return DocumentJob.objects.create(
            requested_by=secretariat.user, kind=pack.PACK_KIND, subject_id=world.year.pk,
            filename="a.zip", status="running", progress=35,
            started_at=timezone.now() - timedelta(seconds=seconds))

    slow, dead = running(jobs.JOB_STALE_SECONDS + 60), running(allowance + 1)
    assert pack.find_pack_job(secretariat, slow.id).status == "running"
    job = pack.find_pack_job(secretariat, dead.id)
    assert job.status == "failed"
    assert DocumentJob.objects.get(pk=dead.pk).error.startswith(
        f"Quá thời gian ({allowance} giây) mà chưa xong")


def test_the_next_pack_task_fails_a_dead_one_nobody_looked_at(world, monkeypatch):
    """Issue 7: no job stays "running" after a worker crash, even
    if no one opens its page — the next task any worker runs fails it with the reason."""
    monkeypatch.setattr(pdf, "CANDIDATES", ("khong-co-libreoffice",))
    secretariat = world.actor("secretariat")
    dead = DocumentJob.objects.create(
        requested_by=secretariat.user, kind=pack.PACK_KIND, subject_id=world.year.pk,
        filename="a.zip", status="running", progress=35,
        started_at=timezone.now() - timedelta(seconds=jobs.JOB_STALE_SECONDS * 3 + 1))
    pack.request_pack(secretariat, world.province, world.year.year)
    dead.refresh_from_db()
    assert (dead.status, dead.progress) == ("failed", 35)
    assert dead.error.startswith(f"Quá thời gian ({jobs.JOB_STALE_SECONDS * 3} giây)")


def test_only_the_provinces_secretariat_makes_and_reads_the_pack(world, client_for,
                                                                 monkeypatch):
    monkeypatch.setattr(pdf, "CANDIDATES", ("khong-co-libreoffice",))  # no conversion here
    year = world.year.year
    for name in ("officer", "leader", "other_secretariat", "nobody"):
        with pytest.raises(NotFound):
            pack.request_pack(world.actor(name), world.province, year)
    assert not DocumentJob.objects.exists()
    page = reverse("province_documents", args=["BN", year])
    start = reverse("province_pack", args=["BN", year])
    for name in ("officer", "leader", "other_secretariat"):
        client = client_for(world.users[name])
        assert client.get(page).status_code == 404
        assert client.post(start).status_code == 404
    client = client_for(world.users["secretariat"])
    response = client.get(page)
    assert response.status_code == 200
    assert reverse("province_statistics", args=["BN", year, "0603"]) in response.text
    response = client.post(start)
    job = DocumentJob.objects.get(kind=pack.PACK_KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("province_pack_job", args=[job.id])
    progress = client.get(response["Location"])
    assert progress.status_code == 200 and "Không tạo được bộ hồ sơ" in progress.text
    assert client.get(reverse("province_pack_download", args=[job.id])).status_code == 404
    # Nobody else reaches the job (another province's secretariat here).
    other = client_for(world.users["other_secretariat"])
    assert other.get(reverse("province_pack_job", args=[job.id])).status_code == 404
    dashboard = client_for(world.users["secretariat"]).get(
        reverse("province_dashboard", args=["BN"]) + f"?nam={year}")
    assert page in dashboard.text

