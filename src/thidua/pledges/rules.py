"""Who may see and change pledges: the one place these checks live."""

from thidua.org.domain.phases import Phase
from thidua.org.rules import Actor, can_act_for_unit, can_manage_bloc_year, can_view_bloc_year
from thidua.pledges.models import Registration

# A unit registers before the year runs (and late, which RULES.md 7 then counts against it).
REGISTRATION_OPEN = frozenset({Phase.REGISTRATION, Phase.IN_PROGRESS})
# Progress is reported while the year runs, up to the self-assessment.
REPORTING_OPEN = frozenset({Phase.IN_PROGRESS, Phase.MID_YEAR_REVIEW, Phase.SELF_ASSESSMENT})


def can_open_registration(actor: Actor, unit_id: int, bloc_year, registration) -> bool:
    """Start the unit's registration of the year: its officers, while the bloc year takes
    registrations, and only once (`registration`: the one it has, or None)."""
    return (registration is None and bloc_year is not None
            and bloc_year.phase in REGISTRATION_OPEN and can_act_for_unit(actor, unit_id))


def can_view_registration(actor: Actor, registration: Registration) -> bool:
    """A draft is seen by its own unit only; a submitted pledge by everyone in the bloc
    year and the province (the bloc pledge is shared by its members)."""
    if registration.unit_id in actor.own_units:
        return True
    return registration.is_submitted and can_view_bloc_year(actor, registration.bloc_year)


def can_edit_registration(actor: Actor, registration: Registration) -> bool:
    return (
        can_act_for_unit(actor, registration.unit_id)
        and not registration.is_submitted
        and registration.bloc_year.phase in REGISTRATION_OPEN
    )


def can_withdraw_registration(actor: Actor, registration: Registration) -> bool:
    """Take a submitted pledge back to correct it, only while registration is open."""
    return (
        can_act_for_unit(actor, registration.unit_id)
        and registration.is_submitted
        and registration.bloc_year.phase == Phase.REGISTRATION
    )


def can_report_progress(actor: Actor, registration: Registration) -> bool:
    return (
        can_act_for_unit(actor, registration.unit_id)
        and registration.is_submitted
        and registration.bloc_year.phase in REPORTING_OPEN
    )


def can_record_signing(actor: Actor, bloc_year) -> bool:
    return can_manage_bloc_year(actor, bloc_year)
