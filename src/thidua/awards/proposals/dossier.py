"""The bloc's proposal dossier: assembled from the allocation, moved through its
workflow (law.workflow), compared with the minutes (issue 5, item 7)."""

import datetime

from django.db import transaction
from django.utils import timezone

from thidua.awards import rules
from thidua.awards.models import Proposal, ProposalLine
from thidua.awards.proposals.decisions import province_cap
from thidua.awards.proposals.situation import BlocSituation, conference_results, situation_of
from thidua.core import audit
from thidua.core.errors import Conflict, DomainError, Forbidden, NotFound
from thidua.core.text import tidy
from thidua.law.allocation import (
    PROPOSED,
    Allocation,
    allocate,
)
from thidua.law.award_forms import AwardForm, label_for
from thidua.law.rulebooks import Library
from thidua.law.workflow import (
    StepError,
    StepForbidden,
    check_step,
)
from thidua.org import lineage
from thidua.org import services as org_services
from thidua.org.domain.phases import Phase
from thidua.org.models import BlocYear, Unit
from thidua.org.rules import Actor
from thidua.voting import services as voting
from thidua.voting.models import Conference


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
    situation = situation_of(bloc_year, on_date, library)
    members = {u.id for u in situation.units}
    strangers = sorted({p.unit_id for p in polls} - members)
    if strangers:
        raise DomainError("Kết quả bỏ phiếu có đơn vị không thuộc khối: "
                          + ", ".join(map(str, strangers)) + ".")
    try:
        allocation = allocate(rulebook=situation.rulebook, eligibility=situation.eligibility,
                              ranking=situation.ranking, polls=list(polls),
                              quotas=situation.quotas, run_offs=run_offs,
                              kind_word=bloc_year.bloc.province.kind_word)
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
    proposal = Proposal.objects.filter(bloc_year=bloc_year).first()
    refusal = rules.assemble_refusal(actor, bloc_year, proposal)
    if refusal is not None:
        raise refusal
    if polls is None:
        published = conference_results(bloc_year)
        if published is None:
            raise DomainError("Chưa có kết quả bỏ phiếu bình xét được công bố của hội nghị "
                              "(mọi cuộc bỏ phiếu đề nghị khen thưởng, kể cả bỏ phiếu lại).")
        polls = published.polls
        run_offs = published.run_offs if run_offs is None else run_offs
        conference_date = conference_date or published.held_on
    conference_date = conference_date or timezone.localdate()
    situation, allocation = allocate_bloc(bloc_year, polls, on_date=conference_date,
                                          run_offs=run_offs, library=library)
    if allocation.ties:
        raise DomainError(*[f"{tie.explanation} (Quy tắc 32)" for tie in allocation.ties])
    if allocation.pending_forms:
        raise DomainError(*[str(d) for d in allocation.decisions if d.outcome == "pending"])
    proposed = {unit_id for form, unit_ids in allocation.proposals.items()
                for unit_id in unit_ids
                if allocation.decision(unit_id, form).outcome == PROPOSED}
    lineage.refuse_dissolved([u for u in situation.units if u.id in proposed],
                             conference_date)  # RULES.md 44
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

    conference = Conference.objects.filter(bloc_year_id=proposal.bloc_year_id).first()
    if conference is None:
        return []
    chosen = voting.chosen_units(conference)
    province = conference.bloc_year.bloc.province
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
        label = label_for(form, province)
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
    reason = tidy(reason)
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
