"""A bloc year with published results and unpublished data beside them, through the
services: the KT bloc's ranking published (KT1 … KT5), the provincial-flag and certificate
polls published, the proposal assembled as a draft, the leader election counted but not
published — and VX, with nothing published."""

from dataclasses import dataclass

import pytest
from tests.factories import make_eligible

from awards.conftest import CERT, PROV, prepare_kt
from awards.test_from_voting import cast_close_publish, vote
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
    leader = world.actor("leader")
    poll = voting.create_poll(leader, conference, Poll.Kind.LEADER_ELECTION,
                              unit_ids=[world.units["KT4"].id, world.units["KT5"].id])
    poll = voting.open_poll(leader, poll)
    by_unit = {c.unit.code: c.id for c in poll.candidates.select_related("unit")}
    cards = {c.card.unit.code: c.token for c in voting.issue_cards(leader, poll)}
    for voter in ("KT1", "KT2", "KT3", "KT4", "KT5"):
        voting.cast_with_card(cards[voter], poll.pk, [by_unit["KT4"]])
    return voting.close_poll(leader, Poll.objects.get(pk=poll.pk))


def publish_election(world, poll):
    return voting.publish_poll(world.actor("leader"), Poll.objects.get(pk=poll.pk))


@pytest.fixture
def scene(world):
    from tests.factories import held_today, mark_present

    bloc_year = prepare_kt(world)
    make_eligible(bloc_year)
    conference = voting.create_conference(
        world.actor("leader"), bloc_year, held_at=held_today(), place="Hội trường tỉnh",
        chair="Nguyễn Văn A", secretary="Trần Thị B", guests="", agenda="Bình xét")
    mark_present(world, conference)
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
