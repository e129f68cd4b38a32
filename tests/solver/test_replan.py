"""Re-planning on the day: what the re-plan reports about the plan it returns."""

from __future__ import annotations

import random

import pytest

from speeddate.solver import Options, Participant, Plan, replan, solve
from speeddate.solver.construct import random_seating
from speeddate.solver.layout import make_layout
from speeddate.solver.problem import EMPTY, make_problem
from speeddate.solver.replan import ReplanState

from .helpers import instance, rich_instance, varied


def seats_of(plan: Plan) -> dict[str, tuple[int, str, int]]:
    """Each seated person's round-1 seat: circle, side, seat index."""
    return {p: (c.circle, side, i) for c in plan.circles for side, seats in (("inner", c.inner), ("outer", c.outer))
            for i, p in enumerate(seats) if p}


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_moved_counts_the_people_off_their_seat_in_the_returned_plan(seed: int) -> None:
    # The walk goes on after its best plan; moved must describe the plan returned, not where the walk ended.
    participants = varied(10, 4)
    first = solve(instance(participants, 3), Options(time_limit=1.0, seed=0, use_cpsat=False))
    present = (*participants[1:], Participant("new1", "Walk In", "elsewhere", "S0"))
    again = replan(instance(present, 3), first.circles, Options(time_limit=1.0, seed=seed))
    before, after = seats_of(first), seats_of(again)
    assert again.moved == sum(1 for p in after if p in before and after[p] != before[p])


def test_replan_score_after_swap_counts_the_people_moved() -> None:
    instance = rich_instance(30, 6, 5, None)
    problem = make_problem(instance, make_layout(instance))
    rng = random.Random(5)
    start = random_seating(problem, rng)
    home = [slot if person % 4 else EMPTY for person, slot in sorted((p, s) for s, p in enumerate(start)
                                                                     if p != EMPTY)]
    state = ReplanState(problem, list(start), home)
    slots = problem.layout.slot_count
    for _ in range(1500):
        a, b = rng.randrange(slots), rng.randrange(slots)
        if state.at[a] == state.at[b]:
            continue
        predicted = state.score_after_swap(a, b)
        state.swap(a, b)
        assert state.score() == predicted
    fresh = ReplanState(problem, list(state.at), home)
    assert (fresh.score(), fresh.moved()) == (state.score(), state.moved())
    assert state.moved() == sum(1 for p, slot in enumerate(home) if slot != EMPTY and state.pos[p] != slot)
