"""Every evidence file (pledge, facts, scoring) leaves the server through `file_response`,
after its caller's permission check (web and API alike): only the kinds we verified
(core.evidence), under a safe name, never cached by a shared cache."""

import re
import unicodedata

from django.http import FileResponse, Http404

from thidua.core.evidence import KINDS

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def safe_filename(original: str, kind: str) -> str:
    """A name a browser will save as-is on any OS: no path, no control or reserved
    characters, the extension of the kind we verified (never the one the uploader typed)."""
    extension = KINDS[kind][1]
    name = unicodedata.normalize("NFC", original or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "minh-chung"
    return stem[:150] + extension


def file_response(evidence) -> FileResponse:
    """Any evidence file (pledge, facts, scoring) leaves the server through here, after its
    caller's permission check: only the kinds we verified, under a safe name."""
    if evidence.kind not in KINDS:
        raise Http404("Không tìm thấy tệp.")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("Tệp minh chứng không còn trên máy chủ.") from None
    response = FileResponse(handle, as_attachment=True,
                            filename=safe_filename(evidence.original_name, evidence.kind),
                            content_type=KINDS[evidence.kind][0])
    response["X-Content-Type-Options"] = "nosniff"
    # Evidence can be sensitive: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
