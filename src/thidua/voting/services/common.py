"""Shared by the conference's services: loading, permissions, rulebook, locks, and
the small texts and keys every step uses."""

import hashlib

from django.db import connection
from django.utils import timezone

from thidua.core.errors import Conflict, Forbidden, NotFound
from thidua.law.rulebooks import rulebook_for
from thidua.org.models import BlocYear
from thidua.org.rules import Actor
from thidua.voting import rules
from thidua.voting.domain import receipts
from thidua.voting.domain.delegates import delegate_key
from thidua.voting.models import Attendance, Conference, Poll

State, Kind = Poll.State, Poll.Kind


CARD_PREFIX = "phieu_"
# Receipt codes: no 0/O, 1/I/L, so a delegate can read one off a phone and type it.
_ALPHABET = receipts.ALPHABET
BAD_CARD = "Thẻ biểu quyết không hợp lệ hoặc không dùng cho cuộc bỏ phiếu này."
USED_CARD = ("Thẻ biểu quyết này đã được dùng để bỏ phiếu: mỗi thẻ chỉ bỏ phiếu một lần "
             "(Quy tắc 29).")
ALREADY_VOTED = "Đơn vị (đại biểu) này đã bỏ phiếu trong cuộc bỏ phiếu này (Quy tắc 29)."
NOT_OPEN = "Cuộc bỏ phiếu chưa mở hoặc đã kết thúc: không nhận phiếu."
REVOKED_CARD = ("Thẻ biểu quyết này đã bị thu hồi (thẻ được cấp lại, đã nhận phiếu giấy thay "
                "thẻ, hoặc cuộc bỏ phiếu đã kết thúc).")
TURNOUT_SECONDS = 2
ELECTIONS = (Kind.LEADER_ELECTION, Kind.DEPUTY_ELECTION)


def _hash(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def _province_id(conference: Conference) -> int:
    return conference.bloc_year.bloc.province_id


def _require_run(actor: Actor, conference: Conference):
    if not rules.can_run_conference(actor, conference.bloc_year):
        raise Forbidden("Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh điều hành hội "
                        "nghị tổng kết.")


def rulebook_of(conference: Conference):
    """The rulebook in force on the conference date (law.rulebooks)."""
    bloc_year = conference.bloc_year
    bloc = bloc_year.bloc
    return rulebook_for(bloc.province.code, timezone.localdate(conference.held_at),
                        territory=bloc.territory_code)


def member_ids(bloc_year: BlocYear) -> list:
    return sorted(bloc_year.memberships.values_list("unit_id", flat=True))


def load_conference(conference_id) -> Conference:
    conference = (Conference.objects.select_related("bloc_year__bloc__province",
                                                    "bloc_year__emulation_year")
                  .filter(pk=conference_id).first())
    if conference is None:
        raise NotFound("Không tìm thấy hội nghị.")
    return conference


def load_poll(poll_id) -> Poll:
    poll = (Poll.objects.select_related("conference__bloc_year__bloc__province",
                                        "conference__bloc_year__emulation_year")
            .filter(pk=poll_id).first()) if isinstance(poll_id, int) else None
    if poll is None:
        raise NotFound("Không tìm thấy cuộc bỏ phiếu.")
    return poll


def _lock(poll: Poll, *, keys_shared: bool = False) -> Poll:
    """The poll's row, held to the commit against every other change of the poll.
    `keys_shared`: FOR NO KEY UPDATE, which still waits for and holds off every other
    lock of this function and `_lock_open`'s FOR SHARE, but lets a card vote's foreign-key
    checks (FOR KEY SHARE on the poll) through — the close needs it, as a card vote
    already writing must finish before the close can read the box
    (`ballots._claim_and_write`)."""
    return Poll.objects.select_for_update(no_key=keys_shared).get(pk=poll.pk)


def _lock_open(poll_id: int) -> Poll:
    """The poll, checked open, held against a concurrent close until the vote commits:
    PostgreSQL FOR SHARE (votes do not block each other, a close waits for them); SQLite's
    IMMEDIATE transaction already lets one writer in at a time."""
    if connection.vendor == "postgresql":
        poll = next(iter(Poll.objects.raw(
            f"SELECT * FROM {Poll._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608
            [poll_id])), None)
    else:
        poll = Poll.objects.filter(pk=poll_id).first()
    if poll is None:
        raise NotFound("Không tìm thấy cuộc bỏ phiếu.")
    if poll.state != State.OPEN:
        raise Conflict(NOT_OPEN)
    return poll


def _voter_key(poll: Poll, unit_id: int, delegate: str) -> str:
    """Who voted (never what): the unit, or per delegate (RULES.md 29 setting) the
    delegate of the unit by name — the same key whether they vote with their card, logged
    in, or on the paper ballot that replaced their card, so they vote once."""
    return f"unit:{unit_id}" if poll.vote_per == "unit" else delegate_key(unit_id, delegate)


def _present_units(poll: Poll) -> set:
    return set(Attendance.objects.filter(conference_id=poll.conference_id, present=True)
               .values_list("unit_id", flat=True))


def _turnout_key(poll_id) -> str:
    return f"voting:turnout:{poll_id}"
