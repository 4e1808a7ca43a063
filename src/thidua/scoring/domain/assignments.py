"""Who scores whom in cross-scoring (functional core): RULES.md 13.

Every member scores every other member, never itself; a declared conflict between two
units excludes both directions (a conflict of interest is mutual: if A may not judge B
fairly, B's score of A is no cleaner). A configured subset narrows the pairs further.
"""

from collections.abc import Iterable


def peer_pairs(members: Iterable[int], conflicts: Iterable[tuple[int, int]] = (),
               allowed: Iterable[tuple[int, int]] | None = None) -> set[tuple[int, int]]:
    """The (scorer, scored) pairs. `allowed`, if given, is the subset to keep."""
    members = set(members)
    excluded = {frozenset(pair) for pair in conflicts}
    pairs = {(a, b) for a in members for b in members
             if a != b and frozenset((a, b)) not in excluded}
    if allowed is not None:
        pairs &= set(allowed)
    return pairs


def recusal_violations(pairs, conflicts=()) -> list[tuple[int, int]]:
    """Pairs that break RULES.md 13: a unit scoring itself or a declared conflict."""
    excluded = {frozenset(pair) for pair in conflicts}
    return sorted(p for p in pairs if p[0] == p[1] or frozenset(p) in excluded)
