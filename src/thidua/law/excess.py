"""RULES.md 32 in one place: the order of the candidates who passed the threshold and the
cut at the quota — higher votes first, then the higher final score, still tied across the
cut-off → a run-off among the tied, never a silent cut.

Functional core, used by every part that states the order: the count of a poll (its
minutes and count record, `voting.domain.tally`), the bloc's allocation and proposal
(`law.allocation`), and through them the pages, the API and the documents.

- `order` is the rulebook's `voting.excess_order` ("votes", "score", "run_off"): the
  steps that order, in turn; "run_off" ends the chain (what is still tied is voted again).
- A score orders only when every candidate has one: a missing score cannot place anyone
  above or below it, so units equal on votes then stay tied (and go to a run-off). The
  cut says which units lacked a score, so the papers can say why.
- Equal units keep the order they came in (the ballot's order): the minutes and the
  proposal list them alike.
- `run_off`: the votes of a run-off among exactly the tied units decide between them
  (by votes alone); equal again across the seats left is a new tie — which the next
  run-off of a chain (a list of vote maps, in the order they were held) decides in turn.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

DEFAULT_ORDER = ("votes", "score", "run_off")
ORDER_WORDS = {"votes": "số phiếu", "score": "điểm tổng kết"}


@dataclass(frozen=True)
class Entry:
    """A passing candidate as RULES.md 32 reads it. `key`: whatever the caller identifies
    it by (a candidate id for the count, a unit id for the allocation)."""

    key: object
    votes: int
    score: Fraction | None = None


@dataclass(frozen=True)
class Cut:
    quota: int
    order: tuple
    chosen: tuple  # Entry within the quota, in order
    tied: tuple  # Entry tied at the cut-off: a run-off among them for `seats` seats
    seats: int
    rest: tuple  # Entry outside the quota, in order
    unscored: tuple = ()  # keys without a score (the score then orders no one)
    by_run_off: bool = False  # a run-off's votes decided (part of) the cut

    @property
    def ordered(self) -> tuple:
        """Every entry in RULES.md 32's order: the chosen, the tied, the rest."""
        return self.chosen + self.tied + self.rest

    @property
    def keys(self) -> tuple:
        return tuple(e.key for e in self.chosen)

    @property
    def tied_keys(self) -> tuple:
        return tuple(e.key for e in self.tied)


def order_words(order: Sequence[str]) -> str:
    """"số phiếu, rồi điểm tổng kết" — the steps that order, as the papers name them."""
    return ", rồi ".join(ORDER_WORDS[o] for o in order if o in ORDER_WORDS) or "bỏ phiếu lại"


def _key_function(entries: Sequence[Entry], order: Sequence[str]):
    by_score = "score" in order and all(e.score is not None for e in entries)

    def key(entry: Entry) -> tuple:
        parts = []
        for step in order:
            if step == "votes":
                parts.append(-entry.votes)
            elif step == "score" and by_score:
                parts.append(-entry.score)
        return tuple(parts)

    return key


def order_entries(entries: Sequence[Entry], order: Sequence[str] = DEFAULT_ORDER) -> list:
    """The entries in RULES.md 32's order (equal ones keep their order)."""
    return sorted(entries, key=_key_function(entries, order))


def cut_at_quota(entries: Sequence[Entry], quota: int | None,
                 order: Sequence[str] = DEFAULT_ORDER,
                 run_off: Mapping | Sequence | None = None) -> Cut:
    """Order the passing `entries` and cut at `quota` (None: no limit). `run_off`: a
    run-off's votes {key: votes}, or a chain of them."""
    entries = list(entries)
    order = tuple(order)
    unscored = (tuple(e.key for e in entries if e.score is None) if "score" in order
                else ())
    key = _key_function(entries, order)
    ordered = sorted(entries, key=key)
    if quota is None or len(ordered) <= quota:
        return Cut(quota, order, tuple(ordered), (), 0, (), unscored)
    if quota <= 0:
        return Cut(quota, order, (), (), 0, tuple(ordered), unscored)
    boundary = key(ordered[quota - 1])
    if key(ordered[quota]) != boundary:
        return Cut(quota, order, tuple(ordered[:quota]), (), 0, tuple(ordered[quota:]),
                   unscored)
    above = [e for e in ordered if key(e) < boundary]
    tied = [e for e in ordered if key(e) == boundary]
    below = [e for e in ordered if key(e) > boundary]
    seats = quota - len(above)
    chain = [run_off] if isinstance(run_off, Mapping) else list(run_off or [])
    first = next((i for i, votes in enumerate(chain)
                  if votes and all(e.key in votes for e in tied)), None)
    if first is not None:
        by_key = {e.key: e for e in tied}
        again = cut_at_quota([Entry(e.key, chain[first][e.key]) for e in tied], seats,
                             ("votes",), chain[first + 1:])
        return Cut(quota, order,
                   tuple(above) + tuple(by_key[e.key] for e in again.chosen),
                   tuple(by_key[e.key] for e in again.tied), again.seats,
                   tuple(by_key[e.key] for e in again.rest) + tuple(below), unscored, True)
    return Cut(quota, order, tuple(above), tuple(tied), seats, tuple(below), unscored)
