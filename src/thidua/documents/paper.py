"""What a document kind is (`Kind`) and who issues it (`Issuer`): plain data every kinds
module builds, imported from here so that none of them needs kinds.py (which registers
them all)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Issuer:
    key: str  # numbering registry key: "unit:12", "bloc_year:3"
    abbreviation: str  # after the symbol: "05/BB-KTKT" (bloc), "05/BC-SCT" (unit)
    parent_agency: str
    issuing_agency: str
    place: str  # the date line's place: the province


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    template: str
    symbol: str
    load: Callable  # (actor, subject_id) -> subject; NotFound when not visible
    issuer: Callable  # (subject) -> Issuer
    can_issue: Callable  # (actor, subject) -> bool
    context: Callable  # (actor, subject, on: date) -> dict (body, signer, recipients)
    filename: Callable  # (subject) -> str, without extension
    province_id: Callable  # (subject) -> int
    # (subject) -> date or None: the day of the event the paper records (the meeting for
    # minutes and count records, the conference for ballots, the signing ceremony for the
    # pledge). Such a paper is dated that day, drafted or issued. Without one, a paper is
    # dated the day it is signed: typed when issued, left blank on an unnumbered draft.
    event_date: Callable | None = None
    # (actor, subject) -> [(label, url name, url args)]: the pages where the actor enters
    # what the paper prints (its signer, a unit's statement); the document page links them.
    links: Callable | None = None

    def paper_date(self, subject):
        return self.event_date(subject) if self.event_date is not None else None

    def input_links(self, actor, subject) -> list:
        return self.links(actor, subject) if self.links is not None else []
