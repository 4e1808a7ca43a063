"""Agency lineage (issue 14, LEGAL-REVIEW.md R3): the shell around org.domain.lineage.

The province secretariat records how its units were reorganised — merged into one, split,
renamed — from an effective date, by a paper (number, date). Nothing is deleted: a unit
that stopped existing stays with its memberships and awards as history; from the
effective date it joins no bloc (RULES.md 44) and no award is proposed or decided for it
(RULES.md 44, TT 15/2025/TT-BNV); its achievements follow its successor as RULES.md 45
says; the achievement report lists them (RULES.md 46).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from thidua.core import audit
from thidua.core.dates import short_date
from thidua.core.errors import DomainError, Forbidden, NotFound
from thidua.core.text import nfc
from thidua.org.domain import lineage as domain
from thidua.org.former import require_active
from thidua.org.models import LineageEvent, Membership, Province, Unit
from thidua.org.rules import (
    Actor,
    can_oversee_province,
    can_read_province,
    can_set_up_province,
)

MAX_NUMBER = 50
MAX_NOTE = 500
MAX_REASON = 2000
TT15 = "Thông tư số 15/2025/TT-BNV"
# TT 15/2025/TT-BNV takes effect 05/8/2025 (LEGAL-REVIEW.md §1.1, [S]): the refusal
# cites it for a decision from then on; before, the unit simply no longer exists.
TT15_FROM = datetime.date(2025, 8, 5)


def snapshot(event: LineageEvent) -> dict:
    return {"kind": event.kind, "effective_date": event.effective_date,
            "document_number": event.document_number, "document_date": event.document_date,
            "note": event.note,
            "predecessors": sorted(event.predecessors.values_list("id", flat=True)),
            "successors": sorted(event.successors.values_list("id", flat=True))}


def _as_domain(event: LineageEvent) -> domain.Event:
    return domain.Event(event.id, event.kind, event.effective_date,
                        frozenset(u.id for u in event.predecessors.all()),
                        frozenset(u.id for u in event.successors.all()))


def events_of(province_id: int) -> list[domain.Event]:
    """The province's events as the pure rules read them (two queries)."""
    return [_as_domain(e) for e in LineageEvent.objects.filter(province_id=province_id)
            .prefetch_related("predecessors", "successors")]


def province_events(actor: Actor, province: Province) -> list[LineageEvent]:
    """The page's and the API's list, oldest first: for who reads the province (a former
    province's recorded merges and splits are read by its successor's secretariat,
    org.rules.can_read_province; recording and removing ask `can_set_up_province`)."""
    if not can_read_province(actor, province.id):
        raise NotFound("Không tìm thấy tỉnh.")
    return list(LineageEvent.objects.filter(province=province)
                .prefetch_related("predecessors", "successors")
                .order_by("effective_date", "id"))


def find_event(actor: Actor, province: Province, event_id) -> LineageEvent:
    event = (LineageEvent.objects.filter(pk=event_id, province=province)
             .prefetch_related("predecessors", "successors").first()
             if str(event_id).isdigit() else None)
    if event is None or not can_oversee_province(actor, province.id):
        raise NotFound("Không tìm thấy quyết định sắp xếp đơn vị.")
    return event


# --- the consequences -----------------------------------------------------------------------

def dissolved_message(unit: Unit, event: LineageEvent, on_date: datetime.date) -> str:
    """RULES.md 44: why no award goes to `unit` on `on_date` (Vietnamese, citing TT 15)."""
    heirs = ", ".join(u.name for u in event.successors.all())
    law = (f" (không khen thưởng đối với cơ quan, tổ chức, đơn vị đã giải thể sau sắp "
           f"xếp — {TT15})" if on_date >= TT15_FROM else "")
    return (f"{unit.name} đã chấm dứt hoạt động từ ngày {short_date(event.effective_date)} "
            f"({event.get_kind_display().lower()} theo văn bản số {event.document_number} "
            f"ngày {short_date(event.document_date)}; đơn vị kế thừa: {heirs}): không đề "
            f"nghị, không quyết định khen thưởng cho đơn vị này{law}.")


def dissolutions(unit_ids, on_date: datetime.date) -> dict:
    """unit id → the LineageEvent that ended it on or before `on_date` (only those)."""
    events = (LineageEvent.objects.filter(predecessors__id__in=list(unit_ids),
                                          effective_date__lte=on_date)
              .prefetch_related("predecessors", "successors").order_by("effective_date", "id"))
    ended = {}
    for event in events:
        for unit in event.predecessors.all():
            if unit.id in set(unit_ids):
                ended.setdefault(unit.id, event)
    return ended


def refuse_dissolved(units, on_date: datetime.date):
    """RULES.md 44: DomainError naming every unit in `units` that no longer exists on
    `on_date` (a proposal's conference date, a decision's date)."""
    units = list(units)
    ended = dissolutions([u.id for u in units], on_date)
    errors = [dissolved_message(u, ended[u.id], on_date) for u in units if u.id in ended]
    if errors:
        raise DomainError(*errors)


def membership_errors(unit_ids, year: int, names: dict) -> list[str]:
    """RULES.md 44: a unit that stopped existing by 1 January of `year` joins no bloc
    that year (its earlier memberships stay as history)."""
    ended = dissolutions(unit_ids, datetime.date(year, 1, 1))
    return [f"{names.get(unit_id, unit_id)} đã chấm dứt hoạt động từ ngày "
            f"{short_date(event.effective_date)} (văn bản số {event.document_number}): không "
            f"xếp vào khối năm {year}." for unit_id, event in sorted(ended.items())]


def roots_for(unit: Unit, year: int, present=()) -> domain.Roots:
    """RULES.md 45: the units whose achievements of `year` stand for `unit`. `present`:
    units known to exist that year besides those with a membership (e.g. an award)."""
    events = events_of(unit.province_id)
    if not any(unit.id in e.successors for e in events):
        return domain.Roots(unit.id, year, frozenset({unit.id}), True)
    members = set(Membership.objects.filter(emulation_year__year=year,
                                            unit__province_id=unit.province_id)
                  .values_list("unit_id", flat=True))
    return domain.roots(unit.id, year, events, frozenset(members | set(present)))


def ancestors_of(unit: Unit) -> dict:
    """RULES.md 46: every unit `unit` stems from → the first year no longer theirs."""
    return domain.ancestors(unit.id, events_of(unit.province_id))


def names_of(unit_ids) -> dict:
    return dict(Unit.objects.filter(id__in=list(unit_ids)).values_list("id", "name"))


# --- recording ---------------------------------------------------------------------------

def _units(province: Province, ids, what: str) -> list[Unit]:
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError) as exc:
        raise DomainError(f"Danh sách {what} không hợp lệ.") from exc
    units = list(Unit.objects.filter(id__in=wanted, province=province))
    if len(units) != len(wanted):
        raise DomainError(f"Có {what} không tồn tại hoặc không thuộc tỉnh này.")
    return units


def _paper_errors(number: str, document_date, effective_date, today) -> list[str]:
    errors = []
    if not number:
        errors.append("Chưa nhập số văn bản quyết định việc sắp xếp.")
    elif len(number) > MAX_NUMBER:
        errors.append(f"Số văn bản dài quá {MAX_NUMBER} ký tự.")
    if not isinstance(document_date, datetime.date):
        errors.append("Chưa nhập ngày văn bản.")
    elif document_date > today:
        errors.append(f"Ngày văn bản {short_date(document_date)} chưa đến (hôm nay "
                      f"{short_date(today)}).")
    if not isinstance(effective_date, datetime.date):
        errors.append("Chưa nhập ngày có hiệu lực.")
    elif isinstance(document_date, datetime.date) and effective_date < document_date:
        errors.append(f"Ngày có hiệu lực {short_date(effective_date)} có trước ngày văn bản "
                      f"{short_date(document_date)}.")
    return errors


def _state_errors(events, before, after, effective_date, names) -> list[str]:
    """A unit ended already cannot end again nor receive others; a unit cannot end while
    a later year's bloc still counts it (take it out of that bloc first)."""
    errors = []
    for unit_id in sorted(before | after):
        ended = domain.dissolution(unit_id, events, effective_date)
        if ended is not None:
            errors.append(f"{names[unit_id]} đã chấm dứt hoạt động từ ngày "
                          f"{short_date(ended.effective_date)}.")
    later = (Membership.objects.filter(unit_id__in=before,
                                       emulation_year__year__gt=effective_date.year)
             .select_related("unit", "bloc_year__bloc", "emulation_year")
             .order_by("emulation_year__year", "unit__sort_key"))
    errors += [f"{m.unit.name} còn là thành viên {m.bloc_year.bloc.display_name} năm "
               f"{m.emulation_year.year} (sau ngày có hiệu lực): đưa ra khỏi khối năm đó "
               "trước khi ghi sắp xếp." for m in later]
    return errors


@transaction.atomic
def record_event(actor: Actor, province: Province, *, kind: str, predecessors, successors,
                 effective_date, document_number, document_date, note="",
                 today: datetime.date | None = None) -> LineageEvent:
    """Record a merge, split or rename (RULES.md 44), checked whole before writing."""
    if not can_set_up_province(actor, province.id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được ghi việc sắp xếp đơn vị.")
    require_active(province.id)  # a former province is history (issue 14)
    today = today or timezone.localdate()
    before = _units(province, predecessors, "đơn vị trước sắp xếp")
    after = _units(province, successors, "đơn vị sau sắp xếp")
    number = nfc(document_number if isinstance(document_number, str) else "").strip()
    note = nfc(note if isinstance(note, str) else "").strip()
    errors = domain.check_shape(kind, {u.id for u in before}, {u.id for u in after})
    errors += _paper_errors(number, document_date, effective_date, today)
    if len(note) > MAX_NOTE:
        errors.append(f"Trích yếu dài quá {MAX_NOTE} ký tự.")
    if errors:
        raise DomainError(*errors)
    list(Province.objects.select_for_update().filter(pk=province.pk))
    names = {u.id: u.name for u in before + after}
    errors = _state_errors(events_of(province.id), {u.id for u in before},
                           {u.id for u in after}, effective_date, names)
    if errors:
        raise DomainError(*errors)
    event = LineageEvent.objects.create(
        province=province, kind=kind, effective_date=effective_date,
        document_number=number, document_date=document_date, note=note,
        recorded_by=getattr(actor, "user", None))
    event.predecessors.set(before)
    event.successors.set(after)
    audit.record(actor, "org.lineage.record", event, province_id=province.id,
                 after=snapshot(event))
    return event


@transaction.atomic
def remove_event(actor: Actor, event: LineageEvent, reason) -> None:
    """Take back an event entered by mistake (audited with the reason); the units and
    their records are untouched."""
    if not can_set_up_province(actor, event.province_id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được xoá việc sắp xếp đơn vị.")
    require_active(event.province_id)
    reason = nfc(reason if isinstance(reason, str) else "").strip()
    if not reason:
        raise DomainError("Cần ghi lý do xoá (ví dụ: nhập nhầm đơn vị).")
    if len(reason) > MAX_REASON:
        raise DomainError(f"Lý do dài quá {MAX_REASON} ký tự.")
    audit.record(actor, "org.lineage.remove", event, province_id=event.province_id,
                 before=snapshot(event), reason=reason)
    event.delete()
