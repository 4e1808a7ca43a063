"""`compute_rankings`: many bloc years' rankings at once (the benchmark's national path)
are exactly `compute_ranking`'s, read in a fixed number of queries (RULES.md 14, 16)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thidua.org.models import BlocYear
from thidua.scoring import services

from .flow import prepare, self_assess
from .test_queries import peer_review


@pytest.mark.django_db
def test_batch_equals_one_by_one_in_fixed_queries(world):
    bloc_year, table, actors = prepare(world)
    self_assess(world, bloc_year, actors)
    peer_review(world, bloc_year, actors)
    years = list(BlocYear.objects.select_related("bloc__province").order_by("id"))
    single = services.compute_ranking(bloc_year)
    with CaptureQueriesContext(connection) as one:
        services.compute_rankings([y for y in years if y.id == bloc_year.id])
    with CaptureQueriesContext(connection) as every:
        batch = services.compute_rankings(years)
    assert set(batch) == {bloc_year.id}  # VX and HN have no table yet: left out
    report = batch[bloc_year.id]
    assert report.table == single.table and report.settings == single.settings
    assert report.results == single.results
    assert report.ranking == single.ranking
    assert report.stability == single.stability
    assert len(every.captured_queries) == len(one.captured_queries)
