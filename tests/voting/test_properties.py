"""Properties of the count on the database: whatever the mix of card, delegate and paper
ballots (over-marked paper ones included), every participation is one ballot in the box
once the paper ballots reconcile, and a tie at the quota cut-off always opens a run-off."""

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests import factories
from tests.factories import award_poll, candidate_ids, cards_by_unit

from thidua.law.award_forms import AwardForm
from thidua.voting import services
from thidua.voting.models import Ballot, Participation, Poll

CODES = ["KT1", "KT2", "KT3", "KT4", "KT5"]
# Per unit: None (does not vote), ("card" | "paper", marked candidates 0–2).
VOTES = st.lists(st.one_of(st.none(), st.tuples(st.sampled_from(["card", "paper"]),
                                                st.lists(st.integers(0, 2), unique=True,
                                                         max_size=3))),
                 min_size=5, max_size=5)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(votes=VOTES)
def test_the_box_holds_one_ballot_per_participation(world, votes):
    with transaction.atomic():
        leader = world.actor("leader")
        conference = factories.conference(world, present=factories.KT)
        poll = services.open_poll(leader, award_poll(
            world, conference, AwardForm.CERTIFICATE_OF_MERIT, ["KT2", "KT3", "KT4"]))
        ids = candidate_ids(poll, world, "KT2", "KT3", "KT4")
        cards = cards_by_unit(world, poll)
        paper = [code for code, vote in zip(CODES, votes, strict=True)
                 if vote and vote[0] == "paper"]
        codes = services.issue_paper_ballots(leader, poll, [world.units[c].id for c in paper]
                                             ) if paper else []
        for code, vote in zip(CODES, votes, strict=True):
            if vote is None:
                continue
            channel, marks = vote
            chosen = [ids[i] for i in marks]
            if channel == "paper":
                services.enter_paper_ballot(leader, poll, codes.pop(), chosen)
            elif len(chosen) <= poll.quota:
                services.cast_with_card(cards[code], poll.pk, chosen)
        if paper:
            services.reconcile_paper(leader, poll, unreturned=0)
        closed = services.close_poll(leader, poll)
        tally = services.count(closed)
        participations = Participation.objects.filter(poll=poll).count()
        assert tally.cast == participations == Ballot.objects.filter(poll=poll).count()
        assert closed.result["participations"] == participations
        expected_invalid = sum(1 for v in votes if v and v[0] == "paper" and len(v[1]) > 2)
        assert tally.invalid == expected_invalid
        if tally.needs_run_off:
            run_off = Poll.objects.get(run_off_of=poll)
            assert sorted(c.id for c in Poll.objects.get(pk=poll.pk).candidates.filter(
                unit__in=run_off.candidates.values("unit"))) == sorted(tally.run_off_ids)
            assert run_off.quota == tally.run_off_seats
        else:
            assert not Poll.objects.filter(run_off_of=poll).exists()
        transaction.set_rollback(True)
