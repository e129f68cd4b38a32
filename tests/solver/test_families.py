"""Each CP-SAT constraint family alone on a tiny instance: one feasible case, one infeasible case."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

import pytest
from ortools.sat.python import cp_model

from speeddate.solver import cpsat
from speeddate.solver.construct import construct
from speeddate.solver.cpsat_model import empty_type, linear_sum
from speeddate.solver.layout import make_layout
from speeddate.solver.model import InputError, Participant
from speeddate.solver.problem import make_problem
from speeddate.solver.state import State

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
    cm.model.minimize(linear_sum(terms))
    solver = cp_model.CpSolver()
    assert solver.solve(cm.model) == cp_model.OPTIMAL
    # Three A's on four seats: one side holds two of them at best, so two A-A meetings remain.
    assert solver.objective_value == 2


def distinct_model(specs: tuple[str, ...], rounds: int) -> tuple[cpsat.CircleModel, cp_model.LinearExpr]:
    cm = circle_model(people(*specs), rounds)
    seen = cpsat.distinct_sectors(cm)
    return cm, linear_sum(v for vs in seen.values() for v in vs)


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
    cm.model.add(linear_sum(met) >= 1)
    assert feasible(cm)
    cm = circle_model(group, 2)
    met = cpsat.wishes(cm, cpsat.distinct_sectors(cm))
    cm.model.add(linear_sum(met) >= 2)
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


def test_a_family_is_hard_only_when_every_family_above_it_is_zero_in_the_hint() -> None:
    participants = people("A/x", "B/x", "C", "D")
    problem = make_problem(instance(participants, 2), make_layout(instance(participants, 2)))
    # Inner p1, p3; outer p2, p4: the colleagues p1 and p2 meet, no sector meets itself.
    colleagues_meet = [0, 2, 1, 3]
    cm = cpsat.build_circle_model(problem, colleagues_meet, 0)
    # Same-sector meetings stay soft: trading a colleague meeting for one of them would be an improvement.
    assert cpsat._hint_conflicts(cm, colleagues_meet) == (True, False, False, False, False)
    apart = [0, 1, 2, 3]
    assert cpsat._hint_conflicts(cpsat.build_circle_model(problem, apart, 0), apart) == (True, True, True, True, True)


def test_the_auxiliary_hints_agree_with_the_hinted_seating() -> None:
    participants = people(*[f"S{i % 5}" for i in range(13)])
    problem = make_problem(instance(participants, 4), make_layout(instance(participants, 4)))
    start = construct(problem, random.Random(0))
    cm = cpsat.build_circle_model(problem, start, 0)
    seen = cpsat.distinct_sectors(cm)
    cpsat.worst_off(cm, seen)
    # Fixing every auxiliary to its hint and every slot to the hinted type leaves a feasible model whose total
    # is the search's.
    for (s, t), var in cm.x.items():
        cm.model.add(var == (cm.type_of.get(start[s], empty_type(cm)) == t))
    for var in cm.aux:
        cm.model.add(var == cm.model.proto.solution_hint.values[
            list(cm.model.proto.solution_hint.vars).index(var.index)])
    solver = cp_model.CpSolver()
    assert solver.solve(cm.model) == cp_model.OPTIMAL
    assert sum(solver.value(v) for vs in seen.values() for v in vs) == State(problem, start).score().distinct
