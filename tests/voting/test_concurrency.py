"""Casting under concurrency, on SQLite (IMMEDIATE transactions) and PostgreSQL (row lock
on the card, unique participation): real threads, each on its own connection.

On SQLite they run on a file copy of the test database (`file_db`, tests/concurrency.py).
"""

import threading
import time

import pytest
from django.db import connection, transaction
from tests import factories
from tests.concurrency import run_threads
from tests.factories import award_poll, candidate_ids, cards_by_unit

from thidua.core.errors import Conflict
from thidua.voting import services
from thidua.voting.models import Ballot, BallotChoice, Participation, SealedBallot, VotingCard


@pytest.fixture
def voting(file_db, world):
    conference = factories.conference(world, present=factories.KT)
    return services.open_poll(world.actor("leader"), award_poll(world, conference))


def many_delegates(world, poll, rounds):
    """The tokens of `rounds` issues of cards, each card a delegate of its own: more
    delegates than an attendance row can name, so each card's name is made unique (one
    vote per delegate, RULES.md 29) and the earlier issues' cards un-revoked."""
    tokens = []
    for _ in range(rounds):
        for issued in services.issue_cards(world.actor("leader"), poll):
            VotingCard.objects.filter(pk=issued.card.pk).update(
                delegate_name=f"Đại biểu số {issued.card.pk}")
            tokens.append(issued.token)
        VotingCard.objects.filter(poll=poll).update(revoked=False)
    return tokens


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
    assert SealedBallot.objects.filter(poll=poll).count() == 1
    assert Participation.objects.filter(poll=poll).count() == 1
    services.close_poll(world.actor("leader"), poll)
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 1
    assert VotingCard.objects.filter(poll=poll, used=True).count() == 1


def test_two_hundred_cards_at_once_cast_two_hundred_ballots(voting, world):
    poll = voting
    # Per delegate (RULES.md 29 setting): 200 cards of the five present units.
    type(poll).objects.filter(pk=poll.pk).update(vote_per="delegate")
    poll.refresh_from_db()
    tokens = many_delegates(world, poll, 40)
    assert len(tokens) == 200
    [kt2, kt3] = candidate_ids(poll, world, "KT2", "KT3")
    results, errors = run_threads(
        [lambda t=t: services.cast_with_card(t, poll.pk, [kt2, kt3]) for t in tokens])
    assert errors == []
    assert len(set(results)) == 200
    assert SealedBallot.objects.filter(poll=poll).count() == 200
    assert Participation.objects.filter(poll=poll).count() == 200
    services.close_poll(world.actor("leader"), poll)
    assert sorted(Ballot.objects.filter(poll=poll).values_list("receipt_code", flat=True)
                  ) == sorted(results)
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 400
    assert services.count(poll).result_for(kt2).votes == 200


def test_a_close_racing_the_votes_counts_every_accepted_ballot(voting, world):
    """Votes and the close at the same moment: every vote is either counted by the close
    or refused (poll closed) — none accepted and left out of the count."""
    poll = voting
    type(poll).objects.filter(pk=poll.pk).update(vote_per="delegate")
    poll.refresh_from_db()
    tokens = many_delegates(world, poll, 12)
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


def test_one_delegate_with_card_and_account_at_once_casts_one_ballot(voting, world):
    """RULES.md 29 (per delegate): the same delegate voting with their card and logged in
    at the same moment, ten times each: one ballot, one participation."""
    poll = voting
    type(poll).objects.filter(pk=poll.pk).update(vote_per="delegate")
    poll.refresh_from_db()
    leader = world.actor("leader")
    services.record_attendance(leader, poll.conference, world.units["KT3"].id, present=True,
                               delegate_name="Dai Bieu")  # the world's delegate account
    [token] = [c.token for c in services.issue_cards(leader, poll)
               if c.card.delegate_name == "Dai Bieu"]
    delegate = world.actor("delegate")
    calls = [lambda: services.cast_with_card(token, poll.pk, []),
             lambda: services.cast_as_delegate(delegate, poll.pk, [])] * 10
    results, errors = run_threads(calls)
    assert len(results) == 1, errors[:3]
    assert {type(e).__name__ for e in errors} == {"Conflict"}, errors[:3]
    assert SealedBallot.objects.filter(poll=poll).count() == 1
    assert Participation.objects.filter(poll=poll).count() == 1


def _until_another_waits_for_a_lock():
    """PostgreSQL: until another session of this database waits for a lock (5 s at most).
    SQLite shows no waiter: a moment's pause lets the other thread reach its wait."""
    if connection.vendor != "postgresql":
        time.sleep(0.5)
        return
    with connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)


def test_a_card_revoked_while_its_vote_is_written_is_refused(voting, world):
    """A new issue of cards revokes the earlier ones (RULES.md 29) while a delegate votes
    with an earlier card: the vote has read the card still valid, the issue commits while
    the vote waits to write, and the vote is then refused as revoked — nothing written,
    the card unused. (On PostgreSQL the card is read and written by two statements
    without a transaction between them: the write checks the card and the poll again.)"""
    poll = voting
    leader = world.actor("leader")
    [old] = [c.token for c in services.issue_cards(leader, poll)
             if c.card.unit_id == world.units["KT2"].id]
    [kt2] = candidate_ids(poll, world, "KT2")
    outcome, vote_sent = {}, threading.Event()

    def vote():
        vote_sent.set()
        try:
            outcome["receipt"] = services.cast_with_card(old, poll.pk, [kt2])
        except Conflict as exc:
            outcome["refused"] = str(exc)
        finally:
            connection.close()

    voter = threading.Thread(target=vote)
    with transaction.atomic():
        services.issue_cards(leader, poll)  # holds the poll, revokes `old`
        voter.start()
        vote_sent.wait()
        _until_another_waits_for_a_lock()
    voter.join()
    assert outcome == {"refused": "Thẻ biểu quyết này đã bị thu hồi (thẻ được cấp lại, đã "
                                  "nhận phiếu giấy thay thẻ, hoặc cuộc bỏ phiếu đã kết thúc)."}
    card = VotingCard.objects.get(token_hash=services._hash(old))
    assert (card.used, card.revoked) == (False, True)
    assert not Participation.objects.filter(poll=poll).exists()
    assert not SealedBallot.objects.filter(poll=poll).exists()
