"""A bloc year with published results and unpublished data beside them, through the
services: the KT bloc's ranking published (KT1 … KT5), the provincial-flag and certificate
polls published, the proposal assembled as a draft, the leader election counted but not
published — and VX, with nothing published."""

from dataclasses import dataclass

import pytest
from tests import factories
from tests.factories import cast_close_publish, vote

from awards.conftest import CERT, PROV, prepare_kt
from thidua.voting import services as voting
from thidua.voting.models import Poll
from web.conftest import as_who


@dataclass
class Scene:
    bloc_year: object
    conference: object
    prov: Poll
    cert: Poll
    election: Poll


def unpublished_election(world, conference):
    """The leader election cast and closed, not published: nothing of it may show."""
    poll = factories.leader_election(world, conference, ["KT4", "KT5"])
    by_unit = {c.unit.code: c.id for c in poll.candidates.select_related("unit")}
    cards = factories.cards_by_unit(world, poll)
    for voter in factories.KT:
        voting.cast_with_card(cards[voter], poll.pk, [by_unit["KT4"]])
    return voting.close_poll(world.actor("leader"), Poll.objects.get(pk=poll.pk))


def publish_election(world, poll):
    return voting.publish_poll(world.actor("leader"), Poll.objects.get(pk=poll.pk))


@pytest.fixture
def scene(world):
    bloc_year = prepare_kt(world)
    conference = factories.conference(world, bloc_year, present=factories.KT)
    prov = vote(world, conference, PROV, ["KT2", "KT3"],
                {"KT1": ["KT2"], "KT2": ["KT3"], "KT3": ["KT2"], "KT4": ["KT2"],
                 "KT5": ["KT2"]})
    cert = vote(world, conference, CERT, ["KT3", "KT4"],
                {"KT1": ["KT3"], "KT2": ["KT3"], "KT3": ["KT4"], "KT4": ["KT3"],
                 "KT5": ["KT3"]})
    election = unpublished_election(world, conference)
    return Scene(bloc_year, conference, prov, cert, election)


__all__ = ["CERT", "PROV", "Scene", "as_who", "cast_close_publish", "publish_election",
           "scene"]
