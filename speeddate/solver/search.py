"""Fast incremental evaluation, a constructive start and a targeted swap local search.

The state keeps, for every person, how often they meet each sector, so a swap costs O(rounds) updates.
Scores are tuples compared lexicographically in the objective order (lower is better): (avoided pairs met,
colleague meetings, same-sector meetings, -distinct total, -worst-off distinct, -wishes met).
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from dataclasses import dataclass

from speeddate.solver.bound import best_split, circle_seen_cap
from speeddate.solver.layout import Layout
from speeddate.solver.model import INNER, OUTER, FixedSeat, Instance

# avoided pairs met, colleague meetings, same-sector meetings, -distinct total, -worst-off, -wishes met, and
# people at the worst-off level: not part of the objective order but a step towards lifting that level, so the
# walks can tell two plans of equal objective apart (fewer worst-off people is closer to a better plan).
Score = tuple[int, int, int, int, int, int, int]
OBJECTIVE = 6  # score[:OBJECTIVE] is the objective order
EMPTY = -1
TARGETED = 0.2
HUGE_SECTOR_SHARE = 0.5
FINAL_TEMPERATURE = 0.01
SAME_SECTOR_PENALTY = 2.5
SAME_CIRCLE_SHARE = 0.8  # of the swap partners drawn from the same circle (the rest from any circle)
WORST_COUNT_PENALTY = 0.1  # annealing loss per extra person at the worst-off level
HELD = -2  # a slot kept empty while the constructive start fills a circle
RUNS, ALTERNATE, ONE_SIDE = "runs", "alternate", "one side"  # where construct puts a huge sector


@dataclass(frozen=True)
class Problem:
    """Participants as integers: sector, organisation (-1 when alone), wishes, avoided people, fixed slot."""

    sector: tuple[int, ...]
    org: tuple[int, ...]
    wants: tuple[frozenset[int], ...]
    avoid: tuple[frozenset[int], ...]
    fixed_slot: tuple[int, ...]
    sector_count: int
    layout: Layout

    @property
    def size(self) -> int:
        """Number of participants."""
        return len(self.sector)


def make_problem(instance: Instance, layout: Layout) -> Problem:
    """Index sectors, organisations with several members, wishes, avoided pairs and fixed slots."""
    people = instance.participants
    sectors = {name: i for i, name in enumerate(sorted({p.sector for p in people}))}
    org_sizes = Counter(p.organisation for p in people)
    orgs = {name: i for i, name in enumerate(sorted(o for o, k in org_sizes.items() if k > 1))}
    index = {p.id: i for i, p in enumerate(people)}
    avoid: list[set[int]] = [set() for _ in people]
    for i, p in enumerate(people):
        for other in p.avoid:
            avoid[i].add(index[other])
            avoid[index[other]].add(i)
    return Problem(
        sector=tuple(sectors[p.sector] for p in people),
        org=tuple(orgs.get(p.organisation, -1) for p in people),
        wants=tuple(frozenset(sectors[s] for s in p.wants if s in sectors and s != p.sector) for p in people),
        avoid=tuple(frozenset(a) for a in avoid),
        fixed_slot=tuple(_fixed_slot(p.fixed_seat, layout) for p in people),
        sector_count=len(sectors),
        layout=layout,
    )


def _fixed_slot(fixed: FixedSeat | None, layout: Layout) -> int:
    if fixed is None:
        return EMPTY
    return layout.slot(fixed.circle - 1, fixed.side, fixed.seat - 1)


class State:
    """A seating (person per slot) with its figures kept up to date under swaps."""

    def __init__(self, problem: Problem, at: list[int]) -> None:
        self.problem = problem
        self.partners = problem.layout.partners()
        self.at = [EMPTY] * len(at)
        self.pos = [EMPTY] * problem.size
        self.count = [[0] * problem.sector_count for _ in range(problem.size)]
        self.distinct = [0] * problem.size
        self.histogram = [0] * (problem.layout.rounds + 1)
        self.histogram[0] = problem.size
        self.avoided = self.colleagues = self.same_sector = self.total = self.wishes = 0
        for slot, person in enumerate(at):
            if person != EMPTY:
                self.place(person, slot)

    def score(self) -> Score:
        """The objective tuple; lower is better."""
        worst = next(d for d, k in enumerate(self.histogram) if k)
        return (self.avoided, self.colleagues, self.same_sector, -self.total, -worst, -self.wishes,
                self.histogram[worst])

    def place(self, person: int, slot: int) -> None:
        """Seat a person in an empty slot and count the meetings it brings."""
        at = self.at
        for other_slot in self.partners[slot]:
            other = at[other_slot]
            if other != EMPTY:
                self._meet(person, other, 1)
        at[slot] = person
        self.pos[person] = slot

    def remove(self, slot: int) -> int:
        """Empty a slot, uncounting its meetings; returns who sat there."""
        at = self.at
        person = at[slot]
        if person == EMPTY:
            return EMPTY
        at[slot] = EMPTY
        for other_slot in self.partners[slot]:
            other = at[other_slot]
            if other != EMPTY:
                self._meet(person, other, -1)
        return person

    def swap(self, a: int, b: int) -> None:
        """Exchange whoever sits in slots a and b (either may be empty)."""
        first, second = self.remove(a), self.remove(b)
        if second != EMPTY:
            self.place(second, a)
        if first != EMPTY:
            self.place(first, b)

    def score_after_swap(self, a: int, b: int) -> Score:
        """The score the swap of slots a and b would give, computed without changing the state.

        p (at a) stops meeting X, the people at a's partner slots (b excluded), and starts meeting Y, the people
        at b's partner slots (a excluded); q (at b) the other way round; a meeting between p and q, if any, stays.
        Only p, q and the people in X or Y (not both) change, so this costs O(rounds) steps and no undo: measured
        2-2.5 times faster than applying, scoring and undoing the swap (bench/RESULTS.md).
        """
        at, problem, count = self.at, self.problem, self.count
        sector, org, avoid, wants = problem.sector, problem.org, problem.avoid, problem.wants
        p, q = at[a], at[b]
        sp = sector[p] if p != EMPTY else EMPTY
        sq = sector[q] if q != EMPTY else EMPTY
        # sign[x]: -1 if x only meets a's slot (loses p, gains q), +1 if only b's; 0 if both (no change).
        sign: dict[int, int] = {}
        for slot in self.partners[a]:
            if slot != b and at[slot] != EMPTY:
                sign[at[slot]] = -1
        for slot in self.partners[b]:
            if slot != a and at[slot] != EMPTY:
                other = at[slot]
                sign[other] = sign.get(other, 0) + 1
        avoided, colleagues, same = self.avoided, self.colleagues, self.same_sector
        total, wishes = self.total, self.wishes
        shift: dict[int, int] = {}
        # gained[s]: how many more people of sector s p meets after the swap (q meets that many fewer).
        gained: dict[int, int] = {}
        for other, side in sign.items():
            if not side:
                continue
            so = sector[other]
            gained[so] = gained.get(so, 0) + side
            lose, gain = (p, q) if side < 0 else (q, p)
            for person, step in ((lose, -1), (gain, 1)):
                if person != EMPTY:
                    if org[person] == org[other] != EMPTY:
                        colleagues += step
                    if other in avoid[person]:
                        avoided += step
            if sp == sq:
                continue
            s_lose, s_gain = (sp, sq) if side < 0 else (sq, sp)
            row, own, change = count[other], so, 0
            if s_lose == own:
                same -= 1
            elif s_lose != EMPTY and row[s_lose] == 1:
                change -= 1
                wishes -= s_lose in wants[other]
            if s_gain == own:
                same += 1
            elif s_gain != EMPTY and row[s_gain] == 0:
                change += 1
                wishes += s_gain in wants[other]
            if change:
                shift[other] = change
                total += change
        # The meetings' same-sector changes were counted above, once each; here only p's and q's sectors.
        for person, own, direction in ((p, sp, 1), (q, sq, -1)):
            if person == EMPTY:
                continue
            row, change = count[person], 0
            for s, k in gained.items():
                if not k or s == own:
                    continue
                before = row[s]
                after = before + direction * k
                step = 1 if before == 0 and after else -1 if after == 0 and before else 0
                if step:
                    change += step
                    wishes += step if s in wants[person] else 0
            if change:
                shift[person] = change
                total += change
        histogram, distinct = self.histogram, self.distinct
        moved: dict[int, int] = {}
        for person, change in shift.items():
            d = distinct[person]
            moved[d] = moved.get(d, 0) - 1
            moved[d + change] = moved.get(d + change, 0) + 1
        worst = next(d for d in range(len(histogram)) if histogram[d] + moved.get(d, 0))
        return (avoided, colleagues, same, -total, -worst, -wishes, histogram[worst] + moved.get(worst, 0))

    def _meet(self, p: int, q: int, step: int) -> None:
        problem = self.problem
        if problem.org[p] == problem.org[q] != EMPTY:
            self.colleagues += step
        if q in problem.avoid[p]:
            self.avoided += step
        sp, sq = problem.sector[p], problem.sector[q]
        if sp == sq:
            self.same_sector += step
            self.count[p][sp] += step
            self.count[q][sq] += step
            return
        self._see(p, sq, step)
        self._see(q, sp, step)

    def _see(self, person: int, sector: int, step: int) -> None:
        row = self.count[person]
        before = row[sector]
        row[sector] = before + step
        if before == 0 or before + step == 0:
            change = 1 if before == 0 else -1
            self._shift(person, change)
            if sector in self.problem.wants[person]:
                self.wishes += change

    def _shift(self, person: int, step: int) -> None:
        d = self.distinct[person]
        self.histogram[d] -= 1
        self.histogram[d + step] += 1
        self.distinct[person] = d + step
        self.total += step

    def badness(self, slot: int) -> int:
        """How much the person in a slot suffers: conflicts weigh more than missing sectors."""
        person = self.at[slot]
        if person == EMPTY:
            return -1
        own = self.count[person][self.problem.sector[person]]
        return 1000 * own + (self.problem.layout.rounds - self.distinct[person])


def movable_slots(problem: Problem) -> list[int]:
    """Slots whose occupant may change: all but the fixed seats."""
    fixed = {s for s in problem.fixed_slot if s != EMPTY}
    return [s for s in range(problem.layout.slot_count) if s not in fixed]


def construct(problem: Problem, rng: random.Random, huge: str = RUNS) -> list[int]:
    """A strong start: sectors kept to one side where they fit, each side's sectors spread evenly round.

    A sector filling most of a side is laid out in runs on both sides (RUNS, see `_place_runs`), dealt to
    both sides alternately (ALTERNATE) or kept to one side (ONE_SIDE); which is best depends on the instance
    and on the other sectors, so the search starts from each in turn.
    """
    layout = problem.layout
    at = [EMPTY] * layout.slot_count
    for person, slot in enumerate(problem.fixed_slot):
        if slot != EMPTY:
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
        if slot != EMPTY:
            at[slot] = person
    free = [p for p in range(problem.size) if problem.fixed_slot[p] == EMPTY]
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
    fixed_in = Counter(layout.circle_of()[s] for s in problem.fixed_slot if s != EMPTY)
    room = [layout.people[c] - fixed_in[c] for c in range(len(layout.sizes))]
    members: list[list[int]] = [[] for _ in layout.sizes]
    free = [p for p in range(problem.size) if problem.fixed_slot[p] == EMPTY]
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


@dataclass
class SearchResult:
    """Best seating found and how many moves were tried."""

    at: list[int]
    score: Score
    moves: int


def local_search(state: State, rng: random.Random, deadline: float, budget: int,
                 target: Score | None = None, start_temperature: float = 1.0) -> SearchResult:
    """Simulated annealing over swaps; stops at the deadline, the move budget or the target score.

    Avoided pairs and colleague meetings never get worse. Any other worse swap is accepted with probability
    exp(-loss / temperature), where a same-sector meeting costs SAME_SECTOR_PENALTY distinct sectors; the
    temperature falls geometrically with the move budget (not the clock, so a seed reproduces the run). The
    best plan in the objective order is kept. Measured: plain "accept if not worse" stalls, notably when few
    sectors force a plan that mixes sectors on both sides (bench/RESULTS.md).
    """
    movable = movable_slots(state.problem)
    circle_of = state.problem.layout.circle_of()
    by_circle: dict[int, list[int]] = {}
    for slot in movable:
        by_circle.setdefault(circle_of[slot], []).append(slot)
    current = best = state.score()
    best_at, moves, temperature = list(state.at), 0, start_temperature
    while moves < budget and len(movable) > 1 and not reached(best, target):
        if moves % 256 == 0:
            if time.monotonic() >= deadline:
                break
            temperature = start_temperature * (FINAL_TEMPERATURE / start_temperature) ** (moves / budget)
        moves += 1
        a = rng.choice(movable)
        if rng.random() < TARGETED:
            a = max((a, rng.choice(movable)), key=state.badness)
        b = _partner_slot(state, a, rng, movable, by_circle[circle_of[a]], circle_of)
        if b == a or state.at[a] == state.at[b]:
            continue
        new = state.score_after_swap(a, b)
        if new <= current or _accept_worse(current, new, temperature, rng):
            state.swap(a, b)
            current = new
            if new < best:
                best, best_at = new, list(state.at)
    return SearchResult(best_at, best, moves)


def polish_worst_off(state: State, deadline: float) -> SearchResult:
    """Try every swap of each worst-off person's seat; keep any that improves the score.

    Annealing ends on a plan that is good in total but whose worst-off people are a matter of luck; a full
    sweep over those few people's swaps is cheap and deterministic, and never makes the plan worse. Fewer
    people at the worst level (the score's last element) counts as progress, so several worst-off people can
    be lifted one by one.
    """
    movable, circle_of = movable_slots(state.problem), state.problem.layout.circle_of()
    best, moves, improved = state.score(), 0, True
    while improved and time.monotonic() < deadline:
        improved = False
        worst = -best[4]
        for a in [s for s in movable if state.at[s] != EMPTY and state.distinct[state.at[s]] == worst]:
            for b in movable:
                if state.at[a] == state.at[b] or (circle_of[a] != circle_of[b] and state.at[b] == EMPTY):
                    continue
                moves += 1
                new = state.score_after_swap(a, b)
                if new < best:
                    state.swap(a, b)
                    best, improved = new, True
                    break
            if time.monotonic() >= deadline:
                break
    return SearchResult(list(state.at), best, moves)


def reached(score: Score, target: Score | None) -> bool:
    """Whether a score meets the target in the objective order (the worst-off head count aside)."""
    return target is not None and score[:OBJECTIVE] <= target[:OBJECTIVE]


def _accept_worse(current: Score, new: Score, temperature: float, rng: random.Random) -> bool:
    if new[0] > current[0] or new[1] > current[1]:
        return False
    loss = (SAME_SECTOR_PENALTY * (new[2] - current[2]) + (new[3] - current[3]) + 0.5 * (new[4] - current[4])
            + WORST_COUNT_PENALTY * (new[6] - current[6]))
    return rng.random() < math.exp(-max(0.0, loss) / temperature)


def _partner_slot(state: State, a: int, rng: random.Random, movable: list[int], same_circle: list[int],
                  circle_of: list[int]) -> int:
    """Mostly a slot in the same circle; people may also swap circles, empty seats stay in theirs."""
    if rng.random() < SAME_CIRCLE_SHARE:
        return rng.choice(same_circle)
    b = rng.choice(movable)
    if circle_of[b] != circle_of[a] and EMPTY in (state.at[a], state.at[b]):
        return a
    return b
