"""Agency lineage as pure rules (RULES.md 44–46): which units a unit stems from for a
past year, and which unit stopped existing when. The shell (org.lineage) loads the
events; awards and documents read the answers.

The law is silent on how a merged agency's past achievements count (TT 15/2025/TT-BNV
only forbids awards to units dissolved in the reorganisation; its article bodies are
unverified, LEGAL-REVIEW.md §3.1). The reading encoded is the conservative one:
- a rename passes the whole record on (same collective, new name);
- a merge passes on only what *every* merged collective held (the absorbing unit
  included when it existed that year): the successor is the union of them all;
- a split passes nothing on to bonus points or year conditions: no part is the
  collective the decision named. Every predecessor's awards are still listed as history.
"""

import datetime
from dataclasses import dataclass

MERGE, SPLIT, RENAME = "merge", "split", "rename"


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    effective_date: datetime.date
    predecessors: frozenset
    successors: frozenset


@dataclass(frozen=True)
class Roots:
    """The units whose achievements of `year` stand for a unit. `whole` is false when the
    chain passes a split: then nothing is passed on (the module's docstring)."""

    unit_id: int
    year: int
    unit_ids: frozenset
    whole: bool

    @property
    def inherited(self) -> bool:
        return self.unit_ids != frozenset({self.unit_id})


def dissolution(unit_id: int, events, on_date: datetime.date) -> Event | None:
    """The event that ended `unit_id` on or before `on_date` (it is one of its
    predecessors), or None while the unit exists."""
    ended = [e for e in events if unit_id in e.predecessors and e.effective_date <= on_date]
    return min(ended, key=lambda e: (e.effective_date, e.id)) if ended else None


def _after_year(events, unit_id: int, year: int) -> list:
    """Events that created `unit_id` after the year ended (effective in a later year)."""
    return [e for e in events if unit_id in e.successors and e.effective_date.year > year]


def roots(unit_id: int, year: int, events, present=frozenset(), _seen=None) -> Roots:
    """The collectives whose achievements of `year` stand for `unit_id` (RULES.md 45).
    `present`: units that existed in `year` (a membership or an award of that year): an
    absorbing unit that continues counts itself beside the units it absorbed."""
    seen = set(_seen or ())
    if unit_id in seen:
        return Roots(unit_id, year, frozenset({unit_id}), True)
    seen.add(unit_id)
    incoming = _after_year(events, unit_id, year)
    if not incoming:
        return Roots(unit_id, year, frozenset({unit_id}), True)
    ids, whole = set(), True
    for event in incoming:
        whole = whole and event.kind != SPLIT
        for predecessor in sorted(event.predecessors):
            found = roots(predecessor, year, events, present, seen)
            ids |= found.unit_ids
            whole = whole and found.whole
    if unit_id in present:
        ids.add(unit_id)
    return Roots(unit_id, year, frozenset(ids), whole)


def ancestors(unit_id: int, events, _seen=None) -> dict:
    """Every unit `unit_id` stems from, by any path (splits included) → the first year
    that is no longer theirs (the effective year of the event that ended them). The
    achievement report lists their awards of the years before (RULES.md 46)."""
    seen = dict(_seen or {})
    for event in events:
        if unit_id not in event.successors:
            continue
        for predecessor in event.predecessors:
            if predecessor in seen:
                continue
            seen[predecessor] = event.effective_date.year
            seen.update(ancestors(predecessor, events, seen))
    return seen


def check_shape(kind: str, predecessors: set, successors: set) -> list[str]:
    """What an event's units contradict (Vietnamese, for the officer)."""
    errors = []
    if not predecessors:
        errors.append("Chưa chọn đơn vị trước sắp xếp.")
    if not successors:
        errors.append("Chưa chọn đơn vị sau sắp xếp.")
    if predecessors & successors:
        errors.append("Một đơn vị không thể vừa là đơn vị trước vừa là đơn vị sau sắp xếp "
                      "(đơn vị tiếp nhận, vẫn hoạt động, chỉ chọn ở «đơn vị sau»).")
    if errors:
        return errors
    if kind == MERGE and len(successors) != 1:
        errors.append("Sáp nhập, hợp nhất: các đơn vị trước hợp thành đúng một đơn vị sau.")
    elif kind == SPLIT and (len(predecessors) != 1 or len(successors) < 2):
        errors.append("Chia tách: một đơn vị trước tách thành ít nhất hai đơn vị sau.")
    elif kind == RENAME and (len(predecessors) != 1 or len(successors) != 1):
        errors.append("Đổi tên: đúng một đơn vị trước và một đơn vị sau.")
    elif kind not in (MERGE, SPLIT, RENAME):
        errors.append("Hình thức sắp xếp không hợp lệ (sáp nhập, chia tách hoặc đổi tên).")
    return errors
