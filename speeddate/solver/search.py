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

from speeddate.solver.layout import Layout
from speeddate.solver.model import INNER, OUTER, FixedSeat, Instance

Score = tuple[int, int, int, int, int, int]
EMPTY = -1
TARGETED = 0.2
HUGE_SECTOR_SHARE = 0.5
FINAL_TEMPERATURE = 0.01
SAME_SECTOR_PENALTY = 2.5


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
        return (self.avoided, self.colleagues, self.same_sector, -self.total, -worst, -self.wishes)

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
        return (avoided, colleagues, same, -total, -worst, -wishes)

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


def construct(problem: Problem, rng: random.Random, huge_apart: bool = True) -> list[int]:
    """A strong start: sectors kept to one side where they fit, each side's sectors spread evenly round.

    A sector filling most of a side is dealt to both sides alternately (`huge_apart`) or kept to one side;
    which is better depends on the instance, so the search starts from both.
    """
    layout = problem.layout
    at = [EMPTY] * layout.slot_count
    for person, slot in enumerate(problem.fixed_slot):
        if slot != EMPTY:
            at[slot] = person
    members = _circle_members(problem, rng, at)
    for circle, people in enumerate(members):
        inner, outer = _split_sides(problem, circle, people, at, huge_apart)
        for side, group in ((INNER, inner), (OUTER, outer)):
            free = [s for s in _side_slots(layout, circle, side) if at[s] == EMPTY]
            for slot, person in zip(free, _spread(problem, group), strict=False):
                at[slot] = person
    return at


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
    """Deal people round the circles sector by sector, so every circle gets a similar mix."""
    layout = problem.layout
    fixed_in = Counter(layout.circle_of()[s] for s in problem.fixed_slot if s != EMPTY)
    room = [layout.people[c] - fixed_in[c] for c in range(len(layout.sizes))]
    members: list[list[int]] = [[] for _ in layout.sizes]
    free = [p for p in range(problem.size) if problem.fixed_slot[p] == EMPTY]
    circle = 0
    for person in _by_sector(problem, free, rng):
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
        alternate = huge_apart and len(group) > HUGE_SECTOR_SHARE * layout.sizes[circle]
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
    while moves < budget and len(movable) > 1 and best != target:
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
    """Try every swap of each worst-off person's seat; keep any that improves the plan in the objective order.

    Annealing ends on a plan that is good in total but whose worst-off people are a matter of luck; a full
    sweep over those few people's swaps is cheap and deterministic, and never makes the plan worse. Fewer
    people at the worst level counts as progress, so several worst-off people can be lifted one by one.
    """
    movable, circle_of = movable_slots(state.problem), state.problem.layout.circle_of()
    best, moves, improved = _polish_key(state), 0, True
    while improved and time.monotonic() < deadline:
        improved = False
        worst = -best[0][4]
        for a in [s for s in movable if state.at[s] != EMPTY and state.distinct[state.at[s]] == worst]:
            for b in movable:
                if state.at[a] == state.at[b] or (circle_of[a] != circle_of[b] and state.at[b] == EMPTY):
                    continue
                moves += 1
                state.swap(a, b)
                if _polish_key(state) < best:
                    best, improved = _polish_key(state), True
                    break
                state.swap(a, b)
            if time.monotonic() >= deadline:
                break
    return SearchResult(list(state.at), best[0], moves)


def _polish_key(state: State) -> tuple[Score, int]:
    """The score, then fewer people at the worst-off level (a step towards raising that level)."""
    score = state.score()
    return score, state.histogram[-score[4]]


def _accept_worse(current: Score, new: Score, temperature: float, rng: random.Random) -> bool:
    if new[0] > current[0] or new[1] > current[1]:
        return False
    loss = SAME_SECTOR_PENALTY * (new[2] - current[2]) + (new[3] - current[3]) + 0.5 * (new[4] - current[4])
    return rng.random() < math.exp(-max(0.0, loss) / temperature)


def _partner_slot(state: State, a: int, rng: random.Random, movable: list[int], same_circle: list[int],
                  circle_of: list[int]) -> int:
    """Mostly a slot in the same circle; people may also swap circles, empty seats stay in theirs."""
    if rng.random() < 0.8:
        return rng.choice(same_circle)
    b = rng.choice(movable)
    if circle_of[b] != circle_of[a] and EMPTY in (state.at[a], state.at[b]):
        return a
    return b
