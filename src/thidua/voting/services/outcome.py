"""What the conference decided, as the other apps read it: who was elected (RULES.md
2, 3), the counted award polls for the allocation and the units chosen in RULES.md 32's
order."""

from fractions import Fraction

from thidua.law.allocation import PollResult
from thidua.voting.domain import election
from thidua.voting.models import Candidate, Conference, Poll
from thidua.voting.services.common import ELECTIONS, Kind, State


def election_result(conference: Conference | None, *, published_only: bool = True
                    ) -> election.Election | None:
    """Who the conference elected next year's leader and deputies (RULES.md 2, 3), from its
    election polls — published ones (opening next year, the papers), or also closed ones
    (`published_only` False: the deputies' ballot, held right after the leader's count).
    One reading for voting and awards (`election.elected`)."""
    if conference is None:
        return None
    states = [State.PUBLISHED] if published_only else [State.CLOSED, State.PUBLISHED]
    polls = list(conference.polls.filter(kind__in=ELECTIONS, state__in=states)
                 .order_by("id").values_list("kind", "result"))
    selected = [c for _, record in polls for c in (record or {}).get("selected", [])]
    units = dict(Candidate.objects.filter(id__in=selected).values_list("id", "unit_id"))
    return election.elected([(kind, [units[c] for c in (record or {}).get("selected", [])])
                             for kind, record in polls])


def allocation_inputs(conference: Conference) -> tuple[list, dict]:
    """The counted award polls as `law.allocation` reads them: ([PollResult],
    {award form: [{unit id: run-off votes}, …]}). The latest counted poll of each form
    counts; its run-offs (RULES.md 32), in the order held, give the votes among the tied."""
    counted = [State.CLOSED, State.PUBLISHED]
    polls = list(conference.polls.filter(kind=Kind.AWARD_PROPOSAL, state__in=counted)
                 .order_by("id"))
    rows = Candidate.objects.filter(poll__in=polls).values_list(
        "id", "unit_id", "score_numerator", "score_denominator")
    units = {cid: unit for cid, unit, _, _ in rows}
    # The score each ballot showed: the count ordered by it, so does the allocation.
    scores = {cid: Fraction(num, den) if num is not None and den else None
              for cid, _, num, den in rows}
    latest, run_offs = {}, {}
    for poll in polls:
        if poll.run_off_of_id is None:
            latest[poll.award_form] = poll
    for poll in polls:
        main = latest.get(poll.award_form)
        if poll.run_off_of_id is not None and main is not None and _descends(poll, main, polls):
            # A chain: a run-off that ties again is followed by the next (RULES.md 32).
            run_offs.setdefault(poll.award_form, []).append(
                {units[c["candidate"]]: c["yes_votes"] for c in poll.result["candidates"]})
    results = [PollResult(form, units[c["candidate"]], c["yes_votes"], c["passed"],
                          scores[c["candidate"]])
               for form, poll in latest.items() for c in poll.result["candidates"]]
    return results, run_offs


def chosen_units(conference: Conference) -> dict:
    """Award form → the unit ids the conference chose, in RULES.md 32's order, as the
    minutes state them: the latest counted main poll of the form (the one
    `allocation_inputs` reads), then the winners of each of its run-offs in the order held.
    Units still tied after the last run-off are not chosen (a run-off is due)."""
    counted = [State.CLOSED, State.PUBLISHED]
    polls = list(conference.polls.filter(kind=Kind.AWARD_PROPOSAL, state__in=counted)
                 .order_by("id"))
    latest = {p.award_form: p for p in polls if p.run_off_of_id is None}
    units = dict(Candidate.objects.filter(poll__in=polls).values_list("id", "unit_id"))
    chosen = {}
    for poll in polls:
        main = latest.get(poll.award_form)
        if main is not None and (poll.pk == main.pk or _descends(poll, main, polls)):
            chosen.setdefault(poll.award_form, []).extend(
                units[c] for c in (poll.result or {}).get("selected", []))
    return chosen


def _descends(poll: Poll, ancestor: Poll, polls) -> bool:
    by_id = {p.id: p for p in polls}
    while poll is not None and poll.run_off_of_id is not None:
        if poll.run_off_of_id == ancestor.id:
            return True
        poll = by_id.get(poll.run_off_of_id)
    return False
