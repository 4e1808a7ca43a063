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

from thidua.org.domain.phases import ADMIN, LEADER, SECRETARIAT
from thidua.org.rules import Actor, bloc_year_roles

RUNS = frozenset({ADMIN, SECRETARIAT, LEADER})


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
