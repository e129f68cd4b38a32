"""The distinct-sector bound: exact per-circle sector limit, and proof of optimality it allows."""

from __future__ import annotations

import itertools

import pytest

from speeddate.solver import Options, solve
from speeddate.solver.bound import circle_seen_cap, distinct_upper_bound
from speeddate.solver.layout import make_layout

from .helpers import instance, people


def seen_by_brute_force(members: int, n: int, rounds: int) -> int | None:
    """Most people seeing a sector over every placement of its members without a same-sector meeting."""
    best = None
    for inner_count in range(members + 1):
        for inner in itertools.combinations(range(n), inner_count):
            for outer in itertools.combinations(range(n), members - inner_count):
                if any((i - t) % n < rounds for i in inner for t in outer):
                    continue
                by_inner = {(t + d) % n for t in outer for d in range(rounds)}
                by_outer = {(i - d) % n for i in inner for d in range(rounds)}
                best = max(best or 0, len(by_inner) + len(by_outer))
    return best


@pytest.mark.parametrize("n", range(2, 9))
def test_sector_limit_per_circle_equals_brute_force(n: int) -> None:
    for rounds in range(1, n + 1):
        for members in range(1, n + 1):
            assert circle_seen_cap(members, n, rounds) == seen_by_brute_force(members, n, rounds)


def test_bound_without_same_sector_meetings_proves_a_24_person_plan_optimal() -> None:
    # Seven sectors of 5, 4, 4, 3, 3, 3, 2 on 12 pairs for 6 rounds: every sector is seen by at most
    # 17 people (12 for the pair), so 114, not the 125 of the per-sector and per-person limits.
    sizes = (5, 4, 4, 3, 3, 3, 2)
    specs = [f"S{k}" for k, size in enumerate(sizes) for _ in range(size)]
    inst = instance(people(*specs), 6)
    layout = make_layout(inst)
    assert distinct_upper_bound(specs, layout) == 125
    assert distinct_upper_bound(specs, layout, no_same_sector=True) == 114
    plan = solve(inst, Options(time_limit=10, seed=0))
    assert plan.figures.same_sector == 0
    assert plan.upper_bound == plan.figures.distinct_sectors_total == 114
    assert plan.optimal


def test_bound_with_same_sector_meetings_falls_back_to_the_general_one() -> None:
    # Four of one sector on 2 pairs must meet each other, so the tighter bound does not apply.
    specs = ["A", "A", "A", "B"]
    plan = solve(instance(people(*specs), 2), Options(time_limit=3, seed=0))
    assert plan.figures.same_sector > 0
    assert plan.upper_bound == distinct_upper_bound(specs, make_layout(instance(people(*specs), 2)))
