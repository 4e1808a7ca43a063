"""Fault behaviour (issue 7 item 5), with the real app in a subprocess on the suite's
database (a SQLite file — `file_db` — or the PostgreSQL test database, committed):

- a ballot acknowledged to the voter survives `kill -9` of the server right after;
- a PDF job whose worker is killed mid-job is failed with its reason, never left running;
- the database briefly unavailable gives the Vietnamese 503 page, not a stack trace, and
  the app recovers by itself, without a restart.
"""

import contextlib
import datetime
import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from tests import factories

from thidua.core import tokens
from thidua.documents import jobs
from thidua.documents import services as doc_services
from thidua.documents.models import DocumentJob
from thidua.voting import services as voting
from thidua.voting.models import Ballot, Participation
from voting.box import sealed_box

BIN = Path(sys.executable).parent
UNAVAILABLE = "Cơ sở dữ liệu tạm thời không sẵn sàng"


def _database_url():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(tmp_path, **extra):
    return {**os.environ, "THIDUA_DATABASE_URL": _database_url(),
            "THIDUA_VAR_DIR": str(tmp_path / "var"), "THIDUA_MEDIA_ROOT": str(tmp_path / "m"),
            "THIDUA_DEBUG": "0", "PYTHONUNBUFFERED": "1",
            # The server seals ballots with the key this process unseals them with.
            "THIDUA_BALLOT_SECRET": settings.BALLOT_SECRET, **extra}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`thidua serve` (gunicorn, one worker) in its own process group."""

    def __init__(self, tmp_path, **env):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(tmp_path / f"server-{self.port}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(BIN / "thidua"), "serve", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1"], env=_env(tmp_path, **env), stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", self.port), timeout=1):
                return
            assert self.process.poll() is None, "the server did not start"
            time.sleep(0.2)
        raise AssertionError("the server did not listen within 60 s")

    def kill(self):
        """kill -9 of the whole process group (gunicorn's master and its worker)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
def server(tmp_path):
    started = []

    def start(**env):
        started.append(Server(tmp_path, **env))
        return started[-1]
    yield start
    for s in started:
        if s.process.poll() is None:
            s.kill()


class Browser:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path, data=None, **headers):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body,  # noqa: S310 - http only
                                     headers={"Referer": self.base + path, **headers})
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def _csrf(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_an_acknowledged_ballot_survives_kill_9_of_the_server(file_db, world, server):
    conference = factories.conference(world, present=factories.KT)
    poll = voting.open_poll(world.actor("leader"), factories.award_poll(world, conference))
    token = voting.issue_cards(world.actor("leader"), poll)[0].token
    link = f"/bo-phieu/{poll.pk}/phieu/"  # the token travels in POST bodies only

    app = server()
    browser = Browser(app.base)
    status, page = browser.request(link)
    assert status == 200
    status, page = browser.request(link, {"csrfmiddlewaretoken": _csrf(page), "the": token})
    assert status == 200
    first = re.search(r'type="checkbox"[^>]*value="(\d+)"|value="(\d+)"[^>]*type="checkbox"',
                      page)
    candidate = first.group(1) or first.group(2)
    status, page = browser.request(link, {"csrfmiddlewaretoken": _csrf(page), "the": token,
                                          "buoc": "gui", "candidates": [candidate]})
    assert status == 200, page[:500]
    receipt = re.search(r'id="ma-bien-nhan"[^>]*>([^<]+)<', page).group(1).strip()
    app.kill()  # right after the voter saw the receipt

    assert sealed_box(poll) == [(receipt, (int(candidate),), True, "electronic")]
    assert Participation.objects.filter(poll=poll).count() == 1
    again = server()
    browser = Browser(again.base)
    status, page = browser.request(link)
    # The card is spent after the restart.
    status, page = browser.request(link, {"csrfmiddlewaretoken": _csrf(page), "the": token})
    assert len(sealed_box(poll)) == 1
    assert status == 409 and "ma-bien-nhan" not in page
    voting.close_poll(world.actor("leader"), poll)
    assert list(Ballot.objects.filter(poll=poll).values_list("receipt_code", "valid")) == [
        (receipt, True)]


def test_a_pdf_job_killed_mid_way_is_failed_with_its_reason(file_db, world, tmp_path,
                                                            settings):
    from thidua.pledges import services as pledges

    # LibreOffice that never finishes: the job is surely running when the worker dies.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "soffice").write_text("#!/bin/sh\nsleep 600\n")
    (fake / "soffice").chmod(0o755)
    registration = pledges.open_registration(world.actor("officer"), world.units["KT1"],
                                               world.year)
    job = doc_services.request_pdf(world.actor("officer"), "dang-ky", registration.pk)
    worker = subprocess.Popen(
        [str(BIN / "thidua"), "db_worker"],
        env=_env(tmp_path, PATH=f"{fake}:{os.environ['PATH']}"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status == DocumentJob.Status.RUNNING and job.progress >= 40:
                break
            time.sleep(0.3)
        assert (job.status, job.progress) == (DocumentJob.Status.RUNNING, 40)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.RUNNING  # what the crash left behind

    # Its allowance passes (the clock moved on: the start is set back, nothing else)…
    stale = datetime.timedelta(seconds=jobs.JOB_STALE_SECONDS + 1)
    DocumentJob.objects.filter(pk=job.pk).update(started_at=job.started_at - stale)
    # … and the next task a (restarted) worker runs fails it with the reason, whether or
    # not anyone opens the job's page. The next job's conversion fails at once.
    (fake / "soffice").write_text("#!/bin/sh\necho 'hỏng' >&2\nexit 1\n")
    second = doc_services.request_pdf(world.actor("officer"), "dang-ky", registration.pk)
    worker = subprocess.Popen(
        [str(BIN / "thidua"), "db_worker"],
        env=_env(tmp_path, PATH=f"{fake}:{os.environ['PATH']}"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            second.refresh_from_db()
            if second.finished:
                break
            time.sleep(0.3)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert second.status == DocumentJob.Status.FAILED
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.FAILED
    assert "tiến trình nền đã dừng giữa chừng" in job.error and job.finished_at
    assert not DocumentJob.objects.filter(status=DocumentJob.Status.RUNNING).exists()


def _unavailable_page(status, page):
    assert status == 503, page[:300]
    assert UNAVAILABLE in page
    assert "Traceback" not in page and "Đã có lỗi ở máy chủ" not in page


RECEIPT_CHECK = "/kiem-tra-phieu/987654/"  # a public page that reads the database


def test_postgresql_unavailable_gives_the_503_page_and_the_app_recovers(file_db, world,
                                                                        server):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite: the locked-database test)")
    import psycopg

    from thidua.core import backup

    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        mine = cursor.fetchone()[0]
    app = server(THIDUA_DB_CONN_MAX_AGE="60")  # a persistent connection, then cut
    browser = Browser(app.base)
    assert browser.request(RECEIPT_CHECK)[0] == 404
    admin = backup._pg_kwargs({**connection.settings_dict, "NAME": "postgres"})
    with psycopg.connect(**admin, autocommit=True) as pg:
        try:
            pg.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            pg.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = %s AND pid <> %s", [name, mine])
            for _ in range(2):
                _unavailable_page(*browser.request(RECEIPT_CHECK))
            status, body = browser.request(  # the API: JSON, same sentence
                "/api/v1/me", Authorization=f"Bearer {tokens.PREFIX}khong-co")
            assert status == 503 and json.loads(body)["detail"].startswith(UNAVAILABLE)
        finally:
            pg.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert browser.request(RECEIPT_CHECK)[0] == 404  # back, without a restart
    assert app.process.poll() is None


def test_sqlite_locked_past_its_timeout_gives_the_503_page(file_db, world, server):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only (PostgreSQL: the unavailable-database test)")
    app = server(THIDUA_SQLITE_TIMEOUT="1")
    browser = Browser(app.base)
    status, page = browser.request("/dang-nhap/")
    assert status == 200
    form = {"csrfmiddlewaretoken": _csrf(page), "username": "can_bo", "password": "sai"}
    # Another process holds the write lock past the app's busy timeout: a sign-in (it
    # writes its attempt) cannot write.
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None,
                             timeout=30)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("CREATE TABLE h6_lock_holder (x INTEGER)")
        _unavailable_page(*browser.request("/dang-nhap/", form))
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    status, page = browser.request("/dang-nhap/", form)  # the lock gone, the app goes on
    assert status == 200 and UNAVAILABLE not in page
    assert app.process.poll() is None


def test_only_database_unavailability_is_a_503(rf):
    """Any other uncaught error keeps the generic 500 page; a lock timeout wrapped in
    another error is still the database's (its cause is looked at)."""
    from django.db import OperationalError

    from thidua.core import dbfault

    def answer(exc, path="/"):
        try:
            raise exc
        except Exception:  # noqa: BLE001 - the handler reads the current exception
            return dbfault.server_error(rf.get(path))

    response = answer(ValueError("không phải lỗi CSDL"))
    assert response.status_code == 500 and "Đã có lỗi ở máy chủ" in response.content.decode()
    wrapped = RuntimeError("bọc")
    wrapped.__cause__ = OperationalError("database is locked")
    response = answer(wrapped)
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert UNAVAILABLE in response.content.decode()
    response = answer(OperationalError("connection refused"), "/api/v1/me")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
