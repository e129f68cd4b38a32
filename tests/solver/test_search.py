"""The search's incremental evaluation agrees with applying the swap and recounting."""

from __future__ import annotations

import random

import pytest

from speeddate.solver.layout import make_layout
from speeddate.solver.model import Instance, Participant
from speeddate.solver.replan import ReplanState
from speeddate.solver.search import EMPTY, State, make_problem, random_seating
from tests.solver.helpers import fixed, varied


def rich_instance(count: int, sectors: int, rounds: int, pairs: int | None) -> Instance:
    """Colleagues, avoided pairs, wishes, a fixed seat and (odd counts) empty seats all at once."""
    base = list(varied(count, sectors))
    rng = random.Random(count)
    people = []
    for i, p in enumerate(base):
        avoid = (base[rng.randrange(count)].id,) if i % 7 == 0 else ()
        wants = (f"S{rng.randrange(sectors)}", f"S{rng.randrange(sectors)}") if i % 3 == 0 else ()
        people.append(Participant(p.id, p.name, p.organisation, p.sector, avoid=tuple(a for a in avoid
                                  if a != p.id), wants=wants))
    people[0] = fixed(people[0], "inner", 1)
    return Instance(tuple(people), rounds, pairs)


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
