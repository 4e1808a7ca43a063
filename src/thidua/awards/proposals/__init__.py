"""Awards after the conference: the bloc's proposal dossier, the province's view and its
decisions, the years that follow (issue 5, items 6–9) — one module per entity:
`situation` (ranking, counted polls, eligibility, what-if), `dossier` (the proposal and
its workflow), `decisions` (the province's proposals, cap and decision), `next_year`
(history, election result, the next bloc year). Callers use `awards.proposals.<name>`.

The imperative shell around law (allocation, quotas, workflow, whatif): load,
check the actor through awards.rules, write in one transaction, one audit event per state
change. Views, the API and the demo call these.

Poll results come in as data — `PollResult(award_form, unit_id, votes, passed)`, one per
candidate per form, `passed` as the voting core judged it against the rulebook's
threshold (RULES.md 31). `conference_results` reads them from the voting app's published
polls (and their run-offs); `assemble_proposal` takes them from there unless given.
"""

from thidua.awards.proposals.decisions import (
    COUNTED,
    FLAGS,
    GOV,
    ProvinceProposals,
    decision_snapshot,
    province_cap,
    province_proposals,
    record_decision,
    standard_count,
)
from thidua.awards.proposals.dossier import (
    allocate_bloc,
    assemble_proposal,
    differences,
    find_proposal,
    move_proposal,
    proposal_snapshot,
)
from thidua.awards.proposals.next_year import (
    Election,
    ProvinceDecision,
    election_result,
    open_next_year,
    rotation_lookback,
    unit_history,
)
from thidua.awards.proposals.situation import (
    BlocSituation,
    ConferenceResults,
    bloc_ranking,
    bloc_situation,
    conference_results,
    published_poll_results,
    what_if,
)
from thidua.law.allocation import PollResult  # the poll results callers hand in

__all__ = [
    "COUNTED", "FLAGS", "GOV", "BlocSituation", "ConferenceResults", "Election",
    "PollResult", "ProvinceDecision", "ProvinceProposals", "allocate_bloc", "assemble_proposal",
    "bloc_ranking", "bloc_situation", "conference_results", "decision_snapshot",
    "differences", "election_result", "find_proposal", "move_proposal", "open_next_year",
    "proposal_snapshot", "province_cap", "province_proposals", "published_poll_results",
    "record_decision", "rotation_lookback", "standard_count", "unit_history", "what_if",
]
