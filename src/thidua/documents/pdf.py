"""PDF from the same DOCX through LibreOffice headless (RULES.md 36: Times New Roman is
rendered with the metric-compatible Liberation Serif from fonts-liberation2).

One conversion at a time on a host (an exclusive file lock: soffice is heavy and its
instances trip over each other), each run with its own throw-away profile directory, and
a timeout after which the process group is killed and the job fails with the reason.
"""

import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings

TIMEOUT_SECONDS = int(os.environ.get("THIDUA_PDF_TIMEOUT", 120))
LOCK_WAIT_SECONDS = int(os.environ.get("THIDUA_PDF_LOCK_WAIT", 300))
CANDIDATES = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice")


class ConversionError(Exception):
    """The message is for the user (Vietnamese)."""


def soffice() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _lock_path() -> Path:
    path = Path(settings.VAR_DIR) / "locks"
    path.mkdir(parents=True, exist_ok=True)
    return path / "libreoffice.lock"


def _acquire(handle, wait: int):
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise ConversionError("Máy chủ đang bận chuyển văn bản khác sang PDF quá lâu; "
                                      "vui lòng thử lại sau.") from None
            time.sleep(0.2)


def docx_to_pdf(docx: bytes, *, timeout: int = TIMEOUT_SECONDS,
                lock_wait: int = LOCK_WAIT_SECONDS) -> bytes:
    return docx_to_pdfs([docx], timeout=timeout, lock_wait=lock_wait)[0]


def docx_to_pdfs(files: list[bytes], *, timeout: int = TIMEOUT_SECONDS,
                 lock_wait: int = LOCK_WAIT_SECONDS) -> list[bytes]:
    """Several DOCX in one LibreOffice run (a province's pack converts a bloc's papers at
    once: one start-up instead of one per paper), the PDFs in the same order."""
    program = soffice()
    if program is None:
        raise ConversionError("Máy chủ chưa cài LibreOffice (gói libreoffice-writer-nogui) "
                              "nên chưa tạo được PDF.")
    if not files:
        return []
    with open(_lock_path(), "w") as lock, tempfile.TemporaryDirectory(
            prefix="thidua-pdf-") as work:
        _acquire(lock, lock_wait)
        work_dir = Path(work)
        sources = []
        for index, docx in enumerate(files):
            source = work_dir / f"van-ban-{index:04d}.docx"
            source.write_bytes(docx)
            sources.append(source)
        profile = work_dir / "profile"
        command = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                   "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work_dir),
                   *map(str, sources)]
        process = subprocess.Popen(  # noqa: S603 - fixed program, our own arguments
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
            env={**os.environ, "HOME": work, "SAL_USE_VCLPLUGIN": "svp"})
        try:
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionError(f"Chuyển sang PDF quá {timeout} giây nên đã dừng.") from None
        targets = [source.with_suffix(".pdf") for source in sources]
        if process.returncode != 0 or not all(t.exists() for t in targets):
            detail = err.decode(errors="replace").strip()[:300]
            raise ConversionError("LibreOffice không chuyển được văn bản sang PDF"
                                  + (f": {detail}" if detail else "."))
        return [target.read_bytes() for target in targets]
