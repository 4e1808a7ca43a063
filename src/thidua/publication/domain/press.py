"""The press release (thông cáo báo chí) of a bloc year's conference as text: a functional
core, plain dataclasses in, a title, a lead and a body out — no ORM, no HTTP.

What it may say is what has been made public: the published ranking, the published polls,
the proposal the bloc sent to the province, the published election. publication.services
gathers those facts; this module only writes the Vietnamese.
"""

import datetime
from dataclasses import dataclass
from fractions import Fraction

from thidua.core.daytext import short_day
from thidua.core.numbers import vi_number

HIGHLIGHTS = 3  # the top-ranked units named in the article


@dataclass(frozen=True)
class PressRankLine:
    """A ranking line as the press release prints it (the unit's name, not its id:
    law.allocation.RankedUnit is the domain's ranking line)."""

    rank: int
    unit: str
    score: Fraction
    tied: bool = False


@dataclass(frozen=True)
class VoteLine:
    unit: str
    votes: int
    passed: bool


@dataclass(frozen=True)
class AwardVote:
    """One published award poll: its form and each candidate's votes."""

    award_form: str  # the Vietnamese label: "Cờ thi đua của UBND tỉnh"
    valid_ballots: int
    lines: tuple  # VoteLine, as the count lists them


@dataclass(frozen=True)
class ProposedAward:
    award_form: str
    units: tuple  # unit names, in the proposal's order


@dataclass(frozen=True)
class PressFacts:
    province: str
    bloc: str  # "Khối Kinh tế – Kỹ thuật"
    year: int
    members: int
    conference_on: datetime.date | None = None
    conference_place: str = ""
    chair: str = ""
    ranking: tuple = ()  # PressRankLine, by rank
    votes: tuple = ()  # AwardVote
    proposals: tuple = ()  # ProposedAward (the dossier sent to the province)
    # Where the dossier differs from the minutes' result, each with its reason
    # (awards.proposals.differences): said, never left for the reader to find.
    differences: tuple = ()
    next_leader: str | None = None
    next_deputies: tuple = ()
    attended: int | None = None  # member units present at the conference (its roll call)


@dataclass(frozen=True)
class PressText:
    title: str
    lead: str
    body: str


def join_names(names) -> str:
    """"A", "A và B", "A, B và C"."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]


def day_text(day: datetime.date) -> str:
    return f"ngày {short_day(day)}"


def points(score: Fraction) -> str:
    return f"{vi_number(score)} điểm"


def _title(facts: PressFacts) -> str:
    return f"{facts.bloc} tổng kết phong trào thi đua năm {facts.year}"


def _proposed_count(facts: PressFacts) -> int:
    return len({unit for award in facts.proposals for unit in award.units})


def _lead(facts: PressFacts) -> str:
    if facts.conference_on:
        place = f", tại {facts.conference_place}" if facts.conference_place else ""
        opening = (f"{day_text(facts.conference_on).capitalize()}{place}, {facts.bloc} "
                   f"({facts.province}) tổ chức hội nghị tổng kết phong trào thi đua năm "
                   f"{facts.year}.")
    else:
        opening = (f"{facts.bloc} ({facts.province}) công bố kết quả phong trào thi đua năm "
                   f"{facts.year}.")
    parts = []
    leaders = [r for r in facts.ranking if r.rank == 1]
    if leaders:
        verb = "cùng dẫn đầu khối" if len(leaders) > 1 else "dẫn đầu khối"
        parts.append(f"{join_names(r.unit for r in leaders)} {verb} với "
                     f"{points(leaders[0].score)}")
    proposed = _proposed_count(facts)
    if proposed:
        parts.append(f"khối đề nghị khen thưởng cho {proposed} đơn vị")
    if facts.next_leader:
        parts.append(f"{facts.next_leader} được bầu làm Trưởng khối năm {facts.year + 1}")
    if not parts:
        return opening
    sentence = "; ".join(parts)
    return f"{opening} {sentence[0].upper()}{sentence[1:]}."


def _ranking_paragraph(facts: PressFacts) -> str | None:
    if not facts.ranking:
        return None
    top = [r for r in facts.ranking if r.rank <= HIGHLIGHTS]
    named = [f"{r.unit} (hạng {r.rank}{', đồng hạng' if r.tied else ''}, {points(r.score)})"
             for r in top]
    return (f"Theo kết quả chấm điểm, xếp hạng thi đua năm {facts.year} đã công bố, "
            f"{len(facts.ranking)}/{facts.members} đơn vị thành viên được xếp hạng. "
            f"Các đơn vị dẫn đầu: {join_names(named)}.")


def _vote_paragraph(vote: AwardVote) -> str:
    lines = [f"{line.unit} {line.votes} phiếu ({'đạt' if line.passed else 'không đạt'})"
             for line in vote.lines]
    return (f"Bỏ phiếu kín đề nghị {vote.award_form} ({vote.valid_ballots} phiếu hợp lệ): "
            f"{'; '.join(lines) if lines else 'không có ứng viên'}.")


def _proposal_paragraph(facts: PressFacts) -> str | None:
    if not facts.proposals:
        return None
    forms = [f"{award.award_form}: {join_names(award.units)}" for award in facts.proposals
             if award.units]
    text = ("Khối thống nhất đề nghị Thường trực thi đua tỉnh xem xét, trình Chủ tịch UBND "
            f"tỉnh khen thưởng: {'; '.join(forms)}.")
    if facts.differences:
        text += (" Danh sách đề nghị khác với kết quả bình xét tại hội nghị: "
                 + " ".join(facts.differences))
    return text


def _election_paragraph(facts: PressFacts) -> str | None:
    if not facts.next_leader:
        return None
    text = f"Hội nghị bầu {facts.next_leader} làm Trưởng khối năm {facts.year + 1}"
    if facts.next_deputies:
        text += f"; {join_names(facts.next_deputies)} làm Phó khối"
    return text + "."


def press_release(facts: PressFacts) -> PressText:
    """The draft article: a title, a one-paragraph lead, a body of paragraphs separated by
    blank lines. Only what `facts` holds is said; an empty part is left out, never
    invented."""
    paragraphs = []
    if facts.conference_on and facts.chair:
        # Who attended, as the minutes count it ("11/12"), never the members' number.
        attended = (f"{facts.attended}/{facts.members}" if facts.attended is not None
                    else str(facts.members))
        paragraphs.append(f"Hội nghị do {facts.chair} chủ trì, với sự tham dự của đại diện "
                          f"{attended} đơn vị thành viên của khối.")
    paragraphs.append(_ranking_paragraph(facts))
    paragraphs.extend(_vote_paragraph(vote) for vote in facts.votes)
    paragraphs.append(_proposal_paragraph(facts))
    paragraphs.append(_election_paragraph(facts))
    paragraphs.append(f"Kết quả chi tiết được công khai trên trang kết quả của {facts.bloc} "
                      f"năm {facts.year}.")
    return PressText(_title(facts), _lead(facts), "\n\n".join(p for p in paragraphs if p))


FIELDS = ("title", "lead", "body")


@dataclass(frozen=True)
class Merge:
    text: PressText
    kept: tuple  # the fields the user had edited and that were kept


def merge(current: PressText, last_generated: PressText, fresh: PressText, *,
          overwrite: bool) -> Merge:
    """Regenerate from data without losing a person's work: a field still equal to what was
    last generated takes the fresh text; a field the user edited is kept, unless
    `overwrite`."""
    values, kept = {}, []
    for name in FIELDS:
        mine, old, new = (getattr(t, name) for t in (current, last_generated, fresh))
        if mine != old and not overwrite:
            values[name] = mine
            kept.append(name)
        else:
            values[name] = new
    return Merge(PressText(**values), tuple(kept))
