"""What every part of scoring asks: the kinds and states of a sheet, the bloc year's
province and members, who runs scoring, the declared conflicts."""

from thidua.org.models import BlocYear
from thidua.org.rules import Actor
from thidua.scoring import rules
from thidua.scoring.models import (
    ConflictDeclaration,
    ScoreSheet,
)

Kind, Status = ScoreSheet.Kind, ScoreSheet.Status


def province_id_of(bloc_year: BlocYear) -> int:
    return bloc_year.bloc.province_id


def require_runner(actor: Actor, bloc_year: BlocYear, what: str):
    if refusal := rules.runner_refusal(actor, bloc_year, what):
        raise refusal


def user_of(actor):
    user = getattr(actor, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def members_of(bloc_year: BlocYear) -> frozenset:
    return frozenset(bloc_year.memberships.values_list("unit_id", flat=True))


def conflict_pairs(bloc_year) -> list[tuple[int, int]]:
    return list(ConflictDeclaration.objects.filter(bloc_year=bloc_year)
                .values_list("unit_id", "other_unit_id"))
