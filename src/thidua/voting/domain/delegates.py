"""Delegates named in the attendance (RULES.md 29, setting `vote_per: delegate`).

When the rulebook gives one vote per delegate, the secretary writes every delegate of a
present unit on its attendance row, separated by ";" ("Nguyễn Văn A; Trần Thị B"), and
each named delegate gets a voting card of their own.

A delegate votes once, whichever way: with their card, logged in, or on the paper ballot
that replaced their card. So the vote is recorded against the delegate (`delegate_key`:
the unit and the name as written, case and spacing aside), never against the instrument.
"""

import hashlib

from thidua.core.text import nfc

SEPARATOR = ";"
KEY_PREFIX = "del:"


def same_name(name: str) -> str:
    """The form two spellings of one name share: NFC, spaces folded, case folded
    ("Trần  Văn Hùng" and "trần văn hùng" are one person)."""
    return nfc(" ".join(nfc(str(name or "")).split()).casefold())


def delegate_names(text: str) -> list[str]:
    """The names on an attendance row, in the order written, each once (spaces folded,
    NFC; a name written twice, whatever its case, counts once, as first written); empty
    pieces are dropped."""
    names, seen = [], set()
    for piece in nfc(str(text or "")).split(SEPARATOR):
        name = " ".join(piece.split())
        if name and same_name(name) not in seen:
            seen.add(same_name(name))
            names.append(name)
    return names


def delegate_key(unit_id: int, name: str) -> str:
    """The participation key of one delegate of one unit (36 characters): the same for
    every spelling `same_name` folds together, different for another unit or name. It says
    who voted, as a participation does, never what."""
    digest = hashlib.sha256(f"{unit_id}\n{same_name(name)}".encode()).hexdigest()
    return KEY_PREFIX + digest[:32]


def named_delegate(text: str, name: str) -> str | None:
    """The name on the attendance row `text` that is `name` (case and spacing aside), as
    written there, or None."""
    wanted = same_name(name)
    if not wanted:
        return None
    return next((n for n in delegate_names(text) if same_name(n) == wanted), None)
