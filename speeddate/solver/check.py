"""Independent checker: recomputes every figure from the meetings alone, sharing no code with the search.

It enforces the rotation rule (inner people keep their seat, outer people move one seat up per round, seat
n goes to 1), that nobody sits twice in a round, nobody meets anyone twice, everyone is seated in every round
and nobody changes circle or side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from speeddate.solver.model import INNER, OUTER, Figures, Instance, Meeting, Participant, Plan, meetings_of


class PlanError(ValueError):
    """The plan breaks a seating rule."""


Seat = tuple[str, int, int]


def check(instance: Instance, plan: Plan) -> Figures:
    """Figures of a plan, after checking its meetings against every rule."""
    return check_meetings(instance.participants, plan.rounds, meetings_of(plan))


def check_meetings(people: Sequence[Participant], rounds: int, meetings: Iterable[Meeting]) -> Figures:
    """Figures of a list of meetings; raises PlanError when a rule is broken."""
    by_id = {p.id: p for p in people}
    meetings = list(meetings)
    seats = _seats(by_id, rounds, meetings)
    _check_rotation(seats, _circle_sizes(meetings))
    missing = [p for p in by_id if len(seats.get(p, {})) != rounds]
    if missing:
        raise PlanError(f"not seated in every round: {', '.join(missing[:5])}")
    pairs = _pairs(meetings)
    return _figures(by_id, pairs)


def _circle_sizes(meetings: list[Meeting]) -> dict[int, int]:
    sizes: dict[int, int] = defaultdict(int)
    for m in meetings:
        sizes[m.circle] = max(sizes[m.circle], m.seat)
    return sizes


def _seats(by_id: dict[str, Participant], rounds: int, meetings: list[Meeting]) -> dict[str, dict[int, Seat]]:
    """Where everybody sits in each round; rejects unknown people and double seating."""
    seats: dict[str, dict[int, Seat]] = defaultdict(dict)
    for m in meetings:
        if not 1 <= m.round <= rounds:
            raise PlanError(f"round {m.round} outside 1..{rounds}")
        for side, person in ((INNER, m.inner), (OUTER, m.outer)):
            if person is None:
                continue
            if person not in by_id:
                raise PlanError(f"unknown participant {person!r}")
            if m.round in seats[person]:
                raise PlanError(f"{person} sits twice in round {m.round}")
            seats[person][m.round] = (side, m.circle, m.seat)
    return seats


def _check_rotation(seats: dict[str, dict[int, Seat]], sizes: dict[int, int]) -> None:
    for person, by_round in seats.items():
        if len({(side, circle) for side, circle, _ in by_round.values()}) != 1:
            raise PlanError(f"{person} changes circle or side")
        for round_no, (side, circle, seat) in by_round.items():
            following = by_round.get(round_no + 1)
            if following is None:
                continue
            expected = seat if side == INNER else seat % sizes[circle] + 1
            if following[2] != expected:
                raise PlanError(f"{person} ({side}) goes from seat {seat} to {following[2]} "
                                f"after round {round_no}")


def _pairs(meetings: list[Meeting]) -> set[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    for m in meetings:
        if m.inner is None or m.outer is None:
            continue
        pair = frozenset((m.inner, m.outer))
        if pair in pairs or len(pair) == 1:
            raise PlanError(f"{m.inner} and {m.outer} meet twice")
        pairs.add(pair)
    return pairs


def _figures(by_id: dict[str, Participant], pairs: set[frozenset[str]]) -> Figures:
    met: dict[str, list[Participant]] = defaultdict(list)
    for pair in pairs:
        a, b = (by_id[x] for x in pair)
        met[a.id].append(b)
        met[b.id].append(a)
    distinct = {pid: {q.sector for q in met[pid]} - {p.sector} for pid, p in by_id.items()}
    return Figures(
        meetings=len(pairs),
        same_organisation=sum(1 for a, b in _people(by_id, pairs) if a.organisation == b.organisation),
        same_sector=sum(1 for a, b in _people(by_id, pairs) if a.sector == b.sector),
        distinct_sectors_total=sum(len(d) for d in distinct.values()),
        distinct_sectors_min=min((len(d) for d in distinct.values()), default=0),
        wishes_met=sum(len(distinct[pid] & set(p.wants)) for pid, p in by_id.items()),
        avoided_pairs_met=sum(1 for a, b in _people(by_id, pairs) if b.id in a.avoid or a.id in b.avoid),
    )


def _people(by_id: dict[str, Participant], pairs: set[frozenset[str]]) -> list[tuple[Participant, ...]]:
    return [(by_id[a], by_id[b]) for a, b in (sorted(pair) for pair in pairs)]
