"""Ballot secrecy against every copy of the data (issue 13; DESIGN.md "Ballot secrecy",
RULES.md 30): a mixed poll — cards on the web page and through the API, a logged-in
delegate, a paper ballot — then an attacker's search of everything a server leaves
behind, on SQLite and on PostgreSQL:

- a backup (`thidua backup`) taken while the poll is open: the participations and the
  ballots in storage order, matched one to one, and every receipt code searched for;
- the raw SQLite database file and its WAL, while open and after close and publish;
- PostgreSQL's pages (pageinspect: live and dead tuples) and `xmin` after close: no
  ballot, live or dead, carries the transaction id of a vote (a participation's or a used
  card's);
- the audit log, the log lines the server wrote, the addresses requested (what a proxy
  logs), the rate-limit counters and every API answer.

Every search must find 0 links between a voter (unit, card, delegate) and a ballot.
"""

import json
import logging
import re
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from tests import factories
from tests.factories import award_poll

from api.conftest import Api
from thidua.core import backup
from thidua.core.management.commands.serve import ACCESS_LOG_FORMAT
from thidua.core.models import AuditEvent, RateCounter
from thidua.voting import services
from thidua.voting.models import Ballot, Participation, SealedBallot
from web.cards import cast_card, open_card, split
from web.page import parse

ADDRESS = "127.0.0.1"  # the test client's REMOTE_ADDR


@pytest.fixture
def hall(file_db, world):
    """The KT bloc's conference, five units present, a poll open (per unit)."""
    if connection.vendor == "postgresql":
        # Start from clean pages: tests rolled back before this one left dead tuples.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM FULL voting_ballot, voting_ballotchoice, "
                           "voting_sealedballot, voting_participation, voting_votingcard")
    leader = world.actor("leader")
    conference = factories.conference(world, present=factories.KT)
    return services.open_poll(leader, award_poll(world, conference))


class Recorder:
    """Every request the clients make (what a proxy's access log would hold) and every
    JSON answer of the API."""

    def __init__(self):
        self.addresses, self.answers = [], []

    def __call__(self, response):
        request = response.request
        self.addresses.append(request["PATH_INFO"] + "?" + request.get("QUERY_STRING", ""))
        if response.get("Content-Type", "").startswith("application/json"):
            self.answers.append((request["PATH_INFO"], response.content.decode()))
        return response


def _strings(blob: bytes, secrets_) -> set:
    return {s for s in secrets_ if s.encode() in blob}


def _order_links(voters_in_order, ballots_in_order, truth) -> int:
    """The attack of issue 13 (break 2): the k-th participation stored goes with the k-th
    ballot stored. How many voters it gives their real ballot."""
    return sum(1 for voter, ballot in zip(voters_in_order, ballots_in_order, strict=False)
               if truth.get(voter) == ballot)


def _copy_rows(dump: str, table: str) -> list[dict]:
    """The rows of `table` in a plain-SQL dump, in the dump's (physical) order."""
    match = re.search(rf"^COPY public\.{table} \(([^)]*)\) FROM stdin;\n(.*?)^\\\.$", dump,
                      re.S | re.M)
    if match is None:
        return []
    columns = [c.strip() for c in match.group(1).split(",")]
    return [dict(zip(columns, line.split("\t"), strict=True))
            for line in match.group(2).splitlines() if line]


def _backup_copy(tmp_path: Path, name: str):
    """A backup taken now: (the database as bytes or plain SQL, its participations and
    ballots in storage order)."""
    archive = tmp_path / f"{name}.tar.gz"
    manifest = backup.make_backup(archive, media_root=tmp_path / "media")
    with tarfile.open(archive) as tar:
        member = manifest["database"]["file"]
        data = tar.extractfile(member).read()
    if connection.vendor == "sqlite":
        path = tmp_path / f"{name}.sqlite3"
        path.write_bytes(data)
        import sqlite3

        db = sqlite3.connect(path)
        voters = [r[0] for r in db.execute(
            "SELECT voter_key FROM voting_participation ORDER BY rowid")]
        ballots = [r[0] for r in db.execute(
            "SELECT receipt_code FROM voting_ballot ORDER BY rowid")]
        db.close()
        return data, voters, ballots
    dump = subprocess.run(["pg_restore", "--data-only", "-f", "-"], input=data,
                          capture_output=True, check=True).stdout.decode()
    voters = [r["voter_key"] for r in _copy_rows(dump, "voting_participation")]
    ballots = [r["receipt_code"] for r in _copy_rows(dump, "voting_ballot")]
    return dump.encode(), voters, ballots


def _sqlite_files() -> tuple[bytes, bytes]:
    path = Path(connection.settings_dict["NAME"])
    wal = Path(f"{path}-wal")
    return path.read_bytes(), wal.read_bytes() if wal.exists() else b""


def _tuples(cursor, table: str) -> list[tuple]:
    """(xmin, xmax) of every tuple on the table's pages, live or dead (pageinspect)."""
    cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int",
                   [table])
    pages = cursor.fetchone()[0]
    found = []
    for page in range(pages):
        cursor.execute("SELECT t_xmin::text, t_xmax::text FROM heap_page_items("
                       "get_raw_page(%s, %s)) WHERE lp_flags = 1", [table, page])
        found += cursor.fetchall()
    return found


def test_rules_30_no_copy_of_the_data_links_a_voter_to_a_ballot(world, hall, tmp_path,
                                                                  caplog):
    caplog.set_level(logging.DEBUG)
    poll = hall
    record = Recorder()
    units = {code: world.units[code].id for code in ("KT1", "KT2", "KT3", "KT4", "KT5")}
    numbers = {c.unit_id: c.id for c in poll.candidates.all()}
    marks = {"KT1": [numbers[units["KT2"]]], "KT2": [numbers[units["KT3"]]],
             "KT3": [], "KT4": [numbers[units["KT1"]], numbers[units["KT5"]]],
             "KT5": [numbers[units["KT4"]]]}
    chair = Api(world.users["leader"])

    # The cards, issued through the API (the plain tokens exist only in that answer).
    issued = record(chair.post(f"/polls/{poll.pk}/cards"))
    tokens = {c["unit"]["id"]: c["token"] for c in issued.json()}
    links = {code: f"http://testserver{reverse('voting_ballot', args=[poll.pk])}#"
             f"{tokens[units[code]]}" for code in units}
    truth = {}  # voter key → receipt code (what the attacker wants)

    # KT1 and KT5 vote with their card on the phone page: open, then cast.
    for code in ("KT1", "KT5"):
        phone = Client()
        record(phone.get(split(links[code])[0]))
        record(open_card(phone, links[code]))
        answer = record(cast_card(phone, links[code], {"candidates": marks[code]}))
        truth[f"unit:{units[code]}"] = parse(answer).by_id("ma-bien-nhan").text
    # KT2 with its card through the API.
    answer = record(Api().post(f"/polls/{poll.pk}/card-ballots",
                               {"token": tokens[units["KT2"]], "choices": marks["KT2"]}))
    truth[f"unit:{units['KT2']}"] = answer.json()["receipt_code"]
    own_answers = {answer.content.decode()}
    # KT3's delegate logged in (a blank ballot).
    answer = record(Api(world.users["delegate"]).post(f"/polls/{poll.pk}/ballots",
                                                      {"choices": []}))
    truth[f"unit:{units['KT3']}"] = answer.json()["receipt_code"]
    own_answers.add(answer.content.decode())
    # KT4 on paper: handed, marked, entered by the committee, reconciled.
    handed = record(chair.post(f"/polls/{poll.pk}/paper-ballots/issue",
                               {"unit_ids": [units["KT4"]]})).json()
    [paper] = handed["codes"]
    truth[f"unit:{units['KT4']}"] = paper
    record(chair.post(f"/polls/{poll.pk}/paper-ballots",
                      {"receipt_code": paper, "choices": marks["KT4"]}))
    record(chair.post(f"/polls/{poll.pk}/paper-ballots/reconcile", {"unreturned": 0}))
    record(chair.get(f"/polls/{poll.pk}"))
    record(chair.get(f"/polls/{poll.pk}/turnout"))
    receipts = set(truth.values())
    assert len(receipts) == 5 and Participation.objects.filter(poll=poll).count() == 5
    secrets_ = receipts | set(tokens.values())

    # 1. A backup while the poll is open: no receipt code, and the storage-order attack
    # (break 2) finds nothing to match.
    data, voters, ballots = _backup_copy(tmp_path, "open")
    assert sorted(voters) == sorted(truth)  # who voted is there, as it must be
    assert _strings(data, receipts) == set()
    assert _order_links(voters, ballots, truth) == 0
    sealed = [bytes(s) for s in SealedBallot.objects.filter(poll=poll)
              .values_list("sealed", flat=True)]
    assert len(sealed) == 5 and len({len(s) for s in sealed}) == 1  # no length tells
    # ... nor do the database's own files while open (SQLite: main file and WAL).
    if connection.vendor == "sqlite":
        main, wal = _sqlite_files()
        assert _strings(main + wal, receipts) == set()

    # Close (the count unseals). SQLite's files right after (break 4): the WAL, which
    # held the pages as the votes wrote them, checkpointed and emptied.
    record(chair.post(f"/polls/{poll.pk}/close"))
    if connection.vendor == "sqlite":
        main, wal = _sqlite_files()
        assert (len(wal), [s[:32] for s in sealed if s[:32] in main]) == (0, [])
    record(chair.post(f"/polls/{poll.pk}/publish"))
    assert sorted(Ballot.objects.filter(poll=poll).values_list("receipt_code", flat=True)
                  ) == sorted(receipts)
    assert SealedBallot.objects.count() == 0

    # 2. SQLite's files after publication too: no byte of a sealed row in either file
    # (secure_delete zeroed them); the ballots stored in receipt-code order.
    if connection.vendor == "sqlite":
        main, wal = _sqlite_files()
        assert [s[:32] for s in sealed if s[:32] in main + wal] == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT receipt_code FROM voting_ballot ORDER BY rowid")
            assert [r[0] for r in cursor.fetchall()] == sorted(receipts)
    # 3. PostgreSQL's pages after close (break 5): every tuple of the ballot tables, live
    # or dead, and no ballot carries a transaction id that a vote wrote — a
    # participation's or a used card's (their xmin, or the xmax of the card's old row).
    else:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
            ballot_rows = [t for table in ("voting_ballot", "voting_ballotchoice",
                                           "voting_sealedballot")
                           for t in _tuples(cursor, table)]
            # The votes' transactions: each wrote a participation (a card, the delegate,
            # the paper handed).
            vote_xids = {xmin for xmin, _ in _tuples(cursor, "voting_participation")}
            assert len(vote_xids) == 5
            assert len(ballot_rows) == 5 + sum(len(m) for m in marks.values())
            # As many tuples as live rows: no dead one. All written by one transaction,
            # the close's (an xmax is its own key-share lock, taken when the choices
            # were written), which wrote no participation and no card.
            closing = {xmin for xmin, _ in ballot_rows}
            assert len(closing) == 1
            assert {xmax for _, xmax in ballot_rows} <= {"0"} | closing
            assert closing & vote_xids == set()
            cursor.execute("SELECT xmin::text FROM voting_votingcard WHERE used")
            cards = {r[0] for r in cursor.fetchall()}
            assert len(cards) == 3 and cards <= vote_xids and cards & closing == set()

    # 4. The audit log (break 3): no receipt code or token, no event per vote, and the
    # paper issue names no unit and no running total.
    events = list(AuditEvent.objects.filter(action__startswith="voting."))
    for event in events:
        text = json.dumps([event.before, event.after, event.reason, event.object_id],
                          default=str)
        assert _strings(text.encode(), secrets_) == set(), event.action
    [paper_issue] = [e for e in events if e.action == "voting.paper.issue"]
    assert paper_issue.after == {"handed": 1}
    assert sorted({e.action for e in events}) == sorted(
        {"voting.conference.create", "voting.attendance.record", "voting.poll.create",
         "voting.poll.open", "voting.cards.issue", "voting.paper.issue", "voting.paper.enter",
         "voting.paper.reconcile", "voting.poll.close", "voting.poll.publish"})

    # 5. What a proxy logs (break 6): no token or receipt code in any address requested;
    # the server's access log has no client address, query string, referrer or agent;
    # no log line carries a token, a receipt code or the address; no rate-limit counter
    # stores the address.
    assert [a for a in record.addresses if _strings(a.encode(), secrets_)] == []
    assert not re.search(r"%\((h|r|q|f|a|\{[^}]*\}[ie])\)s", ACCESS_LOG_FORMAT)
    lines = [r.getMessage() for r in caplog.records]
    assert [m for m in lines if _strings(m.encode(), secrets_ | {ADDRESS})] == []
    assert [k for k in RateCounter.objects.values_list("key", flat=True) if ADDRESS in k] == []

    # 6. Every API answer: before publication none holds a receipt code but the voter's
    # own; the published list gives codes and marks only, by code.
    published = record(chair.get(f"/polls/{poll.pk}/result")).json()
    assert [b["receipt_code"] for b in published["ballots"]] == sorted(receipts)
    assert {frozenset(b) for b in published["ballots"]} == {
        frozenset({"receipt_code", "valid", "choices"})}
    counted = [path for path, text in record.answers if text not in own_answers
               and "/result" not in path and _strings(text.encode(), receipts)]
    assert counted == [f"/api/v1/polls/{poll.pk}/paper-ballots/issue",
                       f"/api/v1/polls/{poll.pk}/paper-ballots"]  # the chair's paper codes
    assert [path for path, text in record.answers
            if text not in own_answers and _strings(text.encode(), set(tokens.values()))
            ] == [f"/api/v1/polls/{poll.pk}/cards"]  # the sheet the chair prints, once
