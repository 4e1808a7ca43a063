"""A year-end conference run through the voting services, for the conference papers'
tests: four of five members present (one absent with its reason), a counting committee,
a Bằng khen poll voted by cards and one paper ballot, the leader election, both counted
and published."""

from dataclasses import dataclass

from tests.factories import at_conference, held_today, make_eligible

from thidua.law.award_forms import AwardForm
from thidua.voting import services
from thidua.voting.models import Attendance, Poll


@dataclass
class Run:
    conference: object
    award: Poll
    election: Poll
    paper_code: str
    present: list  # units
    absent: object  # the absent unit


def by_unit(poll):
    return {c.unit_id: c.id for c in poll.candidates.all()}


def start(leader, bloc_year, *, absent_reason="Đi công tác nước ngoài"):
    """The conference with attendance and committee (no poll yet)."""
    make_eligible(bloc_year)
    at_conference(bloc_year)
    conference = services.create_conference(
        leader, bloc_year, held_at=held_today(), place="Hội trường Ủy ban nhân dân tỉnh",
        chair="Nguyễn Văn An", secretary="Trần Thị Bình",
        guests="Thường trực Hội đồng Thi đua - Khen thưởng tỉnh",
        agenda="Tổng kết phong trào thi đua; Bình xét đề nghị khen thưởng; Bầu Trưởng khối")
    rows = list(Attendance.objects.filter(conference=conference).select_related("unit")
                .order_by("unit__sort_key", "unit_id"))
    units = [r.unit for r in rows]
    for unit in units[:-1]:
        services.record_attendance(leader, conference, unit.id, present=True,
                                   delegate_name=f"Đại biểu {unit.code}")
    services.record_attendance(leader, conference, units[-1].id, present=False,
                               absence_reason=absent_reason)
    services.set_committee(leader, conference, [("Lê Văn Cường", "Trưởng ban", None),
                                                ("Phạm Thị Dung", "Thành viên", None)])
    return conference, units[:-1], units[-1]


def open_award_poll(leader, conference):
    poll = services.create_poll(leader, conference, Poll.Kind.AWARD_PROPOSAL,
                                award_form=AwardForm.CERTIFICATE_OF_MERIT)
    return services.open_poll(leader, poll)


def run(leader, bloc_year, *, publish=True) -> Run:
    """Bằng khen: the first three present units vote by card, the fourth on paper with an
    over-marked ballot (invalid, RULES.md 33). Leader election: four cards."""
    conference, present, absent = start(leader, bloc_year)
    award = open_award_poll(leader, conference)
    ids = by_unit(award)
    candidates = list(ids.values())
    tokens = {c.card.unit_id: c.token for c in services.issue_cards(leader, award)}
    first, second = candidates[0], candidates[1 % len(candidates)]
    for unit in present[:3]:
        services.cast_with_card(tokens[unit.id], award.pk, [first])
    [code] = services.issue_paper_ballots(leader, award, [present[3].id])
    services.enter_paper_ballot(leader, award, code, candidates[: award.quota + 1]
                                if len(candidates) > award.quota else [second])
    services.reconcile_paper(leader, award, unreturned=0)
    award = services.close_poll(leader, award)
    election = services.create_poll(leader, conference, Poll.Kind.LEADER_ELECTION)
    election = services.open_poll(leader, election)
    standing = list(by_unit(election).values())
    tokens = {c.card.unit_id: c.token for c in services.issue_cards(leader, election)}
    for unit in present:
        services.cast_with_card(tokens[unit.id], election.pk, [standing[0]])
    election = services.close_poll(leader, election)
    if publish:
        award = services.publish_poll(leader, award)
        election = services.publish_poll(leader, election)
    return Run(conference, award, election, code, present, absent)
