"""Seating that knows the network: a language in common, and people who met before (issue #18 part B).

Each new family alone on tiny instances (CP-SAT, feasible and infeasible), the incremental score, the checker's
figures and rejections, the objective order against brute force, and re-planning.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from speeddate.solver import cpsat
from speeddate.solver.check import PlanError, check, check_network
from speeddate.solver.construct import random_seating
from speeddate.solver.languages import language_start, speaks_apart
from speeddate.solver.layout import make_layout
from speeddate.solver.model import Circle, Figures, FixedSeat, Instance, Options, Participant, Plan
from speeddate.solver.problem import EMPTY, make_problem
from speeddate.solver.replan import replan
from speeddate.solver.score import Score
from speeddate.solver.solve import solve
from speeddate.solver.state import State

from .helpers import instance, people, rich_instance
from .test_families import circle_model, feasible


def speaking(group: tuple[Participant, ...], *languages: str) -> tuple[Participant, ...]:
    """The same people with languages given as 'nl|fr' strings ('' = any)."""
    return tuple(replace(p, languages=tuple(filter(None, codes.split("|"))))
                 for p, codes in zip(group, languages, strict=True))


def plan_of(rounds: int, inner: tuple[str | None, ...], outer: tuple[str | None, ...]) -> Plan:
    """A one-circle plan from its round-1 seats."""
    return Plan(rounds, (Circle(1, inner, outer),))


def quick(inst: Instance, seconds: float = 3.0) -> Plan:
    return solve(inst, Options(time_limit=seconds, seed=1))


# Four seats, two rounds: everyone inside meets everyone outside, so the sides decide everything.
def test_no_common_language_alone_feasible_and_infeasible() -> None:
    two_sides = speaking(people("A", "B", "C", "D"), "nl", "nl", "nl|fr", "fr|nl")
    cm = circle_model(two_sides, 2)
    cpsat.no_common_language(cm, True)
    assert feasible(cm)
    # Two speak only Dutch, two only French: whatever the sides, someone faces the other language.
    apart = speaking(people("A", "B", "C", "D"), "nl", "fr", "nl", "fr")
    cm = circle_model(apart, 2)
    cpsat.no_common_language(cm, True)
    assert not feasible(cm)


def test_met_before_alone_feasible_and_infeasible() -> None:
    group = people("A", "B", "C", "D")
    cm = cpsat.build_circle_model(*_problem_and_seating(Instance(group, 2, met_before=(("p1", "p2"),))), 0)
    cpsat.met_before(cm, True)
    assert feasible(cm)
    everyone = (("p1", "p2"), ("p3", "p1"), ("p1", "p4"))
    cm = cpsat.build_circle_model(*_problem_and_seating(Instance(group, 2, met_before=everyone)), 0)
    cpsat.met_before(cm, True)
    assert not feasible(cm)


def _problem_and_seating(inst: Instance) -> tuple:  # type: ignore[type-arg]
    problem = make_problem(inst, make_layout(inst))
    return problem, random_seating(problem, random.Random(0))


def network_instance(count: int, sectors: int, rounds: int, pairs: int | None, seed: int = 1) -> Instance:
    """rich_instance with two language groups and bilinguals, and a history of pairs who met before."""
    base = rich_instance(count, sectors, rounds, pairs)
    rng = random.Random(seed)
    languages = [rng.choice([("nl",), ("nl",), ("fr",), ("nl", "fr"), ()]) for _ in base.participants]
    ids = [p.id for p in base.participants]
    history = tuple((rng.choice(ids), rng.choice(ids)) for _ in range(count)) + (("p1", "nobody"),)
    return Instance(tuple(replace(p, languages=lang) for p, lang in zip(base.participants, languages, strict=True)),
                    rounds, pairs, history)


@pytest.mark.parametrize(("count", "sectors", "rounds", "pairs"), [(7, 3, 3, None), (24, 4, 6, None), (61, 9, 5, 8)])
def test_score_after_swap_counts_the_new_families(count: int, sectors: int, rounds: int, pairs: int | None) -> None:
    inst = network_instance(count, sectors, rounds, pairs)
    problem = make_problem(inst, make_layout(inst))
    rng = random.Random(5)
    state = State(problem, random_seating(problem, rng))
    slots, changed = problem.layout.slot_count, set()
    for _ in range(2000):
        a, b = rng.randrange(slots), rng.randrange(slots)
        if a == b or state.at[a] == state.at[b] == EMPTY:
            continue
        predicted = state.score_after_swap(a, b)
        changed |= {field for field in ("no_common_language", "met_before")
                    if getattr(predicted, field) != getattr(state.score(), field)}
        state.swap(a, b)
        assert state.score() == predicted, (a, b)
    assert changed == {"no_common_language", "met_before"}
    fresh = State(problem, list(state.at))
    assert fresh.score() == state.score() and fresh.clashes == state.clashes


def test_checker_counts_both_families_from_the_meetings() -> None:
    group = speaking(people("A", "B", "C", "D"), "nl", "fr", "", "fr|de")
    inst = Instance(group, 2, met_before=(("p4", "p1"), ("p1", "p3"), ("p9", "p1")))
    # Inner p1, p3; outer p2, p4: p1 (nl) meets p2 (fr) and p4 (fr|de) without a common language, and p4 again.
    figures = check(inst, plan_of(2, ("p1", "p3"), ("p2", "p4")))
    assert (figures.no_common_language, figures.met_before) == (2, 1)
    # Inner p1, p2; outer p3, p4: p2 and p4 share French, p3 speaks any; p1 meets p3 and p4, both met before.
    figures = check(inst, plan_of(2, ("p1", "p2"), ("p3", "p4")))
    assert (figures.no_common_language, figures.met_before) == (1, 2)


def test_checker_rejects_plans_that_break_the_network_rules() -> None:
    group = speaking(people("A", "B", "C", "D"), "nl", "fr", "nl|fr", "")
    with pytest.raises(PlanError, match="p1 .* p2 .* without a language in common"):
        check_network(Instance(group, 2), plan_of(2, ("p1", "p3"), ("p2", "p4")))
    with pytest.raises(PlanError, match="p3 and p2 meet again"):
        check_network(Instance(group, 2, met_before=(("p3", "p2"),)), plan_of(2, ("p1", "p2"), ("p3", "p4")))
    check_network(Instance(group, 2, met_before=(("p3", "p4"),)), plan_of(2, ("p1", "p2"), ("p4", "p3")))


def test_solver_finds_a_common_language_for_every_meeting_when_one_is_possible() -> None:
    # Nine pairs, three rounds. Possible: French at inner 1-2 and outer 1-2, bilinguals at inner 3-4 and outer
    # 8-9, Dutch elsewhere; but only with French and Dutch speakers in blocks fenced by bilinguals.
    group = speaking(people(*[f"S{i % 6}" for i in range(18)]),
                     *(["nl"] * 10 + ["fr"] * 4 + ["nl|fr"] * 4))
    inst = instance(group, 3)
    plan = quick(inst)
    assert plan.figures.no_common_language == 0
    check_network(inst, plan)


def test_solver_counts_unavoidable_meetings_without_a_common_language() -> None:
    inst = instance(speaking(people("A", "B", "C", "D"), "nl", "fr", "nl", "fr"), 2)
    plan = quick(inst)
    # One Dutch and one French speaker on each side: each faces one of the other language, two in all.
    assert plan.figures.no_common_language == 2
    assert plan.optimal


def test_a_second_speeddate_seats_people_who_met_apart() -> None:
    first_inst = instance(people(*[f"S{i % 5}" for i in range(20)]), 5)
    first = quick(first_inst)
    met = tuple((m.inner, m.outer) for m in _meetings(first))
    second = quick(Instance(first_inst.participants, 5, met_before=met))
    assert second.figures.met_before == 0
    assert first.figures.same_organisation == second.figures.same_organisation == 0


def _meetings(plan: Plan) -> list:  # type: ignore[type-arg]
    from speeddate.solver.model import meetings_of

    return [m for m in meetings_of(plan) if m.inner and m.outer]


def brute_force_best(inst: Instance) -> tuple[int, ...]:
    """The best figures in the objective order over every one-circle seating."""
    ids = [p.id for p in inst.participants]
    half = len(ids) // 2
    best: tuple[int, ...] | None = None
    for order in itertools.permutations(ids):
        figures = check(inst, plan_of(inst.rounds, order[:half], order[half:]))
        key = objective(figures)
        best = key if best is None or key < best else best
    assert best is not None
    return best


def objective(f: Figures) -> tuple[int, ...]:
    return (f.avoided_pairs_met, f.same_organisation, f.no_common_language, f.met_before, f.same_sector,
            -f.distinct_sectors_total, -f.distinct_sectors_min)


@pytest.mark.parametrize("seed", range(4))
def test_tiny_plans_are_optimal_in_the_new_order_and_the_bound_holds(seed: int) -> None:
    rng = random.Random(seed)
    group = people(*[f"{rng.choice('ABC')}/{rng.choice(['x', 'y', ''])}" for _ in range(6)])
    group = speaking(group, *[rng.choice(["nl", "fr", "nl|fr", ""]) for _ in group])
    history = tuple((f"p{rng.randint(1, 6)}", f"p{rng.randint(1, 6)}") for _ in range(4))
    inst = Instance(group, 3, met_before=history)
    plan = quick(inst, 4.0)
    best = brute_force_best(inst)
    assert objective(plan.figures) == best
    assert -best[5] <= plan.upper_bound


def test_met_before_ranks_above_same_sector() -> None:
    # Keeping the two A's apart would seat p1 across p3, whom they met before: better one same-sector meeting.
    inst = Instance(people("A", "A", "B", "C"), 2, met_before=(("p1", "p3"),))
    plan = quick(inst)
    assert (plan.figures.met_before, plan.figures.same_sector) == (0, 1)


def test_a_common_language_ranks_above_met_before() -> None:
    # p1 speaks Dutch, p2 French: they must share a side, so p1 faces p3 whom they met, or p2 and p4 separately.
    group = speaking(people("A", "B", "C", "D"), "nl", "fr", "nl|fr", "nl|fr")
    plan = quick(Instance(group, 2, met_before=(("p1", "p3"), ("p1", "p4"))))
    assert (plan.figures.no_common_language, plan.figures.met_before) == (0, 2)


def test_conflict_free_needs_the_new_families_at_zero() -> None:
    clean = Score(0, 0, 0, 0, 0, -10, -2, 0, 1)
    assert clean.conflict_free
    assert not clean._replace(no_common_language=1).conflict_free
    assert not clean._replace(met_before=1).conflict_free


def test_replan_on_the_day_keeps_the_network_rules() -> None:
    group = speaking(people(*[f"S{i % 4}" for i in range(16)]), *(["nl"] * 6 + ["fr"] * 4 + ["nl|fr"] * 6))
    first = quick(instance(tuple(replace(p, languages=()) for p in group), 4))
    # The first plan ignored languages and knew no history; the re-plan must repair both.
    met = tuple((m.inner, m.outer) for m in _meetings(first))[:6]
    before = check(Instance(group, 4, met_before=met), first)
    assert before.no_common_language and before.met_before == 6
    inst = Instance(group, 4, met_before=met)
    again = replan(inst, first.circles, Options(time_limit=3, seed=1))
    assert (again.figures.no_common_language, again.figures.met_before) == (0, 0)
    assert again.figures == check(inst, again)


def test_language_start_keeps_everyone_and_every_fixed_seat() -> None:
    group = list(speaking(people(*[f"S{i % 5}" for i in range(41)]), *(["nl", "fr", "nl|fr", "", "fr"] * 9)[:41]))
    group[3] = replace(group[3], fixed_seat=FixedSeat("outer", 2, 2))
    inst = Instance(tuple(group), 4, 7)
    problem = make_problem(inst, make_layout(inst))
    at = language_start(problem, random_seating(problem, random.Random(1)))
    assert sorted(p for p in at if p != EMPTY) == list(range(41))
    assert at[problem.fixed_slot[3]] == 3
    assert speaks_apart(problem)
    assert not speaks_apart(make_problem(instance(people("A", "B"), 1), make_layout(instance(people("A", "B"), 1))))


@pytest.mark.parametrize(("count", "rounds", "pairs"), [(60, 4, 10), (100, 6, 25)])
def test_language_groups_over_several_circles_share_a_language_at_every_meeting(count: int, rounds: int,
                                                                                pairs: int) -> None:
    # 60 % Dutch only, 25 % French only, 15 % both, shuffled: a circle of French speakers and bilinguals makes
    # every meeting possible in a common language; swaps alone left 3 to 5 meetings without one (measured).
    spoken = ["nl"] * (count * 60 // 100) + ["fr"] * (count * 25 // 100)
    spoken += ["nl|fr"] * (count - len(spoken))
    random.Random(count).shuffle(spoken)
    group = speaking(people(*[f"S{i % 7}/o{i % (count // 2)}" for i in range(count)]), *spoken)
    plan = solve(Instance(group, rounds, pairs), Options(time_limit=4, seed=0))
    assert (plan.figures.no_common_language, plan.figures.same_organisation) == (0, 0)
