"""`aggregate_all` / `unit_results_all` (one pass for the four methods of RULES.md 14) give
exactly what `aggregate` / `unit_result` give method by method."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from thidua.scoring.domain.aggregation import (
    AGGREGATIONS,
    SheetValues,
    UnitSheets,
    aggregate,
    aggregate_all,
    unit_result,
    unit_results_all,
)

points = st.integers(min_value=0, max_value=20_000).map(lambda h: Fraction(h, 100))
means = st.builds(Fraction, st.integers(0, 20_000), st.integers(1, 30))  # means of hundredths
values = st.one_of(points, means)


@given(st.lists(values, max_size=15), st.one_of(st.none(), values))
def test_aggregate_all_is_aggregate_per_method(peers, appraised):
    every = aggregate_all(peers, appraised)
    assert every == {m: aggregate(m, peers, appraised) for m in AGGREGATIONS}


sheet = st.builds(lambda final, bonus, penalty, i: SheetValues(
    final, bonus, penalty, {"I": final - bonus, **({"II": penalty} if i else {})}),
    points, points, points, st.booleans())


@given(st.lists(st.tuples(st.lists(sheet, max_size=6), st.one_of(st.none(), sheet),
                          st.one_of(st.none(), sheet)), max_size=6))
def test_unit_results_all_is_unit_result_per_method(rows):
    units = [UnitSheets(i, tuple(peers), appraisal, own)
             for i, (peers, appraisal, own) in enumerate(rows)]
    every = unit_results_all(units, ("I", "II"))
    for method in AGGREGATIONS:
        assert every[method] == [unit_result(method, u, ("I", "II")) for u in units]
