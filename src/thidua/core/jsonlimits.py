"""Limits on a JSON body, checked on its bytes before anything parses it.

Python's parser (and every recursive walk after it: NFC, pydantic) recurses once per level,
so a body nested a thousand deep ends in a RecursionError — a 500 anyone could provoke,
even on the public card-ballot endpoint. No request of ours nests more than a few levels;
32 leaves room. The size limit is far below Django's upload limit (files travel as
multipart, never as JSON): the largest real body, a bloc's full score sheet, is a few
hundred kilobytes.
"""

import re
from itertools import accumulate

from django.conf import settings

MAX_DEPTH = 32
DEFAULT_MAX_BYTES = 1024 * 1024

TOO_DEEP = f"Nội dung JSON lồng nhau quá sâu (quá {MAX_DEPTH} tầng). Hãy gửi dữ liệu phẳng hơn."
TOO_LARGE = "Nội dung JSON gửi lên quá lớn (quá {limit} byte). Hãy gửi ít dữ liệu hơn."

# A JSON string (escapes included): brackets inside one are text, not nesting.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class JsonRefused(Exception):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message, self.status = message, status


def max_bytes() -> int:
    return getattr(settings, "THIDUA_JSON_MAX_BYTES", DEFAULT_MAX_BYTES)


def check_length(declared: str | None):
    """Refuse by the Content-Length header alone, before the body is read."""
    limit = max_bytes()
    if declared and declared.isdigit() and int(declared) > limit:
        raise JsonRefused(TOO_LARGE.format(limit=limit), 413)


def check(body: bytes):
    """Refuse a body too large (413) or nested too deep (400); malformed JSON is left to
    the parser that reads it, with its own message."""
    limit = max_bytes()
    if len(body) > limit:
        raise JsonRefused(TOO_LARGE.format(limit=limit), 413)
    if depth(body) > MAX_DEPTH:
        raise JsonRefused(TOO_DEEP, 400)


def depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects, counted outside strings."""
    steps = (_STEP[m[0]] for m in _BRACKETS.findall(_STRING.sub(b"", body)))
    return max(accumulate(steps, initial=0))
