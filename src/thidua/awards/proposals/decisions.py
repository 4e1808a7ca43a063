"""The province's side: its proposals across blocs, the Government-flag cap and the
chairman's decision (issue 5, item 8)."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from thidua.awards import queries, rules
from thidua.awards.models import (
    Award,
    AwardDecision,
    Proposal,
    ProposalLine,
)
from thidua.awards.services import bloc_eligibility
from thidua.core import audit
from thidua.core.dates import short_date
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.text import tidy
from thidua.law.award_forms import AwardForm, label_for
from thidua.law.eligibility import MET
from thidua.law.quotas import CapCheck, check_province_cap
from thidua.law.rulebook import BLOC_LEADERS
from thidua.law.rulebooks import Library, RulebookNotFound, rulebook_for
from thidua.law.workflow import (
    PROVINCE,
    State,
    check_step,
)
from thidua.org import lineage
from thidua.org import services as org_services
from thidua.org.domain.phases import Phase
from thidua.org.models import BlocYear, EmulationYear
from thidua.org.rules import Actor

GOV = AwardForm.GOVERNMENT_FLAG
COUNTED = (State.SUBMITTED, State.RESUBMITTED, State.ACCEPTED, State.DECIDED)
FLAGS = (AwardForm.GOVERNMENT_FLAG, AwardForm.PROVINCIAL_FLAG)


def standard_count(emulation_year: EmulationYear, *, on_date: datetime.date,
                   library: Library | None = None) -> int:
    """Collectives of the province meeting the provincial-flag standard this year (RULES 23's
    base): every check of the provincial flag met, RULES 22 aside (a unit proposed for the
    Government flag still meets the standard)."""
    count = 0
    for bloc_year in BlocYear.objects.filter(emulation_year=emulation_year).select_related(
            "bloc__province", "emulation_year"):
        result = bloc_eligibility(bloc_year, on_date=on_date,
                                  forms=[AwardForm.PROVINCIAL_FLAG], library=library)
        count += sum(1 for e in result.values()
                     if all(c.status == MET or c.rule == 22 for c in e.checks))
    return count


def province_cap(emulation_year: EmulationYear, *, on_date: datetime.date,
                 adding: Proposal | None = None, library: Library | None = None) -> CapCheck:
    """RULES 23 across the province. Counted: Government-flag lines of the proposals
    accepted or decided, plus `adding` (the one about to be accepted); without `adding`,
    of every proposal sent to the province."""
    book = rulebook_for(emulation_year.province.code, on_date, library)
    states = (State.ACCEPTED, State.DECIDED) if adding is not None else COUNTED
    year_lines = ProposalLine.objects.filter(
        proposal__bloc_year__emulation_year=emulation_year, proposal__state__in=states)
    if adding is not None:
        year_lines = year_lines.exclude(proposal=adding)
    proposed = year_lines.filter(award_form=GOV).count() + (
        adding.lines.filter(award_form=GOV).count() if adding is not None else 0)
    if book.value("quotas.government_flag_province_cap").base == BLOC_LEADERS:
        # Công văn 5007/BNV-TĐKT: the collectives the blocs voted as leading — those their
        # conferences proposed for a flag (Government or provincial), each counted once.
        leaders = set(year_lines.filter(award_form__in=FLAGS).values_list("unit_id", flat=True))
        if adding is not None:
            leaders |= set(adding.lines.filter(award_form__in=FLAGS)
                           .values_list("unit_id", flat=True))
        base = len(leaders)
    else:
        base = standard_count(emulation_year, on_date=on_date, library=library)
    return check_province_cap(proposed, base, book, emulation_year.province.kind_word)


@dataclass(frozen=True)
class ProvinceProposals:
    emulation_year: EmulationYear
    rows: list  # (BlocYear, Proposal | None)
    cap: CapCheck | None
    cap_error: str = ""


def province_proposals(actor: Actor, emulation_year: EmulationYear, *,
                       on_date: datetime.date | None = None) -> ProvinceProposals:
    """Item 7: every bloc's proposal of the year side by side, with the cap's arithmetic."""
    if not rules.can_view_province_proposals(actor, emulation_year.province_id):
        raise NotFound("Không tìm thấy năm thi đua.")
    bloc_years = list(BlocYear.objects.filter(emulation_year=emulation_year).select_related(
        "bloc", "leader_unit").order_by("bloc__sort_key", "bloc_id"))
    lines = ProposalLine.objects.select_related("unit", "decision").order_by(
        "award_form", "position", "id")
    proposals = {p.bloc_year_id: p for p in Proposal.objects.filter(
        bloc_year__in=bloc_years).prefetch_related(Prefetch("lines", queryset=lines))}
    on_date = on_date or timezone.localdate()
    try:
        cap = province_cap(emulation_year, on_date=on_date)
        error = ""
    except RulebookNotFound as exc:
        cap, error = None, "; ".join(exc.messages)
    return ProvinceProposals(emulation_year, [(b, proposals.get(b.id)) for b in bloc_years],
                             cap, error)


def decision_snapshot(decision: AwardDecision, awarded, not_awarded) -> dict:
    return {"number": decision.number, "decision_date": decision.decision_date,
            "signer": decision.signer,
            "awarded": [[line.unit_id, line.award_form] for line in awarded],
            "not_awarded": [[line.unit_id, line.award_form] for line in not_awarded]}


def _decision_errors(emulation_year: EmulationYear, number: str, signer: str,
                     decision_date: datetime.date | None, awarded_ids: set,
                     refused_ids: set) -> list[str]:
    """What the typed decision lacks or contradicts, before any line is read."""
    errors = []
    if not number:
        errors.append("Chưa nhập số quyết định.")
    if not signer:
        errors.append("Chưa nhập người ký quyết định.")
    if decision_date is None:
        errors.append("Chưa nhập ngày quyết định.")
    elif decision_date.year < emulation_year.year:
        errors.append(f"Quyết định ngày {short_date(decision_date)} có trước năm thi đua "
                      f"{emulation_year.year}.")
    if not awarded_ids | refused_ids:
        errors.append("Quyết định phải nêu ít nhất một đơn vị được hoặc không được khen "
                      "thưởng.")
    if awarded_ids & refused_ids:
        errors.append("Một đơn vị không thể vừa được vừa không được khen thưởng.")
    return errors


@transaction.atomic
def record_decision(actor: Actor, emulation_year: EmulationYear, *, number: str,
                    decision_date: datetime.date, signer: str, awarded=(),
                    not_awarded=()) -> AwardDecision:
    """The chairman's decision: lines of accepted proposals awarded (each becomes an
    `Award`) or not (RULES 27). A proposal whose lines are all decided is decided."""
    if not rules.can_record_award(actor, emulation_year.province_id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được ghi quyết định khen thưởng.")
    org_services.require_active(emulation_year.province_id)  # issue 14: history, read-only
    awarded_ids, refused_ids = {int(i) for i in awarded}, {int(i) for i in not_awarded}
    number, signer = tidy(number), tidy(signer)
    errors = _decision_errors(emulation_year, number, signer, decision_date, awarded_ids,
                              refused_ids)
    if errors:
        raise DomainError(*errors)
    lines = list(ProposalLine.objects.select_for_update().select_related(
        "unit", "proposal").filter(id__in=awarded_ids | refused_ids,
                                   proposal__bloc_year__emulation_year=emulation_year)
        .order_by("id"))
    if len(lines) != len(awarded_ids | refused_ids):
        raise DomainError("Có dòng đề nghị không thuộc năm thi đua này.")
    province = emulation_year.province
    for line in lines:
        label = label_for(line.award_form, province)
        if line.proposal.state != State.ACCEPTED:
            errors.append(f"Đề nghị {label} cho {line.unit.name}: hồ sơ chưa được "
                          f"{province.kind_word} tiếp nhận.")
        elif line.outcome != ProposalLine.Outcome.PENDING:
            errors.append(f"Đề nghị {label} cho {line.unit.name} đã có quyết định.")
    errors += _not_chosen_by_council(emulation_year, [ln for ln in lines
                                                      if ln.id in awarded_ids])
    ended = lineage.dissolutions({ln.unit_id for ln in lines if ln.id in awarded_ids},
                                 decision_date)
    errors += [lineage.dissolved_message(ln.unit, ended[ln.unit_id], decision_date)
               for ln in lines if ln.id in awarded_ids and ln.unit_id in ended]
    if errors:
        raise DomainError(*errors)
    try:
        with transaction.atomic():
            decision = AwardDecision.objects.create(
                emulation_year=emulation_year, number=number, decision_date=decision_date,
                signer=signer, recorded_by=getattr(actor, "user", None))
    except IntegrityError as exc:
        raise Conflict(f"Năm {emulation_year.year} đã có quyết định số {number}.") from exc
    won = [line for line in lines if line.id in awarded_ids]
    lost = [line for line in lines if line.id in refused_ids]
    try:
        with transaction.atomic():
            Award.objects.bulk_create(Award(
                unit_id=line.unit_id, emulation_year=emulation_year,
                award_form=line.award_form, decision_number=number,
                decision_date=decision_date, signer=signer,
                recorded_by=getattr(actor, "user", None), decision=decision,
                proposal_line=line) for line in won)
    except IntegrityError as exc:
        raise Conflict("Có đơn vị đã được ghi nhận hình thức khen thưởng này trong năm.") \
            from exc
    ProposalLine.objects.filter(id__in=[line.id for line in won]).update(
        outcome=ProposalLine.Outcome.AWARDED, decision=decision)
    ProposalLine.objects.filter(id__in=[line.id for line in lost]).update(
        outcome=ProposalLine.Outcome.NOT_AWARDED, decision=decision)
    audit.record(actor, "awards.decision.record", decision,
                 province_id=emulation_year.province_id,
                 after=decision_snapshot(decision, won, lost))
    for proposal in {line.proposal_id: line.proposal for line in lines}.values():
        if not proposal.lines.filter(outcome=ProposalLine.Outcome.PENDING).exists():
            before = {"state": proposal.state}
            target = check_step(proposal.state, "decide", frozenset({PROVINCE}))
            Proposal.objects.filter(pk=proposal.pk).update(state=target)
            audit.record(actor, "awards.proposal.decide", proposal,
                         province_id=emulation_year.province_id, before=before,
                         after={"state": target, "decision": number})
            org_services.follow_phase(actor, proposal.bloc_year, Phase.DECIDED,
                                      f"Quyết định khen thưởng số {number} ngày "
                                      f"{short_date(decision_date)}.")
    return decision


def _not_chosen_by_council(emulation_year: EmulationYear, awarded) -> list[str]:
    """RULES 20: once the province's council chose (awards.council), a Government flag goes
    only to a unit it chose."""
    choice = queries.council_choice(emulation_year)
    if choice is None:
        return []
    selection = choice.selection
    return [f"Hội đồng Thi đua – Khen thưởng tỉnh không chọn {line.unit.name} đề nghị Cờ thi "
            f"đua của Chính phủ (biên bản số {selection.minutes_number} ngày "
            f"{short_date(selection.meeting_date)}) — Quy tắc 20."
            for line in awarded if line.award_form == GOV and line.unit_id not in choice.unit_ids]
