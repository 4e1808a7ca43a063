"""Who may do what with a bloc year's publication: the one place these checks live.

The press release is written and published by the bloc year's leader officer and the
province (its secretariat, the administrator); a member unit sees the bloc year but not
the draft (403); anyone outside the bloc year does not see that it exists (404). The
public results page needs no rule: it shows only what has been published.
"""

from thidua.law.workflow import State
from thidua.org.models import BlocYear
from thidua.org.rules import Actor, can_oversee_province, can_view_bloc_year


def can_view_press_draft(actor: Actor, bloc_year: BlocYear) -> bool:
    """Whether the bloc year is visible at all (else 404)."""
    return can_view_bloc_year(actor, bloc_year)


def can_edit_press_release(actor: Actor, bloc_year: BlocYear) -> bool:
    """Edit, regenerate, preview and publish the press release."""
    return (bloc_year.id in actor.leader_bloc_years
            or can_oversee_province(actor, bloc_year.bloc.province_id))


# The proposal dossier is public once sent to the province (never a draft, nor one the
# province returned to the bloc); the decisions recorded on it come with it.
PUBLIC_PROPOSAL_STATES = (State.SUBMITTED, State.RESUBMITTED, State.ACCEPTED, State.DECIDED)
