"""Vietnamese text at the boundaries: NFC, cleaning what a user typed, diacritic-free search
keys, ICU sort keys."""

import re
import unicodedata
from functools import lru_cache

import icu

from thidua.core.errors import DomainError

_SPACES = re.compile(r"\s+")
# Dashes, commas, brackets…: "Kinh tế – Kỹ thuật" is found by "kinh te - ky thuat" and by
# "kinh te ky thuat" alike.
_PUNCTUATION = re.compile(r"[^\w\s]+")


def nfc(value: str) -> str:
    """The one normal form stored anywhere: NFC (a keyboard may send NFD)."""
    return unicodedata.normalize("NFC", value)


def nfc_deep(value):
    """NFC every string inside nested lists / dicts (JSON bodies)."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [nfc_deep(item) for item in value]
    if isinstance(value, dict):
        return {nfc_deep(key): nfc_deep(item) for key, item in value.items()}
    return value


def tidy(value) -> str:
    """What a user typed, NFC and trimmed; None is ""."""
    return "" if value is None else nfc(str(value)).strip()


def clean_text(value, label: str, max_length: int, *, required: bool = True,
               multiline: bool = False) -> str:
    """A typed text checked for storing, or a DomainError naming `label` (written as it
    starts a sentence: "Tên đơn vị"). One line: runs of white space (tabs, line ends)
    become one space. `multiline`: line ends become "\n", kept with tabs; no other
    control character either way."""
    if multiline:
        text = tidy(value).replace("\r\n", "\n").replace("\r", "\n")
    else:
        text = " ".join(tidy(value).split())
    if required and not text:
        raise DomainError(f"{label} không được để trống.")
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
        raise DomainError(f"{label} có ký tự điều khiển không được phép.")
    if len(text) > max_length:
        raise DomainError(f"{label} dài quá {max_length} ký tự (đang có {len(text)}).")
    return text


def search_key(value: str) -> str:
    """Lower-case ASCII form for search without diacritics: "Đài Phát thanh" → "dai phat thanh".

    NFD splits tone and vowel marks off their letters; đ/Đ is a letter of its own, not a
    d with a mark, so it is mapped by hand.
    """
    text = unicodedata.normalize("NFD", value).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", text)).strip().lower()


@lru_cache(maxsize=1)
def _collator() -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale("vi_VN"))


def sort_key(value: str) -> bytes:
    """ICU's Vietnamese collation key. Stored beside a name, it sorts identically on
    SQLite and PostgreSQL (both compare bytes), with an index, and needs no DB collation."""
    return bytes(_collator().getSortKey(nfc(value)))


def vi_sorted(items, key=lambda item: item):
    """Sort in Vietnamese order in Python (for short lists already in memory)."""
    return sorted(items, key=lambda item: sort_key(key(item)))
