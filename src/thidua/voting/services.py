"""The year-end conference (imperative shell around voting.domain): load, check the
rules, write in one transaction, audit.

Ballot secrecy: a vote writes a `Participation` (who) and a `SealedBallot` (what, sealed
with the poll's public key: voting.sealing), and marks the voting card used — in one
transaction, with no audit event, log line or timestamp for the vote itself. Only the
close unseals the box into `Ballot` / `BallotChoice` rows, in receipt-code order, deletes
the sealed rows and has the database scrub them (SQLite: secure_delete and a truncating
WAL checkpoint; PostgreSQL: the sealed table given fresh storage), so no copy of the
data links a voter to a ballot. Audit events record the conference's state changes
(attendance, polls opened, closed, published, paper ballots issued / entered as counts)
and never a ballot, its receipt code, its choices, or which voter got which paper ballot.
"""

import base64
import datetime
import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from fractions import Fraction

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import salted_hmac

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.text import nfc
from thidua.law.allocation import PollResult
from thidua.law.award_forms import AwardForm
from thidua.law.quotas import bloc_quotas
from thidua.law.rulebook import FractionRule
from thidua.law.rulebooks import rulebook_for
from thidua.org.models import BlocYear, Unit
from thidua.org.queries import leaders_by_year
from thidua.org.rules import Actor
from thidua.scoring.models import PublishedRanking, RankingRow
from thidua.voting import candidacy, rules, sealing
from thidua.voting.domain import election, receipts
from thidua.voting.domain.delegates import delegate_key, delegate_names, named_delegate
from thidua.voting.domain.tally import (
    BASES,
    BallotIn,
    BallotRefused,
    CandidateIn,
    PublishedBallot,
    Quorum,
    Tally,
    ballot_box_digest,
    ballot_box_listing,
    ballot_is_valid,
    published_list,
    quorum,
    tally,
)
from thidua.voting.models import (
    Attendance,
    Ballot,
    BallotChoice,
    Candidate,
    Conference,
    CountingCommitteeMember,
    PaperBallotCode,
    PaperBallotIssue,
    Participation,
    Poll,
    SealedBallot,
    VotingCard,
)

logger = logging.getLogger(__name__)

State, Kind = Poll.State, Poll.Kind
CARD_PREFIX = "phieu_"
# Receipt codes: no 0/O, 1/I/L, so a delegate can read one off a phone and type it.
_ALPHABET = receipts.ALPHABET
BAD_CARD = "Thẻ biểu quyết không hợp lệ hoặc không dùng cho cuộc bỏ phiếu này."
USED_CARD = ("Thẻ biểu quyết này đã được dùng để bỏ phiếu: mỗi thẻ chỉ bỏ phiếu một lần "
             "(Quy tắc 29).")
ALREADY_VOTED = "Đơn vị (đại biểu) này đã bỏ phiếu trong cuộc bỏ phiếu này (Quy tắc 29)."
TURNOUT_SECONDS = 2


def _hash(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def card_for(token: str, poll_id: int):
    """The card a token names for this poll, or None (nothing told about other polls)."""
    if not token.startswith(CARD_PREFIX) or len(token) > 100:
        return None
    return (VotingCard.objects.select_related("poll__conference", "unit")
            .filter(token_hash=_hash(token), poll_id=poll_id).first())


def card_holder_voted(card: VotingCard) -> bool:
    """Whether the card's voter has voted already in another way (per unit: the unit on
    paper or logged in; per delegate: the delegate logged in or on paper)."""
    return Participation.objects.filter(
        poll_id=card.poll_id,
        voter_key=_voter_key(card.poll, card.unit_id, card.delegate_name)).exists()


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _clean(value, label, max_length, *, required=True) -> str:
    text = nfc(str(value or "")).strip()
    if required and not text:
        raise DomainError(f"Chưa nhập {label}.")
    if len(text) > max_length:
        raise DomainError(f"{label[0].upper() + label[1:]} dài quá {max_length} ký tự.")
    return text


def _province_id(conference: Conference) -> int:
    return conference.bloc_year.bloc.province_id


def _require_run(actor: Actor, conference: Conference):
    if not rules.can_run_conference(actor, conference.bloc_year):
        raise Forbidden("Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh điều hành hội "
                        "nghị tổng kết.")


def rulebook_of(conference: Conference):
    """The rulebook in force on the conference date (law.rulebooks)."""
    bloc_year = conference.bloc_year
    return rulebook_for(bloc_year.bloc.province.code, timezone.localdate(conference.held_at))


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


# --- the conference and attendance -----------------------------------------------------------

def conference_snapshot(conference: Conference) -> dict:
    return {"held_at": conference.held_at, "place": conference.place, "chair": conference.chair,
            "secretary": conference.secretary, "guests": conference.guests,
            "agenda": conference.agenda, "ended_at": conference.ended_at}


def _ended_at(held_at: datetime.datetime, ended_at) -> datetime.time | None:
    """The closing time, on the conference's day: after it began (RULES.md 40)."""
    if ended_at is None:
        return None
    if not isinstance(ended_at, datetime.time):
        raise DomainError("Giờ kết thúc hội nghị không đúng dạng giờ:phút.")
    ended_at = ended_at.replace(second=0, microsecond=0, tzinfo=None)
    began = timezone.localtime(held_at).time().replace(second=0, microsecond=0)
    if ended_at <= began:
        raise DomainError(f"Giờ kết thúc hội nghị ({ended_at:%H:%M}) phải sau giờ bắt đầu "
                          f"({began:%H:%M}) trong cùng ngày.")
    return ended_at


def _conference_fields(held_at, place, chair, secretary, guests, agenda, ended_at) -> dict:
    if not isinstance(held_at, datetime.datetime):
        raise DomainError("Chưa nhập thời gian hội nghị (ngày và giờ).")
    try:
        # In the server's zone: an offset Python accepts (up to ±24 h) may be one the
        # database does not (PostgreSQL stops at ±16 h), and the day is the local one.
        held_at = (timezone.make_aware(held_at) if timezone.is_naive(held_at)
                   else timezone.localtime(held_at))
    except (OverflowError, ValueError):
        raise DomainError("Thời gian hội nghị nằm ngoài khoảng ngày tháng cho phép.") from None
    return {"held_at": held_at, "ended_at": _ended_at(held_at, ended_at),
            "place": _clean(place, "địa điểm", 300),
            "chair": _clean(chair, "người chủ trì", 200),
            "secretary": _clean(secretary, "thư ký", 200),
            "guests": _clean(guests, "khách mời", 5000, required=False),
            "agenda": _clean(agenda, "chương trình", 10000, required=False)}


@transaction.atomic
def create_conference(actor: Actor, bloc_year: BlocYear, *, held_at, place, chair, secretary,
                      guests="", agenda="", ended_at=None) -> Conference:
    """The bloc year's conference, with an attendance row (absent) for every member."""
    if not rules.can_run_conference(actor, bloc_year):
        raise Forbidden("Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh tổ chức hội nghị "
                        "tổng kết.")
    fields = _conference_fields(held_at, place, chair, secretary, guests, agenda, ended_at)
    if Conference.objects.filter(bloc_year=bloc_year).exists():
        raise Conflict(f"{bloc_year} đã có hội nghị tổng kết.")
    conference = Conference(bloc_year=bloc_year, **fields)
    rulebook_of(conference)  # refuses a date no rulebook covers, before anything is written
    try:
        with transaction.atomic():
            conference.save()
    except IntegrityError:
        raise Conflict(f"{bloc_year} đã có hội nghị tổng kết.") from None
    Attendance.objects.bulk_create(Attendance(conference=conference, unit_id=unit_id)
                                   for unit_id in member_ids(bloc_year))
    audit.record(actor, "voting.conference.create", conference,
                 province_id=bloc_year.bloc.province_id, after=conference_snapshot(conference))
    return conference


@transaction.atomic
def update_conference(actor: Actor, conference: Conference, *, held_at, place, chair,
                      secretary, guests="", agenda="", ended_at=None) -> Conference:
    _require_run(actor, conference)
    fields = _conference_fields(held_at, place, chair, secretary, guests, agenda, ended_at)
    if conference.polls.exclude(state=State.CREATED).exists() and (
            timezone.localdate(fields["held_at"]) != timezone.localdate(conference.held_at)):
        raise Conflict("Đã mở bỏ phiếu theo bộ quy tắc của ngày hội nghị: không đổi ngày.")
    before = conference_snapshot(conference)
    for name, value in fields.items():
        setattr(conference, name, value)
    rulebook_of(conference)
    conference.save()
    audit.record(actor, "voting.conference.update", conference,
                 province_id=_province_id(conference), before=before,
                 after=conference_snapshot(conference))
    return conference


def _attendance_values(present, absence_reason, delegate_name) -> dict:
    """One attendance row's new values, checked (RULES.md 28, 40: an absence has a reason)."""
    reason = _clean(absence_reason, "lý do vắng", 300, required=False)
    delegate = _clean(delegate_name, "tên đại biểu", 200, required=False)
    if not isinstance(present, bool):
        raise DomainError("Chọn có mặt hoặc vắng mặt.")
    if not present and not reason:
        raise DomainError("Đơn vị vắng mặt phải ghi lý do vắng.")
    return {"present": present, "absence_reason": "" if present else reason,
            "delegate_name": delegate}


def _attendance_state(row: Attendance) -> dict:
    return {"present": row.present, "absence_reason": row.absence_reason,
            "delegate_name": row.delegate_name}


@transaction.atomic
def record_attendance(actor: Actor, conference: Conference, unit_id: int, *, present: bool,
                      absence_reason: str = "", delegate_name: str = "") -> Attendance:
    _require_run(actor, conference)
    row = (Attendance.objects.select_for_update()
           .filter(conference=conference, unit_id=unit_id).first())
    if row is None:
        raise NotFound("Đơn vị này không phải thành viên của khối trong năm.")
    values = _attendance_values(present, absence_reason, delegate_name)
    before = _attendance_state(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    audit.record(actor, "voting.attendance.record", row, province_id=_province_id(conference),
                 before=before, after={"unit": unit_id, **_attendance_state(row)})
    return row


@dataclass(frozen=True)
class RollCallRow:
    unit_id: int
    present: bool
    absence_reason: str = ""
    delegate_name: str = ""


@transaction.atomic
def record_roll_call(actor: Actor, conference: Conference, rows, *,
                     all_present: bool = False) -> list[Attendance]:
    """The whole roll call in one save (RULES.md 28, 40): for each member unit given in
    `rows`, present or absent with its reason, and its delegates' names; `all_present`
    marks every member not given present, keeping the names already recorded. Every row
    is checked before anything is written — one wrong row and nothing is saved, each
    problem named with its unit. One audit event lists the rows that changed. Returns
    the attendance of every member, by unit name."""
    _require_run(actor, conference)
    current = {a.unit_id: a for a in Attendance.objects.select_for_update(of=("self",))
               .filter(conference=conference).select_related("unit")
               .order_by("unit__sort_key", "unit_id")}
    given, errors = {}, []
    for row in rows:
        if not isinstance(row.unit_id, int) or row.unit_id not in current:
            raise NotFound("Đơn vị được điểm danh không phải thành viên của khối trong năm.")
        if row.unit_id in given:
            raise DomainError(f"{current[row.unit_id].unit.name} được điểm danh hai lần trong "
                              "cùng một lần lưu.")
        try:
            given[row.unit_id] = _attendance_values(row.present, row.absence_reason,
                                                    row.delegate_name)
        except DomainError as exc:
            errors += [f"{current[row.unit_id].unit.name}: {m}" for m in exc.messages]
    if errors:
        raise DomainError(*errors)
    before, after, changed = {}, {}, []
    for unit_id, attendance in current.items():
        values = given.get(unit_id)
        if values is None and all_present:
            values = {"present": True, "absence_reason": "",
                      "delegate_name": attendance.delegate_name}
        if values is None or values == _attendance_state(attendance):
            continue
        before[unit_id] = _attendance_state(attendance)
        for name, value in values.items():
            setattr(attendance, name, value)
        after[unit_id] = values
        changed.append(attendance)
    if changed:
        Attendance.objects.bulk_update(changed, ["present", "absence_reason", "delegate_name"])
        audit.record(actor, "voting.attendance.roll_call", conference,
                     province_id=_province_id(conference), before=before, after=after)
    return list(current.values())


def conference_quorum(conference: Conference) -> Quorum:
    """RULES.md 28 against the rulebook in force on the conference date."""
    rows = list(conference.attendance.values_list("present", flat=True))
    return quorum(sum(rows), len(rows), rulebook_of(conference).value("voting.quorum"))


@transaction.atomic
def set_committee(actor: Actor, conference: Conference, members) -> list:
    """The counting committee: [(name, role, user or None), …], replacing the list."""
    _require_run(actor, conference)
    rows = []
    for name, role, user in members:
        rows.append(CountingCommitteeMember(
            conference=conference, name=_clean(name, "họ tên thành viên ban kiểm phiếu", 200),
            role=_clean(role, "nhiệm vụ", 100, required=False), user=user))
    if not rows:
        raise DomainError("Ban kiểm phiếu cần ít nhất một người.")
    before = list(conference.committee.values_list("name", flat=True))
    conference.committee.all().delete()
    CountingCommitteeMember.objects.bulk_create(rows)
    audit.record(actor, "voting.committee.set", conference, province_id=_province_id(conference),
                 before={"members": before}, after={"members": [r.name for r in rows]})
    return rows


# --- polls -------------------------------------------------------------------------------

def _ranking(bloc_year: BlocYear) -> dict:
    """unit id → (score Fraction, rank) from the latest published ranking."""
    ranking = (PublishedRanking.objects.filter(table__bloc_year=bloc_year)
               .order_by("-published_at", "-id").first())
    if ranking is None:
        return {}
    return {row.unit_id: (row.final, row.rank) for row in RankingRow.objects.filter(
        ranking=ranking)}


def _recent_leaders(bloc_year: BlocYear, lookback: int) -> dict:
    return leaders_by_year(bloc_year.bloc_id,
                           election.recent_leader_years(bloc_year.year, lookback))


def _elected_leader(conference: Conference):
    poll = (conference.polls.filter(kind=Kind.LEADER_ELECTION,
                                    state__in=[State.CLOSED, State.PUBLISHED])
            .order_by("-id").first())
    if poll is None or not poll.result or len(poll.result.get("selected", [])) != 1:
        return None
    return Candidate.objects.get(pk=poll.result["selected"][0]).unit_id


def _members_only(bloc_year: BlocYear, unit_ids) -> list | None:
    if unit_ids is None:
        return None
    members = set(member_ids(bloc_year))
    unit_ids = list(dict.fromkeys(unit_ids))
    if any(u not in members for u in unit_ids):
        raise DomainError("Chỉ đơn vị thành viên của khối được đưa vào danh sách (Quy tắc 1).")
    return unit_ids


def _candidate_units(conference: Conference, kind: str, unit_ids, rulebook) -> list:
    """An election's list (RULES.md 2–4: rotation); award polls: `candidacy`."""
    bloc_year = conference.bloc_year
    explicit = unit_ids is not None
    unit_ids = _members_only(bloc_year, unit_ids) if explicit else member_ids(bloc_year)
    labels = dict(Unit.objects.filter(id__in=unit_ids).values_list("id", "name"))
    lookback = rulebook.value("organisation.rotation_lookback_years")
    elected = None
    if kind == Kind.DEPUTY_ELECTION:
        elected = _elected_leader(conference)
        if elected is None:
            raise Conflict("Bầu Trưởng khối năm sau trước, rồi mới bầu Phó khối (Quy tắc 2).")
    standing = election.election_standing(
        kind, unit_ids, year=bloc_year.year, recent_leaders=_recent_leaders(bloc_year, lookback),
        lookback_years=lookback, elected_leader=elected, labels=labels)
    if standing.excluded and explicit:
        raise DomainError(*(e.sentence for e in standing.excluded))
    # Left out of the default list, and said so on the poll (never silently).
    return list(standing.eligible), tuple(e.sentence for e in standing.excluded)


def _write_candidates(poll: Poll, unit_ids, ranking: dict, overrides=None):
    poll.candidates.all().delete()
    overrides = overrides or {}
    Candidate.objects.bulk_create(
        Candidate(poll=poll, unit_id=unit_id, position=i,
                  override_reason=overrides.get(unit_id, ""),
                  score_numerator=ranking[unit_id][0].numerator if unit_id in ranking else None,
                  score_denominator=(ranking[unit_id][0].denominator if unit_id in ranking
                                     else None),
                  rank=ranking[unit_id][1] if unit_id in ranking else None)
        for i, unit_id in enumerate(unit_ids, 1))


def poll_snapshot(poll: Poll) -> dict:
    rows = list(poll.candidates.values_list("unit_id", "override_reason"))
    return {"kind": poll.kind, "award_form": poll.award_form, "title": poll.title,
            "quota": poll.quota, "state": poll.state,
            "candidates": [unit for unit, _ in rows],
            # Issue 11 item 2: who stands although not eligible, and why (audited).
            "overrides": [[unit, reason] for unit, reason in rows if reason],
            "ineligible": [entry["unit"] for entry in poll.ineligible or []]}


def award_standing(conference: Conference, award_form: str) -> candidacy.AwardStanding:
    """Each member's eligibility for an award poll of `award_form` at this conference, as
    the poll's default list reads it (issue 11 item 2)."""
    return candidacy.standing(conference, award_form, _ranking(conference.bloc_year),
                              rulebook_of(conference))


def _award_list(conference: Conference, award_form: str, unit_ids, overrides, book,
                ranking: dict):
    """(unit ids, overrides, ineligible listing) of an award poll (issue 11 item 2)."""
    return candidacy.award_candidates(conference, award_form,
                                      _members_only(conference.bloc_year, unit_ids),
                                      overrides, ranking, book)


@transaction.atomic
def create_poll(actor: Actor, conference: Conference, kind: str, *, award_form: str = "",
                unit_ids=None, title: str = "", overrides=None) -> Poll:
    """An award-proposal poll (one award form, quota from the rulebook, RULES.md 24–26) or
    the leader / deputy election (RULES.md 2–4). The rulebook's voting settings in force on
    the conference date are copied onto the poll with their citations. An award poll's
    list is the eligible members unless `unit_ids` says otherwise; `overrides`: {unit id:
    reason} for the units put on it although not eligible (`voting.candidacy`)."""
    _require_run(actor, conference)
    if kind not in Kind.values:
        raise DomainError("Loại cuộc bỏ phiếu không hợp lệ.")
    book = rulebook_of(conference)
    members = member_ids(conference.bloc_year)
    if kind == Kind.AWARD_PROPOSAL:
        if award_form not in book.value("voting.secret_ballot_forms"):
            raise DomainError("Hình thức này không bình xét bằng phiếu kín theo bộ quy tắc "
                              "(Quy tắc 30).")
        quota = bloc_quotas(len(members), book)[award_form]
        quota_count, quota_text = quota.count, str(quota)
        default_title = f"Bình xét đề nghị {AwardForm(award_form).label}"
    else:
        award_form = ""
        if kind == Kind.LEADER_ELECTION:
            quota_count = book.value("organisation.leadership")["leaders"]
            default_title = f"Bầu Trưởng khối năm {conference.bloc_year.year + 1}"
        else:
            quota_count = book.value("organisation.leadership")["min_deputies"]
            default_title = f"Bầu Phó khối năm {conference.bloc_year.year + 1}"
        quota_text = f"Chọn {quota_count} — {book.citation('organisation.leadership')}"
    ranking = _ranking(conference.bloc_year)
    kept, listed = {}, []
    if kind == Kind.AWARD_PROPOSAL:
        units, kept, listed = _award_list(conference, award_form, unit_ids, overrides, book,
                                          ranking)
        exclusions = ()
    else:
        units, exclusions = _candidate_units(conference, kind, unit_ids, book)
    threshold, quorum_rule = book.value("voting.threshold"), book.value("voting.quorum")
    citation = "; ".join([
        f"Ngưỡng: {threshold} ({book.citation('voting.threshold')})",
        f"Cơ sở: {book.value('voting.base')} ({book.citation('voting.base')})",
        f"Điều kiện biểu quyết: {quorum_rule} ({book.citation('voting.quorum')})",
        f"Chỉ tiêu: {quota_text}", *(f"Không ứng cử: {e}" for e in exclusions)])
    poll = Poll.objects.create(
        conference=conference, kind=kind, award_form=award_form,
        title=_clean(title, "tiêu đề", 300, required=False) or default_title, quota=quota_count,
        rulebook=book.describe()[:200],
        quorum_comparison=quorum_rule.comparison,
        quorum_numerator=quorum_rule.fraction.numerator,
        quorum_denominator=quorum_rule.fraction.denominator,
        threshold_comparison=threshold.comparison,
        threshold_numerator=threshold.fraction.numerator,
        threshold_denominator=threshold.fraction.denominator,
        base=book.value("voting.base"), vote_per=book.value("voting.vote_per"),
        excess_order=list(book.value("voting.excess_order")),
        percentage_decimals=book.value("voting.count_record")["percentage_decimals"],
        citation=citation, ineligible=listed)
    _write_candidates(poll, units, ranking, kept)
    audit.record(actor, "voting.poll.create", poll, province_id=_province_id(conference),
                 after=poll_snapshot(poll))
    return poll


def _lock(poll: Poll) -> Poll:
    return Poll.objects.select_for_update().get(pk=poll.pk)


@transaction.atomic
def set_candidates(actor: Actor, poll: Poll, unit_ids, overrides=None) -> Poll:
    """Change the list before the poll opens; it is frozen from then on. `overrides`: as
    for `create_poll`."""
    _require_run(actor, poll.conference)
    locked = _lock(poll)
    if locked.state != State.CREATED:
        raise Conflict("Danh sách ứng viên đã cố định khi mở bỏ phiếu.")
    if locked.run_off_of_id:
        raise Conflict("Danh sách bỏ phiếu lại là các ứng viên bằng phiếu: không sửa.")
    before = poll_snapshot(locked)
    book, ranking = rulebook_of(poll.conference), _ranking(poll.conference.bloc_year)
    kept = {}
    if locked.kind == Kind.AWARD_PROPOSAL:
        units, kept, locked.ineligible = _award_list(poll.conference, locked.award_form,
                                                     unit_ids, overrides, book, ranking)
        locked.save(update_fields=["ineligible"])
    else:
        units, _ = _candidate_units(poll.conference, locked.kind, unit_ids, book)
    _write_candidates(locked, units, ranking, kept)
    audit.record(actor, "voting.poll.candidates", locked,
                 province_id=_province_id(poll.conference), before=before,
                 after=poll_snapshot(locked))
    return locked


@transaction.atomic
def open_poll(actor: Actor, poll: Poll) -> Poll:
    """created → open (idempotent), only with the quorum (RULES.md 28)."""
    _require_run(actor, poll.conference)
    locked = _lock(poll)
    if locked.state == State.OPEN:
        return locked
    if locked.state != State.CREATED:
        raise Conflict(f"Cuộc bỏ phiếu đã {locked.get_state_display().lower()}: không mở lại.")
    if not locked.candidates.exists():
        raise DomainError("Cuộc bỏ phiếu chưa có ứng viên.")
    conference = poll.conference
    if locked.kind == Kind.AWARD_PROPOSAL and not locked.run_off_of_id:
        # The facts may have changed since the list was set: check it again as it opens.
        standing = dict(locked.candidates.values_list("unit_id", "override_reason"))
        try:
            _, _, locked.ineligible = _award_list(
                conference, locked.award_form, list(standing), standing,
                rulebook_of(conference),
                _ranking(conference.bloc_year))
        except DomainError as exc:
            raise Conflict("Không mở được: danh sách ứng viên có đơn vị nay chưa đủ điều "
                           "kiện.", *exc.messages) from exc
    rows = list(conference.attendance.values_list("present", flat=True))
    rule = FractionRule(locked.quorum_comparison,
                        Fraction(locked.quorum_numerator, locked.quorum_denominator))
    result = quorum(sum(rows), len(rows), rule)
    if not result.met:
        raise Conflict(result.sentence + ".")
    locked.state = State.OPEN
    locked.members, locked.present = len(rows), sum(rows)
    # The ballot box's key pair: only the public half is stored (voting.sealing).
    locked.seal_salt = sealing.new_salt()
    locked.seal_key = sealing.public_key_hex(locked)
    locked.save(update_fields=["state", "members", "present", "seal_salt", "seal_key",
                               "ineligible"])
    audit.record(actor, "voting.poll.open", locked, province_id=_province_id(conference),
                 before={"state": State.CREATED},
                 after={"state": State.OPEN, "quorum": result.sentence})
    return locked


# --- voting cards --------------------------------------------------------------------------

@dataclass(frozen=True)
class IssuedCard:
    card: VotingCard
    token: str  # shown once: printed on the card and in its QR code
    unit_name: str


def _voting_rows(poll: Poll) -> list:
    return list(Attendance.objects.filter(conference_id=poll.conference_id, present=True)
                .select_related("unit").order_by("unit__sort_key"))


def _holders(poll: Poll) -> list:
    """(attendance row, delegate name) for every card to issue: per unit, each present unit
    that has not voted; per delegate (RULES.md 29 setting), each delegate named on a
    present unit's attendance row who has not voted in any way (card, logged in, or the
    paper ballot that replaced their card: one participation key per delegate)."""
    rows = _voting_rows(poll)
    if poll.vote_per != "delegate":
        voted = set(Participation.objects.filter(poll=poll).values_list("unit_id", flat=True))
        return [(row, row.delegate_name) for row in rows if row.unit_id not in voted]
    unnamed = [row.unit.name for row in rows if not delegate_names(row.delegate_name)]
    if unnamed:
        raise DomainError("Mỗi đại biểu một phiếu (Quy tắc 29): ghi tên đại biểu khi điểm "
                          "danh (nhiều người cách nhau bằng dấu ;) cho: "
                          + ", ".join(unnamed) + ".")
    voted = dict(Participation.objects.filter(poll=poll).values_list("voter_key", "unit_id"))
    # Polls from before per-delegate paper ballots recorded a whole unit as "paper:<id>".
    paper_units = {unit_id for key, unit_id in voted.items() if key.startswith("paper:")}
    return [(row, name) for row in rows if row.unit_id not in paper_units
            for name in delegate_names(row.delegate_name)
            if delegate_key(row.unit_id, name) not in voted]


def card_token(card_id: int) -> str:
    """The plain token of a card: an HMAC of its id under the server's secret key. The
    table keeps only the token's hash (a copy of the database opens no ballot), yet the
    cards page and the printed sheet show the cards already issued again, so printing or
    reloading never has to issue new ones (and revoke the printed ones)."""
    digest = salted_hmac("thidua.voting.card", str(card_id), algorithm="sha256").digest()
    return CARD_PREFIX + base64.urlsafe_b64encode(digest[:24]).decode()


@transaction.atomic
def issue_cards(actor: Actor, poll: Poll, *, expires_at=None) -> list[IssuedCard]:
    """A card for every present member unit (RULES.md 29) that has not voted yet — or, when
    the rulebook gives one vote per delegate, for every delegate named in the attendance
    who has not voted; earlier unused cards are revoked. An explicit step (a POST with the
    user's confirmation): `issued_cards` shows them again afterwards."""
    _require_run(actor, poll.conference)
    locked = _lock(poll)
    if locked.state not in (State.CREATED, State.OPEN):
        raise Conflict("Cuộc bỏ phiếu đã kết thúc: không phát thẻ.")
    holders = _holders(locked)
    revoked = VotingCard.objects.filter(poll=locked, used=False, revoked=False).update(
        revoked=True)
    issued = []
    for row, name in holders:
        # The token derives from the id, known once the row exists: a random placeholder
        # hash first (the column is unique), the real one right after.
        card = VotingCard.objects.create(
            poll=locked, unit=row.unit, delegate_name=name, expires_at=expires_at,
            token_hash=_hash(CARD_PREFIX + secrets.token_urlsafe(24)))
        plain = card_token(card.pk)
        card.token_hash = _hash(plain)
        card.save(update_fields=["token_hash"])
        issued.append(IssuedCard(card, plain, row.unit.name))
    audit.record(actor, "voting.cards.issue", locked, province_id=_province_id(poll.conference),
                 after={"cards": len(issued), "per": locked.vote_per, "revoked": revoked})
    return issued


@dataclass(frozen=True)
class CardSheet:
    cards: list  # IssuedCard of every live card, in the order of the attendance
    unshown: int  # live cards issued before tokens were derived: cannot be printed again


def issued_cards(actor: Actor, poll: Poll) -> CardSheet:
    """The cards issued and still live (unused, not revoked, not expired, their holder not
    voted another way), with their tokens, for the cards page and the printed sheet.
    Reads only: showing or printing the cards never issues or revokes any."""
    _require_run(actor, poll.conference)
    voted = set(Participation.objects.filter(poll=poll).values_list("voter_key", flat=True))
    now = timezone.now()
    cards, unshown = [], 0
    for card in (VotingCard.objects.filter(poll=poll, used=False, revoked=False)
                 .select_related("unit").order_by("unit__sort_key", "unit_id", "pk")):
        if card.expires_at is not None and card.expires_at <= now:
            continue
        if _voter_key(poll, card.unit_id, card.delegate_name) in voted:
            continue
        plain = card_token(card.pk)
        if _hash(plain) != card.token_hash:
            unshown += 1
            continue
        cards.append(IssuedCard(card, plain, card.unit.name))
    return CardSheet(cards, unshown)


@dataclass(frozen=True)
class DelegateRow:
    unit: Unit
    name: str
    voted: bool  # voted, with a card, logged in or on paper (never what)
    holds_card: bool  # an unused, unrevoked card


def delegate_roll(poll: Poll) -> list[DelegateRow]:
    """Per delegate: every delegate named on a present unit's attendance row, with whether
    they voted (any way) or hold an unused card (three queries)."""
    voted = set(Participation.objects.filter(poll=poll).values_list("voter_key", flat=True))
    holding = {delegate_key(unit_id, name) for unit_id, name in VotingCard.objects.filter(
        poll=poll, used=False, revoked=False).values_list("unit_id", "delegate_name")}
    rows = []
    for row in _voting_rows(poll):
        for name in delegate_names(row.delegate_name):
            key = delegate_key(row.unit_id, name)
            rows.append(DelegateRow(row.unit, name, key in voted,
                                    key not in voted and key in holding))
    return rows


def paper_cards(poll: Poll) -> list:
    """Per delegate: the cards a paper ballot may replace — unused, not revoked, of a
    present unit, held by a delegate who has not voted in another way (RULES.md 29)."""
    voted = set(Participation.objects.filter(poll=poll).values_list("voter_key", flat=True))
    cards = (VotingCard.objects.filter(
        poll=poll, used=False, revoked=False,
        unit_id__in=Attendance.objects.filter(conference_id=poll.conference_id, present=True)
        .values("unit_id")).select_related("unit").order_by("unit__sort_key", "unit_id", "pk"))
    return [c for c in cards if delegate_key(c.unit_id, c.delegate_name) not in voted]


# --- casting -------------------------------------------------------------------------------

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
        raise Conflict("Cuộc bỏ phiếu chưa mở hoặc đã kết thúc: không nhận phiếu.")
    return poll


def _choices(poll: Poll, candidate_ids) -> tuple[list, bool]:
    """The marked candidates checked against the frozen list: (ids, valid)."""
    if not isinstance(candidate_ids, (list, tuple)) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in candidate_ids):
        raise DomainError("Danh sách lựa chọn không hợp lệ.")
    known = list(poll.candidates.values_list("id", flat=True))
    try:
        valid = ballot_is_valid(list(candidate_ids), known, poll.quota)
    except BallotRefused as exc:
        raise DomainError(str(exc)) from None
    return list(candidate_ids), valid


def _write_ballot(poll: Poll, voter_key: str, unit_id, choices, *, source: str,
                  receipt_code: str | None = None, participation: bool = True,
                  valid: bool = True) -> str:
    """Who voted (a participation) and the sealed ballot, in the caller's transaction:
    two INSERTs. Nothing of the ballot is readable until the count unseals it."""
    if participation:
        # No savepoint: a refusal ends the caller's transaction, rolled back whole.
        try:
            Participation.objects.create(poll=poll, voter_key=voter_key, unit_id=unit_id,
                                         source=source)
        except IntegrityError:
            raise Conflict(ALREADY_VOTED) from None
    code = receipt_code or new_receipt_code()
    try:
        _insert_sealed(poll, code, choices, valid, source)
    except IntegrityError:
        if source == Ballot.Source.PAPER:
            raise Conflict(f"Phiếu giấy mã {code} đã được nhập.") from None
        # Two equal random codes in one poll (about one chance in 10^12): nothing written.
        raise Conflict("Trùng mã biên nhận (rất hiếm): chưa ghi phiếu, vui lòng bỏ phiếu "
                       "lại.") from None
    return code


def _insert_sealed(poll: Poll, code: str, choices, valid: bool, source: str):
    """One INSERT. On SQLite the row gets a random rowid, so the table's storage order is
    not the casting order (PostgreSQL appends; there only the seal protects the order)."""
    table = SealedBallot._meta.db_table
    sealed = sealing.seal(poll, code, choices, valid)
    values = [sealing.code_tag(poll, code), source,
              valid if source == Ballot.Source.PAPER else None, sealed]
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


def _voter_key(poll: Poll, unit_id: int, delegate: str) -> str:
    """Who voted (never what): the unit, or per delegate (RULES.md 29 setting) the
    delegate of the unit by name — the same key whether they vote with their card, logged
    in, or on the paper ballot that replaced their card, so they vote once."""
    return f"unit:{unit_id}" if poll.vote_per == "unit" else delegate_key(unit_id, delegate)


@transaction.atomic
def cast_with_card(token: str, poll_id, candidate_ids) -> str:
    """Vote with a card's one-time token (no account). Returns the receipt code, shown to
    the voter once. Refused, with nothing written: unknown / revoked / expired / used card,
    a card of another poll, a poll not open, an unknown candidate, more marks than the
    quota (an electronic ballot cannot be over-marked; a paper one is counted invalid)."""
    if not isinstance(token, str) or not token.startswith(CARD_PREFIX) or len(token) > 100:
        raise NotFound(BAD_CARD)
    card = VotingCard.objects.filter(token_hash=_hash(token)).first()
    if card is None or not isinstance(poll_id, int) or card.poll_id != poll_id:
        raise NotFound(BAD_CARD)
    if card.revoked and not card.used:
        raise Conflict("Thẻ biểu quyết này đã bị thu hồi (thẻ được cấp lại, đã nhận phiếu "
                       "giấy thay thẻ, hoặc cuộc bỏ phiếu đã kết thúc).")
    poll = _lock_open(poll_id)
    if card.expires_at is not None and card.expires_at <= timezone.now():
        raise Conflict("Thẻ biểu quyết đã hết hạn.")
    choices, valid = _choices(poll, candidate_ids)
    if not valid:
        raise DomainError(f"Chỉ được chọn tối đa {poll.quota} ứng viên (Quy tắc 33).")
    if not Attendance.objects.filter(conference_id=poll.conference_id, unit_id=card.unit_id,
                                     present=True).exists():
        raise Conflict("Đơn vị của thẻ này không có mặt tại hội nghị: không bỏ phiếu.")
    # The claim of the card: one UPDATE that only an unused card matches. Under PostgreSQL
    # a concurrent claim waits for this row and then finds it used; SQLite serialises.
    if not VotingCard.objects.filter(pk=card.pk, used=False).update(used=True):
        raise Conflict(USED_CARD)
    code = _write_ballot(poll, _voter_key(poll, card.unit_id, card.delegate_name),
                         card.unit_id, choices, source=Ballot.Source.ELECTRONIC)
    cache.delete(_turnout_key(poll.pk))
    return code


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
    if not units:
        raise Forbidden("Chỉ đại biểu của đơn vị thành viên được bỏ phiếu; đại biểu dự, Thường "
                        "trực thi đua tỉnh không bỏ phiếu (Quy tắc 29).")
    if unit_id is None and len(units) == 1:
        unit_id = units[0]
    if unit_id not in units:
        raise Forbidden("Chọn đơn vị mà bạn là đại biểu.")
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
    code = _write_ballot(poll, _voter_key(poll, unit_id, name), unit_id,
                         choices, source=Ballot.Source.ELECTRONIC)
    cache.delete(_turnout_key(poll.pk))
    return code


# --- paper ballots -------------------------------------------------------------------------

def _present_units(poll: Poll) -> set:
    return set(Attendance.objects.filter(conference_id=poll.conference_id, present=True)
               .values_list("unit_id", flat=True))


def _paper_units(poll: Poll, unit_ids: list):
    """Per unit: each chosen present unit votes on paper as the unit, in place of its
    cards. Returns (voter key, unit id) per ballot, the cards to revoke, the audit note."""
    if not unit_ids:
        raise DomainError("Chọn ít nhất một đơn vị nhận phiếu giấy.")
    present = _present_units(poll)
    if any(u not in present for u in unit_ids):
        raise DomainError("Chỉ đơn vị thành viên có mặt được nhận phiếu (Quy tắc 28, 29).")
    return ([(f"unit:{u}", u) for u in unit_ids],
            VotingCard.objects.filter(poll=poll, unit_id__in=unit_ids), {"units": unit_ids})


def _paper_delegates(poll: Poll, card_ids: list):
    """Per delegate (RULES.md 29 setting): a paper ballot replaces one delegate's card. The
    card is revoked and the delegate's voter key taken, so neither the card, nor a second
    paper ballot, nor the delegate logged in can vote again; the unit's other delegates
    keep theirs. A delegate who voted already (card, logged in) gets none."""
    if not card_ids:
        raise DomainError("Chọn ít nhất một thẻ đại biểu nhận phiếu giấy.")
    # All the poll's cards (a few hundred at most): the chosen ids are looked up here, never
    # sent to the database, so an id from another poll is simply unknown.
    known = {c.pk: c for c in VotingCard.objects.filter(poll=poll).select_related("unit")}
    cards = [known.get(c) for c in card_ids]
    if None in cards:
        raise DomainError("Thẻ biểu quyết đã chọn không thuộc cuộc bỏ phiếu này.")
    present = _present_units(poll)
    keys = [_voter_key(poll, card.unit_id, card.delegate_name) for card in cards]
    voted = dict(Participation.objects.filter(poll=poll, voter_key__in=keys)
                 .values_list("voter_key", "source"))
    voters = []
    for card, key in zip(cards, keys, strict=True):
        who = f"{card.delegate_name} ({card.unit.name})"
        if card.unit_id not in present:
            raise DomainError(f"Đơn vị của đại biểu {who} không có mặt: không nhận phiếu "
                              "(Quy tắc 28, 29).")
        if card.used:
            raise Conflict(f"Đại biểu {who} đã bỏ phiếu bằng thẻ: không phát phiếu giấy "
                           "(Quy tắc 29).")
        if voted.get(key) == Ballot.Source.PAPER:
            raise Conflict(f"Đại biểu {who} đã nhận phiếu giấy: mỗi đại biểu một phiếu "
                           "(Quy tắc 29).")
        if key in voted:
            raise Conflict(f"Đại biểu {who} đã bỏ phiếu điện tử: không phát phiếu giấy, "
                           "mỗi đại biểu một phiếu (Quy tắc 29).")
        if card.revoked:
            raise Conflict(f"Thẻ của đại biểu {who} đã bị thu hồi (đã phát thẻ mới): chọn "
                           "thẻ đang dùng.")
        voters.append((key, card.unit_id))
    chosen = [c.pk for c in cards]
    return voters, VotingCard.objects.filter(pk__in=chosen), {"cards": chosen}


@transaction.atomic
def issue_paper_ballots(actor: Actor, poll: Poll, unit_ids=(), card_ids=()) -> list[str]:
    """Hand paper ballots to present voters without a phone: per unit, to the chosen units
    (`unit_ids`); per delegate (RULES.md 29 setting), to the delegates holding the chosen
    cards (`card_ids`). Each is recorded as having voted (so their card is refused), and
    as many receipt codes are printed on the ballots and handed out in any order. The codes
    are not stored: they are the poll's next paper codes (`sealing.paper_code`, derived
    from the poll's secret), so no table order, transaction id or audit event ties a code
    to a unit or a card; the audit event says how many ballots were handed, not to whom
    (who voted on paper is the participations' business)."""
    _require_run(actor, poll.conference)
    poll = _lock_open(poll.pk)
    unit_ids, card_ids = list(dict.fromkeys(unit_ids)), list(dict.fromkeys(card_ids))
    if poll.vote_per == "delegate":
        if unit_ids:
            raise DomainError("Cuộc bỏ phiếu này mỗi đại biểu một phiếu (Quy tắc 29): chọn "
                              "thẻ của đại biểu nhận phiếu giấy, không chọn đơn vị.")
        voters, cards, chosen = _paper_delegates(poll, card_ids)
    else:
        if card_ids:
            raise DomainError("Cuộc bỏ phiếu này mỗi đơn vị một phiếu (Quy tắc 29): chọn đơn "
                              "vị nhận phiếu giấy, không chọn thẻ đại biểu.")
        voters, cards, chosen = _paper_units(poll, unit_ids)
    for voter_key, unit_id in voters:
        try:
            with transaction.atomic():
                Participation.objects.create(poll=poll, voter_key=voter_key, unit_id=unit_id,
                                             source=Ballot.Source.PAPER)
        except IntegrityError:
            raise Conflict(ALREADY_VOTED) from None
    cards.filter(used=False).update(revoked=True)
    issue, _ = PaperBallotIssue.objects.select_for_update().get_or_create(poll=poll)
    codes = paper_codes(poll, issue.issued + len(voters))[issue.issued:]
    issue.issued += len(codes)
    issue.unreturned = None  # a new issue needs a new reconciliation
    issue.save()
    audit.record(actor, "voting.paper.issue", poll, province_id=_province_id(poll.conference),
                 after={"handed": len(codes)})
    cache.delete(_turnout_key(poll.pk))
    return sorted(codes)


def paper_codes(poll: Poll, count: int) -> list[str]:
    """The poll's first `count` paper-ballot codes, in the order they are handed out
    (the order of the derivation, which only the poll's secret reveals)."""
    if not poll.seal_salt:  # opened before the sealed box: stored codes, then derived
        stored = sorted(PaperBallotCode.objects.filter(poll=poll).values_list("code",
                                                                              flat=True))
    else:
        stored = []
    codes, seen, number = list(stored), set(stored), 0
    while len(codes) < count:
        code = sealing.paper_code(poll, number)
        number += 1
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes[:count]


def issued_paper_codes(poll: Poll) -> list[str]:
    issue = PaperBallotIssue.objects.filter(poll=poll).first()
    return paper_codes(poll, issue.issued if issue else 0)


def unentered_paper_codes(poll: Poll) -> list[str]:
    """The issued paper codes no ballot was entered under yet, sorted."""
    issued = issued_paper_codes(poll)
    tags = set(SealedBallot.objects.filter(poll=poll, source=Ballot.Source.PAPER)
               .values_list("code_tag", flat=True))
    counted = set(Ballot.objects.filter(poll=poll, source=Ballot.Source.PAPER)
                  .values_list("receipt_code", flat=True))
    return sorted(c for c in issued if c not in counted and sealing.code_tag(poll, c) not in tags)


@transaction.atomic
def enter_paper_ballot(actor: Actor, poll: Poll, receipt_code: str, candidate_ids
                       ) -> PublishedBallot:
    """The counting committee enters one returned paper ballot, by its printed code. An
    over-marked ballot is stored as invalid (RULES.md 33). Sealed like every ballot until
    the count."""
    if not rules.can_enter_paper_ballots(actor, poll.conference):
        raise Forbidden("Chỉ ban kiểm phiếu, đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh "
                        "nhập phiếu giấy.")
    poll = _lock_open(poll.pk)
    code = receipts.normalise(receipt_code)
    if code not in issued_paper_codes(poll):
        raise DomainError(f"Mã phiếu {code!r} không phải phiếu giấy đã phát của cuộc bỏ phiếu "
                          "này.")
    choices, valid = _choices(poll, candidate_ids)
    if (Ballot.objects.filter(poll=poll, receipt_code=code).exists()
            or not _legacy_paper_claim(poll, code)):
        raise Conflict(f"Phiếu giấy mã {code} đã được nhập.")
    _write_ballot(poll, "", None, choices, source=Ballot.Source.PAPER, receipt_code=code,
                  participation=False, valid=valid)
    PaperBallotIssue.objects.filter(poll=poll).update(unreturned=None)
    audit.record(actor, "voting.paper.enter", poll, province_id=_province_id(poll.conference),
                 after={"entered": 1})
    return PublishedBallot(code, valid, tuple(sorted(choices)))


def _legacy_paper_claim(poll: Poll, code: str) -> bool:
    """A stored code (polls opened before the sealed box) is marked entered once."""
    if poll.seal_salt:
        return True
    return bool(PaperBallotCode.objects.filter(poll=poll, code=code, entered=False)
                .update(entered=True))


@dataclass(frozen=True)
class Reconciliation:
    issued: int
    returned: int
    valid: int
    invalid: int
    unreturned: int | None

    @property
    def adds_up(self) -> bool:
        return (self.unreturned is not None
                and self.issued == self.returned + self.unreturned
                and self.returned == self.valid + self.invalid)

    @property
    def sentence(self) -> str:
        unreturned = "chưa ghi" if self.unreturned is None else self.unreturned
        verdict = "khớp" if self.adds_up else "chưa khớp"
        return (f"Phiếu giấy: phát ra {self.issued} = thu về {self.returned} + không thu về "
                f"{unreturned}; thu về {self.returned} = hợp lệ {self.valid} + không hợp lệ "
                f"{self.invalid}: {verdict}")


def reconciliation(poll: Poll) -> Reconciliation | None:
    issue = PaperBallotIssue.objects.filter(poll=poll).first()
    if issue is None:
        return None
    counts = {valid: n for valid, n in _count_by_validity(poll, Ballot.Source.PAPER)}
    valid, invalid = counts.get(True, 0), counts.get(False, 0)
    return Reconciliation(issue.issued, valid + invalid, valid, invalid, issue.unreturned)


def _count_by_validity(poll, source):
    """(valid, count) pairs over the counted ballots and, while the poll is open, the
    sealed ones (a paper ballot's validity is clear: the committee reconciles before the
    close)."""
    counted = (Ballot.objects.filter(poll=poll, source=source).values("valid")
               .annotate(n=Count("pk")).values_list("valid", "n"))
    sealed = (SealedBallot.objects.filter(poll=poll, source=source).values("paper_valid")
              .annotate(n=Count("pk")).values_list("paper_valid", "n"))
    totals = {}
    for valid, n in [*counted, *sealed]:
        totals[bool(valid)] = totals.get(bool(valid), 0) + n
    return totals.items()


@transaction.atomic
def reconcile_paper(actor: Actor, poll: Poll, *, unreturned: int) -> Reconciliation:
    """Record the paper ballots not returned; issued = returned + unreturned must hold."""
    if not rules.can_enter_paper_ballots(actor, poll.conference):
        raise Forbidden("Chỉ ban kiểm phiếu, đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh "
                        "đối chiếu phiếu giấy.")
    _lock_open(poll.pk)
    issue = PaperBallotIssue.objects.select_for_update().filter(poll=poll).first()
    if issue is None:
        raise Conflict("Cuộc bỏ phiếu này chưa phát phiếu giấy.")
    if isinstance(unreturned, bool) or not isinstance(unreturned, int) or unreturned < 0:
        raise DomainError("Số phiếu không thu về phải là số nguyên không âm.")
    check = reconciliation(poll)
    check = Reconciliation(check.issued, check.returned, check.valid, check.invalid, unreturned)
    if not check.adds_up:
        raise DomainError(check.sentence + ".")
    issue.unreturned = unreturned
    issue.save(update_fields=["unreturned"])
    audit.record(actor, "voting.paper.reconcile", poll,
                 province_id=_province_id(poll.conference),
                 after={"issued": check.issued, "returned": check.returned,
                        "valid": check.valid, "invalid": check.invalid,
                        "unreturned": unreturned})
    return check


# --- the count -----------------------------------------------------------------------------

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
    """Two queries whatever the number of ballots (joined by receipt code, unique in a
    poll: no ballot id is read or converted)."""
    choices = {}
    for code, candidate_id in BallotChoice.objects.filter(ballot__poll=poll).values_list(
            "ballot__receipt_code", "candidate_id"):
        choices.setdefault(code, []).append(candidate_id)
    return published_list(
        PublishedBallot(code, valid, tuple(sorted(choices.get(code, ()))))
        for code, valid in Ballot.objects.filter(poll=poll).values_list("receipt_code", "valid"))


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
    """The count opens the box: every sealed ballot of the poll is unsealed with the key
    derived now (voting.sealing) and written as a `Ballot` and its `BallotChoice` rows,
    in receipt-code order, in the closing transaction — so the readable ballots carry the
    close's transaction id and an order that says nothing of who voted when. Then no copy
    of a sealed row may stay in the database's storage:
    - PostgreSQL: the sealed table (only open polls' ballots: small) gets fresh storage —
      TRUNCATE, the other polls' sealed rows written back — so no dead tuple keeps a
      vote's transaction id (VACUUM could not promise it: any older snapshot anywhere in
      the cluster keeps dead tuples). Votes in other polls wait the few milliseconds.
    - SQLite: the rows are deleted with secure_delete (zeroed), and once the close
      commits the WAL, which still holds the pages as the votes wrote them, is
      checkpointed and truncated (`_checkpoint_after_close`).
    Returns the box (the counted ballots, including any that a poll opened before
    sealing stored in clear)."""
    table = SealedBallot._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        else:
            cursor.execute("PRAGMA secure_delete = ON")
    rows = list(SealedBallot.objects.filter(poll=poll).values_list("source", "sealed"))
    if rows:
        unsealer = sealing.Unsealer(poll)
        opened = sorted((*unsealer.open(sealed), source) for source, sealed in rows)
        ballots = [Ballot(poll=poll, receipt_code=code, valid=valid, source=source)
                   for code, _, valid, source in opened]
        Ballot.objects.bulk_create(ballots)
        BallotChoice.objects.bulk_create(
            BallotChoice(ballot=ballot, candidate_id=candidate)
            for ballot, (_, choices, _, _) in zip(ballots, opened, strict=True)
            for candidate in choices)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TABLE IF EXISTS voting_box_keep")
            cursor.execute(f"CREATE TEMPORARY TABLE voting_box_keep AS SELECT * FROM {table} "  # noqa: S608
                           "WHERE poll_id <> %s", [poll.pk])
            # Foreign keys are checked at commit (Django's DEFERRABLE constraints): fire
            # any pending check now, or TRUNCATE refuses.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {table}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f"INSERT INTO {table} SELECT * FROM voting_box_keep")  # noqa: S608
            cursor.execute("DROP TABLE voting_box_keep")
        else:
            cursor.execute(f"DELETE FROM {table} WHERE poll_id = %s", [poll.pk])  # noqa: S608
            transaction.on_commit(_checkpoint_after_close)
    return _ballots(poll)


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
    stored; a tie at the quota cut-off creates a run-off poll among the tied (RULES.md 32)."""
    _require_run(actor, poll.conference)
    locked = _lock(poll)
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


# --- voting again (RULES.md 32) ------------------------------------------------------------

ELECTIONS = (Kind.LEADER_ELECTION, Kind.DEPUTY_ELECTION)


@dataclass(frozen=True)
class VoteAgain:
    """Why a counted poll is voted again, and among whom: a tie at the quota's cut-off
    (the run-off poll the count opened, RULES.md 32), or an election that filled fewer
    seats than it has because too few reached the threshold (a new round among the
    front-runners, the threshold still applying — `election.front_runners`)."""

    sentence: str
    names: tuple  # the candidates standing again, in ballot order
    unit_ids: tuple
    seats: int
    run_off: bool  # True: the tie at the quota; False: a new round of the election
    poll: Poll | None  # the run-off or the next round, once it exists


def again_of(poll: Poll) -> tuple | None:
    """(candidate ids, seats, run_off) when a counted poll must be voted again, read from
    its stored count alone (no query): the tied at the quota's cut-off and their seats
    (run_off True), or an election's front-runners for its open seats; else None."""
    record = poll.result or {}
    if poll.state not in (State.CLOSED, State.PUBLISHED) or not record:
        return None
    if record.get("run_off"):
        return tuple(record["run_off"]), record["run_off_seats"], True
    selected = record.get("selected", [])
    seats = poll.quota - len(selected)
    if poll.kind not in ELECTIONS or seats <= 0:
        return None
    votes = {c["candidate"]: c["yes_votes"] for c in record.get("candidates", [])
             if c["candidate"] not in selected}
    if not votes:
        return None
    return election.front_runners(votes, seats), seats, False


def vote_again_plan(poll: Poll) -> VoteAgain | None:
    """The vote-again a counted poll calls for, with its sentence, or None (it decided,
    or is not counted yet). Two queries."""
    again = again_of(poll)
    if again is None:
        return None
    ids, seats, run_off = again
    record = poll.result
    labels = {c["candidate"]: c["label"] for c in record["candidates"]}
    units = dict(Candidate.objects.filter(poll=poll).values_list("id", "unit_id"))
    names, unit_ids = tuple(labels[i] for i in ids), tuple(units[i] for i in ids)
    if run_off:
        return VoteAgain(
            f"{', '.join(names)} bằng nhau ở ranh giới chỉ tiêu, còn {seats} suất: bỏ phiếu "
            "lại giữa các ứng viên này, không tự loại (Quy tắc 32).", names, unit_ids, seats,
            True, Poll.objects.filter(pk=record.get("run_off_poll")).first())
    votes = {c["candidate"]: c["yes_votes"] for c in record["candidates"]}
    rule = FractionRule(poll.threshold_comparison,
                        Fraction(poll.threshold_numerator, poll.threshold_denominator))
    base = record.get("base", 0)
    later = (Poll.objects.filter(conference_id=poll.conference_id, kind=poll.kind,
                                 id__gt=poll.pk).order_by("id").first())
    return VoteAgain(
        f"Chưa bầu đủ: {poll.quota - seats}/{poll.quota} người đạt ngưỡng (cần {rule} của "
        f"{base} {BASES.get(record.get('base_kind'), '')}, tức ít nhất {rule.minimum(base)} "
        "phiếu). Bầu lại giữa những người nhiều phiếu nhất: "
        + ", ".join(f"{labels[i]} ({votes[i]} phiếu)" for i in ids)
        + "; vẫn phải đạt ngưỡng (Quy tắc 31, 32).", names, unit_ids, seats, False, later)


@transaction.atomic
def vote_again(actor: Actor, poll: Poll) -> Poll:
    """Vote again after a tie at the quota or an election without enough votes (the
    "Bỏ phiếu lại" button, RULES.md 32): opens the run-off the count created, or creates
    the election's next round among the front-runners and opens it (quorum checked,
    RULES.md 28). Idempotent: once the vote-again exists it is returned as it is. Returns
    the poll to vote in."""
    _require_run(actor, poll.conference)
    locked = _lock(poll)
    plan = vote_again_plan(locked)
    if plan is None:
        if locked.state not in (State.CLOSED, State.PUBLISHED):
            raise Conflict("Chỉ bỏ phiếu lại sau khi kết thúc bỏ phiếu và kiểm phiếu.")
        raise Conflict("Cuộc bỏ phiếu này đã có kết quả: không bỏ phiếu lại.")
    again, created = plan.poll, False
    if again is None:
        rounds = Poll.objects.filter(conference_id=locked.conference_id,
                                     kind=locked.kind).order_by("id")
        first = rounds.first()
        again = create_poll(actor, locked.conference, locked.kind, unit_ids=list(plan.unit_ids),
                            title=f"{first.title} (vòng {rounds.count() + 1})"[:300])
        again.citation = f"{again.citation}; Bầu lại sau «{locked.title}»: {plan.sentence}"
        again.quota = plan.seats
        again.save(update_fields=["citation", "quota"])
        created = True
    if again.state == State.CREATED:
        again = open_poll(actor, again)
        created = True
    if created:
        audit.record(actor, "voting.poll.vote_again", locked,
                     province_id=_province_id(locked.conference),
                     after={"poll": again.pk, "candidates": list(plan.unit_ids),
                            "seats": plan.seats, "run_off": plan.run_off})
    return again


# --- read side shared with the pages and the API ------------------------------------------

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


def _turnout_key(poll_id) -> str:
    return f"voting:turnout:{poll_id}"


@dataclass(frozen=True)
class Turnout:
    title: str
    state: str
    voted: int
    expected: int


def turnout(poll: Poll) -> Turnout:
    """The projector: how many have voted out of how many may, never what. Cached for a
    couple of seconds (a hall of projectors polling costs one count, not one per ballot)."""
    key = _turnout_key(poll.pk)
    cached = cache.get(key)
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


def allocation_inputs(conference: Conference) -> tuple[list, dict]:
    """The counted award polls as `law.allocation` reads them: ([PollResult],
    {award form: [{unit id: run-off votes}, …]}). The latest counted poll of each form
    counts; its run-offs (RULES.md 32), in the order held, give the votes among the tied."""
    counted = [State.CLOSED, State.PUBLISHED]
    polls = list(conference.polls.filter(kind=Kind.AWARD_PROPOSAL, state__in=counted)
                 .order_by("id"))
    rows = Candidate.objects.filter(poll__in=polls).values_list(
        "id", "unit_id", "score_numerator", "score_denominator")
    units = {cid: unit for cid, unit, _, _ in rows}
    # The score each ballot showed: the count ordered by it, so does the allocation.
    scores = {cid: Fraction(num, den) if num is not None and den else None
              for cid, _, num, den in rows}
    latest, run_offs = {}, {}
    for poll in polls:
        if poll.run_off_of_id is None:
            latest[poll.award_form] = poll
    for poll in polls:
        main = latest.get(poll.award_form)
        if poll.run_off_of_id is not None and main is not None and _descends(poll, main, polls):
            # A chain: a run-off that ties again is followed by the next (RULES.md 32).
            run_offs.setdefault(poll.award_form, []).append(
                {units[c["candidate"]]: c["yes_votes"] for c in poll.result["candidates"]})
    results = [PollResult(form, units[c["candidate"]], c["yes_votes"], c["passed"],
                          scores[c["candidate"]])
               for form, poll in latest.items() for c in poll.result["candidates"]]
    return results, run_offs


def chosen_units(conference: Conference) -> dict:
    """Award form → the unit ids the conference chose, in RULES.md 32's order, as the
    minutes state them: the latest counted main poll of the form (the one
    `allocation_inputs` reads), then the winners of each of its run-offs in the order held.
    Units still tied after the last run-off are not chosen (a run-off is due)."""
    counted = [State.CLOSED, State.PUBLISHED]
    polls = list(conference.polls.filter(kind=Kind.AWARD_PROPOSAL, state__in=counted)
                 .order_by("id"))
    latest = {p.award_form: p for p in polls if p.run_off_of_id is None}
    units = dict(Candidate.objects.filter(poll__in=polls).values_list("id", "unit_id"))
    chosen = {}
    for poll in polls:
        main = latest.get(poll.award_form)
        if main is not None and (poll.pk == main.pk or _descends(poll, main, polls)):
            chosen.setdefault(poll.award_form, []).extend(
                units[c] for c in (poll.result or {}).get("selected", []))
    return chosen


def _descends(poll: Poll, ancestor: Poll, polls) -> bool:
    by_id = {p.id: p for p in polls}
    while poll is not None and poll.run_off_of_id is not None:
        if poll.run_off_of_id == ancestor.id:
            return True
        poll = by_id.get(poll.run_off_of_id)
    return False
