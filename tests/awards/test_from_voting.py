"""The proposal assembled from the voting app's published polls, not
from hand-entered numbers: the conference votes, closes, publishes; the leader drafts."""

import pytest
from django.urls import reverse
from tests.factories import cast_close_publish, vote

from thidua.awards import proposals as service
from thidua.awards.models import Proposal
from thidua.core.errors import DomainError
from thidua.voting import services as voting
from thidua.voting.models import Poll

from .conftest import CERT, GOV, PROV

pytestmark = pytest.mark.django_db


def test_assembled_from_published_polls(world, kt, kt_conference, client):
    vote(world, kt_conference, PROV, ["KT2", "KT3"],
         {"KT1": ["KT2"], "KT2": ["KT3"], "KT3": ["KT2"], "KT4": ["KT2"], "KT5": ["KT2"]})
    # Certificates (quota 2): KT3 4 votes, KT4 and KT5 3 each; the ranking puts KT4
    # first of the two (RULES 32: votes, then score) — the voting core decides it.
    vote(world, kt_conference, CERT, ["KT3", "KT4", "KT5"],
         {"KT1": ["KT3", "KT4"], "KT2": ["KT3", "KT5"], "KT3": ["KT3", "KT4"],
          "KT4": ["KT3", "KT5"], "KT5": ["KT4", "KT5"]})
    leader = world.actor("leader")
    gov = voting.create_poll(leader, kt_conference, Poll.Kind.AWARD_PROPOSAL, award_form=GOV,
                             unit_ids=[world.units["KT1"].id])
    # One award poll not yet published: nothing is assembled, the page says so.
    assert service.conference_results(kt) is None
    with pytest.raises(DomainError, match="kể cả bỏ phiếu lại"):
        service.assemble_proposal(leader, kt)
    client.force_login(world.users["leader"])
    page = client.get(reverse("award_proposal", args=[kt.pk])).content.decode()
    assert 'id="chua-co-ket-qua"' in page and 'id="form-lap-ho-so"' not in page
    cast_close_publish(world, voting.open_poll(leader, gov),
                       {"KT2": ["KT1"], "KT3": ["KT1"], "KT4": ["KT1"], "KT5": ["KT1"]})

    results = service.conference_results(kt)
    codes = {u.id: c for c, u in world.units.items()}
    assert sorted((p.award_form, codes[p.unit_id], p.votes, p.passed) for p in results.polls) \
        == [(CERT, "KT3", 4, True), (CERT, "KT4", 3, True), (CERT, "KT5", 3, True),
            (GOV, "KT1", 4, True), (PROV, "KT2", 4, True), (PROV, "KT3", 1, False)]
    assert results.run_offs == {}
    # The leader drafts from the page.
    page = client.get(reverse("award_proposal", args=[kt.pk])).content.decode()
    assert 'id="form-lap-ho-so"' in page
    response = client.post(reverse("award_proposal_assemble", args=[kt.pk]))
    assert response.status_code == 302
    proposal = Proposal.objects.get(bloc_year=kt)
    assert sorted((line.award_form, codes[line.unit_id], line.votes)
                  for line in proposal.lines.all()) == [
        (CERT, "KT3", 4), (CERT, "KT4", 3), (GOV, "KT1", 4), (PROV, "KT2", 4)]
    assert proposal.conference_date == results.held_on
