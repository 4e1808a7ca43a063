"""Casting (RULES.md 29, 30, 33): with a card or logged in, a participation (who)
and a sealed ballot (what) in one transaction, with no audit event, log line or
timestamp for the vote itself."""

import secrets
import uuid
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from thidua.core.errors import Conflict, DomainError, NotFound
from thidua.core.statements import prepared_cursor
from thidua.org.rules import Actor
from thidua.voting import rules, sealing
from thidua.voting.domain.delegates import named_delegate
from thidua.voting.domain.tally import BallotRefused, ballot_is_valid
from thidua.voting.models import (
    Attendance,
    Ballot,
    Candidate,
    Participation,
    Poll,
    SealedBallot,
    VotingCard,
)
from thidua.voting.services.common import (
    _ALPHABET,
    ALREADY_VOTED,
    BAD_CARD,
    CARD_PREFIX,
    NOT_OPEN,
    REVOKED_CARD,
    USED_CARD,
    State,
    _hash,
    _lock_open,
    _voter_key,
    load_poll,
    member_ids,
)

# Two equal random codes in one poll (about one chance in 10^12): nothing written.
RECEIPT_CLASH = "Trùng mã biên nhận (rất hiếm): chưa ghi phiếu, vui lòng bỏ phiếu lại."


def new_receipt_code() -> str:
    """Ten characters of the alphabet, uniformly drawn: one number below 31^10 from the
    system's random source, written in base 31 (one draw, not ten, on every ballot)."""
    number, raw = secrets.randbelow(len(_ALPHABET) ** 10), []
    for _ in range(10):
        number, digit = divmod(number, len(_ALPHABET))
        raw.append(_ALPHABET[digit])
    return f"{''.join(raw[:5])}-{''.join(raw[5:])}"


def _choices(poll: Poll, candidate_ids) -> tuple[list, bool]:
    """The marked candidates checked against the frozen list: (ids, valid)."""
    return _checked_marks(candidate_ids, list(poll.candidates.values_list("id", flat=True)),
                          poll.quota)


def _checked_marks(candidate_ids, known: list, quota: int) -> tuple[list, bool]:
    """The marks as a list of ids, and whether they fit the quota; refused when they are
    not ids or name a candidate not on the list."""
    if not isinstance(candidate_ids, (list, tuple)) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in candidate_ids):
        raise DomainError("Danh sách lựa chọn không hợp lệ.")
    try:
        return list(candidate_ids), ballot_is_valid(list(candidate_ids), known, quota)
    except BallotRefused as exc:
        raise DomainError(str(exc)) from None


def _write_ballot(poll: Poll, voter_key: str, unit_id, choices, *, source: str,
                  receipt_code: str | None = None, participation: bool = True,
                  valid: bool = True, sealed: list | None = None) -> str:
    """Who voted (a participation) and the sealed ballot, in the caller's transaction:
    two INSERTs. Nothing of the ballot is readable until the count unseals it. `sealed`:
    the row's `_sealed_values` for `receipt_code`, when the caller sealed it before
    taking the writer's lock."""
    if participation:
        # No savepoint: a refusal ends the caller's transaction, rolled back whole.
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {Participation._meta.db_table} (poll_id, voter_key, "  # noqa: S608
                    "unit_id, source) VALUES (%s, %s, %s, %s)",
                    [poll.pk, voter_key, unit_id, source])
        except IntegrityError:
            raise Conflict(ALREADY_VOTED) from None
    code = receipt_code or new_receipt_code()
    try:
        _insert_sealed(poll, sealed or _sealed_values(poll, code, choices, valid, source))
    except IntegrityError:
        if source == Ballot.Source.PAPER:
            raise Conflict(f"Phiếu giấy mã {code} đã được nhập.") from None
        raise Conflict(RECEIPT_CLASH) from None
    return code


def _sealed_values(poll: Poll, code: str, choices, valid: bool, source: str) -> list:
    """The sealed row's columns after its id and poll: code tag, source, paper validity,
    the sealed box."""
    return [sealing.code_tag(poll, code), source,
            valid if source == Ballot.Source.PAPER else None,
            sealing.seal(poll, code, choices, valid)]


def _insert_sealed(poll: Poll, values: list):
    """One INSERT of `_sealed_values`. On SQLite the row gets a random rowid, so the
    table's storage order is not the casting order (PostgreSQL appends; there only the
    seal protects the order)."""
    table = SealedBallot._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"INSERT INTO {table} (rowid, id, poll_id, code_tag, source, paper_valid, "  # noqa: S608
                "sealed) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [secrets.randbelow(2 ** 62) + 1, uuid.uuid4().hex, poll.pk, *values])
        else:
            cursor.execute(
                f"INSERT INTO {table} (id, poll_id, code_tag, source, paper_valid, sealed) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s)", [uuid.uuid4(), poll.pk, *values])


def _card_statement() -> str:
    """The card, its poll, whether the card's unit is present and the poll's candidate
    ids, in one statement. It holds nothing: the vote's write checks the card and the
    poll again (`_claim_sql`)."""
    postgresql = connection.vendor == "postgresql"
    candidates = (  # a table name only, from the model
        f"SELECT k.id FROM {Candidate._meta.db_table} k WHERE k.poll_id = p.id")  # noqa: S608
    ids = (f"ARRAY({candidates})" if postgresql
           else f"(SELECT group_concat(id) FROM ({candidates}))")  # noqa: S608
    return (  # table names only, from the models
        "SELECT c.id, c.poll_id, c.unit_id, c.delegate_name, c.used, c.revoked, "  # noqa: S608
        "c.expires_at IS NOT NULL, p.state, p.quota, p.vote_per, p.seal_salt, p.seal_key, "
        f"EXISTS (SELECT 1 FROM {Attendance._meta.db_table} a "
        "WHERE a.conference_id = p.conference_id AND a.unit_id = c.unit_id AND a.present), "
        f"{ids} "
        f"FROM {VotingCard._meta.db_table} c JOIN {Poll._meta.db_table} p ON p.id = c.poll_id "
        "WHERE c.token_hash = %s")


def _ids(column) -> list[int]:
    """The candidate ids of `_card_statement`: an array (PostgreSQL) or "1,2,3" (SQLite)."""
    if isinstance(column, str):
        return [int(i) for i in column.split(",")]
    return list(column or ())


def cast_with_card(token: str, poll_id, candidate_ids) -> str:
    """Vote with a card's one-time token (no account). Returns the receipt code, shown to
    the voter once. Refused, with nothing written: unknown / revoked / expired / used card,
    a card of another poll, a poll not open, an unknown candidate, more marks than the
    quota (an electronic ballot cannot be over-marked; a paper one is counted invalid).

    The busiest path of the conference (a hall voting at once): plain statements on one
    cursor, no model instance. The card is read with its poll and the ballot sealed
    before anything is held; then the write claims the card only if it is still unused
    and unrevoked and its poll still open, and inserts the participation and the sealed
    ballot, all or nothing — on PostgreSQL one statement, its own transaction
    (`_claim_and_write`); on SQLite, which lets one writer in at a time, one short
    IMMEDIATE transaction (`_claim_and_write_sqlite`). A claim that matches nothing is
    read again to say why."""
    if not isinstance(token, str) or not token.startswith(CARD_PREFIX) or len(token) > 100:
        raise NotFound(BAD_CARD)
    if not isinstance(poll_id, int):
        raise NotFound(BAD_CARD)
    # No turnout cache entry is dropped here: the projector's count may lag by the
    # cache's two seconds, and the officer's poll page counts afresh (`turnout(fresh=)`).
    write = _claim_and_write if connection.vendor == "postgresql" else _claim_and_write_sqlite
    with prepared_cursor() as cursor:
        code = write(cursor, _checked_vote(cursor, token, poll_id, candidate_ids))
        if code is None:  # the card or the poll changed since it was read:
            _checked_vote(cursor, token, poll_id, candidate_ids)  # revoked, closed…
            raise Conflict(USED_CARD)  # … or used by a vote at the same moment
        return code


@dataclass(frozen=True)
class _PollSeal:
    """What the sealed row and the voter key need of a poll, read with the card; it
    stands in for the `Poll` the helpers take (they read only these fields). A model
    instance would cost more than the card's checks on this path (bench/README.md)."""
    pk: int
    vote_per: str
    seal_salt: str
    seal_key: str


@dataclass(frozen=True)
class _CardVote:
    card_id: int
    poll: _PollSeal
    voter_key: str
    unit_id: int
    choices: list


def _checked_vote(cursor, token: str, poll_id: int, candidate_ids) -> _CardVote:
    """The card read with its poll (one statement) and every refusal but a used card's,
    in the order the voter should hear them."""
    cursor.execute(_card_statement(), [_hash(token)])
    row = cursor.fetchone()
    if row is None or row[1] != poll_id:
        raise NotFound(BAD_CARD)
    (card_id, _, unit_id, delegate, used, revoked, expires, state, quota, vote_per,
     salt, key, present, candidates) = row
    if revoked and not used:
        raise Conflict(REVOKED_CARD)
    if state != State.OPEN:
        raise Conflict(NOT_OPEN)
    if expires and VotingCard.objects.filter(pk=card_id,
                                             expires_at__lte=timezone.now()).exists():
        raise Conflict("Thẻ biểu quyết đã hết hạn.")
    choices, valid = _checked_marks(candidate_ids, _ids(candidates), quota)
    if not valid:
        raise DomainError(f"Chỉ được chọn tối đa {quota} ứng viên (Quy tắc 33).")
    if not present:
        raise Conflict("Đơn vị của thẻ này không có mặt tại hội nghị: không bỏ phiếu.")
    poll = _PollSeal(poll_id, vote_per, salt, key)
    return _CardVote(card_id, poll, _voter_key(poll, unit_id, delegate), unit_id, choices)


def _claim_and_write(cursor, vote: _CardVote) -> str | None:
    """PostgreSQL: the card's claim, the participation and the sealed ballot as one
    statement (data-modifying WITHs, each feeding the next), one round trip, its own
    transaction unless the caller holds one. The receipt code, or None when the claim
    matched nothing: the card used or revoked, or the poll no longer open, since it was
    read. A concurrent claim of the same card waits for its row, then finds it used; a
    voter who voted another way meets the participation's key; a repeated receipt code
    the sealed table's.

    Locks, so that nothing deadlocks and a close neither misses a ballot nor finds one
    written after it. The poll's row is taken FOR KEY SHARE before the card's: a change
    of the poll holding FOR UPDATE (a new issue of cards revoking this one) is waited for
    first, then the claim sees the card revoked. The close holds the poll FOR NO KEY
    UPDATE, which lets this through, and the sealed table (ACCESS EXCLUSIVE) from before
    it reads the box to its commit, and a statement takes its table locks before its
    snapshot: a vote that locked the table first commits before the close reads the box
    and is counted; one that comes after waits, then sees the poll closed and writes
    nothing (tests/voting/test_concurrency.py)."""
    code = new_receipt_code()
    voters, sealed = Participation._meta.db_table, SealedBallot._meta.db_table
    try:
        # Inside a caller's transaction (a test's, a script's), a savepoint: a refused
        # write leaves that transaction usable, as SQLite's nested atomic does.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            cursor.execute(  # table names only, from the models
                f"WITH claim AS ({_claim_sql()} RETURNING poll_id), "  # noqa: S608
                f"voter AS (INSERT INTO {voters} (poll_id, voter_key, unit_id, source) "
                "SELECT poll_id, %s, %s, %s FROM claim RETURNING poll_id) "
                f"INSERT INTO {sealed} (id, poll_id, code_tag, source, paper_valid, sealed) "
                "SELECT %s, poll_id, %s, %s, %s, %s FROM voter RETURNING 1",
                [vote.card_id, State.OPEN, vote.voter_key, vote.unit_id,
                 Ballot.Source.ELECTRONIC, uuid.uuid4(), *_sealed_values(
                     vote.poll, code, vote.choices, True, Ballot.Source.ELECTRONIC)])
    except IntegrityError as exc:
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name",
                   None) == "sealed_ballot_code_unique":
            raise Conflict(RECEIPT_CLASH) from None
        raise Conflict(ALREADY_VOTED) from None
    return None if cursor.fetchone() is None else code


def _claim_sql() -> str:
    """The claim of a card (parameters: its id, State.OPEN): only an unused, unrevoked
    card of a poll still open. On PostgreSQL the poll's row is taken FOR KEY SHARE before
    the card's (`_claim_and_write`)."""
    cards, polls = VotingCard._meta.db_table, Poll._meta.db_table
    hold = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    return (  # table names only, from the models
        f"UPDATE {cards} SET used = true WHERE id = %s AND NOT used AND NOT revoked "  # noqa: S608
        f"AND EXISTS (SELECT 1 FROM {polls} p WHERE p.id = {cards}.poll_id "
        f"AND p.state = %s{hold})")


def _claim_and_write_sqlite(cursor, vote: _CardVote) -> str | None:
    """SQLite: the claim and the two inserts in one IMMEDIATE transaction, the ballot
    sealed before it, so the writer's lock is held for the three statements and the
    commit only (thidua.core.sqlite3). None when the claim matched nothing."""
    code = new_receipt_code()
    sealed = _sealed_values(vote.poll, code, vote.choices, True, Ballot.Source.ELECTRONIC)
    with transaction.atomic():
        cursor.execute(_claim_sql(), [vote.card_id, State.OPEN])
        if cursor.rowcount != 1:
            return None
        return _write_ballot(vote.poll, vote.voter_key, vote.unit_id, vote.choices,
                             source=Ballot.Source.ELECTRONIC, receipt_code=code,
                             sealed=sealed)


def voting_units_of(actor: Actor, poll: Poll) -> list:
    return rules.delegate_units(actor, member_ids(poll.conference.bloc_year))


@transaction.atomic
def cast_as_delegate(actor: Actor, poll_id, candidate_ids, *, unit_id: int | None = None
                     ) -> str:
    """A logged-in delegate votes for their unit (or as themself, per delegate). Observers
    and officers without the delegate role do not vote (RULES.md 29)."""
    poll = load_poll(poll_id)
    bloc_year = poll.conference.bloc_year
    if not rules.can_view_conference(actor, bloc_year):
        raise NotFound("Không tìm thấy cuộc bỏ phiếu.")
    units = voting_units_of(actor, poll)
    if unit_id is None and len(units) == 1:
        unit_id = units[0]
    refusal = rules.delegate_refusal(units, unit_id)
    if refusal:
        raise refusal
    poll = _lock_open(poll.pk)
    choices, valid = _choices(poll, candidate_ids)
    if not valid:
        raise DomainError(f"Chỉ được chọn tối đa {poll.quota} ứng viên (Quy tắc 33).")
    row = (Attendance.objects.select_related("unit")
           .filter(conference_id=poll.conference_id, unit_id=unit_id, present=True).first())
    if row is None:
        raise Conflict("Đơn vị của bạn chưa được điểm danh có mặt: không bỏ phiếu.")
    name = ""
    if poll.vote_per == "delegate":
        # Per delegate (RULES.md 29 setting): the account's name must be one of the names
        # on the unit's attendance row, and votes as that delegate (their card is the same
        # delegate, so whichever comes second is refused).
        full_name = " ".join(str(actor.user.full_name or "").split())
        name = named_delegate(row.delegate_name, full_name)
        if name is None:
            raise Conflict(f"Tên của bạn ({full_name or 'tài khoản chưa ghi họ tên'}) không có "
                           f"trong danh sách đại biểu có mặt của đơn vị {row.unit.name}; nhờ "
                           "thư ký điểm danh ghi tên bạn (Quy tắc 29).")
    return _write_ballot(poll, _voter_key(poll, unit_id, name), unit_id,
                         choices, source=Ballot.Source.ELECTRONIC)
