"""End-to-end: plans of several sizes pass check.py and the referee; options are honoured; bounds are true."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest

from speeddate.solver import NoteKind, Options, check, replan, solve
from speeddate.solver.bound import distinct_upper_bound
from speeddate.solver.check import check_meetings, check_requests
from speeddate.solver.io import plan_to_json
from speeddate.solver.layout import make_layout
from speeddate.solver.model import Circle, Instance, Participant, Plan, meetings_of

from .helpers import fixed, instance, people, varied, write_csv
from .test_cli import referee

QUICK = Options(time_limit=1.5, seed=1, use_cpsat=False)
# The start of the note solve() adds when the wall clock, not the work budget, ended the search.


def write_instance(path: Path, participants: tuple[Participant, ...]) -> Path:
    lines = ["id,name,organisation,sector"]
    lines += [f"{p.id},{p.name},{p.organisation},{p.sector}" for p in participants]
    return write_csv(path, "\n".join(lines) + "\n")


@pytest.mark.parametrize(("count", "sectors", "rounds", "pairs"),
                         [(6, 3, 2, None), (13, 5, 4, None), (40, 12, 6, None), (61, 10, 5, 8),
                          (150, 20, 8, None)])
def test_plans_of_several_sizes_pass_both_checkers(tmp_path: Path, count: int, sectors: int, rounds: int,
                                                   pairs: int | None) -> None:
    participants = varied(count, sectors)
    inst = instance(participants, rounds, pairs)
    plan = solve(inst, QUICK)
    assert check(inst, plan) == plan.figures
    assert plan.figures.distinct_sectors_total <= plan.upper_bound
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(plan_to_json(plan), encoding="utf-8")
    figures = referee(write_instance(tmp_path / "p.csv", participants), plan_path, rounds)
    assert figures["distinct_sectors_total"] == plan.figures.distinct_sectors_total
    assert figures["same_sector"] == plan.figures.same_sector


def test_same_seed_gives_the_same_plan_when_the_budget_ends_the_search() -> None:
    # Eight people per sector cannot all avoid their own sector in six rounds: the target is out of reach, so the
    # work budget ends the search (the former instance reached its target at once and tested nothing).
    inst = instance(varied(24, 3), 6)
    options = Options(time_limit=1.0, seed=3, use_cpsat=False)
    first, second = solve(inst, options), solve(inst, options)
    assert not first.optimal, "the target was reached: this instance no longer tests the budget"
    if first.noted(NoteKind.CLOCK_ENDED_SEARCH) or second.noted(NoteKind.CLOCK_ENDED_SEARCH):
        pytest.skip("the machine was too busy: the wall clock, not the work budget, ended a run")
    assert first.circles == second.circles


def test_several_circles_have_balanced_sizes() -> None:
    plan = solve(instance(varied(61, 10), 5, 8), QUICK)
    assert [c.pairs for c in plan.circles] == [8, 8, 8, 8]
    heads = [sum(p is not None for p in c.inner + c.outer) for c in plan.circles]
    assert max(heads) - min(heads) <= 1 and sum(heads) == 61


def test_colleagues_never_meet_when_they_can_sit_apart() -> None:
    # One organisation sends 8 of 24 people.
    participants = people(*[f"S{i % 6}/big" if i < 8 else f"S{i % 6}" for i in range(24)])
    plan = solve(instance(participants, 6), QUICK)
    assert plan.figures.same_organisation == 0


def test_unavoidable_colleague_meetings_are_minimised_and_said() -> None:
    # Three colleagues among four people, everyone meets everyone across: any split leaves two meetings.
    plan = solve(instance(people("A/x", "B/x", "C/x", "D"), 2), QUICK)
    assert plan.figures.same_organisation == 2
    assert plan.noted(NoteKind.COLLEAGUES_MEET)
    # The JSON shows the notes' texts, for people.
    assert json.loads(plan_to_json(plan))["quality"]["notes"] == [note.text for note in plan.notes]


def test_fixed_seats_and_avoided_pairs_are_honoured() -> None:
    base = varied(20, 6)
    participants = (fixed(base[0], "inner", 3), replace(base[1], avoid=("p2", "p3")), *base[2:])
    inst = instance(participants, 5)
    plan = solve(inst, QUICK)
    assert plan.circles[0].inner[2] == "p0"
    assert plan.figures.avoided_pairs_met == 0
    check_requests(inst, plan)
    # A re-plan keeps them too.
    again = replan(inst, plan.circles, QUICK)
    check_requests(inst, again)


def test_wishes_are_met_when_nothing_more_important_is_lost() -> None:
    base = people("A", "B", "C", "D", "E", "F", "G", "H")
    participants = (replace(base[0], wants=("H",)), *base[1:])
    plan = solve(instance(participants, 2), Options(time_limit=3, seed=0))
    assert plan.figures.wishes_met == 1


def best_by_brute_force(inst: Instance) -> tuple[int, int, int]:
    """Lexicographic best (same_sector, -distinct, -worst) over every seating of a tiny circle."""
    ids = [p.id for p in inst.participants]
    n = make_layout(inst).sizes[0]
    best = None
    for order in itertools.permutations(ids):
        plan = Plan(inst.rounds, (Circle(1, tuple(order[:n]), tuple(order[n:])),))
        f = check_meetings(inst.participants, inst.rounds, meetings_of(plan))
        key = (f.same_organisation, f.same_sector, -f.distinct_sectors_total, -f.distinct_sectors_min)
        best = key if best is None or key < best else best
    assert best is not None
    return best[1], -best[2], -best[3]


@pytest.mark.parametrize("specs", [("A", "A", "A", "B", "B", "C"), ("A", "A", "B", "B", "C", "D"),
                                   ("A", "B", "C", "D", "E", "F"), ("A", "A", "A", "A", "B", "C")])
def test_cpsat_finds_the_brute_force_optimum_and_the_bound_holds(specs: tuple[str, ...]) -> None:
    inst = instance(people(*specs), 3)
    plan = solve(inst, Options(time_limit=10, seed=0))
    same, distinct, worst = best_by_brute_force(inst)
    f = plan.figures
    assert (f.same_sector, f.distinct_sectors_total, f.distinct_sectors_min) == (same, distinct, worst)
    assert plan.optimal
    assert distinct <= distinct_upper_bound(list(specs), make_layout(inst))


def test_bound_uses_the_window_argument() -> None:
    # 24 people, 6 rounds, 4 sectors: nobody sees more than 3 sectors, far below 24 * 6.
    inst = instance(people(*[f"S{i % 4}" for i in range(24)]), 6)
    assert distinct_upper_bound([p.sector for p in inst.participants], make_layout(inst)) <= 24 * 3


def seats_of(plan: Plan) -> dict[str, tuple[int, str, int]]:
    return {p: (c.circle, side, i) for c in plan.circles for side, seats in (("i", c.inner), ("o", c.outer))
            for i, p in enumerate(seats) if p}


def test_replan_keeps_present_people_and_counts_moves(tmp_path: Path) -> None:
    participants = varied(30, 8)
    inst = instance(participants, 5)
    first = solve(inst, QUICK)
    present = tuple(p for p in participants if p.id not in {"p3", "p11"}) + (
        Participant("new1", "Walk In", "elsewhere", "S99"),)
    again = replan(instance(present, 5), first.circles, QUICK)
    assert check(instance(present, 5), again) == again.figures
    assert again.moved is not None and again.moved <= 6
    before, after = seats_of(first), seats_of(again)
    assert sum(1 for p in after if p in before and after[p] != before[p]) == again.moved
    assert json.loads(plan_to_json(again))["quality"]["moved"] == again.moved
