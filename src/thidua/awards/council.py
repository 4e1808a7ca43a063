"""The province's council (Hội đồng Thi đua – Khen thưởng tỉnh) chooses the
Government-flag candidates (RULES.md 20, 23; issue 14).

"Leading the bloc" is what the bloc voted, not a rank: the candidates are the collectives
the blocs' conferences proposed for a flag (Government or provincial) in the proposals
the province accepted (Công văn 5007/BNV-TĐKT: the Council chooses among the collectives
"được bình xét dẫn đầu các cụm, khối", and its minutes name each one's bloc). The
council's choice, with its minutes' number and date, stays within the province-wide cap
(RULES.md 23) and is audited; the chairman's decision then awards a Government flag only
to a unit the council chose.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from thidua.awards import queries, rules
from thidua.awards.models import CouncilSelection, ProposalLine
from thidua.awards.proposals import FLAGS, province_cap
from thidua.core import audit
from thidua.core.dates import short_date
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.text import nfc
from thidua.law.workflow import State
from thidua.org import services as org_services
from thidua.org.models import EmulationYear
from thidua.org.rules import Actor

MAX_NUMBER = 50


def candidates(emulation_year: EmulationYear) -> list[ProposalLine]:
    """The collectives the blocs voted as leading: flag lines of accepted (or decided)
    proposals, bloc by bloc."""
    return list(ProposalLine.objects.filter(
        proposal__bloc_year__emulation_year=emulation_year, award_form__in=FLAGS,
        proposal__state__in=(State.ACCEPTED, State.DECIDED))
        .select_related("unit", "proposal__bloc_year__bloc")
        .order_by("proposal__bloc_year__bloc__sort_key", "award_form", "position", "id"))


@dataclass(frozen=True)
class CouncilView:
    candidates: list  # ProposalLine
    selection: CouncilSelection | None
    chosen: tuple  # ProposalLine: the council's choice (queries.council_choice)
    chosen_ids: frozenset
    cap: object  # CapCheck | None
    cap_error: str


def council_view(actor: Actor, emulation_year: EmulationYear) -> CouncilView:
    if not rules.can_view_province_proposals(actor, emulation_year.province_id):
        raise NotFound("Không tìm thấy năm thi đua.")
    choice = queries.council_choice(emulation_year)
    try:
        cap, error = province_cap(emulation_year, on_date=timezone.localdate()), ""
    except DomainError as exc:
        cap, error = None, "; ".join(exc.messages)
    if choice is None:
        return CouncilView(candidates(emulation_year), None, (), frozenset(), cap, error)
    return CouncilView(candidates(emulation_year), choice.selection, choice.lines,
                       choice.line_ids, cap, error)


def snapshot(selection: CouncilSelection) -> dict:
    return {"minutes_number": selection.minutes_number, "meeting_date": selection.meeting_date,
            "chosen": [[line.unit_id, line.proposal.bloc_year.bloc.code, line.award_form]
                       for line in selection.chosen.select_related(
                           "proposal__bloc_year__bloc").order_by("id")]}


@transaction.atomic
def choose(actor: Actor, emulation_year: EmulationYear, *, minutes_number: str,
           meeting_date: datetime.date, chosen, today: datetime.date | None = None
           ) -> CouncilSelection:
    """Record (or record again, after another meeting) the council's choice."""
    if not rules.can_record_award(actor, emulation_year.province_id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh (cơ quan thường trực của Hội đồng) được "
                        "ghi kết quả họp Hội đồng.")
    org_services.require_active(emulation_year.province_id)  # issue 14: history, read-only
    today = today or timezone.localdate()
    number = nfc(minutes_number if isinstance(minutes_number, str) else "").strip()
    errors = []
    if not number:
        errors.append("Chưa nhập số biên bản họp Hội đồng.")
    elif len(number) > MAX_NUMBER:
        errors.append(f"Số biên bản dài quá {MAX_NUMBER} ký tự.")
    if not isinstance(meeting_date, datetime.date):
        errors.append("Chưa nhập ngày họp Hội đồng.")
    elif meeting_date > today:
        errors.append(f"Ngày họp {short_date(meeting_date)} chưa đến.")
    elif meeting_date.year < emulation_year.year:
        errors.append(f"Ngày họp {short_date(meeting_date)} có trước năm thi đua "
                      f"{emulation_year.year}.")
    chosen_ids = {int(i) for i in chosen}
    if not chosen_ids:
        errors.append("Hội đồng chưa chọn tập thể nào.")
    if errors:
        raise DomainError(*errors)
    pool = {line.id: line for line in candidates(emulation_year)}
    outside = chosen_ids - pool.keys()
    if outside:
        raise DomainError("Hội đồng chỉ chọn trong các tập thể được khối bình xét dẫn đầu (đề "
                          "nghị Cờ thi đua trong hồ sơ đã tiếp nhận) — Quy tắc 20.")
    lines = [pool[i] for i in sorted(chosen_ids)]
    units = [line.unit_id for line in lines]
    if len(set(units)) != len(units):
        raise DomainError("Mỗi tập thể chỉ được chọn một lần.")
    cap = province_cap(emulation_year, on_date=meeting_date).cap
    if len(lines) > cap.count:
        raise Conflict(f"Hội đồng chọn {len(lines)} tập thể, vượt giới hạn: {cap.explanation} "
                       f"(Quy tắc 23) — {cap.citation}.")
    selection = (CouncilSelection.objects.select_for_update()
                 .filter(emulation_year=emulation_year).first())
    before = snapshot(selection) if selection else None
    if selection is None:
        selection = CouncilSelection(emulation_year=emulation_year)
    selection.minutes_number, selection.meeting_date = number, meeting_date
    selection.recorded_by = getattr(actor, "user", None)
    selection.save()
    selection.chosen.set(lines)
    audit.record(actor, "awards.council.choose", selection,
                 province_id=emulation_year.province_id, before=before,
                 after={**snapshot(selection), "candidates": len(pool), "cap": cap.count})
    return selection
