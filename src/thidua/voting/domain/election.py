"""The leader and deputy election (functional core): who may stand (RULES.md 2, 3, 4).

Rotation (RULES.md 4): a unit that led the bloc in any of the last `lookback_years` years
(this year included) cannot lead next year. "The leader is not a deputy" (RULES.md 2): the
unit elected leader cannot stand for deputy.
"""

from dataclasses import dataclass

LEADER, DEPUTY = "leader_election", "deputy_election"


@dataclass(frozen=True)
class Election:
    """Next year's leader and deputies as the conference elected them (RULES.md 3)."""

    leader_id: int | None
    deputy_ids: tuple


def elected(rounds) -> Election | None:
    """Who the conference elected (RULES.md 2, 3, 32), from its counted election polls:
    `rounds`, (kind, [unit ids selected]) in the order held. A round held again — among
    the front-runners after too few reached the threshold, or a run-off at a tie — fills
    only the seats the earlier rounds left open, so the elected are every round's
    selected, in order. None unless exactly one leader was elected (a 6–6 tie elects
    nobody; two leaders elected by separate polls decide nothing either)."""
    chosen = {LEADER: [], DEPUTY: []}
    for kind, units in rounds:
        chosen[kind].extend(u for u in units if u not in chosen[kind])
    if len(chosen[LEADER]) != 1:
        return None
    [leader] = chosen[LEADER]
    return Election(leader, tuple(u for u in chosen[DEPUTY] if u != leader))


@dataclass(frozen=True)
class Exclusion:
    unit_id: int
    rule: int
    sentence: str


@dataclass(frozen=True)
class Standing:
    eligible: tuple  # unit ids, in the order given
    excluded: tuple  # Exclusion


def recent_leader_years(year: int, lookback_years: int) -> range:
    """The emulation years whose leader cannot lead year+1: the last `lookback_years`."""
    return range(year - max(lookback_years, 1) + 1, year + 1)


def election_standing(kind: str, members, *, year: int, recent_leaders: dict,
                      lookback_years: int, elected_leader: int | None = None,
                      labels: dict | None = None) -> Standing:
    """`members`: unit ids of the bloc; `recent_leaders`: year → leader unit id for the
    years of `recent_leader_years`; `elected_leader`: next year's leader (deputy poll)."""
    labels = labels or {}
    eligible, excluded = [], []
    window = recent_leader_years(year, lookback_years)
    for unit_id in members:
        name = labels.get(unit_id, str(unit_id))
        led = sorted(y for y, leader in recent_leaders.items() if leader == unit_id
                     and y in window)
        if kind == LEADER and led:
            excluded.append(Exclusion(unit_id, 4, (
                f"{name} là Trưởng khối năm {', '.join(map(str, led))}: không làm Trưởng khối "
                f"năm {year + 1} (luân phiên, nhìn lại {lookback_years} năm — Quy tắc 4)")))
        elif kind == DEPUTY and elected_leader == unit_id:
            excluded.append(Exclusion(unit_id, 2, (
                f"{name} đã được bầu Trưởng khối năm {year + 1}: Trưởng khối không đồng thời "
                "là Phó khối (Quy tắc 2)")))
        else:
            eligible.append(unit_id)
    return Standing(tuple(eligible), tuple(excluded))


def front_runners(votes: dict, seats: int) -> tuple:
    """Who stands again when an election fills fewer seats than it should because too few
    reached the threshold (RULES.md 32, as practised: the conference votes again among the
    front-runners, the threshold still applies). `votes`: candidate → yes votes, in ballot
    order, of the candidates not elected; `seats`: the seats still open. The front-runners
    are the highest vote counts, at least one more candidate than the open seats, and
    every candidate tied with the last of them — a tie is never cut (6–6: both; 5–4–3:
    the first two; 4–4–4: all three). In ballot order among equal votes."""
    ordered = sorted(votes, key=lambda candidate: -votes[candidate])
    if len(ordered) <= seats + 1:
        return tuple(ordered)
    cut = votes[ordered[seats]]
    return tuple(candidate for candidate in ordered if votes[candidate] >= cut)
