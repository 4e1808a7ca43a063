"""Evidence files: what one may be — type by content, not by name, and size — and the one
way pledge progress, year facts and scores keep them (`check_files`, then `storing`).
Downloads go through core.downloads.file_response.

Accepted: PDF, JPEG, PNG, Word (.docx) and Excel (.xlsx). Office files are ZIP archives,
so they are opened to check they are what they claim and cannot expand into a bomb.
"""

import hashlib
import io
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from thidua.core.text import nfc

KINDS = {
    "pdf": ("application/pdf", ".pdf"),
    "jpeg": ("image/jpeg", ".jpg"),
    "png": ("image/png", ".png"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}
EXTENSIONS = {
    ".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".docx": "docx",
    ".xlsx": "xlsx",
}
ACCEPTED_LABEL = "PDF, JPG, PNG, DOCX, XLSX"
MAX_UNZIPPED_RATIO = 100
MAX_ZIP_ENTRIES = 2000


@dataclass(frozen=True)
class Upload:
    """A file as received (page or API), read whole: its name as sent and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Verdict:
    kind: str | None
    error: str | None = None

    @property
    def content_type(self):
        return KINDS[self.kind][0]


def classify(name: str, content: bytes, max_bytes: int) -> Verdict:
    """The file's kind, or a Vietnamese sentence saying why it is refused."""
    label = name or "(không tên)"
    if not content:
        return Verdict(None, f"Tệp “{label}” rỗng.")
    if len(content) > max_bytes:
        return Verdict(None, too_large(label, len(content), max_bytes))
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = EXTENSIONS.get(extension)
    if claimed is None:
        return Verdict(None, f"Tệp “{label}” không thuộc loại được chấp nhận ({ACCEPTED_LABEL}).")
    actual = _sniff(content, max_bytes)
    if actual != claimed:
        return Verdict(None, f"Nội dung tệp “{label}” không đúng định dạng {extension[1:].upper()} "
                             "(tệp hỏng hoặc bị đổi đuôi).")
    return Verdict(claimed)


def _sniff(content: bytes, max_bytes: int) -> str | None:
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"PK\x03\x04"):
        return _office_kind(content, max_bytes)
    return None


def _office_kind(content: bytes, max_bytes: int) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            unpacked = sum(entry.file_size for entry in entries)
            if len(entries) > MAX_ZIP_ENTRIES or unpacked > max(
                max_bytes, len(content) * MAX_UNZIPPED_RATIO
            ):
                return None
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError):
        return None  # a damaged archive may claim a newer ZIP version: still just damaged
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def too_large(name: str, size: int, max_bytes: int) -> str:
    """The refusal of an oversized file; callers that know the size before reading the
    file (an upload) say it without reading it."""
    return f"Tệp “{name}” dung lượng {_mb(size)}, vượt giới hạn {_mb(max_bytes)}."


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def check_files(files, *, required: bool = True) -> tuple[list, list[str]]:
    """Every upload checked (settings.EVIDENCE_MAX_BYTES): the (upload, verdict) pairs and
    the Vietnamese sentences refusing files, one a file; none given is a refusal when
    `required`. The caller refuses the whole request if any sentence comes back."""
    if not files:
        return [], (["Chưa chọn tệp minh chứng."] if required else [])
    checked = [(upload, classify(upload.name, upload.content, settings.EVIDENCE_MAX_BYTES))
               for upload in files]
    return checked, [verdict.error for _, verdict in checked if verdict.error]


@contextmanager
def storing(model):
    """A transaction that keeps evidence rows of `model` (a model with the evidence
    fields: file, original_name, kind, size, sha256): it yields `keep(upload, verdict,
    **fields)`, which saves the file and the row and returns the row. Files written for a
    transaction that then fails are removed again."""
    stored = []

    def keep(upload: Upload, verdict: Verdict, **fields):
        row = model(original_name=nfc(upload.name)[-255:], kind=verdict.kind,
                    size=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
                    **fields)
        row.file.save("evidence", ContentFile(upload.content), save=False)
        stored.append(row.file.name)
        row.save()
        return row

    try:
        with transaction.atomic():
            yield keep
    except BaseException:
        storage = model.file.field.storage
        for name in stored:
            storage.delete(name)
        raise
