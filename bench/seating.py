"""Seating benchmark: random seating vs plain swap local search vs our solver, same time for each.

    .venv/bin/python bench/seating.py [--seconds S] [--seeds N] [--only FAMILY ...]

Each family is generated with seeds 1..N (one instance per seed; each method runs with that seed). The rows
show the first instance; the last column counts, over all N instances, where our solver was strictly better
than, equal to, or worse than the plain search (colleagues, then same-sector
meetings, then the distinct total, then the worst-off). Every plan is scored by the independent checker
(speeddate.solver.check); the upper bound is the solver's (combinatorial, or CP-SAT's when it proves more).
The plain search evaluates a swap by applying it, scoring and undoing it, with our incremental State.
Figures, not timed tests.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from speeddate.solver import Instance, Options, Participant, check, solve
from speeddate.solver.construct import random_seating
from speeddate.solver.io import read_participants
from speeddate.solver.layout import Layout, make_layout
from speeddate.solver.model import Figures
from speeddate.solver.problem import EMPTY, Problem, make_problem
from speeddate.solver.solve import to_plan
from speeddate.solver.state import State

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "sample_participants.csv"


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
    # The objective order only (our score's last element, the worst-off head count, is the solver's own aid).
    current, deadline, moves = state.score().objective(), time.monotonic() + seconds, 0
    while True:
        moves += 1
        if moves % 256 == 0 and time.monotonic() >= deadline:
            return state.at
        a, b = rng.sample(movable, 2)
        if circle_of[a] != circle_of[b] and EMPTY in (state.at[a], state.at[b]):
            continue
        state.swap(a, b)
        new = state.score().objective()
        if new <= current:
            current = new
        else:
            state.swap(a, b)


def figures(instance: Instance, layout: Layout, at: list[int], bound: int, status: str) -> Figures:
    """The independent checker's figures for a seating."""
    return check(instance, to_plan(instance, layout, at, status, bound, time.monotonic()))


def order(f: Figures) -> tuple[int, int, int, int]:
    """The objective order (lower is better): colleagues, same sector, -distinct total, -worst-off."""
    return (f.same_organisation, f.same_sector, -f.distinct_sectors_total, -f.distinct_sectors_min)


@dataclass
class Outcome:
    """One method's figures on one instance."""

    figures: Figures
    seconds: float
    bound: int
    status: str


def run_instance(family: Family, seconds: float, seed: int) -> dict[str, Outcome]:
    """Random, plain local search and our solver on the family's instance for this seed."""
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
    return {
        "random": Outcome(figures(instance, layout, shuffled, bound, "-"), 0.0, bound, "-"),
        "plain swap LS": Outcome(figures(instance, layout, plain, bound, "-"), plain_seconds, bound, "-"),
        "**speeddate**": Outcome(figures(instance, layout, ours_at, bound, ours.status), ours_seconds, bound,
                                 ours.status),
    }


def run_family(family: Family, seconds: float, seeds: list[int]) -> tuple[list[str], list[int]]:
    """Table rows (the first seed's instance) and the speeddate-vs-plain record over all the seeds.

    The record counts wins, ties and losses in the full objective order, and losses in the issue's target
    order (colleagues, same sector, distinct total: the worst-off aside).
    """
    runs = [run_instance(family, seconds, seed) for seed in seeds]
    record = [0, 0, 0, 0]  # wins, ties, losses in the full order; losses in the order (no worst-off)
    for run in runs:
        ours, plain = order(run["**speeddate**"].figures), order(run["plain swap LS"].figures)
        record[0 if ours < plain else 1 if ours == plain else 2] += 1
        record[3] += ours[:3] > plain[:3]
    first = Instance(tuple(family.people(random.Random(seeds[0]))), family.rounds, family.pairs_per_circle)
    people, circles = len(first.participants), len(make_layout(first).sizes)
    rows = []
    for method in ("random", "plain swap LS", "**speeddate**"):
        o = runs[0][method]
        f = o.figures
        ratio = f.distinct_sectors_total / o.bound if o.bound else 1.0
        proven = sum(1 for run in runs if run[method].status == "OPTIMAL")
        status = f"{o.status} ({proven}/{len(runs)} proven)" if method == "**speeddate**" else "-"
        versus = "{}-{}-{}".format(*record[:3]) if method == "**speeddate**" else ""
        cells = [family.name, people, family.rounds, circles, method,
                 f.same_organisation, f.same_sector, f.distinct_sectors_total, f.distinct_sectors_min, o.bound,
                 f"{ratio:.3f}", f"{o.seconds:.1f}", status, versus]
        rows.append("| " + " | ".join(map(str, cells)) + " |")
    return rows, record


def main(argv: list[str] | None = None) -> int:
    """Print the comparison table as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="time per method (large families: 2 s)")
    parser.add_argument("--seeds", type=int, default=3, help="instances per family (seeds 1..N)")
    parser.add_argument("--only", nargs="*", help="family names to run")
    args = parser.parse_args(argv)
    seeds = list(range(1, args.seeds + 1))
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, time per method "
          f"{args.seconds:g} s (large-400 families: 2 s), seeds {seeds[0]}..{seeds[-1]}\n")
    print("| family | people | rounds | circles | method | colleagues | same sector | distinct | worst-off "
          "| upper bound | ratio | seconds | status | vs plain W-T-L |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    records = {}
    for family in FAMILIES:
        if args.only and family.name not in args.only:
            continue
        rows, records[family.name] = run_family(family, args.seconds, seeds)
        for line in rows:
            print(line, flush=True)
    better = sum(1 for wins, _, losses, _ in records.values() if wins > losses and 2 * wins > len(seeds))
    worse = [name for name, (_, _, losses, _) in records.items() if losses]
    worse_total = [name for name, (*_, losses) in records.items() if losses]
    instances = len(records) * len(seeds)
    print(f"\nspeeddate strictly better than the plain search on most instances of {better} of {len(records)} "
          f"families; worse on some instance of: {', '.join(worse) or 'none'} (full order, worst-off included); "
          f"worse in colleagues, same sector, distinct total on {sum(r[3] for r in records.values())} of "
          f"{instances} instances ({', '.join(worse_total) or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def plain_anneal(problem: Problem, rng: random.Random, seconds: float) -> list[int]:
    """Plain simulated annealing: random start, swap two seats inside a circle, accept by temperature.

    A minimal stand-in until the benchmark's own plain annealing (issue #18 part A) is merged: one weighted
    energy over the objective order, a temperature falling geometrically with the clock, the best plan kept.
    """
    state = State(problem, random_seating(problem, rng))
    fixed = set(problem.fixed_slot)
    circle_of = problem.layout.circle_of()
    by_circle: dict[int, list[int]] = {}
    for slot in range(problem.layout.slot_count):
        if slot not in fixed:
            by_circle.setdefault(circle_of[slot], []).append(slot)
    circles = [slots for slots in by_circle.values() if len(slots) > 1]
    if not circles:
        return state.at
    weights = (10_000, 1_000, 300, 100, 10, 1, 0.5, 0, 0)  # over Score's fields, objective order first

    def energy(score: tuple[int, ...]) -> float:
        return sum(w * v for w, v in zip(weights, score, strict=True))

    current = energy(state.score())
    best, best_at = state.score().objective(), list(state.at)
    started = time.monotonic()
    deadline, moves, temperature = started + seconds, 0, 2.0
    while True:
        moves += 1
        if moves % 256 == 0:
            now = time.monotonic()
            if now >= deadline:
                return best_at
            temperature = 2.0 * (0.01 / 2.0) ** ((now - started) / seconds)
        a, b = rng.sample(rng.choice(circles), 2)
        if state.at[a] == state.at[b]:
            continue
        new = state.score_after_swap(a, b)
        change = energy(new) - current
        if change <= 0 or rng.random() < math.exp(-change / temperature):
            state.swap(a, b)
            current += change
            if new.objective() < best:
                best, best_at = new.objective(), list(state.at)
