"""The production path: the PDF job goes into the database queue (django-tasks-db) and the
worker command `thidua db_worker` picks it up, run here in-process for one batch."""

import pytest
from django.core.management import call_command
from django.tasks import task_backends
from django_tasks_db.models import DBTaskResult

from thidua.documents import services
from thidua.documents.models import DocumentJob

from .conftest import _reset_task_backends

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE
    _reset_task_backends()
    yield
    _reset_task_backends()


def test_db_worker_runs_a_queued_pdf_job(transactional_db, world, database_queue,
                                         needs_libreoffice):
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"
    leader = world.actor("leader")
    job = services.request_pdf(leader, "giao-uoc", world.bloc_years["KT"].pk)
    assert (job.status, job.progress) == ("queued", 0)
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job = DocumentJob.objects.get(pk=job.pk)
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    assert bytes(job.pdf).startswith(b"%PDF")
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
