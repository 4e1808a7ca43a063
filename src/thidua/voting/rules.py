"""Who may do what at the year-end conference (one place; views, API and services ask here).

- The bloc's leader officer and the province (secretariat, admin) run the conference:
  attendance, polls, cards, paper ballots, open/close/publish.
- Members of the counting committee linked to a user account may enter paper ballots.
- A delegate (role `delegate` of a member unit) may vote while logged in; anyone holding a
  voting card may vote with it (no account).
- Everyone who sees the bloc year sees the conference, the projector count and, once
  published, the result; the receipt check is public.
- Observers (the province secretariat) never vote (RULES.md 29).
"""

from thidua.core.errors import Forbidden
from thidua.org.domain.phases import ADMIN, LEADER, SECRETARIAT, conference_phase_problem
from thidua.org.rules import Actor, bloc_year_roles

RUNS = frozenset({ADMIN, SECRETARIAT, LEADER})
OPENING = "Mở bỏ phiếu tại hội nghị"  # what conference_phase_problem names
NOT_A_DELEGATE = ("Chỉ đại biểu của đơn vị thành viên được bỏ phiếu; đại biểu dự, Thường "
                  "trực thi đua tỉnh không bỏ phiếu (Quy tắc 29).")


def can_view_conference(actor: Actor, bloc_year) -> bool:
    return bool(bloc_year_roles(actor, bloc_year))


def can_run_conference(actor: Actor, bloc_year) -> bool:
    return bool(bloc_year_roles(actor, bloc_year) & RUNS)


def can_enter_paper_ballots(actor: Actor, conference) -> bool:
    if can_run_conference(actor, conference.bloc_year):
        return True
    user = actor.user
    return bool(user is not None and user.is_authenticated and conference.committee.filter(
        user_id=user.pk).exists())


def can_see_result(actor: Actor, poll) -> bool:
    """Before publication only those who run the conference see the count."""
    bloc_year = poll.conference.bloc_year
    if poll.state == "published":
        return can_view_conference(actor, bloc_year)
    return poll.state == "closed" and can_run_conference(actor, bloc_year)


def delegate_units(actor: Actor, member_ids) -> list:
    """The member units the actor is a delegate of (may vote for, logged in)."""
    return sorted(set(actor.delegate_units) & set(member_ids))


def delegate_refusal(units, unit_id) -> Forbidden | None:
    """Why a logged-in voter may not vote for `unit_id`, or None: only a delegate of a
    member unit, for a unit they represent (`units`: delegate_units). Observers and
    officers without the delegate role never vote (RULES.md 29)."""
    if not units:
        return Forbidden(NOT_A_DELEGATE)
    if unit_id not in units:
        return Forbidden("Chọn đơn vị mà bạn là đại biểu.")
    return None


def opening_problem(phase) -> str | None:
    """Why polls may not open in the bloc year's phase, or None (issue 11 item 9: the votes
    happen where their proposal may follow, never before) — the conference page's warning
    and `open_poll` read it here."""
    return conference_phase_problem(phase, OPENING)
