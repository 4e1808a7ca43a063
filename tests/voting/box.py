"""What is in a poll's sealed ballot box, read the way the count reads it (tests only:
the product unseals a box only when it closes the poll)."""

from thidua.voting import sealing
from thidua.voting.models import SealedBallot


def sealed_box(poll) -> list[tuple]:
    """(receipt code, sorted candidate ids, valid, source) per sealed ballot, by code."""
    poll = type(poll).objects.get(pk=poll.pk)  # the salt and key written at open
    unsealer = sealing.Unsealer(poll)
    return sorted((*unsealer.open(sealed), source) for source, sealed in
                  SealedBallot.objects.filter(poll=poll).values_list("source", "sealed"))
