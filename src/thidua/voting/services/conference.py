"""The year-end conference itself: its time, place, chair and agenda (RULES.md 40),
its quorum (RULES.md 28) and its counting committee."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from thidua.core import audit
from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.core.text import clean_text
from thidua.org.models import BlocYear
from thidua.org.rules import Actor
from thidua.voting import rules
from thidua.voting.domain.tally import Quorum, quorum
from thidua.voting.models import Attendance, Conference, CountingCommitteeMember
from thidua.voting.services.common import (
    State,
    _province_id,
    _require_run,
    member_ids,
    rulebook_of,
)


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
            "place": clean_text(place, "Địa điểm", 300),
            "chair": clean_text(chair, "Người chủ trì", 200),
            "secretary": clean_text(secretary, "Thư ký", 200),
            "guests": clean_text(guests, "Khách mời", 5000, required=False,
                                 multiline=True),
            "agenda": clean_text(agenda, "Chương trình", 10000, required=False,
                                 multiline=True)}


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
            conference=conference, name=clean_text(name, "Họ tên thành viên ban kiểm phiếu", 200),
            role=clean_text(role, "Nhiệm vụ", 100, required=False), user=user))
    if not rows:
        raise DomainError("Ban kiểm phiếu cần ít nhất một người.")
    before = list(conference.committee.values_list("name", flat=True))
    conference.committee.all().delete()
    CountingCommitteeMember.objects.bulk_create(rows)
    audit.record(actor, "voting.committee.set", conference, province_id=_province_id(conference),
                 before={"members": before}, after={"members": [r.name for r in rows]})
    return rows
