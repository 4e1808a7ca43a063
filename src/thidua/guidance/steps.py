"""Where am I, what next (issue 11 item 9): each role's next steps with their counts —
a delegate's open votes, a unit officer's year, the bloc's checklist, the blocs the
province should look at. Read side only; the counts are guidance.gaps'.
"""

from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse

from thidua.awards.models import UnitYearFacts
from thidua.awards.queries import facts_progress
from thidua.documents.services import issued_for
from thidua.guidance.gaps import Facts, name_list, open_polls, phase_gaps
from thidua.org.domain.phases import ORDER, Phase
from thidua.org.models import BlocYear
from thidua.pledges.models import Registration
from thidua.scoring.queries import sheet_counts
from thidua.voting import queries as voting_queries
from thidua.voting.models import Conference, Participation


@dataclass(frozen=True)
class Step:
    """One line of a to-do list: what, how far ("3/10"), done or not, where to do it."""

    label: str
    detail: str = ""
    done: bool = False
    url: str = ""
    count: str = ""


# --- the lists each role's page shows -------------------------------------------------------

def delegate_steps(actor) -> list[Step]:
    """A delegate: the open vote(s) of their unit's conference, each with its link."""
    if not actor.delegate_units:
        return []
    bloc_years = list(BlocYear.objects.filter(memberships__unit_id__in=actor.delegate_units)
                      .values_list("id", flat=True))
    polls = open_polls(bloc_years)
    voted = set(Participation.objects.filter(poll__in=polls,
                                             unit_id__in=actor.delegate_units)
                .values_list("poll_id", flat=True))
    steps = [Step(f"Bỏ phiếu: {poll.title}",
                  "Đơn vị đã bỏ phiếu." if poll.id in voted else "Đang mở — bấm để bỏ phiếu.",
                  poll.id in voted, reverse("voting_poll", args=[poll.id]))
             for poll in polls]
    return steps or [Step("Chưa có cuộc bỏ phiếu nào đang mở",
                          "Khi hội nghị mở bỏ phiếu, liên kết hiện ở đây.", True)]


def unit_steps(actor, unit, bloc_year: BlocYear | None) -> list[Step]:
    """A unit officer's year: pledge, progress, the scoring sheets to do, in phase order."""
    if bloc_year is None or unit.id not in actor.officer_units:
        return []
    phase = ORDER.index(Phase(bloc_year.phase))
    steps = []
    registration = Registration.objects.filter(unit=unit, bloc_year=bloc_year).first()
    unit_url = reverse("unit", args=[unit.id])
    if registration is None:
        steps.append(Step("Lập và gửi bản đăng ký thi đua", "Chưa lập.", False,
                          unit_url + "#dang-ky"))
    else:
        submitted = registration.status == Registration.Status.SUBMITTED
        steps.append(Step("Gửi bản đăng ký thi đua",
                          "Đã gửi." if submitted else "Bản nháp, chưa gửi.", submitted,
                          reverse("registration", args=[registration.id])))
        if submitted:
            targets = registration.targets.annotate(n=Count("check_ins"))
            total = len(targets)
            reported = sum(1 for t in targets if t.n)
            steps.append(Step("Báo cáo tiến độ các chỉ tiêu",
                              f"{reported}/{total} chỉ tiêu đã có báo cáo.",
                              reported == total, unit_url + "#dang-ky", f"{reported}/{total}"))
    if phase >= ORDER.index(Phase.SELF_ASSESSMENT):
        steps.append(_unit_facts_step(unit, bloc_year))
        counts = sheet_counts(bloc_year)
        mine = counts.units.get(unit.id)
        if counts.has_table and mine is not None:
            steps.append(Step("Tự chấm điểm", f"{mine.self_sheet} phiếu tự chấm đã gửi.",
                              mine.self_sheet.complete,
                              reverse("scoring_self", args=[bloc_year.id]),
                              str(mine.self_sheet)))
            if mine.peer_given.expected:
                steps.append(Step("Chấm chéo các đơn vị được phân công",
                                  f"{mine.peer_given} phiếu chấm chéo đã gửi.",
                                  mine.peer_given.complete,
                                  reverse("scoring_peers", args=[bloc_year.id]),
                                  str(mine.peer_given)))
    return steps


def _unit_facts_step(unit, bloc_year: BlocYear) -> Step:
    """The unit's year facts (targets, ratings, discipline…): entered, then confirmed by
    the leader or the province; eligibility reads only confirmed ones."""
    facts = UnitYearFacts.objects.filter(unit=unit, emulation_year_id=bloc_year.emulation_year_id
                                         ).first()
    return Step("Nhập số liệu năm (chỉ tiêu, xếp loại, kỷ luật, thanh tra)",
                facts.state_label + "." if facts else "Chưa nhập.",
                facts is not None and facts.is_confirmed,
                reverse("award_facts", args=[unit.id, bloc_year.year]))


def _facts_step(bloc_year: BlocYear) -> Step:
    progress = facts_progress(bloc_year)
    return Step("Số liệu năm của các đơn vị",
                f"{progress.confirmed}/{progress.members} đã xác nhận; chờ xác nhận "
                f"{progress.entered}, trả lại {progress.returned}, chưa nhập "
                f"{progress.missing}.", progress.unconfirmed == 0,
                reverse("award_bloc_facts", args=[bloc_year.id]),
                f"{progress.confirmed}/{progress.members}")


def bloc_checklist(actor, bloc_year: BlocYear) -> list[Step]:
    """The leader's (and the province's) checklist of the bloc year: registrations,
    the criteria table, sheets submitted, the conference's steps, polls open, the
    proposal — each with its count and the page where it is done."""
    phase = ORDER.index(Phase(bloc_year.phase))
    facts = Facts([bloc_year])
    reg = facts.registrations(bloc_year)
    page = reverse("bloc_year", args=[bloc_year.id])
    steps = [Step("Đăng ký thi đua", f"{reg.count} đơn vị đã gửi bản đăng ký."
                  + (f" Chưa gửi: {name_list(reg.missing_names)}." if reg.missing_names else ""),
                  not reg.missing_names, page + "#thanh-vien", reg.count)]
    if phase >= ORDER.index(Phase.MID_YEAR_REVIEW):
        table = bloc_year.id in facts.locked
        steps.append(Step("Bảng tiêu chí chấm điểm",
                          "Đã khóa." if table else "Chưa khóa bảng tiêu chí.", table,
                          reverse("scoring_table", args=[bloc_year.id])))
    if phase >= ORDER.index(Phase.SELF_ASSESSMENT):
        counts = facts.sheets(bloc_year)
        steps.append(Step("Phiếu tự chấm điểm", f"{counts.self_sheets} phiếu đã gửi.",
                          counts.has_table and counts.self_sheets.complete,
                          reverse("scoring_self", args=[bloc_year.id]),
                          str(counts.self_sheets)))
        if phase >= ORDER.index(Phase.APPRAISAL):
            steps.append(Step("Phiếu chấm chéo", f"{counts.peer_sheets} phiếu đã gửi."
                              if counts.peer_sheets.expected else "Chưa phân công chấm chéo.",
                              counts.peer_sheets.expected > 0
                              and counts.peer_sheets.complete,
                              reverse("scoring_peers", args=[bloc_year.id]),
                              str(counts.peer_sheets)))
            steps.append(_facts_step(bloc_year))
            published = bloc_year.id in facts.ranked
            steps.append(Step("Công bố kết quả xếp hạng",
                              "Đã công bố." if published else "Chưa công bố.", published,
                              reverse("scoring_ranking", args=[bloc_year.id])))
    if phase >= ORDER.index(Phase.CONFERENCE):
        steps.extend(_conference_steps(actor, bloc_year, facts.proposals.get(bloc_year.id)))
    return steps


def _conference_steps(actor, bloc_year: BlocYear, proposal) -> list[Step]:
    url = reverse("voting_conference", args=[bloc_year.id])
    conference = Conference.objects.filter(bloc_year=bloc_year).first()
    if conference is None:
        return [Step("Hội nghị tổng kết", "Chưa lập hội nghị.", False, url)]
    view = voting_queries.conference_view(actor, conference)
    progress = voting_queries.conference_progress(
        view, minutes_issued=bool(issued_for(actor, "bien-ban-hop", conference.pk)))
    done = sum(1 for s in progress if s.status == "done")
    current = next((s for s in progress if s.status == "current"), None)
    steps = [Step("Hội nghị tổng kết",
                  f"{done}/{len(progress)} bước xong."
                  + (f" Việc tiếp theo: {current.action or current.label}." if current else ""),
                  current is None, url, f"{done}/{len(progress)}")]
    polls = [p for p in view.polls if p.state == p.State.OPEN]
    steps.append(Step("Bỏ phiếu đang mở",
                      ", ".join(f"«{p.title}»" for p in polls) if polls
                      else "Không có cuộc bỏ phiếu nào đang mở.", not polls,
                      reverse("voting_poll", args=[polls[0].id]) if polls else url,
                      str(len(polls))))
    steps.append(Step("Hồ sơ đề nghị khen thưởng",
                      proposal.get_state_display() if proposal else "Chưa lập.",
                      proposal is not None and proposal.submitted_at is not None,
                      reverse("award_proposal", args=[bloc_year.id])))
    return steps


@dataclass(frozen=True)
class BlocAttention:
    bloc_year: BlocYear
    reasons: list  # sentences, each with its count


def province_attention(actor, bloc_years) -> list[BlocAttention]:
    """The province's blocs needing attention this year: what holds each one back in its
    phase (the same sentences as the phase warning of its next step), and proposals
    waiting for the province."""
    bloc_years = list(bloc_years)
    facts = Facts(bloc_years)
    rows = []
    for bloc_year in bloc_years:
        reasons = []
        index = ORDER.index(Phase(bloc_year.phase))
        if index + 1 < len(ORDER):
            reasons.extend(phase_gaps(bloc_year, ORDER[index + 1], facts))
        proposal = facts.proposals.get(bloc_year.id)
        if proposal is not None and proposal.state in (proposal.State.SUBMITTED,
                                                       proposal.State.RESUBMITTED):
            reasons.append("Hồ sơ đề nghị khen thưởng đã gửi, chờ tỉnh tiếp nhận.")
        if reasons:
            rows.append(BlocAttention(bloc_year, reasons))
    return rows
