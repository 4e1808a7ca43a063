"""The read side of year facts (awards.queries) that home pages and the bloc list share:
counts by state, in a fixed number of queries (RULES.md 19a)."""

import pytest

from thidua.awards import queries, services

pytestmark = pytest.mark.django_db
NOTE = "Báo cáo tổng kết năm"


def test_counts_by_state_and_the_unconfirmed_count(world, django_assert_max_num_queries):
    kt, u = world.bloc_years["KT"], world.units
    assert queries.unconfirmed_facts_count(kt) == 5
    entered = services.enter_facts(world.actor("peer"), u["KT2"], world.year,
                                   {"party_rating": "good"}, note=NOTE)
    services.enter_facts(world.actor("officer"), u["KT1"], world.year,
                         {"party_rating": "good"}, note=NOTE)
    services.confirm_facts(world.actor("secretariat"), entered)
    third = services.enter_facts(world.actor("secretariat"), u["KT3"], world.year,
                                 {"party_rating": "completed"}, note=NOTE)
    services.return_facts(world.actor("leader"), third, "Thiếu quyết định xếp loại")
    # Another bloc's and another province's facts are not counted.
    services.enter_facts(world.actor("outsider"), u["VX1"], world.year,
                         {"party_rating": "good"}, note=NOTE)
    with django_assert_max_num_queries(2):
        progress = queries.facts_progress(kt)
    assert (progress.members, progress.confirmed, progress.entered, progress.returned,
            progress.missing, progress.unconfirmed) == (5, 1, 1, 1, 2, 4)
    assert queries.unconfirmed_facts_count(kt) == 4
    with django_assert_max_num_queries(3):
        rows = queries.bloc_facts(kt)
    # In the bloc's order (Vietnamese collation of the names: B < Đ < S).
    assert [(row.unit.code, row.state) for row in rows] == [
        ("KT5", "missing"), ("KT4", "missing"), ("KT1", "entered"), ("KT2", "confirmed"),
        ("KT3", "returned")]
