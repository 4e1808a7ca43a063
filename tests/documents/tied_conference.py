"""A realistic year-end conference for reading the papers back (issue 15): a bloc of twelve
members, eleven present and one absent with its reason; the Bằng khen poll (quota 3,
"more than 1/2 of 12 members" = 7 votes) where four units pass — two clearly, two tied at
7 for the last seat — with one over-marked paper ballot (invalid); the run-off between the
tied two; the leader election; everything counted and published. Built through the voting
services on the `world` province, run by its secretariat."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from tests.factories import at_conference, make_eligible

from thidua.law.award_forms import AwardForm
from thidua.org import services as org_services
from thidua.org.models import Bloc, Unit
from thidua.voting import services
from thidua.voting.models import Attendance, Poll

NAMES = ["Sở Công Thương", "Sở Tài chính", "Sở Xây dựng", "Sở Giao thông vận tải",
         "Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ", "Ban Quản lý các khu "
         "công nghiệp", "Sở Kế hoạch và Đầu tư", "Quỹ Đầu tư phát triển", "Cục Thuế tỉnh",
         "Kho bạc Nhà nước tỉnh", "Ngân hàng Chính sách xã hội tỉnh"]
ABSENT_REASON = "Đi công tác nước ngoài"
# Yes votes of the first round on the ten valid ballots (three marks each at most).
FIRST_ROUND = {"CN2": 8, "CN3": 8, "CN4": 7, "CN5": 7}
RUN_OFF = {"CN4": 6, "CN5": 4}  # eleven ballots, one blank


@dataclass
class Tied:
    bloc_year: object
    conference: object
    award: Poll
    run_off: Poll
    election: Poll
    units: dict  # code → Unit
    absent: Unit


def _ballots(counts: dict, ballots: int, marks: int) -> list[list[str]]:
    """`ballots` ballots of at most `marks` names giving each code its count (greedy: each
    ballot takes the codes with the most votes still to give)."""
    left, out = dict(counts), []
    for _ in range(ballots):
        chosen = sorted((c for c in left if left[c]), key=lambda c: (-left[c], c))[:marks]
        for code in chosen:
            left[code] -= 1
        out.append(chosen)
    assert not any(left.values()), left
    return out


def _cast(actor, poll, units, ballots):
    ids = {c.unit_id: c.id for c in poll.candidates.all()}
    tokens = {c.card.unit_id: c.token for c in services.issue_cards(actor, poll)}
    for voter, chosen in zip(units, ballots, strict=False):
        services.cast_with_card(tokens[voter.id], poll.pk, [ids[units_by[c].id]
                                                            for c in chosen])


units_by: dict = {}


def build(world) -> Tied:
    secretariat = world.actor("secretariat")
    admin = world.actor("admin")
    bloc = Bloc.objects.create(province=world.province, code="CN", kind=Bloc.Kind.KHOI,
                               name="Khối Kinh tế tổng hợp")
    units = [Unit.objects.create(province=world.province, code=f"CN{i}", name=name)
             for i, name in enumerate(NAMES, 1)]
    bloc_year = org_services.create_bloc_year(admin, bloc, world.year, members=units,
                                              leader=units[0], deputies=[units[1]])
    make_eligible(bloc_year)
    units_by.clear()
    units_by.update({u.code: u for u in units})
    held = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    if held > timezone.localtime():
        held -= datetime.timedelta(days=1)
    at_conference(bloc_year)
    conference = services.create_conference(
        secretariat, bloc_year, held_at=held, place="Hội trường Ủy ban nhân dân tỉnh",
        chair="Nguyễn Văn An", secretary="Trần Thị Bình",
        guests="Thường trực Hội đồng Thi đua - Khen thưởng tỉnh",
        agenda="Tổng kết phong trào thi đua; Bình xét đề nghị khen thưởng; Bầu Trưởng khối")
    rows = {a.unit_id: a for a in Attendance.objects.filter(conference=conference)}
    assert len(rows) == 12
    present, absent = units[:11], units[11]
    for unit in present:
        services.record_attendance(secretariat, conference, unit.id, present=True,
                                   delegate_name=f"Đại biểu {unit.code}")
    services.record_attendance(secretariat, conference, absent.id, present=False,
                               absence_reason=ABSENT_REASON)
    services.set_committee(secretariat, conference, [("Lê Văn Cường", "Trưởng ban", None),
                                                     ("Phạm Thị Dung", "Thành viên", None)])
    award = services.create_poll(secretariat, conference, Poll.Kind.AWARD_PROPOSAL,
                                 award_form=AwardForm.CERTIFICATE_OF_MERIT,
                                 unit_ids=[u.id for u in units[1:7]])
    assert award.quota == 3
    award = services.open_poll(secretariat, award)
    _cast(secretariat, award, present[:10], _ballots(FIRST_ROUND, 10, 3))
    ids = {c.unit_id: c.id for c in award.candidates.all()}
    [code] = services.issue_paper_ballots(secretariat, award, [present[10].id])
    services.enter_paper_ballot(secretariat, award, code,  # four marks: invalid (RULES 33)
                                [ids[units_by[c].id] for c in ("CN2", "CN3", "CN4", "CN5")])
    services.reconcile_paper(secretariat, award, unreturned=0)
    award = services.close_poll(secretariat, award)
    run_off = services.vote_again(secretariat, award)
    _cast(secretariat, run_off, present, [["CN4"]] * 6 + [["CN5"]] * 4 + [[]])
    run_off = services.close_poll(secretariat, run_off)
    election = services.open_poll(secretariat, services.create_poll(
        secretariat, conference, Poll.Kind.LEADER_ELECTION, unit_ids=[units[1].id,
                                                                       units[2].id]))
    _cast(secretariat, election, present, [["CN2"]] * 9 + [["CN3"]] * 2)
    election = services.close_poll(secretariat, election)
    award, run_off, election = (services.publish_poll(secretariat, p)
                                for p in (award, run_off, election))
    return Tied(bloc_year, conference, award, run_off, election, units_by.copy(), absent)
