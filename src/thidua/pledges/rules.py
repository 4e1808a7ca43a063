"""Who may see and change pledges: the one place these checks live. Each `*_refusal`
says why the actor may not act now (a Forbidden for who, a Conflict for when), or None;
the services raise it and the `can_*` the pages and API ask are the same functions."""

from thidua.core.errors import Conflict, DomainError, Forbidden
from thidua.org.domain.phases import Phase
from thidua.org.rules import Actor, can_act_for_unit, can_manage_bloc_year, can_view_bloc_year
from thidua.pledges.models import Registration

# A unit registers before the year runs (and late, which RULES.md 7 then counts against it).
REGISTRATION_OPEN = frozenset({Phase.REGISTRATION, Phase.IN_PROGRESS})
# Progress is reported while the year runs, up to the self-assessment.
REPORTING_OPEN = frozenset({Phase.IN_PROGRESS, Phase.MID_YEAR_REVIEW, Phase.SELF_ASSESSMENT})


def registering_refusal(actor: Actor, unit_id: int) -> Forbidden | None:
    """Only the unit's officers draw up its registration."""
    if not can_act_for_unit(actor, unit_id):
        return Forbidden("Chỉ cán bộ thi đua của đơn vị được lập bản đăng ký của đơn vị.")
    return None


def registration_phase_refusal(bloc_year) -> Conflict | None:
    """A registration is opened while the bloc year takes registrations."""
    if bloc_year.phase not in REGISTRATION_OPEN:
        return Conflict(f"{bloc_year.bloc.display_name} đã qua giai đoạn đăng ký thi đua.")
    return None


def can_open_registration(actor: Actor, unit_id: int, bloc_year, registration) -> bool:
    """Start the unit's registration of the year: its officers, while the bloc year takes
    registrations, and only once (`registration`: the one it has, or None)."""
    return (registration is None and bloc_year is not None
            and registration_phase_refusal(bloc_year) is None
            and registering_refusal(actor, unit_id) is None)


def can_view_registration(actor: Actor, registration: Registration) -> bool:
    """A draft is seen by its own unit only; a submitted pledge by everyone in the bloc
    year and the province (the bloc pledge is shared by its members)."""
    if registration.unit_id in actor.own_units:
        return True
    return registration.is_submitted and can_view_bloc_year(actor, registration.bloc_year)


def edit_refusal(actor: Actor, registration: Registration) -> DomainError | None:
    """Who first (403), then the registration's state (409): someone else's pledge is
    forbidden whatever its state, the unit's own is only in the wrong state."""
    if not can_act_for_unit(actor, registration.unit_id):
        return Forbidden("Bạn không được sửa bản đăng ký này.")
    if registration.is_submitted:
        return Conflict("Bản đăng ký đã gửi; rút lại để sửa (chỉ trong giai đoạn đăng ký).")
    if registration.bloc_year.phase not in REGISTRATION_OPEN:
        return Conflict(f"{registration.bloc_year.bloc.display_name} đã qua giai đoạn đăng ký "
                        "thi đua; không sửa được bản đăng ký.")
    return None


def can_edit_registration(actor: Actor, registration: Registration) -> bool:
    return edit_refusal(actor, registration) is None


def withdraw_refusal(actor: Actor, registration: Registration) -> DomainError | None:
    """Take a submitted pledge back to correct it, only while registration is open."""
    if not can_act_for_unit(actor, registration.unit_id):
        return Forbidden("Bạn không được rút lại bản đăng ký này.")
    if not registration.is_submitted or registration.bloc_year.phase != Phase.REGISTRATION:
        return Conflict("Chỉ rút lại được bản đăng ký đã gửi, trong giai đoạn đăng ký.")
    return None


def can_withdraw_registration(actor: Actor, registration: Registration) -> bool:
    return withdraw_refusal(actor, registration) is None


# What progress reporting refuses, by what is being done (the check-in, or more evidence).
PROGRESS_REFUSALS = {
    "report": ("Chỉ báo cáo tiến độ khi bản đăng ký đã gửi và năm thi đua đang diễn ra.",
               "Bạn không được báo cáo tiến độ cho đơn vị này."),
    "evidence": ("Chỉ bổ sung minh chứng khi bản đăng ký đã gửi và năm thi đua đang diễn ra.",
                 "Bạn không được bổ sung minh chứng cho đơn vị này."),
}


def progress_refusal(actor: Actor, registration: Registration, doing: str = "report"
                     ) -> DomainError | None:
    """Progress (and its evidence) is the unit's own, once its pledge is submitted, while
    the year runs."""
    when, who = PROGRESS_REFUSALS[doing]
    if not can_act_for_unit(actor, registration.unit_id):
        return Forbidden(who)
    if not registration.is_submitted or registration.bloc_year.phase not in REPORTING_OPEN:
        return Conflict(when)
    return None


def can_report_progress(actor: Actor, registration: Registration) -> bool:
    return progress_refusal(actor, registration) is None


def signing_refusal(actor: Actor, bloc_year) -> Forbidden | None:
    if not can_manage_bloc_year(actor, bloc_year):
        return Forbidden("Chỉ đơn vị Trưởng khối hoặc Thường trực thi đua tỉnh ghi nhận ký kết.")
    return None


def can_record_signing(actor: Actor, bloc_year) -> bool:
    return signing_refusal(actor, bloc_year) is None
