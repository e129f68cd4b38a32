"""The constructive start: huge sectors seated as the bound says, every shape seats everyone once."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from speeddate.solver.bound import best_split, circle_seen_cap, sector_seen_cap
from speeddate.solver.construct import ALTERNATE, ONE_SIDE, RUNS, construct
from speeddate.solver.layout import make_layout
from speeddate.solver.model import Instance, Participant
from speeddate.solver.problem import EMPTY, NO_SLOT, Problem, make_problem
from speeddate.solver.state import State

from .helpers import rich_instance, varied


def seeing(problem: Problem, at: list[int], sector: int) -> int:
    """How many people see a sector in a seating."""
    partners, slot_of = problem.layout.partners(), {p: s for s, p in enumerate(at) if p != EMPTY}
    return sum(1 for p, s in slot_of.items() if problem.sector[p] != sector
               and any(at[q] != EMPTY and problem.sector[at[q]] == sector for q in partners[s]))


def test_a_huge_sector_is_seated_so_that_as_many_people_see_it_as_the_bound_allows() -> None:
    checked = 0
    for n in range(4, 17):
        for rounds in range(2, n):
            for members in range(n // 2 + 1, n + 1):
                people = [Participant(f"h{i}", "H", f"h{i}", "H") for i in range(members)]
                people += [Participant(f"p{i}", "P", f"p{i}", f"S{i}") for i in range(2 * n - members - n % 2)]
                instance = Instance(tuple(people), rounds)
                problem = make_problem(instance, make_layout(instance))
                at = construct(problem, random.Random(n + members))
                cap = circle_seen_cap(members, n, rounds)
                if cap > min(members * rounds, n):  # the runs apply: both sides beat one side
                    assert State(problem, at).score().same_sector == 0
                    # An empty seat (odd n) sees nobody; it goes where nobody would see the sector if it can.
                    assert seeing(problem, at, problem.sector[0]) == min(cap, len(people) - members)
                    checked += 1
    assert checked > 100


def test_a_huge_sector_over_several_circles_is_split_as_the_bound_says() -> None:
    # 62 of 150 people in one sector, four circles of 19 pairs, 8 rounds: a full side on two circles and
    # 12 on the others (seen by 19 + 19 + 26 + 26 people) beats 15 or 16 on every circle (4 x 19). Two circles
    # have an empty seat, and someone would see the sector from it: 88.
    layout = make_layout(Instance(tuple(varied(150, 20)), 8, 19))
    assert sorted(best_split(62, layout) or []) == [12, 12, 19, 19]
    assert best_split(8, layout) == [2, 2, 2, 2]
    assert best_split(77, layout) is None  # no room without same-sector meetings
    people = [Participant(f"h{i}", "H", f"h{i}", "H") for i in range(62)]
    people += [Participant(f"p{i}", "P", f"p{i}", f"S{i % 19}") for i in range(88)]
    instance = Instance(tuple(people), 8, 19)
    problem = make_problem(instance, make_layout(instance))
    at = construct(problem, random.Random(1))
    per_circle = [sum(1 for s in range(offset, offset + 38) if at[s] != EMPTY and problem.sector[at[s]] == 0)
                  for offset in problem.layout.offsets]
    assert sorted(per_circle) == [12, 12, 19, 19]
    assert seeing(problem, at, 0) == sector_seen_cap(62, problem.layout) == 88


@pytest.mark.parametrize("shape", [RUNS, ALTERNATE, ONE_SIDE])
def test_every_constructive_shape_seats_everyone_once_and_keeps_fixed_seats(shape: str) -> None:
    base = rich_instance(61, 9, 5, 8)
    # One sector of 40 % as well, so the huge-sector layouts apply.
    people = tuple(replace(p, sector="S0") if i % 5 < 2 else p for i, p in enumerate(base.participants))
    instance = Instance(people, base.rounds, base.pairs_per_circle)
    problem = make_problem(instance, make_layout(instance))
    at = construct(problem, random.Random(4), shape)
    assert sorted(p for p in at if p != EMPTY) == list(range(problem.size))
    assert all(at[slot] == person for person, slot in enumerate(problem.fixed_slot) if slot != NO_SLOT)
    circle_of = problem.layout.circle_of()
    heads = [sum(1 for s, p in enumerate(at) if p != EMPTY and circle_of[s] == c)
             for c in range(len(problem.layout.sizes))]
    assert heads == list(problem.layout.people)
