"""Seating benchmark: random seating vs plain swap local search vs plain annealing vs our solver, same time.

    .venv/bin/python bench/seating.py [--seconds S] [--seeds N] [--only FAMILY ...]

Each family is generated with seeds 1..N (one instance per seed; each method runs with that seed). The rows
show the first instance; the last column counts, over all N instances, where our solver was strictly better
than, equal to, or worse than the best of the two plain methods on that instance (colleagues, then same-sector
meetings, then the distinct total, then the worst-off). Every plan is scored by the independent checker
(speeddate.solver.check); the upper bound is the solver's (combinatorial, or CP-SAT's when it proves more).
The plain search evaluates a swap by applying it, scoring and undoing it, with our incremental State; the
plain annealing scores it with `State.score_after_swap`, as our walks do.
Run it with this checkout's package first on the path: PYTHONPATH=. .venv/bin/python bench/seating.py
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
from speeddate.solver.score import Score
from speeddate.solver.solve import to_plan
from speeddate.solver.state import State

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SAMPLE = SHARED_DATA / "sample_participants.csv"
SECTORS = SHARED_DATA / "sectors.csv"
# Relative sizes of the 31 named sectors (sectors.csv without "Andere"), largest first: general practitioners
# and home nursing about 10 % each, a long tail of sectors with a handful of people, as a zone's sign-ups go.
SECTOR_WEIGHTS = (10, 10, 7, 6, 5, 5, 4.5, 4, 4, 3.5, 3.5, 3, 3, 3, 2.5, 2.5, 2.5, 2, 2, 2, 2, 1.5, 1.5, 1.5,
                  1.5, 1, 1, 1, 1, 1, 1)
ANNEAL_CONFLICT, ANNEAL_SAME_SECTOR, ANNEAL_WORST_OFF = 50.0, 6.0, 0.5  # plain_anneal's energy weights
# Every conflict the score ranks above same-sector meetings costs ANNEAL_CONFLICT, whatever its family.
SAME_SECTOR_FIELD = Score._fields.index("same_sector")
ANNEAL_HOT, ANNEAL_COLD = 2.0, 0.05  # plain_anneal's temperatures at the start and at the end


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


def sector_names() -> list[str]:
    """The 31 named sectors of the shared sectors file ("Andere" left out), in file order."""
    lines = SECTORS.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split(",")[1] for line in lines if line.split(",")[1] != "Andere"]


def realistic(count: int, rng: random.Random, organisations: int = 130, largest: int = 9) -> list[Participant]:
    """A zone's realistic sign-ups: the 31-sector mix of SECTOR_WEIGHTS, about `organisations` organisations.

    Organisation sizes fall off from `largest` (a hospital or home-nursing service sends several people) to
    many single partners; an organisation's members share its sector, as they do in a zone.
    """
    names = sector_names()
    weights = SECTOR_WEIGHTS[:len(names)]
    # Head counts by largest remainder, so the two largest sectors stay at about 10 % on every seed.
    quotas = [count * w / sum(weights) for w in weights]
    heads = [int(q) for q in quotas]
    for k in sorted(range(len(quotas)), key=lambda k: heads[k] - quotas[k])[:count - sum(heads)]:
        heads[k] += 1
    sectors = [k for k, h in enumerate(heads) for _ in range(h)]
    rng.shuffle(sectors)
    # Sizes: a few large senders, then twos and threes, the rest alone; they add up to `count`.
    sizes = [largest] + [max(1, round(largest * 0.7 ** k)) for k in range(1, organisations)]
    while sum(sizes) < count:
        sizes[rng.randrange(1, len(sizes))] += 1
    while sum(sizes) > count:
        k = max(range(len(sizes)), key=lambda i: (sizes[i] > 1, i))
        sizes[k] -= 1
    by_sector: dict[int, list[int]] = {}
    for i, sector in enumerate(sectors):
        by_sector.setdefault(sector, []).append(i)
    result: list[Participant | None] = [None] * count
    pool = sorted(range(count), key=lambda i: -len(by_sector[sectors[i]]))
    queue = list(pool)
    for org, size in enumerate(sorted(sizes, reverse=True)):
        # An organisation takes its members from one sector, the largest sector with people left.
        head = queue[0]
        members = [i for i in queue if sectors[i] == sectors[head]][:size]
        if len(members) < size:
            members += [i for i in queue if i not in members][:size - len(members)]
        for i in members:
            queue.remove(i)
            result[i] = Participant(f"p{i:03d}", f"Person {i}", f"Org {org}", names[sectors[i]])
        rng.shuffle(queue)
        queue.sort(key=lambda i: -len(by_sector[sectors[i]]) if rng.random() < 0.5 else 0)
    return [p for p in result if p is not None]


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
    # Many rounds, several large circles, the realistic sector mix and organisations (issue #18).
    Family("realistic-3x50-12", lambda r: realistic(300, r), 12, pairs_per_circle=50),
    Family("realistic-3x40-10", lambda r: realistic(240, r, organisations=104), 10, pairs_per_circle=40),
    Family("realistic-4x45-14", lambda r: realistic(360, r, organisations=156), 14, pairs_per_circle=45),
    Family("realistic-3x60-11", lambda r: realistic(360, r, organisations=156), 11, pairs_per_circle=60),
    Family("realistic-1x150-12", lambda r: realistic(300, r), 12),
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


def plain_anneal(problem: Problem, rng: random.Random, seconds: float) -> list[int]:
    """Random start, swaps of two seats inside a circle, accepted by temperature; the best plan is kept.

    The textbook annealing a capable engineer writes in an afternoon: one weighted energy (a colleague or
    avoided meeting, or any conflict ranked above same-sector meetings, costs ANNEAL_CONFLICT, a
    same-sector meeting ANNEAL_SAME_SECTOR, each distinct sector
    seen -1, the worst-off level -ANNEAL_WORST_OFF), a temperature falling geometrically with the clock from
    ANNEAL_HOT to ANNEAL_COLD, and the best plan in the objective order kept. It scores a swap with our
    incremental State (`score_after_swap`), so it tries as many moves a second as our own walks.
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

    def energy(score: Score) -> float:
        return (ANNEAL_CONFLICT * sum(score[:SAME_SECTOR_FIELD]) + ANNEAL_SAME_SECTOR * score.same_sector
                + score.minus_distinct + ANNEAL_WORST_OFF * score.minus_worst_off)

    current = state.score()
    best, best_at = current.objective(), list(state.at)
    started = time.monotonic()
    deadline, temperature, moves = started + seconds, ANNEAL_HOT, 0
    while True:
        moves += 1
        if moves % 256 == 0:
            now = time.monotonic()
            if now >= deadline:
                return best_at
            temperature = ANNEAL_HOT * (ANNEAL_COLD / ANNEAL_HOT) ** ((now - started) / seconds)
        a, b = rng.sample(rng.choice(circles), 2)
        if state.at[a] == state.at[b]:
            continue
        new = state.score_after_swap(a, b)
        loss = energy(new) - energy(current)
        if loss <= 0 or rng.random() < math.exp(-loss / temperature):
            state.swap(a, b)
            current = new
            if new.objective() < best:
                best, best_at = new.objective(), list(state.at)


def figures(instance: Instance, layout: Layout, at: list[int], bound: int, status: str) -> Figures:
    """The independent checker's figures for a seating."""
    return check(instance, to_plan(instance, layout, at, status, bound, time.monotonic()))


def order(f: Figures) -> tuple[int, int, int, int]:
    """The objective order (lower is better): colleagues, same sector, -distinct total, -worst-off."""
    return (f.same_organisation, f.same_sector, -f.distinct_sectors_total, -f.distinct_sectors_min)


OURS = "**speeddate**"
PLAIN = ("plain swap LS", "plain anneal")  # the plain methods our solver must never lose to
NEAR_BOUND = 0.02  # where a plain method gets this close to the bound, ours must too


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
    started = time.monotonic()
    annealed = plain_anneal(problem, random.Random(seed), budget)
    anneal_seconds = time.monotonic() - started
    shuffled = random_seating(problem, random.Random(seed))
    return {
        "random": Outcome(figures(instance, layout, shuffled, bound, "-"), 0.0, bound, "-"),
        "plain swap LS": Outcome(figures(instance, layout, plain, bound, "-"), plain_seconds, bound, "-"),
        "plain anneal": Outcome(figures(instance, layout, annealed, bound, "-"), anneal_seconds, bound, "-"),
        OURS: Outcome(figures(instance, layout, ours_at, bound, ours.status), ours_seconds, bound, ours.status),
    }


def instance_rows(family: Family, seeds: list[int], runs: list[dict[str, Outcome]]) -> list[str]:
    """One row per instance: ours and the best plain method in the objective order, and their gaps."""
    rows = []
    for seed, run in zip(seeds, runs, strict=True):
        best = min(PLAIN, key=lambda m: order(run[m].figures))
        ours, other = run[OURS], run[best]
        cells = [family.name, seed, tuple(abs(x) for x in order(ours.figures)), f"{gap(ours):.1%}", ours.status,
                 f"{ours.seconds:.1f}", best, tuple(abs(x) for x in order(other.figures)), f"{gap(other):.1%}",
                 ours.bound]
        rows.append("| " + " | ".join(map(str, cells)) + " |")
    return rows


def run_family(family: Family, seconds: float, seeds: list[int]) -> tuple[list[str], list[int], list[str]]:
    """Table rows (the first seed's instance) and the speeddate-vs-best-plain record over all the seeds.

    The record counts wins, ties and losses in the full objective order against the best of the plain
    methods on each instance, losses in the issue's target order (colleagues, same sector, distinct total:
    the worst-off aside), instances proven optimal, and instances where a plain method came within 2 % of the
    bound but speeddate did not.
    """
    runs = [run_instance(family, seconds, seed) for seed in seeds]
    record = [0, 0, 0, 0, 0, 0]
    for run in runs:
        ours, best = order(run[OURS].figures), min(order(run[m].figures) for m in PLAIN)
        record[0 if ours < best else 1 if ours == best else 2] += 1
        record[3] += ours[:3] > best[:3]
        record[4] += run[OURS].status == "OPTIMAL"
        # Only plans without more conflicts than ours count: the bound is for plans without them.
        near = [gap(run[m]) for m in PLAIN if order(run[m].figures)[:2] <= ours[:2]]
        record[5] += min(near, default=1.0) <= NEAR_BOUND < gap(run[OURS])
    first = Instance(tuple(family.people(random.Random(seeds[0]))), family.rounds, family.pairs_per_circle)
    people, circles = len(first.participants), len(make_layout(first).sizes)
    rows = []
    best_plain = min(PLAIN, key=lambda m: order(runs[0][m].figures))
    for method in ("random", *PLAIN, OURS):
        o = runs[0][method]
        f = o.figures
        ratio = f.distinct_sectors_total / o.bound if o.bound else 1.0
        status = f"{o.status} ({record[4]}/{len(runs)} proven)" if method == OURS else "-"
        versus = "{}-{}-{}".format(*record[:3]) if method == OURS else "best" if method == best_plain else ""
        cells = [family.name, people, family.rounds, circles, method,
                 f.same_organisation, f.same_sector, f.distinct_sectors_total, f.distinct_sectors_min, o.bound,
                 f"{ratio:.3f}", f"{gap(o):.1%}", f"{o.seconds:.1f}", status, versus]
        rows.append("| " + " | ".join(map(str, cells)) + " |")
    return rows, record, instance_rows(family, seeds, runs)


def gap(outcome: Outcome) -> float:
    """How far the distinct total is below the bound, as a share of the bound."""
    bound = outcome.bound
    return (bound - outcome.figures.distinct_sectors_total) / bound if bound else 0.0


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
          "| upper bound | ratio | gap | seconds | status | vs best plain W-T-L |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    records, details = {}, []
    for family in FAMILIES:
        if args.only and family.name not in args.only:
            continue
        rows, records[family.name], per_instance = run_family(family, args.seconds, seeds)
        details += per_instance
        for line in rows:
            print(line, flush=True)
    print("\nEvery instance, in the objective order (colleagues, same sector, distinct total, worst-off):\n")
    print("| family | seed | speeddate | gap | status | seconds | best plain | its figures | its gap | bound |")
    print("|---|---:|---|---:|---|---:|---|---|---:|---:|")
    print("\n".join(details))
    better = sum(1 for r in records.values() if r[0] + r[4] > len(seeds) / 2)
    worse = [name for name, r in records.items() if r[2]]
    worse_total = [name for name, r in records.items() if r[3]]
    far = [name for name, r in records.items() if r[5]]
    instances = len(records) * len(seeds)
    print(f"\nspeeddate against the best plain method on each instance: strictly better or proven optimal on most "
          f"instances of {better} of {len(records)} families; worse on some instance of: {', '.join(worse) or 'none'} "
          f"(full order, worst-off included); worse in colleagues, same sector, distinct total on "
          f"{sum(r[3] for r in records.values())} of {instances} instances ({', '.join(worse_total) or 'none'}); "
          f"more than {NEAR_BOUND:.0%} from the bound where a plain method is within it: "
          f"{', '.join(far) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
