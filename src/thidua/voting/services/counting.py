"""The count (RULES.md 31–34): the sealed box opened at the close, the tally with its
arithmetic, publication with the ballot-box digest, the public receipt check and the
projector's turnout."""

import json
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from random import SystemRandom

from django.core.cache import cache
from django.db import connection, transaction

from thidua.core import audit
from thidua.core.errors import Conflict, NotFound
from thidua.law.rulebook import FractionRule
from thidua.org.rules import Actor
from thidua.voting import rules, sealing
from thidua.voting.domain import receipts
from thidua.voting.domain.delegates import delegate_names
from thidua.voting.domain.tally import (
    BallotIn,
    CandidateIn,
    PublishedBallot,
    Tally,
    ballot_box_digest,
    ballot_box_listing,
    published_list,
    tally,
)
from thidua.voting.models import (
    Attendance,
    Ballot,
    BallotChoice,
    Candidate,
    Participation,
    Poll,
    SealedBallot,
    VotingCard,
)
from thidua.voting.services.common import (
    TURNOUT_SECONDS,
    State,
    _lock,
    _province_id,
    _require_run,
    _turnout_key,
)
from thidua.voting.services.paper import Reconciliation, reconciliation

logger = logging.getLogger(__name__)
UNSEAL_IN_THREADS = 64  # from this many sealed ballots on, two threads unseal them
UNSEAL_CHUNK = 200  # sealed ballots per unsealing task (and per written statement)


def candidate_numbers(poll: Poll) -> dict[int, int]:
    """Candidate id → its number on the ballot paper (its place in the frozen list)."""
    return dict(Candidate.objects.filter(poll=poll).values_list("id", "position"))


def box_listing(poll: Poll) -> str:
    """A published poll's ballot list as the text its digest is the SHA-256 of."""
    if poll.state != State.PUBLISHED:
        raise NotFound("Không tìm thấy kết quả đã công bố của cuộc bỏ phiếu này.")
    return ballot_box_listing(_ballots(poll), candidate_numbers(poll))


def stored_box_digest(poll: Poll) -> str:
    """The digest of the ballots as stored now; for a published poll it must equal the
    digest published (`thidua import` checks a moved box by it)."""
    return ballot_box_digest(_ballots(poll), candidate_numbers(poll))


def candidates_in(poll: Poll) -> list[CandidateIn]:
    return [CandidateIn(c.id, c.unit.name,
                        Fraction(c.score_numerator, c.score_denominator)
                        if c.score_numerator is not None else None, c.rank)
            for c in poll.candidates.select_related("unit")]


def _ballots(poll: Poll) -> list[PublishedBallot]:
    """One statement whatever the number of ballots: each ballot with its marks (LEFT
    JOIN; no ballot id is returned or converted), grouped by receipt code (unique in a
    poll) and sorted by `published_list` (Python's order, not the database's collation)."""
    marks, valid = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT b.receipt_code, b.valid, c.candidate_id FROM {Ballot._meta.db_table} b "  # noqa: S608
            f"LEFT JOIN {BallotChoice._meta.db_table} c ON c.ballot_id = b.id "
            "WHERE b.poll_id = %s", [poll.pk])
        for code, is_valid, candidate_id in cursor.fetchall():
            valid[code] = bool(is_valid)
            if candidate_id is not None:
                marks.setdefault(code, []).append(candidate_id)
    return published_list(PublishedBallot(code, is_valid, tuple(marks.get(code, ())))
                          for code, is_valid in valid.items())


def count(poll: Poll, box: list[PublishedBallot] | None = None) -> Tally:
    """The tally of the ballots in the box (the functional core on the stored rows, or on
    `box` when the caller has just read them)."""
    rule = None if poll.run_off_of_id else FractionRule(
        poll.threshold_comparison, Fraction(poll.threshold_numerator,
                                            poll.threshold_denominator))
    order = ["votes", "run_off"] if poll.run_off_of_id else poll.excess_order
    ballots = [BallotIn(b.choices, b.valid) for b in (_ballots(poll) if box is None else box)]
    return tally(candidates=candidates_in(poll), ballots=ballots, quota=poll.quota,
                 members=poll.members or 0, present=poll.present or 0, rule=rule,
                 base_kind=poll.base, excess_order=order, decimals=poll.percentage_decimals)


def _unseal_box(poll: Poll) -> list[PublishedBallot]:
    """The count opens the box, in the closing transaction: every sealed ballot of the poll
    is written as a `Ballot` and its `BallotChoice` rows, in receipt-code order (past
    UNSEAL_CHUNK ballots, in that order within chunks drawn at random), so the readable
    ballots carry the close's transaction id and an order that says nothing of who voted
    when (`_write_box`: no model instances). Then no copy of a sealed row may stay in the
    database's storage:
    - PostgreSQL: the sealed table (only open polls' ballots: small) gets fresh storage —
      TRUNCATE, the other polls' sealed rows written back — so no dead tuple keeps a
      vote's transaction id (VACUUM could not promise it: any older snapshot anywhere in
      the cluster keeps dead tuples). Votes in other polls wait for the close (about a
      tenth of a second for 2,000 ballots, bench/README.md).
    - SQLite: the rows are deleted with secure_delete (zeroed), and once the close
      commits the WAL, which still holds the pages as the votes wrote them, is
      checkpointed and truncated (`_checkpoint_after_close`).
    Returns the box (the counted ballots, including any that a poll opened before
    sealing stored in clear)."""
    table = SealedBallot._meta.db_table
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            # Foreign keys are checked as each row is written, not queued to the commit
            # (Django's constraints are DEFERRABLE): a queued check costs more than the
            # check itself, and TRUNCATE refuses a table with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        else:
            cursor.execute("PRAGMA secure_delete = ON")
    box = _ballots(poll) if Ballot.objects.filter(poll=poll).exists() else []
    rows = list(SealedBallot.objects.filter(poll=poll).values_list("source", "sealed"))
    SystemRandom().shuffle(rows)  # read in casting order (PostgreSQL appends)
    for opened in _opened(poll, rows):
        opened.sort()  # by receipt code
        _write_box(poll.pk, opened)
        box += [PublishedBallot(code, valid, tuple(sorted(marks)))
                for code, marks, valid, _ in opened]
    with connection.cursor() as cursor:
        if postgresql:
            _fresh_sealed_storage(cursor, poll)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute(f"DELETE FROM {table} WHERE poll_id = %s", [poll.pk])  # noqa: S608
            transaction.on_commit(_checkpoint_after_close)
    return published_list(box)


def _opened(poll: Poll, rows: list):
    """(receipt code, choices, valid, source) of each sealed (source, bytes) row, in the
    order given, a chunk at a time. Unsealing is CPU in libsodium, which lets go of the
    GIL: from UNSEAL_IN_THREADS ballots on, two threads open the next chunks while the
    caller writes one (the database works on its own core meanwhile)."""
    if not rows:
        return
    unsealer = sealing.Unsealer(poll)

    def open_chunk(chunk):
        return [(*unsealer.open(sealed), source) for source, sealed in chunk]

    chunks = [rows[i:i + UNSEAL_CHUNK] for i in range(0, len(rows), UNSEAL_CHUNK)]
    if len(rows) < UNSEAL_IN_THREADS:
        yield from map(open_chunk, chunks)
        return
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield from pool.map(open_chunk, chunks)


def _write_box(poll_id: int, ballots: list):
    """The readable ballots, (receipt code, choices, valid, source) each, with their
    choices, in the order given (receipt codes). PostgreSQL: one statement from one JSON
    document (the ids drawn there), so 2,000 ballots are one round trip and no array of
    5,000 values is quoted by the driver; SQLite: `executemany` (a loop inside the
    driver, no round trip)."""
    if not ballots:
        return
    ballot_table, choice_table = Ballot._meta.db_table, BallotChoice._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            document = json.dumps([{"code": code, "marks": marks, "valid": valid,
                                    "source": source}
                                   for code, marks, valid, source in ballots])
            cursor.execute(  # table names only, from the models
                "WITH box AS MATERIALIZED (SELECT gen_random_uuid() AS id, b.* FROM ROWS "  # noqa: S608
                "FROM (json_to_recordset(%s::json) AS (code text, marks bigint[], "
                "valid boolean, source text)) WITH ORDINALITY AS b(code, marks, valid, "
                f"source, n)), written AS (INSERT INTO {ballot_table} (id, poll_id, "
                "receipt_code, valid, source) SELECT id, %s, code, valid, source FROM box "
                f"ORDER BY n) INSERT INTO {choice_table} (ballot_id, candidate_id) "
                "SELECT box.id, m.mark FROM box, unnest(box.marks) WITH ORDINALITY "
                "AS m(mark, k) ORDER BY box.n, m.k", [document, poll_id])
            return
        rows, choices = [], []
        for code, marks, valid, source in ballots:
            ballot_id = Ballot._meta.pk.get_db_prep_value(uuid.uuid4(), connection)
            rows.append((ballot_id, poll_id, code, valid, source))
            choices += [(ballot_id, candidate) for candidate in marks]
        cursor.executemany(
            f"INSERT INTO {ballot_table} (id, poll_id, receipt_code, valid, source) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)", rows)
        if choices:
            cursor.executemany(
                f"INSERT INTO {choice_table} (ballot_id, candidate_id) VALUES (%s, %s)",  # noqa: S608
                choices)


def _fresh_sealed_storage(cursor, poll: Poll):
    """PostgreSQL: the sealed table gets new files (TRUNCATE), so no dead tuple of the
    closed poll's sealed rows survives; other open polls' sealed rows, if any, are kept
    in a temporary table and written back (rare: one poll is open at a time, as a rule,
    and then no temporary table is made)."""
    table = SealedBallot._meta.db_table
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE poll_id <> %s)",  # noqa: S608
                   [poll.pk])
    others = cursor.fetchone()[0]
    if others:
        cursor.execute("DROP TABLE IF EXISTS voting_box_keep")
        cursor.execute(f"CREATE TEMPORARY TABLE voting_box_keep AS SELECT * FROM {table} "  # noqa: S608
                       "WHERE poll_id <> %s", [poll.pk])
    cursor.execute(f"TRUNCATE {table}")
    if others:
        cursor.execute(f"INSERT INTO {table} SELECT * FROM voting_box_keep")  # noqa: S608
        cursor.execute("DROP TABLE voting_box_keep")


def _checkpoint_after_close():
    """SQLite, after a close commits (outside any transaction): the WAL is checkpointed
    into the main file, where secure_delete zeroed the sealed rows, and truncated to
    nothing. A failure loses nothing (the count is committed): it is logged, and the
    next checkpoint (SQLite's own, or the next close) does it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception:  # noqa: BLE001 - the close stands; say so in the log, never a 500
        logger.exception("Không ghi được nhật ký WAL vào tệp cơ sở dữ liệu sau khi kết thúc "
                         "bỏ phiếu")


@transaction.atomic
def close_poll(actor: Actor, poll: Poll) -> Poll:
    """open → closed (idempotent): the paper ballots must reconcile first; the count is
    stored; a tie at the quota cut-off creates a run-off poll among the tied (RULES.md 32).
    A vote that comes while the box is being opened waits for the close (the poll's row;
    a card vote on PostgreSQL, the sealed table), then is refused: the poll ended when the
    chair closed it."""
    _require_run(actor, poll.conference)
    locked = _lock(poll, keys_shared=True)
    if locked.state in (State.CLOSED, State.PUBLISHED):
        return locked
    if locked.state != State.OPEN:
        raise Conflict("Cuộc bỏ phiếu chưa mở.")
    check = reconciliation(locked)
    if check is not None and not check.adds_up:
        raise Conflict("Chưa đối chiếu xong phiếu giấy: " + check.sentence + ".")
    result = count(locked, _unseal_box(locked))
    record = result.count_record()
    record["selected"] = list(result.selected)
    record["explanations"] = list(result.explanations)
    record["participations"] = Participation.objects.filter(poll=locked).count()
    locked.state, locked.result = State.CLOSED, record
    locked.save(update_fields=["state", "result"])
    VotingCard.objects.filter(poll=locked, used=False).update(revoked=True)
    after = {"state": State.CLOSED, "ballots_cast": result.cast, "valid": result.valid,
             "invalid": result.invalid, "selected": record["selected"]}
    if result.needs_run_off:
        run_off = Poll.objects.create(
            conference_id=locked.conference_id, kind=locked.kind, award_form=locked.award_form,
            title=f"Bỏ phiếu lại: {locked.title}"[:300], quota=result.run_off_seats,
            run_off_of=locked, rulebook=locked.rulebook,
            quorum_comparison=locked.quorum_comparison,
            quorum_numerator=locked.quorum_numerator,
            quorum_denominator=locked.quorum_denominator,
            threshold_comparison=locked.threshold_comparison,
            threshold_numerator=locked.threshold_numerator,
            threshold_denominator=locked.threshold_denominator, base=locked.base,
            vote_per=locked.vote_per, excess_order=["votes", "run_off"],
            percentage_decimals=locked.percentage_decimals,
            citation=locked.citation + "; bỏ phiếu lại giữa các ứng viên bằng nhau (Quy tắc 32)",
            ineligible=locked.ineligible)
        tied = {c.id: c for c in locked.candidates.all()}
        Candidate.objects.bulk_create(
            Candidate(poll=run_off, unit_id=tied[cid].unit_id, position=i,
                      override_reason=tied[cid].override_reason,
                      score_numerator=tied[cid].score_numerator,
                      score_denominator=tied[cid].score_denominator, rank=tied[cid].rank)
            for i, cid in enumerate(result.run_off_ids, 1))
        after["run_off_poll"] = run_off.pk
        record["run_off_poll"] = run_off.pk
        locked.save(update_fields=["result"])
    audit.record(actor, "voting.poll.close", locked, province_id=_province_id(poll.conference),
                 before={"state": State.OPEN}, after=after)
    cache.delete(_turnout_key(locked.pk))
    return locked


@transaction.atomic
def publish_poll(actor: Actor, poll: Poll) -> Poll:
    """closed → published (idempotent): the ballots by receipt code and the ballot-box
    digest become visible to everyone who sees the bloc year."""
    _require_run(actor, poll.conference)
    locked = _lock(poll)
    if locked.state == State.PUBLISHED:
        return locked
    if locked.state != State.CLOSED:
        raise Conflict("Chỉ công bố cuộc bỏ phiếu đã kết thúc.")
    locked.digest = stored_box_digest(locked)
    locked.state = State.PUBLISHED
    locked.save(update_fields=["state", "digest"])
    audit.record(actor, "voting.poll.publish", locked, province_id=_province_id(poll.conference),
                 before={"state": State.CLOSED},
                 after={"state": State.PUBLISHED, "digest": locked.digest})
    return locked


@dataclass(frozen=True)
class CountView:
    """A poll's count as the pages and the API show it. (`PollResult` is one candidate's
    votes in one award poll, as `law.allocation` reads them: see the glossary.)"""

    poll: Poll
    tally: Tally
    ballots: list  # PublishedBallot, by receipt code (published polls only)
    digest: str
    reconciliation: Reconciliation | None
    numbers: dict  # candidate id → its number on the ballot paper


def result(actor: Actor, poll: Poll) -> CountView:
    """The count with its arithmetic (the chair after close, everyone after publication)."""
    if not rules.can_view_conference(actor, poll.conference.bloc_year):
        raise NotFound("Không tìm thấy cuộc bỏ phiếu.")
    if not rules.can_see_result(actor, poll):
        raise Conflict("Kết quả chỉ hiện sau khi kết thúc bỏ phiếu (và được công bố).")
    result_tally = count(poll)
    ballots = _ballots(poll) if poll.state == State.PUBLISHED else []
    return CountView(poll, result_tally, ballots, poll.digest, reconciliation(poll),
                     candidate_numbers(poll))


def check_receipt(poll_id, receipt_code: str) -> PublishedBallot:
    """Public: a delegate types the receipt code and sees the ballot counted."""
    poll = Poll.objects.filter(pk=poll_id, state=State.PUBLISHED).first() if isinstance(
        poll_id, int) else None
    if poll is None:
        raise NotFound("Không tìm thấy kết quả đã công bố của cuộc bỏ phiếu này.")
    code = receipts.normalise(receipt_code)
    ballot = Ballot.objects.filter(poll=poll, receipt_code=code).first() if code else None
    if ballot is None:
        why = receipts.problem(receipt_code)
        raise NotFound(why or f"Không có phiếu mã {code} trong danh sách đã công bố.")
    choices = tuple(sorted(BallotChoice.objects.filter(ballot=ballot)
                           .values_list("candidate_id", flat=True)))
    return PublishedBallot(ballot.receipt_code, ballot.valid, choices)


@dataclass(frozen=True)
class Turnout:
    title: str
    state: str
    voted: int
    expected: int


def turnout(poll: Poll, *, fresh: bool = False) -> Turnout:
    """The projector: how many have voted out of how many may, never what. Cached for a
    couple of seconds (a hall of projectors polling costs one count, not one per ballot;
    a ballot does not drop the entry, so the projector may lag by that much). `fresh`
    counts now: the officer's poll page, whose close step names the count."""
    key = _turnout_key(poll.pk)
    cached = None if fresh else cache.get(key)
    if cached is None:
        voted = Participation.objects.filter(poll=poll).count()
        if poll.vote_per == "delegate":
            expected = sum(max(len(delegate_names(names)), 1) for names in Attendance.objects
                           .filter(conference_id=poll.conference_id, present=True)
                           .values_list("delegate_name", flat=True))
        else:
            expected = (poll.present if poll.present is not None else
                        Attendance.objects.filter(conference_id=poll.conference_id,
                                                  present=True).count())
        cached = (voted, expected)
        cache.set(key, cached, TURNOUT_SECONDS)
    return Turnout(poll.title, poll.state, cached[0], cached[1])
