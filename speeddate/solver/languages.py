"""A start seating for speeddates where some people share no language: language groups kept together.

Swaps alone seldom gather the French speakers of three circles into one: each step that moves one of them
over costs as much as it gains, and the walk never lets meetings without a common language get worse. So the
first walk starts from a seating where they already sit together (measured in bench/seating_network.py):

- people are dealt to the circles in language order (one group, the bilinguals, then the other group), so
  most circles hold one group, and a circle that holds both also holds the bilinguals between them;
- inside such a circle the first group takes the first positions of both sides; the bilinguals fence it off:
  on the inner side right after it, on the outer side right before it (the end of the cycle). Inner seat i
  meets outer starts i-R+1..i, so R-1 fencing seats a side keep the two groups from meeting.

Within one language group people are dealt round the sectors, so the walk starts from a spread of sectors.
"""

from __future__ import annotations

from collections import defaultdict

from speeddate.solver.model import INNER, OUTER
from speeddate.solver.problem import ANY_LANGUAGE, EMPTY, NO_SLOT, Problem


def speaks_apart(problem: Problem) -> bool:
    """Whether two people here share no language (else languages cannot cost a meeting)."""
    masks = set(problem.language)
    return any(not a & b for a in masks for b in masks)


def language_start(problem: Problem, at: list[int]) -> list[int]:
    """The seating with its movable people dealt to circles and seats by language group (see the module)."""
    layout, fixed = problem.layout, {s for s in problem.fixed_slot if s != NO_SLOT}
    sides: list[dict[str, list[int]]] = []
    for c, offset in enumerate(layout.offsets):
        n = layout.sizes[c]
        free = {side: [s for s in range(start, start + n) if s not in fixed and at[s] != EMPTY]
                for side, start in ((INNER, offset), (OUTER, offset + n))}
        sides.append(free)
    people = _language_order(problem, [at[s] for side in sides for slots in side.values() for s in slots])
    result = list(at)
    taken = 0
    for free in sides:
        count = len(free[INNER]) + len(free[OUTER])
        _arrange_circle(problem, result, free, people[taken:taken + count])
        taken += count
    return result


def _arrange_circle(problem: Problem, at: list[int], free: dict[str, list[int]], people: list[int]) -> None:
    """Inner: first group, bilinguals, other group; outer: first group, other group, bilinguals."""
    inner: list[int] = []
    outer: list[int] = []
    room = {INNER: len(free[INNER]), OUTER: len(free[OUTER])}
    # Alternate sides, outer first: the outer side then holds at least as many of the first group, so no inner
    # member of it faces an outer member of the other group.
    for person in people:
        to_outer = len(outer) < room[OUTER] and (len(outer) <= len(inner) or len(inner) >= room[INNER])
        (outer if to_outer else inner).append(person)
    if people and _position(problem, people[0]) != _position(problem, people[-1]):
        first, last = _position(problem, people[0]), _position(problem, people[-1])
        outer = ([p for p in outer if _position(problem, p) == first]
                 + [p for p in outer if _position(problem, p) == last]
                 + [p for p in outer if _position(problem, p) not in (first, last)])
    for side, group in ((INNER, inner), (OUTER, outer)):
        for slot, person in zip(free[side], group, strict=True):
            at[slot] = person


def _language_order(problem: Problem, people: list[int]) -> list[int]:
    """People from one end of the languages to the other, each group dealt round its sectors."""
    groups: dict[float, list[int]] = defaultdict(list)
    for person in people:
        groups[_position(problem, person)].append(person)
    ordered: list[int] = []
    for position in sorted(groups, reverse=True):
        by_sector: dict[int, list[int]] = defaultdict(list)
        for person in sorted(groups[position]):
            by_sector[problem.sector[person]].append(person)
        queues = sorted(by_sector.values(), key=len, reverse=True)
        while any(queues):
            ordered += [queue.pop() for queue in queues if queue]
    return ordered


def _position(problem: Problem, person: int) -> float:
    """Where a person's languages lie between the first code and the last: the mean of their codes' indexes."""
    mask = problem.language[person]
    width = max((m.bit_length() for m in problem.language if m != ANY_LANGUAGE), default=1)
    bits = [b for b in range(width) if mask >> b & 1]
    return sum(bits) / len(bits) if bits else 0.0
