"""The search state: the incremental score of a swap agrees with applying the swap and recounting."""

from __future__ import annotations

import random

import pytest

from speeddate.solver.construct import random_seating
from speeddate.solver.layout import make_layout
from speeddate.solver.problem import EMPTY, make_problem
from speeddate.solver.state import State

from .helpers import rich_instance


@pytest.mark.parametrize(("count", "sectors", "rounds", "pairs"),
                         [(7, 3, 3, None), (24, 4, 6, None), (45, 12, 7, None), (61, 9, 5, 8)])
def test_score_after_swap_is_the_score_after_the_swap(count: int, sectors: int, rounds: int,
                                                      pairs: int | None) -> None:
    instance = rich_instance(count, sectors, rounds, pairs)
    problem = make_problem(instance, make_layout(instance))
    rng = random.Random(3)
    state = State(problem, random_seating(problem, rng))
    slots, checked = problem.layout.slot_count, 0
    for _ in range(3000):
        a, b = rng.randrange(slots), rng.randrange(slots)
        if state.at[a] == state.at[b] == EMPTY or a == b:
            continue
        predicted = state.score_after_swap(a, b)
        state.swap(a, b)
        assert state.score() == predicted, (a, b)
        checked += 1
        if rng.random() < 0.5:
            state.swap(a, b)
    assert checked > 2000
    # The kept state is still consistent with a fresh count.
    assert State(problem, list(state.at)).score() == state.score()
