"""The demo's year-end for the economic-technical bloc: its conference held as the public
report of the 2022 conference tells it (demo.yaml `reported_outcome_2022`), the results
published, the proposal sent, accepted and decided — so a new user sees the whole year's
papers and pages on `make run`. Everything goes through the services real use goes
through; the ballots are synthetic (voting cards, every member present).
"""

import datetime

from django.utils import timezone

from thidua.awards import proposals
from thidua.law.award_forms import AwardForm
from thidua.org import services as org
from thidua.org.domain.phases import Phase
from thidua.org.models import BlocYear
from thidua.voting import services as voting
from thidua.voting.models import Poll

DECISION = "125/QĐ-UBND"  # SYNTHETIC number of the chairman's decision
# Marks each candidate receives of the twelve ballots (SYNTHETIC; the winners and their
# order are the reported ones). Candidates after the winners get no marks.
MARKS = {
    AwardForm.GOVERNMENT_FLAG: (["STTTT"], {"STTTT": 10}),
    AwardForm.PROVINCIAL_FLAG: (["SCT", "QDTPT", "SKHDT"], {"SCT": 9, "QDTPT": 8}),
    AwardForm.CERTIFICATE_OF_MERIT: (["SKHDT", "SKHCN", "SNNPTNT", "STC"],
                                     {"SKHDT": 11, "SKHCN": 9, "SNNPTNT": 8}),
}
DEPUTY = ("SCT", 7)


def ballots(voters, marks):
    """Voter code → the codes it marks: the first `marks[c]` voters mark candidate c."""
    result = {code: [] for code in voters}
    for candidate, count in marks.items():
        for voter in voters[:count]:
            result[voter].append(candidate)
    return result


def hold_poll(actor, conference, kind, ballots_by_voter, *, award_form="", candidates=None):
    """A poll held with voting cards, every voter casting its ballot; closed and
    published. `candidates`: unit ids (None: the poll's default list)."""
    poll = voting.create_poll(actor, conference, kind, award_form=award_form,
                              unit_ids=candidates)
    poll = voting.open_poll(actor, poll)
    by_code = {c.unit.code: c.id for c in poll.candidates.select_related("unit")}
    cards = {c.card.unit.code: c.token for c in voting.issue_cards(actor, poll)}
    for voter, chosen in ballots_by_voter.items():
        voting.cast_with_card(cards[voter], poll.pk, [by_code[c] for c in chosen])
    voting.close_poll(actor, Poll.objects.get(pk=poll.pk))
    return voting.publish_poll(actor, Poll.objects.get(pk=poll.pk))


def hold_year_end(bloc_year: BlocYear, units, outcome, *, leader, secretariat,
                  today: datetime.date):
    """The conference (all present, three award polls, the leader's and deputy's
    elections), the proposal sent by the leader officer, accepted and decided by the
    province's secretariat on `today`."""
    org.move_phase(leader, bloc_year, Phase.CONFERENCE)
    held_at = timezone.make_aware(datetime.datetime.combine(today, datetime.time(8, 0)))
    leader_unit = bloc_year.leader_unit
    conference = voting.create_conference(
        leader, bloc_year, held_at=held_at, place=f"Hội trường {leader_unit.name}",
        chair=f"Giám đốc {leader_unit.name}", secretary=f"Văn phòng {leader_unit.name}",
        guests="Ban Thi đua – Khen thưởng tỉnh",
        agenda="Tổng kết năm; bình xét đề nghị khen thưởng; bầu Trưởng khối, Phó khối năm sau")
    voting.record_roll_call(leader, conference, [], all_present=True)
    # `units`: keyed by the 2022 member whose part each unit plays (demo.loader).
    code = {part: unit.code for part, unit in units.items()}
    voters = [code[part] for part in sorted(units)]
    for form, (candidates, marks) in MARKS.items():
        hold_poll(leader, conference, Poll.Kind.AWARD_PROPOSAL,
                  ballots(voters, {code[c]: n for c, n in marks.items()}),
                  award_form=form.value, candidates=[units[c].id for c in candidates])
    hold_poll(leader, conference, Poll.Kind.LEADER_ELECTION,
              ballots(voters, {code[outcome["leader_2023"]]: 8}))
    deputy, votes = DEPUTY
    hold_poll(leader, conference, Poll.Kind.DEPUTY_ELECTION,
              ballots(voters, {code[deputy]: votes}))
    proposal = proposals.assemble_proposal(leader, bloc_year)
    proposals.move_proposal(leader, proposal, "submit")
    proposals.move_proposal(secretariat, proposal, "accept")
    proposals.record_decision(
        secretariat, bloc_year.emulation_year, number=DECISION, decision_date=today,
        signer="Chủ tịch UBND tỉnh Bắc Ninh",
        awarded=list(proposal.lines.values_list("id", flat=True)))
    return conference
