"""Start seatings for the search: a constructive start of three shapes, and a random one."""

from __future__ import annotations

import random
from collections import Counter

from speeddate.solver.bound import best_split, circle_seen_cap
from speeddate.solver.layout import Layout
from speeddate.solver.model import INNER, OUTER
from speeddate.solver.problem import EMPTY, NO_SLOT, Problem

HUGE_SECTOR_SHARE = 0.5
HELD = -2  # a slot kept empty while the constructive start fills a circle
RUNS, ALTERNATE, ONE_SIDE = "runs", "alternate", "one side"  # where construct puts a huge sector


def construct(problem: Problem, rng: random.Random, huge: str = RUNS) -> list[int]:
    """A strong start: sectors kept to one side where they fit, each side's sectors spread evenly round.

    A sector filling most of a side is laid out in runs on both sides (RUNS, see `_place_runs`), dealt to
    both sides alternately (ALTERNATE) or kept to one side (ONE_SIDE); which is best depends on the instance
    and on the other sectors, so the search starts from each in turn.
    """
    layout = problem.layout
    at = [EMPTY] * layout.slot_count
    for person, slot in enumerate(problem.fixed_slot):
        if slot != NO_SLOT:
            at[slot] = person
    members, partners = _circle_members(problem, rng, at), layout.partners()
    for circle, people in enumerate(members):
        placed = _place_runs(problem, circle, people, at, rng) if huge == RUNS else set()
        rest = [p for p in people if p not in placed]
        # Empty seats go where nobody would see the huge sector anyway: held back while the sides are filled.
        covered = {q for s, p in enumerate(at) if p in placed for q in partners[s]}
        free = [s for side in (INNER, OUTER) for s in _side_slots(layout, circle, side) if at[s] == EMPTY]
        held = [s for s in free if s not in covered][:len(free) - len(rest)] if placed else []
        for slot in held:
            at[slot] = HELD
        inner, outer = _split_sides(problem, circle, rest, at, huge != ONE_SIDE)
        for side, group in ((INNER, inner), (OUTER, outer)):
            side_free = [s for s in _side_slots(layout, circle, side) if at[s] == EMPTY]
            for slot, person in zip(side_free, _spread(problem, group), strict=False):
                at[slot] = person
        for slot in held:
            at[slot] = EMPTY
    return at


def _place_runs(problem: Problem, circle: int, people: list[int], at: list[int],
                rng: random.Random) -> set[int]:
    """Seat a circle's huge sector in the layout that lets the most people see it (bound.circle_seen_cap).

    Position i pairs inner seat i with outer start i in round 1; inner seat i meets outer starts i-R+1..i. With
    r changes (the bound's r), the positions form r units: a region of outer members, a gap of R-1 positions,
    a region of inner members. Within a region members are at most R apart, so an outer region's windows
    cover its inner seats and the R-1 after it, and an inner region's cover its outer starts and the R-1
    before it: no member meets another, and n + r(R-1) people see the sector instead of n with the sector on
    one side. Measured on the skewed families, walks seldom find this layout themselves. Returns the people
    seated (none when it does not apply: no huge sector, one side is as good, or a fixed seat is in the way).
    """
    layout = problem.layout
    n, rounds = layout.sizes[circle], layout.rounds
    counts = Counter(problem.sector[p] for p in people)
    if not counts or rounds < 2:
        return set()
    sector, m = counts.most_common(1)[0]
    changes = min(m // 2, (n - m) // (rounds - 1))
    if m <= HUGE_SECTOR_SHARE * n or changes < 1 or circle_seen_cap(m, n, rounds) <= min(m * rounds, n):
        return set()
    # Regions alternate outer, inner; members as even as possible over them.
    regions = 2 * changes
    sizes = [m // regions + (1 if k < m % regions else 0) for k in range(regions)]
    spans = [1] * regions
    room = n - changes * (rounds - 1) - regions
    while room > 0 and any(spans[k] < (sizes[k] - 1) * rounds + 1 for k in range(regions)):
        for k in range(regions):
            if room > 0 and spans[k] < (sizes[k] - 1) * rounds + 1:
                spans[k] += 1
                room -= 1
    slots, position = [], rng.randrange(n)
    for k, (size, span) in enumerate(zip(sizes, spans, strict=True)):
        side = OUTER if k % 2 == 0 else INNER
        step = (span - 1) / (size - 1) if size > 1 else 0.0
        slots += [layout.slot(circle, side, (position + round(j * step)) % n) for j in range(size)]
        position += span + (rounds - 1 if side == OUTER else 0)
    if any(at[s] != EMPTY for s in slots):
        return set()
    group = [p for p in people if problem.sector[p] == sector]
    for slot, person in zip(slots, group, strict=True):
        at[slot] = person
    return set(group)


def random_seating(problem: Problem, rng: random.Random) -> list[int]:
    """Random people per circle (head counts as the layout says), random seats within each circle."""
    layout = problem.layout
    at = [EMPTY] * layout.slot_count
    for person, slot in enumerate(problem.fixed_slot):
        if slot != NO_SLOT:
            at[slot] = person
    free = [p for p in range(problem.size) if problem.fixed_slot[p] == NO_SLOT]
    rng.shuffle(free)
    circle_of = layout.circle_of()
    for circle, offset in enumerate(layout.offsets):
        slots = [s for s in range(offset, offset + 2 * layout.sizes[circle]) if at[s] == EMPTY]
        rng.shuffle(slots)
        seated = sum(1 for s, p in enumerate(at) if p != EMPTY and circle_of[s] == circle)
        for slot in slots[:layout.people[circle] - seated]:
            at[slot] = free.pop()
    return at


def _side_slots(layout: Layout, circle: int, side: str) -> list[int]:
    return [layout.slot(circle, side, seat) for seat in range(layout.sizes[circle])]


def _by_sector(problem: Problem, people: list[int], rng: random.Random) -> list[int]:
    sizes = Counter(problem.sector[p] for p in people)
    shuffled = sorted(people, key=lambda p: rng.random())
    return sorted(shuffled, key=lambda p: (-sizes[problem.sector[p]], problem.sector[p], problem.org[p]))


def _circle_members(problem: Problem, rng: random.Random, at: list[int]) -> list[list[int]]:
    """Deal people round the circles sector by sector, so every circle gets a similar mix.

    A sector that more people can see when it is split unevenly (bound.best_split: with one sector of 40 %
    over four circles, a full side on two circles and room to mix both sides on the others) is placed as
    that split says; measured on skewed-circles-150, walks rarely move people between circles enough to
    find it themselves.
    """
    layout = problem.layout
    fixed_in = Counter(layout.circle_of()[s] for s in problem.fixed_slot if s != NO_SLOT)
    room = [layout.people[c] - fixed_in[c] for c in range(len(layout.sizes))]
    members: list[list[int]] = [[] for _ in layout.sizes]
    free = [p for p in range(problem.size) if problem.fixed_slot[p] == NO_SLOT]
    groups: dict[int, list[int]] = {}
    for person in _by_sector(problem, free, rng):
        groups.setdefault(problem.sector[person], []).append(person)
    circle = 0
    for group in groups.values():
        split = best_split(len(group), layout) if len(layout.sizes) > 1 else None
        rest = group
        if split is not None and max(split) - min(split) > 1:
            rest = []
            for person in group:
                target = next((c for c in range(len(split)) if split[c] and room[c]), None)
                if target is None:
                    rest.append(person)
                    continue
                members[target].append(person)
                split[target] -= 1
                room[target] -= 1
        for person in rest:
            while room[circle] == 0:
                circle = (circle + 1) % len(room)
            members[circle].append(person)
            room[circle] -= 1
            circle = (circle + 1) % len(room)
    return members


def _split_sides(problem: Problem, circle: int, people: list[int], at: list[int],
                 huge_apart: bool = True) -> tuple[list[int], ...]:
    """Whole sectors (with their organisations) go to the side with more room; huge sectors may alternate."""
    layout = problem.layout
    room = {side: sum(1 for s in _side_slots(layout, circle, side) if at[s] == EMPTY)
            for side in (INNER, OUTER)}
    sides: dict[str, list[int]] = {INNER: [], OUTER: []}
    groups: dict[int, list[int]] = {}
    for person in people:
        groups.setdefault(problem.sector[person], []).append(person)
    for group in sorted(groups.values(), key=len, reverse=True):
        side = INNER if room[INNER] >= room[OUTER] else OUTER
        # A sector filling most of one side would give the other side one sector in every window.
        # Unless it fills a side: then one side is best (bound.circle_seen_cap says which).
        n = layout.sizes[circle]
        alternate = (huge_apart and len(group) > HUGE_SECTOR_SHARE * n
                     and circle_seen_cap(len(group), n, layout.rounds) > min(len(group) * layout.rounds, n))
        for person in group:
            if alternate or room[side] == 0:
                side = OUTER if side == INNER else INNER
            if room[side] == 0:
                side = OUTER if side == INNER else INNER
            sides[side].append(person)
            room[side] -= 1
    return sides[INNER], sides[OUTER]


def _spread(problem: Problem, people: list[int]) -> list[int]:
    """Order people so that each sector's members are evenly spaced round the side."""
    groups: dict[int, list[int]] = {}
    for person in people:
        groups.setdefault(problem.sector[person], []).append(person)
    keyed = [((j + 0.5) / len(g), -len(g), sector, person)
             for sector, g in groups.items() for j, person in enumerate(g)]
    return [person for *_, person in sorted(keyed)]
