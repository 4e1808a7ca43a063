"""The bloc's situation after the conference: its ranking, the counted polls, each
member's eligibility and the what-if preview (issue 5, item 6)."""

import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.utils import timezone

from thidua.awards import rules
from thidua.awards.services import bloc_eligibility
from thidua.core.errors import Forbidden, NotFound
from thidua.law import whatif
from thidua.law.allocation import (
    PollResult,
    RankedUnit,
)
from thidua.law.quotas import bloc_quotas
from thidua.law.rulebooks import Library, rulebook_for
from thidua.org.models import BlocYear, Unit
from thidua.org.rules import Actor
from thidua.scoring.models import PublishedRanking, RankingRow
from thidua.voting import services as voting
from thidua.voting.models import Conference, Poll


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
    return situation_of(bloc_year, on_date, library)


def situation_of(bloc_year, on_date, library=None) -> BlocSituation:
    province = bloc_year.bloc.province
    book = rulebook_for(province.code, on_date, library, territory=bloc_year.bloc.territory_code)
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
                              unit_ids=[u.id for u in situation.units],
                              kind_word=bloc_year.bloc.province.kind_word)
    return situation, outlooks
