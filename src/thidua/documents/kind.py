"""What every kind of document shares: the `Kind` record the registry (kinds.KINDS)
holds, its issuer, and the Decree 30 heading filled for a subject — number line, date
line, legal bases (căn cứ) and the signature blocks. Each kinds_*.py builds its kinds
from these."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from thidua.core import dates
from thidua.core.errors import NotFound
from thidua.documents import format as fmt
from thidua.documents import rules, signers
from thidua.law.rulebooks import rulebook_for
from thidua.org.models import BlocYear
from thidua.org.rules import Actor


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


def _parent(province) -> str:
    return f"UBND {province.full_name.upper()}"


def unit_issuer(unit) -> Issuer:
    return Issuer(f"unit:{unit.id}", unit.code.upper(), _parent(unit.province),
                  unit.name.upper(), unit.province.name)


def bloc_issuer(bloc_year) -> Issuer:
    bloc = bloc_year.bloc
    # The bloc's own code (unique in its province): two blocs never issue the same
    # reference ("01/TTr-KTKT", "01/TTr-VHXH"), as one shared "KTĐ" did (issue 15, item 7).
    abbreviation = bloc.code.upper()
    return Issuer(f"bloc_year:{bloc_year.id}", abbreviation, _parent(bloc.province),
                  bloc.name.upper(), bloc.province.name)


def council_standing(province) -> str:
    """"Thường trực Hội đồng Thi đua - Khen thưởng tỉnh" — or "thành phố" for a
    centrally-run city (RULES.md 35: the authority follows the province's kind)."""
    return f"Thường trực Hội đồng Thi đua - Khen thưởng {province.kind_word}"


def recipients(province, *others: str) -> list[str]:
    """A bloc paper's "Nơi nhận": the province's council standing body, the others, the
    archive."""
    return [f"- {council_standing(province)};", *others, "- Lưu: VT."]


def legal_bases(province_code: str, on: datetime.date, *, last: str = ".",
                territory: str | None = None) -> list[str]:
    """Căn cứ: the texts of the rulebook in force on the document's date (RULES.md 37's
    numbering and the date both come from that day), each line closed by ";" and the last
    by `last` — "." where the bases end the preamble, ";" where a "Xét đề nghị …" line
    follows them (the decision). A date no rulebook covers is refused (422, naming the
    periods that exist): a document without its căn cứ would be defective. `territory`:
    a bloc's former province after a merger, whose regulation it cites (RULES.md 48)."""
    return rulebook_for(province_code, on, territory=territory).legal_basis_lines(on,
                                                                                 last=last)


def dossier_form(province_code: str, on: datetime.date, paper: str):
    """RULES.md 41: the dossier paper (proposal_letter, achievement_report) as the texts in
    force on the date name and number it (rulebook setting documents.forms)."""
    return rulebook_for(province_code, on).value("documents.forms")[paper]


def date_line(kind: Kind, subject, *, number: int | None, on: datetime.date) -> str:
    """Issue 15, item 3: a paper's date is its event's (`Kind.event_date`); otherwise the
    signing date `on` of an issued paper; an unnumbered draft leaves it blank to write."""
    place = kind.issuer(subject).place
    event = kind.paper_date(subject)
    if event is not None:
        return dates.date_line(place, event)
    if number is None:
        return dates.blank_date_line(place)
    return dates.date_line(place, on)


def common_context(kind: Kind, subject, *, number: int | None, on: datetime.date) -> dict:
    issuer = kind.issuer(subject)
    return {
        "parent_agency": issuer.parent_agency,
        "issuing_agency": issuer.issuing_agency,
        "number_line": fmt.number_line(number, kind.symbol, issuer.abbreviation),
        "date_line": date_line(kind, subject, number=number, on=on),
    }


def unit_signer(unit):
    return signers.unit_block(unit)


def bloc_signer(bloc_year):
    return signers.bloc_block(bloc_year)


def load_bloc_year(actor: Actor, pk: int, can_view=rules.can_view_pledge_doc) -> BlocYear:
    bloc_year = (BlocYear.objects.select_related("bloc__province", "emulation_year",
                                                 "leader_unit").filter(pk=pk).first())
    if bloc_year is None or not can_view(actor, bloc_year):
        raise NotFound("Không tìm thấy khối thi đua.")
    return bloc_year
