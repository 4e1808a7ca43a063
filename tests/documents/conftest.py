"""Documents tests: background jobs run inline (the immediate backend), the demo year
played to a published ranking for the documents that need scores."""

import os
import shutil
import subprocess

import pytest
from django.tasks import task_backends
from django.utils.connection import BaseConnectionHandler

from thidua.documents import pdf
from thidua.org.models import BlocYear
from thidua.scoring.models import PublishedRanking

from .award_year import build as award_year_build

CI = os.environ.get("CI") == "true"

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _reset_task_backends():
    task_backends.__dict__.pop("settings", None)
    BaseConnectionHandler.__init__(task_backends)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.VAR_DIR = tmp_path / "var"
    _reset_task_backends()
    yield
    _reset_task_backends()


@pytest.fixture
def needs_libreoffice():
    """PDF tests skip with the reason where LibreOffice is missing — except under CI=true,
    where `make test` installed it (scripts/system-deps test) and its absence is a failure."""
    missing = [name for name, found in (("LibreOffice (soffice)", pdf.soffice()),
                                        ("pdfinfo", shutil.which("pdfinfo")),
                                        ("pdftotext", shutil.which("pdftotext"))) if not found]
    if missing:
        message = (", ".join(missing) + " chưa được cài: sh scripts/system-deps test "
                   "(libreoffice-writer-nogui, poppler-utils)")
        if CI:
            pytest.fail(message)
        pytest.skip(message)


def pdf_info(data: bytes, tmp_path) -> tuple[int, str]:
    """(page count, text) of a PDF through poppler's pdfinfo and pdftotext."""
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(next(line.split()[-1] for line in info.stdout.splitlines()
                     if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return pages, text


@pytest.fixture
def award_year(world):
    """KT's year up to its accepted proposal (documents/award_year.py)."""
    return award_year_build(world)


@pytest.fixture
def demo_year(demo_province):
    """The demo province (the kept load, tests/conftest.py `demo_province`): its economic
    bloc's year scored and its ranking published."""
    bloc_year = BlocYear.objects.filter(bloc__code="KTKT").order_by(
        "-emulation_year__year").first()
    assert PublishedRanking.objects.filter(table__bloc_year=bloc_year).exists()
    return bloc_year
