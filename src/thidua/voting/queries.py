"""Read side of the conference for the pages and the API: fixed query counts."""

from dataclasses import dataclass

from thidua.core.errors import NotFound
from thidua.org.models import BlocYear
from thidua.org.rules import Actor
from thidua.voting import rules, services
from thidua.voting.domain import progress
from thidua.voting.domain.tally import Quorum, quorum
from thidua.voting.models import Attendance, Candidate, Conference, Participation, Poll


@dataclass(frozen=True)
class ConferenceView:
    conference: Conference
    attendance: list  # Attendance with .unit, by unit name
    quorum: Quorum
    polls: list  # Poll, in creation order
    committee: list
    can_run: bool


def conference_in_scope(actor: Actor, conference_id) -> Conference:
    conference = (Conference.objects.select_related("bloc_year__bloc__province",
                                                    "bloc_year__emulation_year")
                  .filter(pk=conference_id).first()) if isinstance(conference_id, int) else None
    if conference is None or not rules.can_view_conference(actor, conference.bloc_year):
        raise NotFound("Không tìm thấy hội nghị.")
    return conference


def poll_in_scope(actor: Actor, poll_id) -> Poll:
    try:
        poll = services.load_poll(poll_id)
    except NotFound:
        poll = None
    if poll is None or not rules.can_view_conference(actor, poll.conference.bloc_year):
        raise NotFound("Không tìm thấy cuộc bỏ phiếu.")
    return poll


def conference_of(actor: Actor, bloc_year: BlocYear) -> Conference:
    if not rules.can_view_conference(actor, bloc_year):
        raise NotFound("Không tìm thấy khối thi đua.")
    conference = (Conference.objects.select_related("bloc_year__bloc__province",
                                                    "bloc_year__emulation_year")
                  .filter(bloc_year=bloc_year).first())
    if conference is None:
        raise NotFound(f"{bloc_year} chưa có hội nghị tổng kết.")
    return conference


def count_attendance(rows) -> tuple[int, int]:
    """(present, members) of a roll call: the one count the pages, the minutes, the
    proposal letter and the press release all state ("11/12", issue 15 item 7)."""
    rows = list(rows)
    return sum(1 for present in rows if present), len(rows)


def attendance_count(conference: Conference) -> tuple[int, int]:
    return count_attendance(Attendance.objects.filter(conference=conference)
                            .values_list("present", flat=True))


def conference_for(bloc_year: BlocYear) -> Conference | None:
    """The bloc year's conference, if one was set up (no scope check: the caller's)."""
    return Conference.objects.filter(bloc_year=bloc_year).first()


def roll(conference: Conference) -> list[Attendance]:
    """The conference's roll call, every member with its unit, in Vietnamese order."""
    return list(Attendance.objects.filter(conference=conference).select_related("unit")
                .order_by("unit__sort_key", "unit_id"))


def waiting_units(poll: Poll) -> list:
    """Units present at the conference that have not voted in the poll yet (a unit
    votes once, RULES.md 29 "per unit"), in Vietnamese order. Two queries."""
    voted = set(Participation.objects.filter(poll=poll).values_list("unit_id", flat=True))
    return [row.unit for row in roll(poll.conference) if row.present
            and row.unit_id not in voted]


def published_poll(poll_id) -> Poll:
    """A published poll, for the public pages (no sign-in: nothing else is public)."""
    poll = Poll.objects.filter(pk=poll_id, state=Poll.State.PUBLISHED).first()
    if poll is None:
        raise NotFound("Không tìm thấy kết quả đã công bố của cuộc bỏ phiếu này.")
    return poll


def conference_view(actor: Actor, conference: Conference) -> ConferenceView:
    attendance = roll(conference)
    present, members = count_attendance(a.present for a in attendance)
    q = quorum(present, members, services.rulebook_of(conference).value("voting.quorum"))
    return ConferenceView(conference, attendance, q, list(conference.polls.order_by("id")),
                          list(conference.committee.order_by("id")),
                          rules.can_run_conference(actor, conference.bloc_year))


def poll_facts(polls) -> list[progress.PollFact]:
    """What the progress needs of each poll, from the stored counts (no query)."""
    facts = []
    for poll in polls:
        again = services.again_of(poll)
        record = poll.result or {}
        if again is None:
            exists = False
        elif again[2]:
            exists = any(p.id == record.get("run_off_poll") for p in polls)
        else:
            exists = any(p.kind == poll.kind and p.id > poll.id for p in polls)
        labels = {c["candidate"]: c["label"] for c in record.get("candidates", [])}
        facts.append(progress.PollFact(
            poll.id, poll.kind, poll.title, poll.state, again is not None, exists,
            tuple(labels[c] for c in record.get("selected", []))))
    return facts


def conference_progress(view: ConferenceView, *, minutes_issued: bool) -> list:
    """The conference day's steps and the next action (voting.domain.progress)."""
    rows = view.attendance
    return progress.conference_steps(
        members=len(rows), marked=sum(1 for a in rows if a.present or a.absence_reason),
        present=view.quorum.present, quorum_met=view.quorum.met,
        quorum_sentence=view.quorum.sentence, quorum_minimum=view.quorum.minimum,
        polls=poll_facts(view.polls), next_year=view.conference.bloc_year.year + 1,
        minutes_issued=minutes_issued)


def candidates(poll: Poll) -> list:
    return list(Candidate.objects.filter(poll=poll).select_related("unit"))


def shown_ballots(poll: Poll, ballots) -> list[dict]:
    """Ballots (PublishedBallot) as the pages show them: code, validity and the marks as
    "n. unit name" in ballot-paper order — n being the number the downloadable list and
    its digest use."""
    rows = list(Candidate.objects.filter(poll=poll).values_list("id", "position", "unit__name"))
    number = {pk: n for pk, n, _ in rows}
    label = {pk: f"{n}. {name}" for pk, n, name in rows}
    return [{"code": b.receipt_code, "valid": b.valid,
             "choices": [label[c] for c in sorted(b.choices, key=number.__getitem__)]}
            for b in ballots]


def published_ballots(poll: Poll) -> list:
    """The ballot list of a published poll by receipt code (PublishedBallot, what the
    public page and the minutes show); empty for a poll not yet published. Two queries."""
    if poll.state != Poll.State.PUBLISHED:
        return []
    return services._ballots(poll)  # noqa: SLF001 - the count's own reading, shared
