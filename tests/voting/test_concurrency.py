"""Casting under concurrency, on SQLite (IMMEDIATE transactions) and PostgreSQL (row lock
on the card, unique participation): real threads, each on its own connection.

On SQLite they run on a file copy of the test database (`file_db`, tests/concurrency.py).
"""

import pytest
from tests.concurrency import run_threads

from thidua.voting import services
from thidua.voting.models import Ballot, BallotChoice, Participation, VotingCard

from .conftest import award_poll, candidate_ids, cards_by_unit, held_today, mark_present


@pytest.fixture
def voting(file_db, world):
    conference = services.create_conference(
        world.actor("leader"), world.bloc_years["KT"], held_at=held_today(),
        place="Hội trường", chair="A", secretary="B")
    mark_present(world, conference)
    poll = services.open_poll(world.actor("leader"), award_poll(world, conference))
    return poll


def test_fifty_threads_with_the_same_card_cast_one_ballot(voting, world):
    poll = voting
    token = cards_by_unit(world, poll)["KT1"]
    [kt2] = candidate_ids(poll, world, "KT2")
    results, errors = run_threads(
        [lambda: services.cast_with_card(token, poll.pk, [kt2])] * 50)
    assert len(results) == 1
    assert len(errors) == 49
    assert {type(e).__name__ for e in errors} == {"Conflict"}, errors[:3]
    assert {str(e) for e in errors} == {services.USED_CARD}
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert Participation.objects.filter(poll=poll).count() == 1
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 1
    assert VotingCard.objects.filter(poll=poll, used=True).count() == 1


def test_two_hundred_cards_at_once_cast_two_hundred_ballots(voting, world):
    poll = voting
    # Per delegate (RULES.md 29 setting): 200 cards of the five present units.
    type(poll).objects.filter(pk=poll.pk).update(vote_per="delegate")
    poll.refresh_from_db()
    tokens = []
    for _ in range(40):
        tokens.extend(c.token for c in services.issue_cards(world.actor("leader"), poll))
        # issue_cards revokes a unit's earlier unused card: un-revoke to keep all 200.
        VotingCard.objects.filter(poll=poll).update(revoked=False)
    assert len(tokens) == 200
    [kt2, kt3] = candidate_ids(poll, world, "KT2", "KT3")
    results, errors = run_threads(
        [lambda t=t: services.cast_with_card(t, poll.pk, [kt2, kt3]) for t in tokens])
    assert errors == []
    assert len(set(results)) == 200
    assert Ballot.objects.filter(poll=poll).count() == 200
    assert Participation.objects.filter(poll=poll).count() == 200
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 400
    assert services.count(poll).result_for(kt2).votes == 200


def test_a_close_racing_the_votes_counts_every_accepted_ballot(voting, world):
    """Votes and the close at the same moment: every vote is either counted by the close
    or refused (poll closed) — none accepted and left out of the count."""
    poll = voting
    type(poll).objects.filter(pk=poll.pk).update(vote_per="delegate")
    poll.refresh_from_db()
    tokens = []
    for _ in range(12):
        tokens.extend(c.token for c in services.issue_cards(world.actor("leader"), poll))
        VotingCard.objects.filter(poll=poll).update(revoked=False)
    [kt2] = candidate_ids(poll, world, "KT2")
    leader = world.actor("leader")
    calls = [lambda t=t: services.cast_with_card(t, poll.pk, [kt2]) for t in tokens]
    calls.insert(len(calls) // 2, lambda: services.close_poll(leader, poll) and "closed")
    results, errors = run_threads(calls)
    accepted = [r for r in results if r != "closed"]
    assert "closed" in results
    assert all(type(e).__name__ == "Conflict" for e in errors), errors[:3]
    assert len(accepted) + len(errors) == len(tokens)
    stored = type(poll).objects.get(pk=poll.pk)
    assert stored.result["ballots_cast"] == len(accepted) == Ballot.objects.filter(
        poll=poll).count()
    assert stored.result["candidates"][0]["yes_votes"] + sum(
        c["yes_votes"] for c in stored.result["candidates"][1:]) == len(accepted)
