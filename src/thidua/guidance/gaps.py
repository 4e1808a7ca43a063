"""What is still missing before a bloc year moves to its next phase (issue 11 item 9),
each gap one sentence with its count.

Read side only. The counts come from the apps that own them — registrations
(pledges), sheets submitted (scoring.queries.sheet_counts), the conference's steps
(voting), the proposal (awards) — so the home pages, the bloc page and the phase warning
say the same numbers as the pages they link to.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from thidua.awards.models import Proposal
from thidua.awards.queries import unconfirmed_facts_count
from thidua.org.domain.phases import ORDER, Phase
from thidua.org.models import BlocYear, Membership
from thidua.pledges.models import Registration
from thidua.scoring.models import CriteriaTable, PublishedRanking
from thidua.scoring.queries import sheet_counts
from thidua.voting.models import Poll

# --- the counts, each read once ---------------------------------------------------------

@dataclass(frozen=True)
class Registrations:
    submitted: int
    members: int
    missing_names: tuple

    @property
    def count(self) -> str:
        return f"{self.submitted}/{self.members}"


class Facts:
    """What the gaps and checklists read, for several bloc years at once in a fixed number
    of queries (the province page lists every bloc); the sheet counts
    (scoring.queries.sheet_counts) are read per bloc year, and only for those scoring."""

    def __init__(self, bloc_years):
        ids = [b.id for b in bloc_years]
        self.members = defaultdict(list)
        for bloc_year_id, unit_id, name in (
                Membership.objects.filter(bloc_year_id__in=ids)
                .order_by("unit__sort_key", "unit_id")
                .values_list("bloc_year_id", "unit_id", "unit__name")):
            self.members[bloc_year_id].append((unit_id, name))
        self.submitted = defaultdict(set)
        for bloc_year_id, unit_id in Registration.objects.filter(
                bloc_year_id__in=ids, status=Registration.Status.SUBMITTED).values_list(
                "bloc_year_id", "unit_id"):
            self.submitted[bloc_year_id].add(unit_id)
        self.unreported = defaultdict(list)
        for bloc_year_id, name in (
                Registration.objects.filter(bloc_year_id__in=ids,
                                            status=Registration.Status.SUBMITTED)
                .annotate(unreported=Count("targets",
                                           filter=Q(targets__check_ins__isnull=True)))
                .filter(unreported__gt=0).order_by("unit__sort_key")
                .values_list("bloc_year_id", "unit__name")):
            self.unreported[bloc_year_id].append(name)
        self.locked = set(CriteriaTable.objects.filter(bloc_year_id__in=ids, is_locked=True)
                          .values_list("bloc_year_id", flat=True))
        self.ranked = set(PublishedRanking.objects.filter(table__bloc_year_id__in=ids)
                          .values_list("table__bloc_year_id", flat=True))
        self.unpublished = Counter(Poll.objects.filter(conference__bloc_year_id__in=ids)
                                   .exclude(state=Poll.State.PUBLISHED)
                                   .values_list("conference__bloc_year_id", flat=True))
        self.proposals = {p.bloc_year_id: p for p in Proposal.objects.filter(
            bloc_year_id__in=ids)}
        self._sheets = {}

    def registrations(self, bloc_year) -> Registrations:
        members = self.members[bloc_year.id]
        done = self.submitted[bloc_year.id]
        missing = tuple(name for unit_id, name in members if unit_id not in done)
        return Registrations(len(members) - len(missing), len(members), missing)

    def sheets(self, bloc_year):
        if bloc_year.id not in self._sheets:
            self._sheets[bloc_year.id] = sheet_counts(
                bloc_year, [unit_id for unit_id, _ in self.members[bloc_year.id]])
        return self._sheets[bloc_year.id]


def open_polls(bloc_year_ids):
    return list(Poll.objects.filter(conference__bloc_year_id__in=bloc_year_ids,
                                    state=Poll.State.OPEN)
                .select_related("conference__bloc_year__bloc").order_by("id"))


def name_list(names, limit=5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" và {len(names) - limit} đơn vị khác" if len(names) > limit else "")


# --- what a phase change leaves behind ----------------------------------------------------

def phase_gaps(bloc_year: BlocYear, target: str, facts: Facts | None = None) -> list[str]:
    """What is still missing before `bloc_year` moves forward to `target`, one sentence
    each with its count ("0/10 phiếu tự chấm điểm đã gửi."). Empty when nothing is
    missing or the move goes back. The phase forms ask the user to confirm these
    (guidance.services.move_phase) and the province page lists them per bloc."""
    try:
        target = Phase(target)
        current = Phase(bloc_year.phase)
    except ValueError:
        return []
    if ORDER.index(target) <= ORDER.index(current):
        return []
    facts = facts or Facts([bloc_year])
    gaps = []
    if target == Phase.IN_PROGRESS:
        reg = facts.registrations(bloc_year)
        if reg.missing_names:
            gaps.append(f"{reg.count} đơn vị đã gửi đăng ký thi đua; chưa gửi: "
                        f"{name_list(reg.missing_names)}.")
    elif target == Phase.MID_YEAR_REVIEW:
        names = facts.unreported[bloc_year.id]
        if names:
            gaps.append(f"{len(names)} đơn vị còn chỉ tiêu chưa báo cáo tiến độ: "
                        f"{name_list(names)}.")
    elif target == Phase.SELF_ASSESSMENT:
        if bloc_year.id not in facts.locked:
            gaps.append("Khối chưa có bảng tiêu chí chấm điểm đã khóa: các đơn vị chưa tự "
                        "chấm được.")
    elif target == Phase.APPRAISAL:
        counts = facts.sheets(bloc_year)
        if not counts.has_table or not counts.self_sheets.complete:
            gaps.append(f"{counts.self_sheets} phiếu tự chấm điểm đã gửi.")
    elif target == Phase.CONFERENCE:
        counts = facts.sheets(bloc_year)
        if counts.peer_sheets.expected == 0:
            gaps.append("Chưa phân công chấm chéo.")
        elif not counts.peer_sheets.complete:
            gaps.append(f"{counts.peer_sheets} phiếu chấm chéo đã gửi.")
        if bloc_year.id not in facts.ranked:
            gaps.append("Chưa công bố kết quả xếp hạng.")
        unconfirmed = unconfirmed_facts_count(bloc_year)
        if unconfirmed:
            gaps.append(f"{unconfirmed} đơn vị chưa được xác nhận số liệu năm: chưa xét "
                        "được điều kiện khen thưởng.")
    elif target == Phase.PROPOSALS_SUBMITTED:
        pending = facts.unpublished[bloc_year.id]
        if pending:
            gaps.append(f"{pending} cuộc bỏ phiếu của hội nghị chưa công bố kết quả.")
        proposal = facts.proposals.get(bloc_year.id)
        if proposal is None or proposal.submitted_at is None:
            gaps.append("Chưa gửi hồ sơ đề nghị khen thưởng lên "
                        f"{bloc_year.bloc.province.kind_word}.")
    elif target == Phase.DECIDED:
        proposal = facts.proposals.get(bloc_year.id)
        if proposal is None or proposal.state != proposal.State.DECIDED:
            gaps.append("Chưa ghi quyết định khen thưởng của Chủ tịch UBND "
                        f"{bloc_year.bloc.province.kind_word}.")
    return gaps
