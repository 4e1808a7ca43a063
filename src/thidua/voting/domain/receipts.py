"""Receipt codes (functional core): the alphabet they are drawn from and the one parser
every code typed by a person goes through — the public receipt check (page and API) and
the counting committee's paper-ballot entry.

A code is ten characters of `ALPHABET` shown as two groups of five, "7KQ2M-XH4PD". The
alphabet leaves out 0/O and 1/I/L, so a code read off a phone or a sheet of paper has no
look-alikes to confuse; what people actually type differently — lower case, spaces, no
hyphen or another dash, full-width letters from a phone keyboard — is folded back here.
"""

import re
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH, GROUP = 10, 5
# Whitespace and every dash-like separator a keyboard or a word processor may produce.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−_.·/]+")
_LOOK_ALIKES = "01ILO"  # left out of the alphabet


def normalise(text: str) -> str:
    """The code as stored ("ABCDE-FGHJK") when `text` is one, whatever its case, spacing
    and separators; otherwise the folded text itself (upper case, no separators), which
    matches no stored code — the caller reports it as not found, `problem` says why."""
    folded = unicodedata.normalize("NFKC", str(text or "")).upper()
    bare = _SEPARATORS.sub("", folded)
    if len(bare) == LENGTH and all(ch in ALPHABET for ch in bare):
        return f"{bare[:GROUP]}-{bare[GROUP:]}"
    return bare


def problem(text: str) -> str:
    """Why a typed code cannot be one (Vietnamese), or "" when it has the right form."""
    code = normalise(text)
    if not code:
        return "Chưa nhập mã biên nhận."
    look_alikes = sorted({ch for ch in code if ch in _LOOK_ALIKES})
    if look_alikes:
        return ("Mã biên nhận không có chữ số 0, 1 và chữ cái I, L, O (để khỏi nhầm): "
                "kiểm tra lại các ký tự " + ", ".join(look_alikes) + ".")
    if any(ch not in ALPHABET for ch in code.replace("-", "")):
        return "Mã biên nhận chỉ gồm chữ số 2–9 và chữ cái A–Z (trừ I, L, O)."
    if len(code.replace("-", "")) != LENGTH:
        return (f"Mã biên nhận có {LENGTH} ký tự (hai nhóm {GROUP} ký tự, ví dụ 7KQ2M-XH4PD); "
                f"mã vừa nhập có {len(code.replace('-', ''))} ký tự.")
    return ""
