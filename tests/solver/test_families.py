"""Each CP-SAT constraint family alone on a tiny instance: one feasible case, one infeasible case."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

import pytest
from ortools.sat.python import cp_model

from speeddate.solver import cpsat
from speeddate.solver.layout import make_layout
from speeddate.solver.model import InputError, Participant
from speeddate.solver.search import construct, make_problem

from .helpers import fixed, instance, people


def circle_model(participants: tuple[Participant, ...], rounds: int) -> cpsat.CircleModel:
    """The bare assignment model of one circle, hinted with the constructive seating."""
    problem = make_problem(instance(participants, rounds), make_layout(instance(participants, rounds)))
    return cpsat.build_circle_model(problem, construct(problem, random.Random(0)), 0)


def feasible(cm: cpsat.CircleModel) -> bool:
    """Whether CP-SAT finds any solution."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    status = solver.solve(cm.model)
    assert status != cp_model.UNKNOWN
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


Family = Callable[[cpsat.CircleModel, bool], list[cpsat.Term]]
HARD_FAMILIES: list[tuple[Family, tuple[str, ...], tuple[str, ...]]] = [
    # Four seats, two rounds: everyone inside meets everyone outside.
    (cpsat.colleagues, ("A/x", "B/x", "C", "D"), ("A/x", "B/x", "C/x", "D")),
    (cpsat.same_sector, ("A", "A", "B", "C"), ("A", "A", "A", "B")),
]


@pytest.mark.parametrize(("family", "possible", "impossible"), HARD_FAMILIES)
def test_conflict_family_alone_is_hard_when_asked(family: Family, possible: tuple[str, ...],
                                                  impossible: tuple[str, ...]) -> None:
    for specs, expected in ((possible, True), (impossible, False)):
        cm = circle_model(people(*specs), 2)
        family(cm, True)
        assert feasible(cm) is expected


def test_avoided_pairs_alone_feasible_and_infeasible() -> None:
    group = people("A", "B", "C", "D")
    keep_apart = (replace(group[0], avoid=("p2",)), *group[1:])
    cm = circle_model(keep_apart, 2)
    cpsat.avoided_pairs(cm, True)
    assert feasible(cm)
    loner = (replace(group[0], avoid=("p2", "p3", "p4")), *group[1:])
    cm = circle_model(loner, 2)
    cpsat.avoided_pairs(cm, True)
    assert not feasible(cm)


def test_soft_conflicts_are_counted_not_forbidden() -> None:
    cm = circle_model(people("A", "A", "A", "B"), 2)
    terms = cpsat.same_sector(cm, False)
    cm.model.minimize(cpsat._sum(terms))
    solver = cp_model.CpSolver()
    assert solver.solve(cm.model) == cp_model.OPTIMAL
    # Three A's on four seats: one side holds two of them at best, so two A-A meetings remain.
    assert solver.objective_value == 2


def distinct_model(specs: tuple[str, ...], rounds: int) -> tuple[cpsat.CircleModel, cp_model.LinearExpr]:
    cm = circle_model(people(*specs), rounds)
    seen = cpsat.distinct_sectors(cm)
    return cm, cpsat._sum(v for vs in seen.values() for v in vs)


def test_distinct_sectors_alone_reaches_its_maximum_and_no_more() -> None:
    # Six people, three seats a side, two rounds: at most 2 sectors each, 12 in total, reachable.
    specs = ("A", "B", "C", "D", "E", "F")
    cm, total = distinct_model(specs, 2)
    cm.model.add(total >= 12)
    assert feasible(cm)
    cm, total = distinct_model(specs, 2)
    cm.model.add(total >= 13)
    assert not feasible(cm)


def test_worst_off_alone_feasible_and_infeasible() -> None:
    # Two sectors only: nobody can see more than one other sector.
    for bound, expected in ((1, True), (2, False)):
        cm = circle_model(people("A", "A", "B", "B"), 2)
        worst = cpsat.worst_off(cm, cpsat.distinct_sectors(cm))
        cm.model.add(worst >= bound)
        assert feasible(cm) is expected


def test_wishes_alone_feasible_and_infeasible() -> None:
    wishful = Participant("p1", "Wish", "o1", "A", wants=("C",))
    others = people("A", "B", "C", "D", "E", "F")[1:]
    group = (wishful, *others)
    cm = circle_model(group, 2)
    met = cpsat.wishes(cm, cpsat.distinct_sectors(cm))
    cm.model.add(cpsat._sum(met) >= 1)
    assert feasible(cm)
    cm = circle_model(group, 2)
    met = cpsat.wishes(cm, cpsat.distinct_sectors(cm))
    cm.model.add(cpsat._sum(met) >= 2)
    assert not feasible(cm)


def test_fixed_seats_are_kept_and_clashes_refused() -> None:
    group = people("A", "B", "C", "D")
    seated = (fixed(group[0], "outer", 2), *group[1:])
    cm = circle_model(seated, 2)
    solver = cp_model.CpSolver()
    assert solver.solve(cm.model) == cp_model.OPTIMAL
    outer_seat_2 = 2 + 1
    assert solver.value(cm.x[outer_seat_2, cm.type_of[0]]) == 1
    clash = (fixed(group[0], "inner", 1), fixed(group[1], "inner", 1), *group[2:])
    with pytest.raises(InputError, match="already fixed"):
        circle_model(clash, 2)
