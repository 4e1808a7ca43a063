"""`thidua export` while a poll is open (issue 13, RULES.md 30): the export carries who
voted (participations, cards used) but no sealed ballot, no key material, no receipt code
and no order to match one against the other — the ballots appear only once the count has
unsealed them, in receipt-code order."""

import json

import pytest
from tests.factories import candidate_ids

from thidua.exchange import export
from thidua.voting import services
from thidua.voting.models import Participation, SealedBallot

pytestmark = pytest.mark.django_db


def test_rule_30_an_export_during_the_vote_links_no_voter_to_a_ballot(world, open_poll):
    leader, poll = world.actor("leader"), open_poll
    kt1, kt2 = candidate_ids(poll, world, "KT1", "KT2")
    cards = services.issue_cards(leader, poll)
    receipts = [services.cast_with_card(card.token, poll.pk, [(kt1, kt2)[i % 2]])
                for i, card in enumerate(cards[:3])]
    [paper] = services.issue_paper_ballots(leader, poll, [cards[4].card.unit_id])
    services.enter_paper_ballot(leader, poll, paper, [kt2])
    assert SealedBallot.objects.filter(poll=poll).count() == 4

    document = export.export_province("BN")
    sections, text = document["sections"], json.dumps(document, ensure_ascii=False)
    # Who voted is there (4 participations); what they voted is not, in any form.
    assert len(sections["participations"]) == 4 == Participation.objects.count()
    assert (sections["ballots"], sections["ballot_choices"]) == ([], [])
    assert [name for name in sections if "seal" in name] == []
    assert [k for k in sections["polls"][0] if "seal" in k] == []
    poll.refresh_from_db()
    secrets = [*receipts, paper, poll.seal_salt, poll.seal_key, *(c.token for c in cards)]
    assert [s for s in secrets if s in text] == []
    # The participations in an order of their own content, not of the votes.
    rows = sections["participations"]
    assert rows == sorted(rows, key=lambda r: json.dumps(r, sort_keys=True,
                                                         ensure_ascii=False))
