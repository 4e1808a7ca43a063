"""Ballot secrecy (DESIGN.md, RULES.md 30): after a vote by card, by a logged-in delegate
and on paper, no table, no audit event and no log line links a card, a user, a unit or a
delegate to a ballot's choices; a ballot has no timestamp and no voter column."""

import logging

from django.apps import apps
from django.db import connection, models
from tests import factories
from tests.factories import candidate_ids, cards_by_unit

from thidua.core.models import AuditEvent
from thidua.voting import services
from thidua.voting.models import (
    Ballot,
    BallotChoice,
    PaperBallotCode,
    Participation,
    Poll,
    SealedBallot,
    VotingCard,
)

# The only tables where a ballot id or a receipt code may appear: the ballot, its choices,
# and the printed paper-ballot codes (handed out in any order, tied to no unit).
BALLOT_TABLES = {Ballot._meta.db_table, BallotChoice._meta.db_table,
                 PaperBallotCode._meta.db_table}


def test_rule_30_a_ballot_has_no_voter_and_no_time_column(db):
    fields = {f.name: f for f in Ballot._meta.concrete_fields}
    assert set(fields) == {"id", "poll", "receipt_code", "valid", "source"}
    assert not any(isinstance(f, (models.DateField, models.DateTimeField, models.TimeField))
                   for f in fields.values())
    assert {f.name for f in BallotChoice._meta.concrete_fields} == {"ballot", "candidate"}
    # Neither the choice nor the participation has an ordered id that would tell which
    # ballot came with which participation.
    assert {f.name for f in Participation._meta.concrete_fields} == {
        "poll", "voter_key", "unit", "source"}
    assert isinstance(Ballot._meta.pk, models.UUIDField)
    columns = {c.name for c in connection.introspection.get_table_description(
        connection.cursor(), Ballot._meta.db_table)}
    assert columns == {"id", "poll_id", "receipt_code", "valid", "source"}


def _all_rows():
    """Every row of every table of the database, as (table, row values as text)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the DB
            for row in cursor.fetchall():
                yield table, [str(v) for v in row]


def test_rule_30_nothing_links_a_voter_to_a_choice(world, open_poll, caplog):
    caplog.set_level(logging.DEBUG)
    leader, poll = world.actor("leader"), open_poll
    cards = cards_by_unit(world, poll)
    kt1, kt2 = candidate_ids(poll, world, "KT1", "KT2")
    receipts = [services.cast_with_card(cards["KT1"], poll.pk, [kt1]),
                services.cast_with_card(cards["KT2"], poll.pk, [kt2]),
                services.cast_as_delegate(world.actor("delegate"), poll.pk, [kt1, kt2])]
    [paper] = services.issue_paper_ballots(leader, poll, [world.units["KT4"].id])
    services.enter_paper_ballot(leader, poll, paper, [kt2])
    services.reconcile_paper(leader, poll, unreturned=0)
    services.close_poll(leader, poll)
    services.publish_poll(leader, poll)

    ballot_ids = {str(b) for b in Ballot.objects.values_list("id", flat=True)}
    ballot_ids |= {b.replace("-", "") for b in ballot_ids}  # SQLite stores UUIDs as hex
    secrets_ = ballot_ids | set(receipts)
    assert len(receipts) == 3 and Ballot.objects.count() == 4

    # 1. Every table: a ballot id or a receipt code appears only in the ballot tables.
    tables_seen = set()
    for table, values in _all_rows():
        tables_seen.add(table)
        if any(secret in value for value in values for secret in secrets_):
            assert table in BALLOT_TABLES, f"{table} holds a ballot id or receipt code"
    assert {Participation._meta.db_table, VotingCard._meta.db_table,
            AuditEvent._meta.db_table} <= tables_seen
    # ...and the ballot tables hold no reference to a card, user, unit or voter key.
    voting_models = apps.get_app_config("voting").get_models()
    for model in voting_models:
        if model._meta.db_table in BALLOT_TABLES:
            targets = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
            assert targets <= {apps.get_model("voting", "Poll"), Ballot,
                               apps.get_model("voting", "Candidate")}, model
    # 2. The audit log: no ballot, receipt code, choice or card token, and no event per vote.
    events = list(AuditEvent.objects.all())
    assert not [e for e in events if e.object_type == "voting.ballot"]
    for event in events:
        text = f"{event.before} {event.after} {event.reason} {event.object_id}"
        assert not any(secret in text for secret in secrets_), event.action
        assert not any(token in text for token in cards.values())
    assert [e.action for e in events if e.action.startswith("voting.")] == [
        "voting.conference.create", *["voting.attendance.record"] * 5, "voting.poll.create",
        "voting.poll.open", "voting.cards.issue", "voting.paper.issue", "voting.paper.enter",
        "voting.paper.reconcile", "voting.poll.close", "voting.poll.publish"]
    # 3. No log line carries a ballot id, a receipt code or a token.
    for record in caplog.records:
        message = record.getMessage()
        assert not any(secret in message for secret in secrets_)
        assert not any(token in message for token in cards.values())
    # 4. The card tokens are stored only as hashes.
    for table, values in _all_rows():
        assert not any(token in value for value in values for token in cards.values()), table
    # What is known of the voters is only who voted.
    assert sorted(Participation.objects.filter(poll=poll).values_list("voter_key", flat=True)
                  ) == sorted(f"unit:{world.units[c].id}" for c in ["KT1", "KT2", "KT3", "KT4"])


def test_closing_writes_the_box_so_storage_order_tells_nothing(world, open_poll):
    """Beyond the columns: while the poll is open no readable ballot exists (only sealed
    ones); the close writes the readable ballots in receipt-code order (SQLite rowid,
    PostgreSQL ctid), all with the closing transaction's id (xmin), which no
    participation carries."""
    poll = open_poll
    cards = cards_by_unit(world, poll)
    [kt1] = candidate_ids(poll, world, "KT1")
    receipts = [services.cast_with_card(cards[c], poll.pk, [kt1] if i % 2 else [])
                for i, c in enumerate(["KT5", "KT1", "KT4", "KT2", "KT3"])]
    assert (Ballot.objects.count(), BallotChoice.objects.count()) == (0, 0)
    assert SealedBallot.objects.filter(poll=poll).count() == 5
    services.close_poll(world.actor("leader"), poll)
    assert SealedBallot.objects.count() == 0
    order = "rowid" if connection.vendor == "sqlite" else "ctid"
    table = Ballot._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT receipt_code FROM "{table}" WHERE poll_id = %s '  # noqa: S608
                       f"ORDER BY {order}", [poll.pk])
        assert [r[0] for r in cursor.fetchall()] == sorted(receipts)
        if connection.vendor == "postgresql":
            cursor.execute(f'SELECT DISTINCT xmin::text FROM "{table}" '  # noqa: S608
                           "WHERE poll_id = %s", [poll.pk])
            ballot_xids = {r[0] for r in cursor.fetchall()}
            cursor.execute(f'SELECT DISTINCT xmin::text FROM "{Participation._meta.db_table}" '  # noqa: S608
                           "WHERE poll_id = %s", [poll.pk])
            assert len(ballot_xids) == 1 and not ballot_xids & {r[0] for r in cursor.fetchall()}
    assert services.count(Poll.objects.get(pk=poll.pk)).result_for(kt1).votes == 2


def test_a_large_box_is_written_in_receipt_order_within_chunks_drawn_at_random(
        world, open_poll, monkeypatch):
    """Past UNSEAL_CHUNK ballots the close opens the box in chunks on two threads and
    writes each chunk as it is opened (bench/README.md): the chunks are drawn at random,
    each is written in receipt-code order, every ballot once, counted right."""
    monkeypatch.setattr(services.counting, "UNSEAL_CHUNK", 2)
    monkeypatch.setattr(services.counting, "UNSEAL_IN_THREADS", 2)
    poll = open_poll
    cards = cards_by_unit(world, poll)
    [kt1] = candidate_ids(poll, world, "KT1")
    receipts = [services.cast_with_card(cards[c], poll.pk, [kt1] if i % 2 else [])
                for i, c in enumerate(["KT5", "KT1", "KT4", "KT2", "KT3"])]
    closed = services.close_poll(world.actor("leader"), poll)
    order = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT receipt_code FROM "{Ballot._meta.db_table}" '  # noqa: S608
                       f"WHERE poll_id = %s ORDER BY {order}", [poll.pk])
        stored = [r[0] for r in cursor.fetchall()]
    chunks = [stored[0:2], stored[2:4], stored[4:]]
    assert [sorted(chunk) for chunk in chunks] == chunks
    assert sorted(stored) == sorted(receipts)
    assert closed.result["ballots_cast"] == 5
    assert services.count(closed).result_for(kt1).votes == 2
    assert SealedBallot.objects.count() == 0


def test_closing_one_poll_keeps_another_open_polls_sealed_ballots(world, open_poll):
    """The close gives the sealed table fresh storage (PostgreSQL: TRUNCATE, the other
    open polls' rows written back; SQLite: only the closed poll's rows deleted): a second
    poll open at the same time keeps every sealed ballot, unreadable, and counts them at
    its own close."""
    leader, first = world.actor("leader"), open_poll
    second = factories.leader_election(world, first.conference)
    [kt1] = candidate_ids(first, world, "KT1")
    [kt2] = candidate_ids(second, world, "KT2")
    first_cards, second_cards = cards_by_unit(world, first), cards_by_unit(world, second)
    for code in ["KT1", "KT2", "KT3"]:
        services.cast_with_card(first_cards[code], first.pk, [kt1])
        services.cast_with_card(second_cards[code], second.pk, [kt2])
    kept = sorted(bytes(s) for s in SealedBallot.objects.filter(poll=second)
                  .values_list("sealed", flat=True))
    services.close_poll(leader, Poll.objects.get(pk=first.pk))
    assert not SealedBallot.objects.filter(poll=first).exists()
    assert sorted(bytes(s) for s in SealedBallot.objects.filter(poll=second)
                  .values_list("sealed", flat=True)) == kept
    assert not Ballot.objects.filter(poll=second).exists()
    services.cast_with_card(second_cards["KT4"], second.pk, [])
    closed = services.close_poll(leader, Poll.objects.get(pk=second.pk))
    assert closed.result["ballots_cast"] == 4
    assert services.count(closed).result_for(kt2).votes == 3
    assert services.count(Poll.objects.get(pk=first.pk)).result_for(kt1).votes == 3
    assert SealedBallot.objects.count() == 0
