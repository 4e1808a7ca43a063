"""Who scores whom (scoring.domain.assignments): RULES.md 13."""

from hypothesis import given
from hypothesis import strategies as st

from thidua.scoring.domain.assignments import peer_pairs, recusal_violations


def test_rule_13_everyone_scores_everyone_else_never_self():
    assert peer_pairs([1, 2, 3]) == {(1, 2), (1, 3), (2, 1), (2, 3), (3, 1), (3, 2)}


def test_rule_13_declared_conflict_excludes_both_directions():
    assert peer_pairs([1, 2, 3], conflicts=[(1, 2)]) == {(1, 3), (2, 3), (3, 1), (3, 2)}


def test_configured_subset_narrows_but_never_adds_self_or_conflicts():
    assert peer_pairs([1, 2, 3], conflicts=[(2, 3)], allowed=[(1, 1), (1, 2), (2, 3)]) == {(1, 2)}


@given(st.sets(st.integers(1, 15), max_size=15),
       st.lists(st.tuples(st.integers(1, 15), st.integers(1, 15)), max_size=20),
       st.one_of(st.none(), st.sets(st.tuples(st.integers(1, 15), st.integers(1, 15)))))
def test_property_recusal_always_holds_rule_13(members, conflicts, allowed):
    pairs = peer_pairs(members, conflicts, allowed)
    assert recusal_violations(pairs, conflicts) == []
    assert all(a in members and b in members for a, b in pairs)
    if allowed is None:
        excluded = {frozenset(c) for c in conflicts}
        assert len(pairs) == sum(1 for a in members for b in members
                                 if a != b and frozenset((a, b)) not in excluded)
