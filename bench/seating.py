"""Seating benchmark: random seating vs plain swap local search vs our solver, same time for each.

    .venv/bin/python bench/seating.py [--seconds S] [--only FAMILY ...]

Every plan is scored by the independent checker (speeddate.solver.check); the upper bound is the solver's
(combinatorial, or CP-SAT's when it proves more). Figures, not timed tests.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from speeddate.solver import Instance, Options, Participant, check, solve
from speeddate.solver.io import read_participants
from speeddate.solver.layout import Layout, make_layout
from speeddate.solver.search import EMPTY, Problem, State, make_problem, random_seating
from speeddate.solver.solve import to_plan

SAMPLE = Path("/work/shared/data/sample_participants.csv")


@dataclass(frozen=True)
class Family:
    """A named instance generator with its rounds, circle capacity and time per method."""

    name: str
    people: Callable[[random.Random], list[Participant]]
    rounds: int
    pairs_per_circle: int | None = None
    seconds: float | None = None


def mix(count: int, sectors: int, rng: random.Random, skew: float = 0.0,
        big_org: int = 0) -> list[Participant]:
    """People with random sectors; `skew` of them in sector S0; the first `big_org` from one organisation."""
    result = []
    for i in range(count):
        sector = 0 if rng.random() < skew else rng.randrange(1 if skew else 0, sectors)
        org = "Big organisation" if i < big_org else f"Org {i}"
        if i < big_org:
            sector = 1 + i % 2
        result.append(Participant(f"p{i:03d}", f"Person {i}", org, f"S{sector}"))
    return result


def sample(rng: random.Random) -> list[Participant]:
    """The shared sample file (36 people)."""
    return list(read_participants(SAMPLE.read_bytes()).participants)


FAMILIES = [
    Family("tiny-6", lambda r: mix(6, 5, r), 3),
    Family("small-24", lambda r: mix(24, 8, r), 6),
    Family("sample-36", sample, 7),
    Family("four-sectors-24", lambda r: mix(24, 4, r), 6),
    Family("four-sectors-60", lambda r: mix(60, 4, r), 8),
    Family("skewed-40pct-60", lambda r: mix(60, 15, r, skew=0.4), 8),
    Family("big-org-8-of-40", lambda r: mix(40, 12, r, big_org=8), 7),
    Family("odd-45", lambda r: mix(45, 14, r), 7),
    Family("circles-4x15-120", lambda r: mix(120, 20, r), 8, pairs_per_circle=15),
    Family("skewed-circles-150", lambda r: mix(150, 20, r, skew=0.4), 8, pairs_per_circle=20),
    Family("large-400", lambda r: mix(400, 24, r), 8, seconds=2.0),
    Family("large-skewed-400", lambda r: mix(400, 24, r, skew=0.4), 8, seconds=2.0),
]


def plain_swap_search(problem: Problem, rng: random.Random, seconds: float) -> list[int]:
    """Random start, random swaps of two seats, keep a swap when the score is not worse."""
    state = State(problem, random_seating(problem, rng))
    movable = [s for s in range(problem.layout.slot_count) if s not in set(problem.fixed_slot)]
    circle_of = problem.layout.circle_of()
    current, deadline, moves = state.score(), time.monotonic() + seconds, 0
    while True:
        moves += 1
        if moves % 256 == 0 and time.monotonic() >= deadline:
            return state.at
        a, b = rng.sample(movable, 2)
        if circle_of[a] != circle_of[b] and EMPTY in (state.at[a], state.at[b]):
            continue
        state.swap(a, b)
        new = state.score()
        if new <= current:
            current = new
        else:
            state.swap(a, b)


def row(family: str, method: str, instance: Instance, layout: Layout, at: list[int], seconds: float,
        bound: int, status: str) -> str:
    """One line of the table, figures from the independent checker."""
    plan = to_plan(instance, layout, at, status, bound, time.monotonic() - seconds)
    f = check(instance, plan)
    ratio = f.distinct_sectors_total / bound if bound else 1.0
    cells = [family, len(instance.participants), instance.rounds, len(layout.sizes), method,
             f.same_organisation, f.same_sector, f.distinct_sectors_total, f.distinct_sectors_min, bound,
             f"{ratio:.3f}", f"{seconds:.1f}", status]
    return "| " + " | ".join(map(str, cells)) + " |"


def run_family(family: Family, seconds: float, seed: int) -> list[str]:
    """Random, plain local search and our solver on one generated instance."""
    rng = random.Random(seed)
    instance = Instance(tuple(family.people(rng)), family.rounds, family.pairs_per_circle)
    layout = make_layout(instance)
    problem = make_problem(instance, layout)
    budget = family.seconds or seconds
    started = time.monotonic()
    ours = solve(instance, Options(time_limit=budget, seed=seed, started_at=started))
    ours_seconds = time.monotonic() - started
    bound = ours.upper_bound
    slots = {pid: i for i, pid in enumerate(p.id for p in instance.participants)}
    ours_at = [slots[p] if p is not None else EMPTY for c in ours.circles for p in c.inner + c.outer]
    started = time.monotonic()
    plain = plain_swap_search(problem, random.Random(seed), budget)
    plain_seconds = time.monotonic() - started
    shuffled = random_seating(problem, random.Random(seed))
    return [row(family.name, "random", instance, layout, shuffled, 0.0, bound, "-"),
            row(family.name, "plain swap LS", instance, layout, plain, plain_seconds, bound, "-"),
            row(family.name, "**speeddate**", instance, layout, ours_at, ours_seconds, bound, ours.status)]


def main(argv: list[str] | None = None) -> int:
    """Print the comparison table as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="time per method (large families: 2 s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", nargs="*", help="family names to run")
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()}, {platform.machine()}, time per method {args.seconds:g} s "
          f"(large-400 families: 2 s), seed {args.seed}\n")
    print("| family | people | rounds | circles | method | colleagues | same sector | distinct | worst-off "
          "| upper bound | ratio | seconds | status |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for family in FAMILIES:
        if args.only and family.name not in args.only:
            continue
        for line in run_family(family, args.seconds, args.seed):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
