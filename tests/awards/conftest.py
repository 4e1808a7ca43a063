"""A bloc year ready for its proposal, built through the services on `world`:
registrations on time, facts entered by the units and confirmed, a published ranking
(KT1 first … KT5 last) and the conference phase."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone
from tests import factories
from tests.factories import STANDARD_FACTS

from scoring.flow import criteria_inputs, move_to, officers
from thidua.awards import services as awards
from thidua.law.allocation import PollResult
from thidua.org.domain.phases import Phase
from thidua.org.models import EmulationYear
from thidua.pledges import services as pledges
from thidua.scoring import services as scoring
from thidua.scoring.models import PublishedRanking, RankingRow

GOV, PROV, CERT, EXC = ("government_flag", "provincial_flag", "certificate_of_merit",
                        "excellent_collective")


def conference_day(world):
    return datetime.date(world.year.year, 12, 20)


def register(actor, unit, emulation_year):
    registration = pledges.open_registration(actor, unit, emulation_year)
    pledges.set_titles(actor, registration, ["provincial_flag"])
    pledges.add_target(actor, registration, pledges.TargetInput(
        indicator="Tỷ lệ hồ sơ đúng hạn", target_value=Decimal(95), unit_of_measure="%",
        deadline=datetime.date(emulation_year.year, 12, 15)))
    pledges.submit_registration(actor, registration)


def ready_units(world, codes, actors, facts=None):
    """Registered on time, facts entered by the unit and confirmed by the secretariat."""
    secretariat = world.actor("secretariat")
    for code in codes:
        unit = world.units[code]
        register(actors[code], unit, world.year)
        entered = awards.enter_facts(actors[code], unit, world.year,
                                     dict(STANDARD_FACTS, **(facts or {}).get(code, {})),
                                     note="Báo cáo tổng kết năm của đơn vị")
        awards.confirm_facts(secretariat, entered)


def publish(world, bloc_year, order):
    """The bloc's published ranking in `order` (a list of codes, or of tuples for ties)."""
    table = scoring.create_table(world.actor("admin"), bloc_year, name="Bảng tiêu chí",
                                 total=Decimal(100), criteria=criteria_inputs())
    ranking = PublishedRanking.objects.create(table=table, published_at=timezone.now(),
                                              aggregation="mean")
    rank = 1
    for position, group in enumerate(order):
        group = group if isinstance(group, tuple) else (group,)
        for code in group:
            score = Fraction(9000 - 100 * position, 100)
            RankingRow.objects.create(ranking=ranking, unit=world.units[code], rank=rank,
                                      final_numerator=score.numerator,
                                      final_denominator=score.denominator,
                                      tied=len(group) > 1, method="peer_mean")
        rank += len(group)
    return table


@pytest.fixture
def kt(world):
    return prepare_kt(world)


@pytest.fixture
def kt_conference(world, kt):
    """KT's conference once its year is ready for the proposal (`kt`), all five present."""
    return factories.conference(world, kt, eligible=False, present=factories.KT)


def prepare_kt(world):
    EmulationYear.objects.filter(pk=world.year.pk).update(
        registration_deadline=datetime.date(world.year.year, 12, 31))
    world.year.refresh_from_db()
    bloc_year = world.bloc_years["KT"]
    bloc_year.emulation_year = world.year
    actors = officers(world)
    # Five units of the standard: the province may propose 20 % of 5 = 1 Government flag.
    ready_units(world, ["KT1", "KT2", "KT3", "KT4", "KT5"], actors)
    publish(world, bloc_year, ["KT1", "KT2", "KT3", "KT4", "KT5"])
    move_to(world, bloc_year, Phase.CONFERENCE)
    return bloc_year


def polls(world, passed=("KT1", "KT2", "KT3", "KT4")):
    """The conference's votes: KT1 for the Government flag, KT2 for the provincial flag,
    KT3 and KT4 for the certificate (5 voters, threshold passed when listed)."""
    u = world.units
    return [PollResult(GOV, u["KT1"].id, 5, "KT1" in passed),
            PollResult(PROV, u["KT2"].id, 5, "KT2" in passed),
            PollResult(CERT, u["KT3"].id, 5, "KT3" in passed),
            PollResult(CERT, u["KT4"].id, 4, "KT4" in passed)]
