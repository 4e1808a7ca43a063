"""Who may produce which document: the pledges and scoring rules, reused.

Seeing a document is seeing its data (a registration, the bloc's pledge, a submitted
self-assessment, the published ranking); issuing it — taking a number — belongs to the
body that signs it: a unit's officers for its own papers, the bloc's runners (leader or
province) for the bloc's.
"""

from thidua.awards import rules as award_rules
from thidua.law.workflow import BLOC, State
from thidua.org.rules import (
    Actor,
    can_act_for_unit,
    can_oversee_province,
    can_read_province,
    can_view_bloc_year,
    can_view_unit,
)
from thidua.pledges import rules as pledge_rules
from thidua.scoring import rules as scoring_rules
from thidua.voting import rules as voting_rules


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


# --- the conference papers (kinds_conference) ------------------------------------------------

COUNTED = ("closed", "published")


def can_view_ballot_papers(actor: Actor, poll) -> bool:
    """Printed ballots and voting cards carry receipt codes and one-time tokens: only
    those who run the conference (and the counting committee, for ballots) see them."""
    return voting_rules.can_enter_paper_ballots(actor, poll.conference)


def can_view_cards_doc(actor: Actor, poll) -> bool:
    return voting_rules.can_run_conference(actor, poll.conference.bloc_year)


def can_view_count_record_doc(actor: Actor, poll) -> bool:
    """The count record of a counted poll: those who run the conference once it is closed,
    every member of the bloc once it is published (voting.rules.can_see_result)."""
    return poll.state in COUNTED and voting_rules.can_see_result(actor, poll)


def can_issue_count_record_doc(actor: Actor, poll) -> bool:
    return poll.state in COUNTED and voting_rules.can_run_conference(
        actor, poll.conference.bloc_year)


def can_view_minutes_doc(actor: Actor, conference, states) -> bool:
    """The minutes: those who run the conference at any time; the bloc's members once every
    poll of the conference is published (`states`: the polls' states)."""
    bloc_year = conference.bloc_year
    if voting_rules.can_run_conference(actor, bloc_year):
        return True
    return (bool(states) and all(s == "published" for s in states)
            and voting_rules.can_view_conference(actor, bloc_year))


def can_issue_minutes_doc(actor: Actor, conference, states) -> bool:
    """Numbered once every poll is counted (the minutes copy the counts)."""
    return (bool(states) and all(s in COUNTED for s in states)
            and voting_rules.can_run_conference(actor, conference.bloc_year))


# --- award documents (kinds_awards.py) ------------------------------------------------------

def can_view_proposal_letter(actor: Actor, proposal) -> bool:
    """The bloc's runners and the province always; a member unit once the letter is the
    bloc's published paper (the proposal sent to the province); nobody else."""
    bloc_year = proposal.bloc_year
    if not award_rules.can_view_proposal(actor, bloc_year):
        return False
    return bool(award_rules.proposal_sides(actor, bloc_year)) or proposal.state in (
        State.SUBMITTED, State.RESUBMITTED, State.ACCEPTED, State.DECIDED)


def can_issue_proposal_letter(actor: Actor, proposal) -> bool:
    """The bloc's leader signs its proposal letter."""
    return BLOC in award_rules.proposal_sides(actor, proposal.bloc_year)


def can_view_achievement_report(actor: Actor, line) -> bool:
    """A collective's own report: the unit itself, its bloc's runners, the province."""
    bloc_year = line.proposal.bloc_year
    return award_rules.can_view_proposal(actor, bloc_year) and (
        line.unit_id in actor.own_units or bool(award_rules.proposal_sides(actor, bloc_year)))


def can_issue_achievement_report(actor: Actor, line) -> bool:
    return can_act_for_unit(actor, line.unit_id)


def can_write_achievement_statement(actor: Actor, unit) -> bool:
    """What a unit writes for its achievement reports (statements.py): the unit's own
    officers and the province's secretariat read and change it; no other unit does."""
    return can_act_for_unit(actor, unit.id) or can_oversee_province(actor, unit.province_id)


def can_view_decision_draft(actor: Actor, emulation_year) -> bool:
    """The chairman's decision is drafted by the province's secretariat only; a former
    province's decisions are read by its successor's secretariat (org.rules.
    can_read_province), who issues nothing of it (`can_issue_notice`)."""
    return can_read_province(actor, emulation_year.province_id)


def can_issue_notice(actor: Actor, emulation_year) -> bool:
    """The results notice takes the province's number: its secretariat issues it."""
    return can_oversee_province(actor, emulation_year.province_id)


def can_issue_decision_draft(actor: Actor, emulation_year) -> bool:
    """Never here: the provincial People's Committee's office numbers its decisions."""
    return False


# --- who signs (signers.py) -------------------------------------------------------------------

def can_view_signers_of_unit(actor: Actor, unit) -> bool:
    return can_view_unit(actor, unit)


def can_set_signers_of_unit(actor: Actor, unit) -> bool:
    """The unit's own officers, and the province's secretariat."""
    return can_act_for_unit(actor, unit.id) or can_oversee_province(actor, unit.province_id)


def can_view_signers_of_conference(actor: Actor, conference) -> bool:
    return voting_rules.can_view_conference(actor, conference.bloc_year)


def can_set_signers_of_conference(actor: Actor, conference) -> bool:
    return voting_rules.can_run_conference(actor, conference.bloc_year)


# --- digital signatures (digital.py, tokens.py) ------------------------------------------------

def can_manage_province_certificates(actor: Actor, province_id: int) -> bool:
    """The province's certificates and token sign its and its blocs' issued papers: its
    secretariat uploads and configures them."""
    return can_oversee_province(actor, province_id)


def can_manage_unit_certificates(actor: Actor, unit) -> bool:
    """A unit's own certificate signs the unit's papers as the unit: only the unit's own
    officers upload it (the province does not hold a unit's private key)."""
    return can_act_for_unit(actor, unit.id)


def can_sign_with(actor: Actor, certificate) -> bool:
    """Signing with a certificate is acting as its holder: the unit's officers for a unit's,
    the province's secretariat for the province's."""
    if certificate.unit_id is not None:
        return can_act_for_unit(actor, certificate.unit_id)
    return can_oversee_province(actor, certificate.province_id)
