"""Who may produce which document: the pledges and scoring rules, reused.

Seeing a document is seeing its data (a registration, the bloc's pledge, a submitted
self-assessment, the published ranking); issuing it — taking a number — belongs to the
body that signs it: a unit's officers for its own papers, the bloc's runners (leader or
province) for the bloc's.
"""

from thidua.org.rules import Actor, can_act_for_unit, can_view_bloc_year
from thidua.pledges import rules as pledge_rules
from thidua.scoring import rules as scoring_rules


def can_view_registration_doc(actor: Actor, registration) -> bool:
    return pledge_rules.can_view_registration(actor, registration)


def can_issue_registration_doc(actor: Actor, registration) -> bool:
    """A unit numbers its own registration once it is submitted (a draft has no number)."""
    return can_act_for_unit(actor, registration.unit_id) and registration.is_submitted


def can_view_pledge_doc(actor: Actor, bloc_year) -> bool:
    return can_view_bloc_year(actor, bloc_year)


def can_issue_pledge_doc(actor: Actor, bloc_year) -> bool:
    return pledge_rules.can_record_signing(actor, bloc_year)


def can_view_self_assessment_doc(actor: Actor, sheet, published: bool) -> bool:
    return scoring_rules.can_view_sheet(actor, sheet, published)


def can_issue_self_assessment_doc(actor: Actor, sheet) -> bool:
    return sheet.is_submitted and can_act_for_unit(actor, sheet.scored_unit_id)


def can_view_ranking_doc(actor: Actor, bloc_year) -> bool:
    return can_view_bloc_year(actor, bloc_year)


def can_issue_ranking_doc(actor: Actor, bloc_year) -> bool:
    return scoring_rules.can_run_scoring(actor, bloc_year)
