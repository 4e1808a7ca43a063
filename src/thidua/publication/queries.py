"""What the public may read of a bloc year, and the press release's editing view.

Everything here is already public by its own state: the latest published ranking, the
published polls (their count and ballot list by receipt code), the proposal dossier once
sent to the province (never a draft) with the decisions recorded on it, the published
election and the latest published revision of the press release. Query counts do not grow
with the number of units or ballots (one pair of queries per published poll).
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from thidua.awards.models import Proposal
from thidua.awards.proposals import differences, election_result
from thidua.awards.queries import proposal_lines
from thidua.core.errors import Forbidden, NotFound
from thidua.law.award_forms import label_for
from thidua.org.models import BlocYear, Province, Unit
from thidua.org.rules import Actor
from thidua.publication import rules
from thidua.publication.domain import press
from thidua.publication.models import PageView, PressRelease, PressReleaseRevision
from thidua.scoring.models import PublishedRanking
from thidua.scoring.queries import ranking_view
from thidua.voting import queries as voting_queries
from thidua.voting.domain.tally import NOT_PASSED, OUTSIDE_QUOTA, RUN_OFF, SELECTED
from thidua.voting.models import Poll

# --- what is published --------------------------------------------------------------------

def _published_polls(bloc_year: BlocYear) -> list[Poll]:
    return list(Poll.objects.filter(conference__bloc_year=bloc_year,
                                    state=Poll.State.PUBLISHED).order_by("id"))


def public_proposal(bloc_year: BlocYear) -> Proposal | None:
    return Proposal.objects.filter(bloc_year=bloc_year,
                                   state__in=rules.PUBLIC_PROPOSAL_STATES).first()


def latest_revision(bloc_year: BlocYear) -> PressReleaseRevision | None:
    return (PressReleaseRevision.objects.filter(press_release__bloc_year=bloc_year)
            .order_by("-number").first())


def _has_published():
    """A condition on BlocYear: something of it is public."""
    return (Q(Exists(PublishedRanking.objects.filter(table__bloc_year=OuterRef("pk"))))
            | Q(Exists(Poll.objects.filter(conference__bloc_year=OuterRef("pk"),
                                           state=Poll.State.PUBLISHED)))
            | Q(Exists(PressReleaseRevision.objects.filter(
                press_release__bloc_year=OuterRef("pk"))))
            | Q(Exists(Proposal.objects.filter(bloc_year=OuterRef("pk"),
                                               state__in=rules.PUBLIC_PROPOSAL_STATES))))


def public_bloc_year(pk) -> BlocYear:
    """A bloc year with something published; anything else is not found (its existence is
    not told)."""
    bloc_year = (BlocYear.objects.select_related("bloc__province", "emulation_year",
                                                 "leader_unit")
                 .filter(_has_published(), pk=pk).first()) if isinstance(pk, int) else None
    if bloc_year is None:
        raise NotFound("Không tìm thấy kết quả đã công bố của khối thi đua này.")
    return bloc_year


def public_province(code: str) -> Province:
    province = (Province.objects.filter(code=str(code)[:20]).select_related("merged_into")
                .first())
    if province is None:
        raise NotFound("Không tìm thấy tỉnh, thành phố.")
    return province


def published_bloc_years(province: Province) -> list[BlocYear]:
    """The province's bloc years with published results, latest year first."""
    return list(BlocYear.objects.select_related("bloc", "emulation_year")
                .filter(_has_published(), bloc__province=province)
                .order_by("-emulation_year__year", "bloc__sort_key", "id"))


@dataclass(frozen=True)
class PublicPoll:
    poll: Poll
    rows: list  # dict: label, votes, sentence, outcome, passed
    cast: int
    valid: int
    invalid: int
    ballots: list  # dict: code, valid, choices (unit names)
    note: str = ""  # more passed than the quota: how the quota was applied


# The count's own outcome, so "Đạt" is said of the candidates within the quota only: a
# candidate over the threshold but beyond the quota, or tied at its edge, says so (issue
# 15, item 7: four "Đạt" against a quota of three read as four awards).
OUTCOME_WORDS = {SELECTED: "Đạt", NOT_PASSED: "Không đạt",
                 OUTSIDE_QUOTA: "Đạt ngưỡng nhưng ngoài chỉ tiêu",
                 RUN_OFF: "Bằng phiếu ở ranh giới chỉ tiêu: bỏ phiếu lại"}


def quota_note(record: dict) -> str:
    """Why fewer are chosen than passed the threshold, when that happens."""
    candidates = record.get("candidates", [])
    passed = sum(1 for c in candidates if c["passed"])
    quota = record.get("quota")
    if quota is None or passed <= quota:
        return ""
    note = (f"{passed} đơn vị đạt ngưỡng, nhiều hơn chỉ tiêu {quota} đơn vị: chọn theo số "
            "phiếu từ cao xuống")
    tied = [c["label"] for c in candidates if c["outcome"] == RUN_OFF]
    if tied:
        note += (f"; {', '.join(tied)} bằng phiếu ở ranh giới chỉ tiêu nên hội nghị bỏ "
                 "phiếu lại giữa các đơn vị này")
    return note + "."


def _public_poll(poll: Poll) -> PublicPoll:
    record = poll.result or {}
    candidates = record.get("candidates", [])
    rows = [{"label": c["label"], "votes": c["yes_votes"], "sentence": c["sentence"],
             "passed": c["passed"],
             "outcome": OUTCOME_WORDS.get(c.get("outcome"),
                                          "Đạt" if c["passed"] else "Không đạt")}
            for c in candidates]
    ballots = voting_queries.shown_ballots(poll, voting_queries.published_ballots(poll))
    return PublicPoll(poll, rows, record.get("ballots_cast", 0), record.get("valid", 0),
                      record.get("invalid", 0), ballots, quota_note(record))


@dataclass(frozen=True)
class PublicElection:
    leader: str
    deputies: list


def public_election(bloc_year: BlocYear) -> PublicElection | None:
    chosen = election_result(bloc_year)
    if chosen is None:
        return None
    names = dict(Unit.objects.filter(id__in=[chosen.leader_id, *chosen.deputy_ids])
                 .values_list("id", "name"))
    return PublicElection(names[chosen.leader_id], [names[u] for u in chosen.deputy_ids])


@dataclass(frozen=True)
class PublicResults:
    bloc_year: BlocYear
    ranking: object  # scoring.queries.RankingView | None
    polls: list  # PublicPoll
    proposal: Proposal | None
    lines: list  # ProposalLine with .unit and .decision
    election: PublicElection | None
    press: PressReleaseRevision | None
    views: int


def public_results(bloc_year: BlocYear) -> PublicResults:
    proposal = public_proposal(bloc_year)
    return PublicResults(
        bloc_year, ranking_view(bloc_year),
        [_public_poll(p) for p in _published_polls(bloc_year)],
        proposal, proposal_lines(proposal), public_election(bloc_year),
        latest_revision(bloc_year), view_count(bloc_year))


def view_count(bloc_year: BlocYear) -> int:
    """Visitors, each counted once per day they came."""
    return PageView.objects.filter(bloc_year=bloc_year).count()


# --- the facts of the press release -------------------------------------------------------

def press_facts(bloc_year: BlocYear) -> press.PressFacts:
    """What the article may say: only published data (see the module doc)."""
    ranking = ranking_view(bloc_year)
    published = _published_polls(bloc_year)
    polls = [p for p in published if p.kind == Poll.Kind.AWARD_PROPOSAL]
    votes = []
    for poll in polls:
        record = poll.result or {}
        label = (label_for(poll.award_form, bloc_year.bloc.province) if poll.award_form
                 else poll.title)
        if poll.run_off_of_id:
            label += " (bỏ phiếu lại)"
        votes.append(press.AwardVote(label, record.get("valid", 0), tuple(
            press.VoteLine(c["label"], c["yes_votes"], bool(c["passed"]))
            for c in record.get("candidates", []))))
    proposed = {}
    public = public_proposal(bloc_year)
    for line in proposal_lines(public):
        proposed.setdefault(line.award_form, []).append(line.unit.name)
    # The conference's day and place are said once something of it is published.
    conference = published[0].conference if published else None
    election = public_election(bloc_year)
    return press.PressFacts(
        province=bloc_year.bloc.province.name, bloc=bloc_year.bloc.name,
        year=bloc_year.emulation_year.year, members=bloc_year.memberships.count(),
        conference_on=timezone.localdate(conference.held_at) if conference else None,
        conference_place=conference.place if conference else "",
        chair=conference.chair if conference else "",
        ranking=tuple(press.PressRankLine(line.row.rank, line.unit.name, line.final,
                                       line.row.tied)
                      for line in (ranking.lines if ranking else [])),
        votes=tuple(votes),
        proposals=tuple(press.ProposedAward(label_for(form, bloc_year.bloc.province),
                                            tuple(units))
                        for form, units in proposed.items()),
        differences=tuple(differences(public)) if public else (),
        next_leader=election.leader if election else None,
        next_deputies=tuple(election.deputies) if election else (),
        attended=voting_queries.attendance_count(conference)[0] if conference else None)


# --- the editing view ---------------------------------------------------------------------

DRAFT, PUBLISHED, CHANGED = "draft", "published", "changed"
STATE_LABELS = {DRAFT: "Bản thảo, chưa công bố", PUBLISHED: "Đã công bố",
                CHANGED: "Đã công bố; có chỉnh sửa chưa công bố"}


@dataclass(frozen=True)
class PressView:
    bloc_year: BlocYear
    release: PressRelease | None
    published: PressReleaseRevision | None
    state: str | None  # None: not written yet

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, "Chưa có bản thảo")

    @property
    def edited_fields(self) -> list[str]:
        release = self.release
        if release is None:
            return []
        return [name for name in press.FIELDS
                if getattr(release, name) != getattr(release, f"generated_{name}")]


def press_state(release: PressRelease | None, revision: PressReleaseRevision | None):
    if release is None:
        return None
    if revision is None:
        return DRAFT
    same = all(getattr(release, f) == getattr(revision, f) for f in press.FIELDS)
    return PUBLISHED if same else CHANGED


def press_bloc_year(actor: Actor, pk) -> BlocYear:
    """The bloc year whose press release the actor works on: 404 outside it, 403 for a
    member who may not edit."""
    bloc_year = (BlocYear.objects.select_related("bloc__province", "emulation_year")
                 .filter(pk=pk).first()) if isinstance(pk, int) else None
    if bloc_year is None or not rules.can_view_press_draft(actor, bloc_year):
        raise NotFound("Không tìm thấy khối thi đua.")
    if not rules.can_edit_press_release(actor, bloc_year):
        raise Forbidden("Chỉ Trưởng khối và Thường trực thi đua tỉnh soạn và công bố thông "
                        "cáo báo chí.")
    return bloc_year


def press_view(bloc_year: BlocYear) -> PressView:
    release = PressRelease.objects.filter(bloc_year=bloc_year).first()
    revision = latest_revision(bloc_year) if release else None
    return PressView(bloc_year, release, revision, press_state(release, revision))
