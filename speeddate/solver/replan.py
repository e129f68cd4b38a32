"""Re-plan on the day: people now present, a previous plan, as few people moved as is worth it.

Present people start on their previous seat (when it still exists in the new layout); newcomers fill the
free seats. The search then weighs each move against the distinct-sector total: a person moves only when that
gains more than MOVE_COST distinct sectors in total, and never at the price of a colleague or same-sector
meeting (those levels still come first).
"""

from __future__ import annotations

import random
import time
from dataclasses import replace

from speeddate.solver.anneal import local_search
from speeddate.solver.layout import Layout, make_layout
from speeddate.solver.model import INNER, OUTER, Circle, Instance, Options, Plan
from speeddate.solver.problem import EMPTY, NO_SLOT, Problem, make_problem
from speeddate.solver.score import Score
from speeddate.solver.solve import COOL, MOVES_PER_SECOND, OUTPUT_MARGIN, honest_bound, to_plan
from speeddate.solver.state import State

MOVE_COST = 2


class ReplanState(State):
    """A state whose score charges MOVE_COST distinct sectors for each person off their previous seat."""

    def __init__(self, problem: Problem, at: list[int], home: list[int]) -> None:
        self.home = home
        self.off = 0  # present people not on their previous seat, kept up to date by place()
        super().__init__(problem, at)

    def place(self, person: int, slot: int) -> None:
        """Seat a person and count whether they are now off their previous seat."""
        before = self.pos[person]
        super().place(person, slot)
        self.off += self._off(person, slot) - (self._off(person, before) if before != NO_SLOT else 0)

    def _off(self, person: int, slot: int) -> int:
        home = self.home[person]
        return 1 if home != NO_SLOT and slot != home else 0

    def moved(self) -> int:
        """Present people not on their previous seat."""
        return self.off

    def score(self) -> Score:
        """Like State.score, with the move cost folded into the distinct-sector level."""
        return self._with_moves(super().score(), self.off)

    def score_after_swap(self, a: int, b: int) -> Score:
        """Like State.score_after_swap, with the move cost of the two people swapped."""
        off = self.off
        for person, here, there in ((self.at[a], a, b), (self.at[b], b, a)):
            if person != EMPTY:
                off += self._off(person, there) - self._off(person, here)
        return self._with_moves(super().score_after_swap(a, b), off)

    @staticmethod
    def _with_moves(base: Score, off: int) -> Score:
        return base._replace(minus_distinct=base.minus_distinct + MOVE_COST * off)


def replan(instance: Instance, previous: tuple[Circle, ...], options: Options | None = None) -> Plan:
    """A new plan for the people in `instance`, starting from the previous plan's round-1 seats."""
    options = options or Options()
    started = options.started_at if options.started_at is not None else time.monotonic()
    deadline = started + options.time_limit - OUTPUT_MARGIN
    layout = make_layout(instance)
    problem = make_problem(instance, layout)
    home = previous_slots(instance, layout, previous)
    state = ReplanState(problem, seed_seating(problem, home), home)
    rng = random.Random(options.seed)
    budget = int(options.time_limit * MOVES_PER_SECOND)
    # A cool walk: the previous plan is already good, a hot one would wander off it.
    result = local_search(state, rng, deadline, budget, None, COOL)
    # The walk goes on after its best plan: figures of the plan returned come from the best seating.
    best = ReplanState(problem, result.at, home)
    bound = honest_bound(instance, layout, best.score().conflict_free)
    plan = to_plan(instance, layout, result.at, "FEASIBLE", bound, started)
    return replace(plan, moved=best.moved())


def previous_slots(instance: Instance, layout: Layout, previous: tuple[Circle, ...]) -> list[int]:
    """Each present person's previous slot, or NO_SLOT when new or when that seat no longer exists."""
    index = {p.id: i for i, p in enumerate(instance.participants)}
    home = [NO_SLOT] * len(instance.participants)
    for circle in previous:
        c = circle.circle - 1
        if c >= len(layout.sizes):
            continue
        for side, seats in ((INNER, circle.inner), (OUTER, circle.outer)):
            for seat, person in enumerate(seats):
                if person in index and seat < layout.sizes[c]:
                    home[index[person]] = layout.slot(c, side, seat)
    return home


def seed_seating(problem: Problem, home: list[int]) -> list[int]:
    """Fixed people first, then present people on their previous seats, newcomers in the free seats."""
    at = [EMPTY] * problem.layout.slot_count
    placed = set()
    for person, slot in enumerate(problem.fixed_slot):
        if slot != NO_SLOT:
            at[slot] = person
            placed.add(person)
    for person, slot in enumerate(home):
        if slot != NO_SLOT and at[slot] == EMPTY and person not in placed:
            at[slot] = person
            placed.add(person)
    _fill_free_seats(problem, at, [p for p in range(problem.size) if p not in placed])
    return at


def _fill_free_seats(problem: Problem, at: list[int], waiting: list[int]) -> None:
    """Newcomers take free seats circle by circle, keeping each circle's head count balanced."""
    layout = problem.layout
    circle_of = layout.circle_of()
    for person in waiting:
        heads = [sum(1 for s, p in enumerate(at) if p != EMPTY and circle_of[s] == c)
                 for c in range(len(layout.sizes))]
        room = [c for c in range(len(layout.sizes)) if heads[c] < layout.people[c]]
        circle = min(room or range(len(layout.sizes)), key=lambda c: heads[c] - layout.people[c])
        slot = next(s for s, p in enumerate(at) if p == EMPTY and circle_of[s] == circle)
        at[slot] = person
