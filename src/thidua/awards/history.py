"""History as data: a province's past years recorded without replaying them (issue 14).

A province that starts with thidua in some year still needs what came before: the awards
decided for earlier years (they bring bonus points the year after, RULES.md 11, and fill
the achievement report's list) and the bloc leaders of earlier years (rotation, RULES.md
4). Each row carries the number and date of the paper that proves it (the chairman's
decision, the conference minutes or the province's decision naming the leader).

A past year is judged by its own calendar, never by the day it is typed: no
registration deadline (RULES.md 7), no phase, no conference, no rulebook of today. What
is refused: a paper dated after today or before the year it speaks of, and a year the bloc
ran in thidua (its awards come from the province's decision on the proposal, its leader
from the bloc year).
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from thidua.awards import rules, services
from thidua.awards.models import Award, Proposal
from thidua.core import audit
from thidua.core.dates import short_date
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.text import nfc
from thidua.law.award_forms import AwardForm
from thidua.org import services as org_services
from thidua.org.models import Bloc, BlocYear, EmulationYear, Membership, PastLeader, Province, Unit
from thidua.org.rules import Actor, can_read_province

MAX_NUMBER = 50
MAX_SIGNER = 200
MAX_REASON = 2000
FIRST_YEAR = 2000


def _require(actor: Actor, province: Province):
    """Who records or removes history, and never in a former province (its history is
    kept as it was when it merged, exchange.merger) — the administrator included."""
    if not rules.can_record_award(actor, province.id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được ghi khen thưởng và Trưởng khối các "
                        "năm trước.")
    org_services.require_active(province.id)


def _year(year, today: datetime.date) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= today.year:
        raise DomainError(f"Năm thi đua phải là một năm đã qua, từ {FIRST_YEAR} đến "
                          f"{today.year}.")
    return year


def _paper(number, date, *, year: int, earliest: datetime.date, what: str,
           today: datetime.date) -> str:
    number = nfc(number if isinstance(number, str) else "").strip()
    errors = []
    if not number:
        errors.append(f"Chưa nhập số {what}.")
    elif len(number) > MAX_NUMBER:
        errors.append(f"Số {what} dài quá {MAX_NUMBER} ký tự.")
    if not isinstance(date, datetime.date):
        errors.append(f"Chưa nhập ngày {what}.")
    elif date > today:
        errors.append(f"Ngày {what} {short_date(date)} chưa đến (hôm nay {short_date(today)}).")
    elif date < earliest:
        errors.append(f"{what.capitalize()} ngày {short_date(date)} có trước năm thi đua {year}"
                      f" (sớm nhất {short_date(earliest)}).")
    if errors:
        raise DomainError(*errors)
    return number


def _past_year(actor: Actor, province: Province, year: int) -> EmulationYear:
    """The province's emulation year `year`, opened if missing with that year's own
    registration deadline (nothing is judged by it: no registration is asked)."""
    return org_services.ensure_year(actor, province, year)


@transaction.atomic
def record_past_award(actor: Actor, province: Province, *, unit: Unit, year: int,
                      award_form: str, decision_number: str, decision_date: datetime.date,
                      signer: str = "", today: datetime.date | None = None) -> Award:
    """A decided award of a past year, from the chairman's decision (number, date): it
    counts for the next year's bonus (RULES.md 11) and the achievement report's list."""
    _require(actor, province)
    today = today or timezone.localdate()
    if unit.province_id != province.id:
        raise NotFound("Không tìm thấy đơn vị.")
    year = _year(year, today)
    if award_form not in AwardForm.values:
        raise DomainError(f"Hình thức khen thưởng không hợp lệ: {award_form}.")
    number = _paper(decision_number, decision_date, year=year, what="quyết định",
                    earliest=datetime.date(year, 1, 1), today=today)
    signer = nfc(signer if isinstance(signer, str) else "").strip()
    if len(signer) > MAX_SIGNER:
        raise DomainError(f"Người ký dài quá {MAX_SIGNER} ký tự.")
    run = (Proposal.objects.filter(bloc_year__emulation_year__province=province,
                                   bloc_year__emulation_year__year=year,
                                   bloc_year__memberships__unit=unit)
           .select_related("bloc_year__bloc").first())
    if run is not None:
        raise Conflict(f"{run.bloc_year.bloc.display_name} năm {year} đã lập hồ sơ đề nghị "
                       "khen thưởng trong thidua: khen thưởng năm này ghi theo quyết định ở "
                       "trang khen thưởng của tỉnh, không nhập như năm trước.")
    emulation_year = _past_year(actor, province, year)
    return services.record_award(actor, unit, emulation_year, award_form,
                                 decision_number=number, decision_date=decision_date,
                                 signer=signer, history=True)


@transaction.atomic
def record_past_leader(actor: Actor, province: Province, *, bloc: Bloc, year: int,
                       unit: Unit, document_number: str, document_date: datetime.date,
                       today: datetime.date | None = None) -> PastLeader:
    """The leader unit of a bloc in a past year, from the paper that named it (minutes of
    the election at the year before's conference, or the province's decision): rotation
    reads it (RULES.md 4)."""
    _require(actor, province)
    today = today or timezone.localdate()
    if bloc.province_id != province.id:
        raise NotFound("Không tìm thấy khối thi đua.")
    if unit.province_id != province.id:
        raise NotFound("Không tìm thấy đơn vị.")
    year = _year(year, today)
    # Elected at the conference that closed the year before (RULES.md 3).
    number = _paper(document_number, document_date, year=year, what="văn bản",
                    earliest=datetime.date(year - 1, 1, 1), today=today)
    ran = BlocYear.objects.filter(bloc=bloc, emulation_year__year=year).select_related(
        "leader_unit").first()
    if ran is not None:
        raise Conflict(f"{bloc.display_name} năm {year} đã có danh sách trong thidua (Trưởng "
                       f"khối: {ran.leader_unit.name}); không nhập như năm trước.")
    other = (Membership.objects.filter(unit=unit, emulation_year__year=year,
                                       emulation_year__province=province)
             .exclude(bloc_year__bloc=bloc).select_related("bloc_year__bloc").first())
    if other is not None:
        raise DomainError(f"Năm {year} {unit.name} thuộc {other.bloc_year.bloc.display_name}, "
                          f"không thể làm Trưởng {bloc.display_name} (Quy tắc 1).")
    emulation_year = _past_year(actor, province, year)
    try:
        with transaction.atomic():
            leader = PastLeader.objects.create(
                bloc=bloc, emulation_year=emulation_year, leader_unit=unit,
                document_number=number, document_date=document_date,
                recorded_by=getattr(actor, "user", None))
    except IntegrityError as exc:
        raise Conflict(f"Đã ghi Trưởng {bloc.display_name} năm {year}; xoá dòng cũ trước khi "
                       "ghi lại.") from exc
    audit.record(actor, "org.past_leader.record", leader, province_id=province.id,
                 after=leader_snapshot(leader))
    return leader


def leader_snapshot(leader: PastLeader) -> dict:
    return {"bloc": leader.bloc_id, "year": leader.emulation_year.year,
            "leader_unit": leader.leader_unit_id, "document_number": leader.document_number,
            "document_date": leader.document_date}


def _reason(reason) -> str:
    reason = nfc(reason if isinstance(reason, str) else "").strip()
    if not reason:
        raise DomainError("Cần ghi lý do xoá (ví dụ: nhập nhầm đơn vị).")
    if len(reason) > MAX_REASON:
        raise DomainError(f"Lý do dài quá {MAX_REASON} ký tự.")
    return reason


def find_past_award(actor: Actor, province: Province, award_id: int) -> Award:
    award = (Award.objects.select_related("unit", "emulation_year")
             .filter(pk=award_id, unit__province=province, decision__isnull=True,
                     proposal_line__isnull=True).first())
    if award is None or not rules.can_oversee_province(actor, province.id):
        raise NotFound("Không tìm thấy khen thưởng nhập như năm trước.")
    return award


def find_past_leader(actor: Actor, province: Province, leader_id: int) -> PastLeader:
    leader = (PastLeader.objects.select_related("bloc", "emulation_year", "leader_unit")
              .filter(pk=leader_id, bloc__province=province).first())
    if leader is None or not rules.can_oversee_province(actor, province.id):
        raise NotFound("Không tìm thấy Trưởng khối năm trước.")
    return leader


@transaction.atomic
def remove_past_award(actor: Actor, award: Award, reason: str):
    """Take back an award entered by mistake as history (never one the province decided
    on a proposal in thidua: find_past_award does not find those)."""
    province = award.unit.province
    _require(actor, province)
    reason = _reason(reason)
    before = {"unit": award.unit_id, "year": award.emulation_year.year,
              "award_form": award.award_form, "decision_number": award.decision_number,
              "decision_date": award.decision_date, "signer": award.signer}
    audit.record(actor, "awards.award.remove", award, province_id=province.id, before=before,
                 reason=reason)
    award.delete()


@transaction.atomic
def remove_past_leader(actor: Actor, leader: PastLeader, reason: str):
    province = leader.bloc.province
    _require(actor, province)
    reason = _reason(reason)
    audit.record(actor, "org.past_leader.remove", leader, province_id=province.id,
                 before=leader_snapshot(leader), reason=reason)
    leader.delete()


# --- reading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProvinceHistory:
    awards: list  # Award recorded as history, newest year first
    leaders: list  # PastLeader, newest year first


def province_history(actor: Actor, province: Province) -> ProvinceHistory:
    """What the province recorded of its past years: for who reads the province (a former
    province's successor included, org.rules.can_read_province)."""
    if not can_read_province(actor, province.id):
        raise NotFound("Không tìm thấy tỉnh.")
    awards = list(Award.objects.filter(unit__province=province, decision__isnull=True,
                                       proposal_line__isnull=True)
                  .select_related("unit", "emulation_year")
                  .order_by("-emulation_year__year", "unit__sort_key", "award_form", "id"))
    leaders = list(PastLeader.objects.filter(bloc__province=province)
                   .select_related("bloc", "emulation_year", "leader_unit")
                   .order_by("-emulation_year__year", "bloc__sort_key", "id"))
    return ProvinceHistory(awards, leaders)
