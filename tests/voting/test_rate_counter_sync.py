"""The rate-limit counter of a card ballot commits without a disk sync on SQLite (a counter
lost to a power cut costs nothing; the ballot's own commit stays synchronous=FULL, issue
13 "Durability"): the connection's level is put back as it was, inside a transaction
nothing changes, and the counts are the same."""

import pytest
from django.db import connection, transaction

from thidua.core import ratelimit
from thidua.core.models import RateCounter


def level():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_the_counter_counts_and_the_sync_level_is_put_back():
    if connection.vendor != "sqlite":
        assert [ratelimit.hit("voting_card", "ip:x", 2, 60) for _ in range(3)][-1] > 0
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous = FULL")
    assert [ratelimit.hit("voting_card", "ip:x", 2, 60) for _ in range(2)] == [0, 0]
    assert level() == 2  # FULL again after each hit
    assert ratelimit.hit("voting_card", "ip:x", 2, 60) > 0  # the third is over the limit
    assert list(RateCounter.objects.values_list("hits", flat=True)) == [3]
    with transaction.atomic():
        assert ratelimit.hit("voting_card", "ip:y", 2, 60) == 0
        assert level() == 2
