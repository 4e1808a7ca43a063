"""Delegates named in the attendance (RULES.md 29, setting `vote_per: delegate`).

When the rulebook gives one vote per delegate, the secretary writes every delegate of a
present unit on its attendance row, separated by ";" ("Nguyễn Văn A; Trần Thị B"), and
each named delegate gets a voting card of their own.
"""

from thidua.core.text import nfc

SEPARATOR = ";"


def delegate_names(text: str) -> list[str]:
    """The names on an attendance row, in the order written, each once (spaces folded,
    NFC); empty pieces are dropped."""
    names = []
    for piece in nfc(str(text or "")).split(SEPARATOR):
        name = " ".join(piece.split())
        if name and name not in names:
            names.append(name)
    return names
