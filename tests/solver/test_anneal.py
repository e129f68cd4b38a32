"""The annealing walk and the worst-off polish: what they return is the best they saw, and it is as scored."""

from __future__ import annotations

import random

import pytest

from speeddate.solver.anneal import local_search, polish_worst_off
from speeddate.solver.construct import random_seating
from speeddate.solver.layout import make_layout
from speeddate.solver.problem import make_problem
from speeddate.solver.state import State

from .helpers import rich_instance

NO_DEADLINE = float("inf")  # the move budget ends the walks, so the tests do not depend on the machine


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_walk_returns_its_best_seating_with_that_seating_s_score(seed: int) -> None:
    instance = rich_instance(24, 5, 4, None)
    problem = make_problem(instance, make_layout(instance))
    state = State(problem, random_seating(problem, random.Random(seed)))
    start = state.score()
    # A hot walk takes worse swaps too, so it seldom ends on its best seating.
    result = local_search(state, random.Random(seed), NO_DEADLINE, 3000, None, start_temperature=5.0)
    assert State(problem, result.at).score() == result.score
    assert result.score <= start and result.score <= state.score()
    assert result.moves == 3000


def test_the_walk_never_lets_more_avoided_pairs_or_colleagues_meet() -> None:
    instance = rich_instance(24, 5, 4, None)
    problem = make_problem(instance, make_layout(instance))
    state = State(problem, random_seating(problem, random.Random(7)))
    start = state.score()
    local_search(state, random.Random(7), NO_DEADLINE, 3000, None, start_temperature=5.0)
    end = state.score()
    assert end.avoided_pairs <= start.avoided_pairs and end.colleagues <= start.colleagues


def test_the_polish_never_makes_a_plan_worse_and_returns_its_seating() -> None:
    instance = rich_instance(30, 6, 5, None)
    problem = make_problem(instance, make_layout(instance))
    start = random_seating(problem, random.Random(2))
    before = State(problem, start).score()
    result = polish_worst_off(State(problem, list(start)), NO_DEADLINE)
    assert result.score <= before
    assert State(problem, result.at).score() == result.score
