"""Ports (core.ports): what a lower app needs from an app above it, supplied at start-up,
so no import goes up the layers (issue 12)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from thidua.awards import services as awards
from thidua.core.ports import Port
from thidua.scoring import ports as scoring_ports
from thidua.voting import ports as voting_ports


def test_an_unsupplied_port_fails_naming_the_app_that_supplies_it():
    port = Port("voting.ports.example", supplier="awards")
    with pytest.raises(ImproperlyConfigured) as caught:
        port(1, year=2025)
    assert str(caught.value) == (
        "voting.ports.example is supplied by the awards app: is it installed?")


def test_a_supplied_port_calls_the_function_with_its_arguments():
    port = Port("scoring.ports.example", supplier="awards")
    port.supply(lambda unit_id, *, year: (unit_id, year))
    assert port(7, year=2025) == (7, 2025)


def test_awards_supplies_the_ports_of_voting_and_scoring_when_django_starts():
    assert voting_ports.bloc_eligibility._function is awards.bloc_eligibility
    assert scoring_ports.last_year_awards._function is awards.last_year_awards
