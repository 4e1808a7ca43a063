"""Documents pages: permission matrix (404 out of sight, 403 not allowed), draft and
issued downloads, the numbering through the UI, PDF jobs with the progress bar, and the
download buttons on the existing pages."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from thidua.documents.models import Document, DocumentJob, NumberCounter
from thidua.pledges import services as pledges

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
USERS = ["admin", "secretariat", "other_secretariat", "leader", "officer", "peer",
         "outsider", "delegate", "nobody"]


def fill(world, registration):
    officer = world.actor("officer")
    pledges.set_titles(officer, registration, ["provincial_flag"])
    pledges.add_target(officer, registration, pledges.TargetInput(
        indicator="Tỷ lệ hồ sơ giải quyết đúng hạn", target_value=Decimal("95"),
        unit_of_measure="%", deadline=datetime.date(world.year.year, 12, 15)))
    pledges.submit_registration(officer, registration)
    return registration


def submitted_registration(world):
    return fill(world, pledges.open_registration(world.actor("officer"), world.units["KT1"],
                                                 world.year))


def test_pledge_page_and_issue_permission_matrix(world, client_for):
    pk = world.bloc_years["KT"].pk
    see = {"admin": 200, "secretariat": 200, "other_secretariat": 404, "leader": 200,
           "officer": 200, "peer": 200, "outsider": 404, "delegate": 200, "nobody": 404}
    issue = {"admin": 302, "secretariat": 302, "other_secretariat": 404, "leader": 302,
             "officer": 403, "peer": 403, "outsider": 404, "delegate": 403, "nobody": 404}
    seen, issued, drafts = {}, {}, {}
    for name in USERS:
        client = client_for(world.users[name])
        seen[name] = client.get(reverse("document_page", args=["giao-uoc", pk])).status_code
        drafts[name] = client.get(reverse("document_draft", args=["giao-uoc", pk])).status_code
        issued[name] = client.post(reverse("document_issue", args=["giao-uoc", pk])).status_code
        client.logout()
    assert seen == see
    assert drafts == see
    assert issued == issue
    assert sorted(Document.objects.values_list("reference", flat=True)) == [
        "01/BTT-KT", "02/BTT-KT", "03/BTT-KT"]


def test_registration_draft_is_its_units_own_then_issued_once_submitted(world, client_for):
    officer = world.actor("officer")
    registration = pledges.open_registration(officer, world.units["KT1"], world.year)
    page = reverse("document_page", args=["dang-ky", registration.pk])
    draft = reverse("document_draft", args=["dang-ky", registration.pk])
    status = {}
    for name in USERS:
        client = client_for(world.users[name])
        status[name] = client.get(page).status_code
        client.logout()
    # A draft registration is its own unit's business (pledges.rules).
    assert status == {n: (200 if n == "officer" else 404) for n in USERS}
    client = client_for(world.users["officer"])
    response = client.get(draft)
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert response["Content-Disposition"] == (
        f'attachment; filename="dang-ky-thi-dua-{world.year.year}-KT1-du-thao.docx"')
    assert response.content[:2] == b"PK"
    # Not submitted yet: no number for it.
    assert client.post(reverse("document_issue", args=["dang-ky", registration.pk])
                       ).status_code == 403
    assert NumberCounter.objects.count() == 0
    fill(world, registration)
    response = client.post(reverse("document_issue", args=["dang-ky", registration.pk]),
                           follow=True)
    assert "Đã ban hành văn bản số 01/ĐK-KT1" in response.content.decode()
    document = Document.objects.get()
    assert (document.reference, document.kind, document.subject_id) == (
        "01/ĐK-KT1", "dang-ky", registration.pk)
    response = client.get(reverse("document_docx", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="dang-ky-so-01-DK-{document.year}.docx"')
    # Submitted: the bloc and the province see it; other blocs and provinces do not.
    expected = {"admin": 200, "secretariat": 200, "other_secretariat": 404, "leader": 200,
                "officer": 200, "peer": 200, "outsider": 404, "delegate": 200, "nobody": 404}
    got = {}
    for name in USERS:
        c = client_for(world.users[name])
        got[name] = c.get(reverse("document_docx", args=[document.pk])).status_code
        c.logout()
    assert got == expected


def test_ranking_and_self_assessment_documents_need_their_data(world, client_for):
    client = client_for(world.users["leader"])
    pk = world.bloc_years["KT"].pk
    assert client.get(reverse("document_page", args=["xep-hang", pk])).status_code == 404
    assert client.get(reverse("document_page", args=["tu-cham", 999999])).status_code == 404
    assert client.get(reverse("document_page", args=["khong-co", pk])).status_code == 404


def test_anonymous_is_sent_to_sign_in(world, client):
    pk = world.bloc_years["KT"].pk
    response = client.get(reverse("document_page", args=["giao-uoc", pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_pdf_job_page_progress_and_download(world, client_for, needs_libreoffice):
    client = client_for(world.users["leader"])
    pk = world.bloc_years["KT"].pk
    response = client.post(reverse("document_pdf", args=["giao-uoc", pk]))
    job = DocumentJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("document_job", args=[job.id])
    page = client.get(response["Location"]).content.decode()
    assert '<progress id="thanh-tien-do" max="100" value="100">' in page
    assert "hx-trigger" not in page  # finished: no more polling
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="tien-do"')
    download = client.get(reverse("document_job_download", args=[job.id]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    client.logout()
    other = client_for(world.users["secretariat"])
    assert other.get(reverse("document_job", args=[job.id])).status_code == 404
    assert other.get(reverse("document_job_download", args=[job.id])).status_code == 404


def test_a_running_job_polls(world, client_for):
    leader = world.users["leader"]
    job = DocumentJob.objects.create(requested_by=leader, kind="giao-uoc",
                                     subject_id=world.bloc_years["KT"].pk, filename="a.pdf",
                                     status="running", progress=40, step="Đang chuyển")
    from django.utils import timezone
    DocumentJob.objects.filter(pk=job.pk).update(started_at=timezone.now())
    page = client_for(leader).get(reverse("document_job", args=[job.id])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert '<progress id="thanh-tien-do" max="100" value="40">' in page


@pytest.mark.parametrize("name", ["leader", "officer"])
def test_buttons_on_the_existing_pages(world, client_for, name):
    registration = submitted_registration(world)
    client = client_for(world.users[name])
    bloc_page = client.get(reverse("bloc_year", args=[world.bloc_years["KT"].pk]))
    assert reverse("document_page", args=["giao-uoc", world.bloc_years["KT"].pk]) in \
        bloc_page.content.decode()
    registration_page = client.get(reverse("registration", args=[registration.pk]))
    assert reverse("document_page", args=["dang-ky", registration.pk]) in \
        registration_page.content.decode()
