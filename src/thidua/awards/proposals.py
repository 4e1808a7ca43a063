"""Awards after the conference: the bloc's proposal dossier, the province's view and its
decisions, the years that follow (issue 5, items 6–9).

The imperative shell around law (allocation, quotas, workflow, whatif): load,
check the actor through awards.rules, write in one transaction, one audit event per state
change. Views, the API and the demo call these.

Poll results come in as data — `PollResult(award_form, unit_id, votes, passed)`, one per
candidate per form, `passed` as the voting core judged it against the rulebook's
threshold (RULES.md 31). `conference_results` reads them from the voting app's published
polls (and their run-offs); `assemble_proposal` takes them from there unless given.
"""

import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from thidua.awards import rules
from thidua.awards.models import Award, AwardDecision, LeaderDecision, Proposal, ProposalLine
from thidua.awards.services import bloc_eligibility
from thidua.core import audit
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.text import nfc
from thidua.law import whatif
from thidua.law.allocation import (
    PROPOSED,
    Allocation,
    PollResult,
    RankedUnit,
    allocate,
)
from thidua.law.award_forms import AwardForm
from thidua.law.eligibility import MET
from thidua.law.quotas import CapCheck, bloc_quotas, check_province_cap
from thidua.law.rulebook import BLOC_LEADERS
from thidua.law.rulebooks import Library, RulebookNotFound, rulebook_for
from thidua.law.workflow import (
    EDITABLE,
    PROVINCE,
    State,
    StepError,
    StepForbidden,
    check_step,
)
from thidua.org import services as org_services
from thidua.org.domain.phases import Phase, conference_phase_problem
from thidua.org.models import BlocYear, EmulationYear, Unit
from thidua.org.queries import leaders_by_year
from thidua.org.rules import Actor
from thidua.scoring import services as scoring_services
from thidua.scoring.models import PublishedRanking, RankingRow

VoteResult = PollResult  # the plain input type the voting app fills (see module doc)


# --- reading the bloc's situation -----------------------------------------------------------

def bloc_ranking(bloc_year: BlocYear) -> list[RankedUnit]:
    """The latest published ranking of the bloc year (empty before any); two queries."""
    ranking = (PublishedRanking.objects.filter(table__bloc_year=bloc_year)
               .order_by("-published_at", "-id").first())
    if ranking is None:
        return []
    return [RankedUnit(r.unit_id, r.rank, Fraction(r.final_numerator, r.final_denominator))
            for r in RankingRow.objects.filter(ranking=ranking).order_by("rank", "unit_id")]


@dataclass(frozen=True)
class ConferenceResults:
    """What the conference decided by secret ballot, as the allocation reads it."""

    polls: list  # PollResult, one per candidate per award form
    run_offs: dict  # award form → [{unit_id: votes}, …] of its published run-offs, in order
    held_on: datetime.date


def conference_results(bloc_year: BlocYear) -> ConferenceResults | None:
    """The bloc conference's published award polls from the voting app (votes per
    candidate and whether it met the threshold, as the voting core counted them), with
    the votes of their run-offs. None while any award poll of the conference — a run-off
    included — is not yet published, or there is none."""
    from thidua.voting import services as voting  # noqa: PLC0415
    from thidua.voting.models import Conference, Poll  # noqa: PLC0415

    conference = Conference.objects.filter(bloc_year=bloc_year).first()
    if conference is None:
        return None
    states = list(Poll.objects.filter(conference=conference, kind=Poll.Kind.AWARD_PROPOSAL)
                  .values_list("state", flat=True))
    if not states or any(state != Poll.State.PUBLISHED for state in states):
        return None
    # The voting app's own reading: the latest poll of each form, its run-off's votes.
    results, run_offs = voting.allocation_inputs(conference)
    return ConferenceResults(results, run_offs, timezone.localdate(conference.held_at))


def published_poll_results(bloc_year: BlocYear) -> list[PollResult] | None:
    results = conference_results(bloc_year)
    return results.polls if results else None


@dataclass(frozen=True)
class BlocSituation:
    """What the leader reads before and after the conference, all from one load."""

    bloc_year: BlocYear
    rulebook: object
    units: list  # Unit, in the bloc's order
    ranking: list  # RankedUnit
    eligibility: dict  # (unit_id, form) → Eligibility
    quotas: dict  # form → Quota

    @property
    def ranks(self) -> dict:
        return {r.unit_id: r.rank for r in self.ranking}


def bloc_situation(actor: Actor, bloc_year: BlocYear, *, on_date: datetime.date,
                   library: Library | None = None) -> BlocSituation:
    if not rules.can_view_proposal(actor, bloc_year):
        raise NotFound("Không tìm thấy khối thi đua.")
    if not rules.can_preview(actor, bloc_year):
        raise Forbidden("Chỉ Trưởng khối hoặc Thường trực thi đua tỉnh được xem bảng xét "
                        "điều kiện khen thưởng.")
    return _situation(bloc_year, on_date, library)


def _situation(bloc_year, on_date, library=None) -> BlocSituation:
    province = bloc_year.bloc.province
    book = rulebook_for(province.code, on_date, library)
    units = list(Unit.objects.filter(memberships__bloc_year=bloc_year).order_by(
        "sort_key", "id"))
    ranking = bloc_ranking(bloc_year)
    ranks = {r.unit_id: r.rank for r in ranking}
    eligibility = bloc_eligibility(bloc_year, on_date=on_date, ranks=ranks, library=library)
    quotas = bloc_quotas(len(units), book)
    return BlocSituation(bloc_year, book, units, ranking, eligibility, quotas)


def what_if(actor: Actor, bloc_year: BlocYear, *, on_date: datetime.date,
            library: Library | None = None) -> tuple[BlocSituation, dict]:
    """Item 9: each unit safe / borderline / out per form, and what would change it."""
    situation = bloc_situation(actor, bloc_year, on_date=on_date, library=library)
    outlooks = whatif.preview(rulebook=situation.rulebook, eligibility=situation.eligibility,
                              ranking=situation.ranking, quotas=situation.quotas,
                              unit_ids=[u.id for u in situation.units])
    return situation, outlooks


# --- the proposal dossier ---------------------------------------------------------------------

def proposal_snapshot(proposal: Proposal) -> dict:
    return {"state": proposal.state, "return_reason": proposal.return_reason,
            "lines": [[line.unit_id, line.award_form, line.outcome]
                      for line in proposal.lines.order_by("award_form", "position", "id")]}


def find_proposal(actor: Actor, proposal_id: int) -> Proposal:
    proposal = (Proposal.objects.select_related("bloc_year__bloc__province",
                                                "bloc_year__emulation_year")
                .filter(pk=proposal_id).first())
    if proposal is None or not rules.can_view_proposal(actor, proposal.bloc_year):
        raise NotFound("Không tìm thấy hồ sơ đề nghị khen thưởng.")
    return proposal


def allocate_bloc(bloc_year: BlocYear, polls, *, on_date: datetime.date, run_offs=None,
                  library: Library | None = None) -> tuple[BlocSituation, Allocation]:
    situation = _situation(bloc_year, on_date, library)
    members = {u.id for u in situation.units}
    strangers = sorted({p.unit_id for p in polls} - members)
    if strangers:
        raise DomainError("Kết quả bỏ phiếu có đơn vị không thuộc khối: "
                          + ", ".join(map(str, strangers)) + ".")
    try:
        allocation = allocate(rulebook=situation.rulebook, eligibility=situation.eligibility,
                              ranking=situation.ranking, polls=list(polls),
                              quotas=situation.quotas, run_offs=run_offs)
    except ValueError as exc:
        raise DomainError(str(exc)) from exc
    return situation, allocation


@transaction.atomic
def assemble_proposal(actor: Actor, bloc_year: BlocYear, polls=None, *,
                      conference_date: datetime.date | None = None, run_offs=None,
                      library: Library | None = None) -> Proposal:
    """Draft (or, while the dossier is with the bloc, redraft) the bloc's proposal from
    the allocation. `polls`: [PollResult]; None reads the voting app's published ones
    (and their run-offs, and the conference's date when `conference_date` is None).
    Ties the allocation cannot decide are refused with the run-off they need (RULES 32)."""
    bloc_year = (BlocYear.objects.select_for_update().select_related(
        "bloc__province", "emulation_year").get(pk=bloc_year.pk))
    if not rules.can_view_proposal(actor, bloc_year):
        raise NotFound("Không tìm thấy khối thi đua.")
    if rules.BLOC not in rules.proposal_sides(actor, bloc_year):
        raise Forbidden("Chỉ Trưởng khối được lập hồ sơ đề nghị khen thưởng của khối.")
    problem = conference_phase_problem(bloc_year.phase, "Lập đề nghị khen thưởng")
    if problem:
        raise Conflict(problem)
    if polls is None:
        published = conference_results(bloc_year)
        if published is None:
            raise DomainError("Chưa có kết quả bỏ phiếu bình xét được công bố của hội nghị "
                              "(mọi cuộc bỏ phiếu đề nghị khen thưởng, kể cả bỏ phiếu lại).")
        polls = published.polls
        run_offs = published.run_offs if run_offs is None else run_offs
        conference_date = conference_date or published.held_on
    conference_date = conference_date or timezone.localdate()
    proposal = Proposal.objects.filter(bloc_year=bloc_year).first()
    if proposal is not None and proposal.state not in EDITABLE:
        raise Conflict(f"Hồ sơ đang ở trạng thái «{State(proposal.state).label}»: không "
                       "lập lại được.")
    situation, allocation = allocate_bloc(bloc_year, polls, on_date=conference_date,
                                          run_offs=run_offs, library=library)
    if allocation.ties:
        raise DomainError(*[f"{tie.explanation} (Quy tắc 32)" for tie in allocation.ties])
    if allocation.pending_forms:
        raise DomainError(*[str(d) for d in allocation.decisions if d.outcome == "pending"])
    before = proposal_snapshot(proposal) if proposal else None
    names = {u.id: u.name for u in situation.units}
    explanation = [{"unit": d.unit_id, "unit_name": names.get(d.unit_id, ""),
                    "award_form": d.award_form, "outcome": d.outcome, "rule": d.rule,
                    "text": str(d)} for d in allocation.decisions]
    if proposal is None:
        proposal = Proposal(bloc_year=bloc_year, created_by=getattr(actor, "user", None))
    proposal.conference_date = conference_date
    proposal.rulebook = situation.rulebook.describe()
    proposal.explanation = explanation
    proposal.save()
    proposal.lines.all().delete()
    votes = {(p.award_form, p.unit_id): p.votes for p in polls}
    ProposalLine.objects.bulk_create(
        ProposalLine(proposal=proposal, unit_id=unit_id, award_form=form, position=position,
                     votes=votes.get((form, unit_id)),
                     explanation=str(allocation.decision(unit_id, form)))
        for form, unit_ids in allocation.proposals.items()
        for position, unit_id in enumerate(unit_ids, 1)
        if allocation.decision(unit_id, form).outcome == PROPOSED)
    audit.record(actor, "awards.proposal.assemble", proposal,
                 province_id=bloc_year.bloc.province_id, before=before,
                 after=proposal_snapshot(proposal))
    return proposal


def differences(proposal: Proposal) -> list[str]:
    """Issue 15 item 1: where the proposal differs from the minutes — a unit the
    conference chose that is not proposed, a unit proposed that the conference did not
    choose, or another order — each with the reason the allocation recorded (RULES.md 7,
    17–22 after the vote, 32). Empty when they agree, or when no conference was held
    through the product (nothing to compare with). Every paper that states the proposal
    prints these sentences."""
    from thidua.voting import services as voting  # noqa: PLC0415
    from thidua.voting.models import Conference  # noqa: PLC0415

    conference = Conference.objects.filter(bloc_year_id=proposal.bloc_year_id).first()
    if conference is None:
        return []
    chosen = voting.chosen_units(conference)
    if not chosen:
        return []
    proposed = {}
    for unit_id, form in proposal.lines.order_by("position", "id").values_list(
            "unit_id", "award_form"):
        proposed.setdefault(form, []).append(unit_id)
    why = {(d["unit"], d["award_form"]): d for d in proposal.explanation or []}
    names = dict(Unit.objects.filter(
        id__in={u for ids in [*chosen.values(), *proposed.values()] for u in ids})
        .values_list("id", "name"))
    sentences = []
    for form in [f for f in AwardForm.values if f in chosen or f in proposed]:
        minutes, lines = chosen.get(form, []), proposed.get(form, [])
        if minutes == lines:
            continue
        label = AwardForm(form).label
        for unit in minutes:
            if unit not in lines:
                reason = why.get((unit, form), {}).get("text", "")
                sentences.append(f"{names[unit]}: hội nghị bình xét chọn đề nghị {label} "
                                 f"nhưng khối không đề nghị — {reason}.")
        for unit in lines:
            if unit not in minutes:
                reason = why.get((unit, form), {}).get("text", "")
                sentences.append(f"{names[unit]}: được đề nghị {label} dù không có tên "
                                 f"trong kết quả bình xét {label} của hội nghị, vì đơn vị "
                                 f"đứng trước không được đề nghị — {reason}.")
        if [u for u in minutes if u in lines] != [u for u in lines if u in minutes]:
            sentences.append(f"Thứ tự đề nghị {label} khác thứ tự trong biên bản: "
                             + ", ".join(names[u] for u in lines) + ".")
    return sentences


@transaction.atomic
def move_proposal(actor: Actor, proposal: Proposal, action: str, reason: str = "",
                  *, on_date: datetime.date | None = None) -> Proposal:
    """submit / return (with a reason) / resubmit / accept. Accepting checks the
    province-wide Government-flag cap (RULES.md 23) with what is already accepted."""
    locked = (Proposal.objects.select_for_update()
              .select_related("bloc_year__bloc__province", "bloc_year__emulation_year")
              .filter(pk=proposal.pk).first())
    if locked is None or not rules.can_view_proposal(actor, locked.bloc_year):
        raise NotFound("Không tìm thấy hồ sơ đề nghị khen thưởng.")
    reason = nfc(reason or "").strip()
    try:
        target = check_step(locked.state, action, rules.proposal_sides(actor, locked.bloc_year),
                            reason)
    except StepForbidden as exc:
        raise Forbidden(str(exc)) from exc
    except StepError as exc:
        raise Conflict(str(exc)) from exc
    if action in ("submit", "resubmit") and not locked.lines.exists():
        raise DomainError("Hồ sơ chưa có đơn vị nào được đề nghị.")
    if action == "accept":
        cap = province_cap(locked.bloc_year.emulation_year,
                           on_date=on_date or locked.conference_date, adding=locked)
        if not cap.ok:
            raise Conflict("Không tiếp nhận được: " + cap.explain()
                           + ". Hãy trả lại hồ sơ để khối giảm đề nghị (Quy tắc 23, 27).")
    before = proposal_snapshot(locked)
    locked.state = target
    now = timezone.now()
    if action == "return":
        locked.return_reason = reason
    if action in ("submit", "resubmit"):
        locked.submitted_at = now
    if action == "accept":
        locked.accepted_at = now
    locked.save()
    audit.record(actor, f"awards.proposal.{action}", locked,
                 province_id=locked.bloc_year.bloc.province_id, before=before,
                 after=proposal_snapshot(locked), reason=reason)
    if action in ("submit", "resubmit"):
        # The bloc year follows its dossier (a return leaves it there: still the
        # proposals' stage, the bloc redrafts and resends).
        org_services.follow_phase(actor, locked.bloc_year, Phase.PROPOSALS_SUBMITTED,
                                  "Hồ sơ đề nghị khen thưởng của khối đã gửi tỉnh.")
    return locked


# --- the province ---------------------------------------------------------------------------

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
    return check_province_cap(proposed, base, book)


@dataclass(frozen=True)
class ProvinceProposals:
    emulation_year: EmulationYear
    rows: list  # (BlocYear, Proposal | None)
    cap: CapCheck | None
    cap_error: str = ""


def province_proposals(actor: Actor, emulation_year: EmulationYear, *,
                       on_date: datetime.date | None = None) -> ProvinceProposals:
    """Item 7: every bloc's proposal of the year side by side, with the cap's arithmetic."""
    if not rules.can_oversee_province(actor, emulation_year.province_id):
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


@transaction.atomic
def record_decision(actor: Actor, emulation_year: EmulationYear, *, number: str,
                    decision_date: datetime.date, signer: str, awarded=(),
                    not_awarded=()) -> AwardDecision:
    """The chairman's decision: lines of accepted proposals awarded (each becomes an
    `Award`) or not (RULES 27). A proposal whose lines are all decided is decided."""
    if not rules.can_record_award(actor, emulation_year.province_id):
        raise Forbidden("Chỉ Thường trực thi đua tỉnh được ghi quyết định khen thưởng.")
    awarded_ids, refused_ids = {int(i) for i in awarded}, {int(i) for i in not_awarded}
    errors = []
    number, signer = nfc(number or "").strip(), nfc(signer or "").strip()
    if not number:
        errors.append("Chưa nhập số quyết định.")
    if not signer:
        errors.append("Chưa nhập người ký quyết định.")
    if decision_date is None:
        errors.append("Chưa nhập ngày quyết định.")
    elif decision_date.year < emulation_year.year:
        errors.append(f"Quyết định ngày {decision_date:%d/%m/%Y} có trước năm thi đua "
                      f"{emulation_year.year}.")
    if not awarded_ids | refused_ids:
        errors.append("Quyết định phải nêu ít nhất một đơn vị được hoặc không được khen "
                      "thưởng.")
    if awarded_ids & refused_ids:
        errors.append("Một đơn vị không thể vừa được vừa không được khen thưởng.")
    if errors:
        raise DomainError(*errors)
    lines = list(ProposalLine.objects.select_for_update().select_related(
        "unit", "proposal").filter(id__in=awarded_ids | refused_ids,
                                   proposal__bloc_year__emulation_year=emulation_year)
        .order_by("id"))
    if len(lines) != len(awarded_ids | refused_ids):
        raise DomainError("Có dòng đề nghị không thuộc năm thi đua này.")
    for line in lines:
        if line.proposal.state != State.ACCEPTED:
            errors.append(f"Đề nghị {line.get_award_form_display()} cho {line.unit.name}: hồ "
                          "sơ chưa được tỉnh tiếp nhận.")
        elif line.outcome != ProposalLine.Outcome.PENDING:
            errors.append(f"Đề nghị {line.get_award_form_display()} cho {line.unit.name} đã "
                          "có quyết định.")
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
                                      f"{decision_date:%d/%m/%Y}.")
    return decision


# --- years that follow ------------------------------------------------------------------------

def unit_history(actor: Actor, unit: Unit) -> list[Award]:
    """Item 8: the unit's decided awards, newest year first, with their decisions."""
    if not rules.can_view_history(actor, unit):
        raise NotFound("Không tìm thấy đơn vị.")
    return list(Award.objects.filter(unit=unit).select_related("emulation_year", "decision")
                .order_by("-emulation_year__year", "award_form", "id"))


def rotation_lookback(province, year: int, library: Library | None = None) -> int:
    try:
        book = rulebook_for(province.code, datetime.date(year, 1, 1), library)
    except RulebookNotFound:
        return 1
    return book.value("organisation.rotation_lookback_years")


@dataclass(frozen=True)
class ProvinceDecision:
    """The province's decision on next year's leader (number, date, reason), needed when
    the leader is not the one the conference elected (RULES.md 3)."""

    number: str
    decision_date: datetime.date
    reason: str


def _leader_decision_problems(decision: ProvinceDecision | None, today) -> list[str]:
    if decision is None:
        return ["chưa có quyết định của tỉnh"]
    problems = []
    if not nfc(decision.number or "").strip():
        problems.append("Chưa nhập số quyết định của tỉnh về Trưởng khối.")
    if decision.decision_date is None:
        problems.append("Chưa nhập ngày quyết định của tỉnh về Trưởng khối.")
    elif decision.decision_date > today:
        problems.append(f"Ngày quyết định {decision.decision_date:%d/%m/%Y} sau ngày hôm nay: "
                        "chỉ ghi quyết định đã ký.")
    if not nfc(decision.reason or "").strip():
        problems.append("Chưa nhập lý do tỉnh chọn Trưởng khối khác kết quả bầu.")
    return problems


@transaction.atomic
def open_next_year(actor: Actor, bloc_year: BlocYear, *, leader=None, deputies=None,
                   members=None, decision: ProvinceDecision | None = None,
                   library: Library | None = None) -> BlocYear:
    """Open the bloc's next year with the leader the conference elected (RULES 3: read
    from the published leader election through `election_result`), this year's members
    (or those given) and a copy of this year's criteria table. `leader` None means the
    elected one; any other leader — or any leader when nobody was elected (a 6–6 tie) —
    needs the province's recorded `decision` (number, date, reason), stored with the new
    year and audited; without it nothing is written (409). Deputies default to the
    elected ones. RULES 4: a unit that led the bloc in the look-back window (rulebook
    `organisation.rotation_lookback_years`) may not lead. The leader unit's officers
    become the new year's leader officers (this year's keep theirs for this year only)."""
    bloc = bloc_year.bloc
    if not rules.can_oversee_province(actor, bloc.province_id):
        if rules.can_view_bloc_year(actor, bloc_year):
            raise Forbidden("Chỉ Thường trực thi đua tỉnh được mở năm thi đua mới của khối.")
        raise NotFound("Không tìm thấy khối thi đua.")
    year = bloc_year.emulation_year.year + 1
    election = election_result(bloc_year)
    elected_id = election.leader_id if election else None
    if leader is None:
        if elected_id is None:
            raise Conflict(f"Hội nghị chưa có Trưởng khối năm {year} được bầu (chưa công bố "
                           "kết quả bầu, hoặc không đơn vị nào đạt ngưỡng): chọn Trưởng khối "
                           "và ghi quyết định của tỉnh (số, ngày, lý do) — Quy tắc 3.")
        leader = elected_id
    if deputies is None:
        deputies = list(election.deputy_ids) if election else []
    leader_id = leader.id if isinstance(leader, Unit) else int(leader)
    lookback = rotation_lookback(bloc.province, year, library)
    earlier = leaders_by_year(bloc.id, range(year - lookback, year))
    led = sorted(y for y, unit_id in earlier.items() if unit_id == leader_id)
    if led:
        name = Unit.objects.get(pk=leader_id).name
        raise DomainError(f"{name} đã làm Trưởng khối năm {', '.join(map(str, led))}: theo "
                          f"luân phiên, không làm Trưởng khối năm {year} (Quy tắc 4, xét "
                          f"{lookback} năm trước).")
    designated = leader_id != elected_id
    if designated:
        problems = _leader_decision_problems(decision, timezone.localdate())
        if problems:
            names = dict(Unit.objects.filter(pk__in=[u for u in (leader_id, elected_id) if u])
                         .values_list("pk", "name"))
            why = (f"Trưởng khối năm {year} được bầu là {names.get(elected_id)}"
                   if elected_id else f"Hội nghị không bầu được Trưởng khối năm {year}")
            raise Conflict(f"{why}: chọn {names.get(leader_id, 'đơn vị khác')} làm Trưởng "
                           "khối cần quyết định của tỉnh (số, ngày, lý do) — Quy tắc 3.",
                           *[p for p in problems if p != "chưa có quyết định của tỉnh"])
    if members is None:
        members = list(bloc_year.memberships.values_list("unit_id", flat=True))
    next_year = org_services.ensure_year(actor, bloc.province, year)
    new = org_services.create_bloc_year(actor, bloc, next_year, members=members,
                                        leader=leader, deputies=deputies)
    if designated:
        record = LeaderDecision.objects.create(
            bloc_year=bloc_year, next_bloc_year=new, leader_unit_id=leader_id,
            elected_unit_id=elected_id, number=nfc(decision.number).strip()[:50],
            decision_date=decision.decision_date, reason=nfc(decision.reason).strip(),
            recorded_by=getattr(actor, "user", None))
        audit.record(actor, "awards.leader.decide", record, province_id=bloc.province_id,
                     after={"bloc_year": bloc_year.id, "next_bloc_year": new.id,
                            "leader_unit": leader_id, "elected_unit": elected_id,
                            "number": record.number, "decision_date": record.decision_date,
                            "reason": record.reason})
    table = scoring_services.current_table(bloc_year)
    copied = scoring_services.copy_table(actor, table, new) if table is not None else None
    officers = org_services.grant_leader_officers(actor, new)
    audit.record(actor, "awards.year.open", new, province_id=bloc.province_id,
                 after={"from_bloc_year": bloc_year.id, "year": year,
                        "leader_unit": leader_id, "elected_unit": elected_id,
                        "criteria_table": copied.id if copied else None,
                        "leader_officers": [user.id for user in officers]})
    return new


@dataclass(frozen=True)
class Election:
    """Next year's leader and deputies as the conference elected them (RULES.md 3)."""

    leader_id: int | None
    deputy_ids: tuple


def election_result(bloc_year: BlocYear) -> Election | None:
    """The leader and deputies elected at the bloc's conference, from the voting app's
    published election polls; None while the leader's election is not published."""
    from thidua.voting.models import Candidate, Conference, Poll  # noqa: PLC0415

    conference = Conference.objects.filter(bloc_year=bloc_year).first()
    if conference is None:
        return None
    chosen = {}
    for poll in Poll.objects.filter(conference=conference, state=Poll.State.PUBLISHED,
                                    kind__in=[Poll.Kind.LEADER_ELECTION,
                                              Poll.Kind.DEPUTY_ELECTION]).order_by("id"):
        chosen[poll.kind] = list((poll.result or {}).get("selected", []))
    leaders = chosen.get(Poll.Kind.LEADER_ELECTION, [])
    if len(leaders) != 1:
        return None
    units = dict(Candidate.objects.filter(
        id__in=leaders + chosen.get(Poll.Kind.DEPUTY_ELECTION, [])).values_list("id", "unit_id"))
    return Election(units[leaders[0]], tuple(units[c] for c in chosen.get(
        Poll.Kind.DEPUTY_ELECTION, []) if c in units))
