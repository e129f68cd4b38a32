"""Seating that knows the network (issue #18 part B): a plain annealing vs our solver, same time for each.

    .venv/bin/python bench/seating_network.py [--seconds S] [--seeds N] [--only FAMILY ...]

Families:
- history: a second speeddate of the zone. The first one (the same generator, seed + 100) is seated by our
  solver; two thirds of its people come back with newcomers, and every pair that faced each other then is a
  "met before" pair now.
- bilingual: 60 % speak only Dutch, 25 % only French, 15 % both, shuffled.
- both at once.
Sectors follow ../shared/data/sectors.csv (31 sectors, the two largest about 10 % each); about one person in
three shares an organisation with someone.

Every plan is scored by the independent checker in the objective order: colleagues, no common language, met
before, same sector, distinct sectors total, worst-off. The plain annealing is bench/seating.py's
`plain_anneal` (it scores swaps with the same State, so it knows the new families too). Figures, not tests.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seating import plain_anneal  # noqa: E402  (bench/ is not a package)

from speeddate.solver import Instance, Options, Participant, check, solve  # noqa: E402
from speeddate.solver.layout import make_layout  # noqa: E402
from speeddate.solver.model import Figures, meetings_of  # noqa: E402
from speeddate.solver.problem import make_problem  # noqa: E402
from speeddate.solver.solve import to_plan  # noqa: E402

SECTORS = Path(__file__).resolve().parents[2] / "shared" / "data" / "sectors.csv"
SPOKEN = (("nl",), ("fr",), ("nl", "fr"))


def sector_names() -> list[str]:
    """The 31 sectors of the shared reference list."""
    with SECTORS.open(encoding="utf-8") as f:
        return [row["sector"] for row in csv.DictReader(f)]


def realistic(count: int, rng: random.Random, prefix: str = "p") -> list[Participant]:
    """People over the 31 sectors, the first two about 10 % each; organisations of 1 to 4 people."""
    names = sector_names()
    weights = [10, 10] + [80 / (len(names) - 2)] * (len(names) - 2)
    people, org = [], 0
    while len(people) < count:
        size = rng.choice((1, 1, 1, 2, 2, 3, 4))
        sector = rng.choices(names, weights)[0]
        for _ in range(min(size, count - len(people))):
            people.append(Participant(f"{prefix}{len(people):03d}", f"Person {len(people)}", f"Org {prefix}{org}",
                                      sector))
        org += 1
    rng.shuffle(people)
    return people


def bilingual(people: list[Participant], rng: random.Random) -> list[Participant]:
    """60 % Dutch only, 25 % French only, 15 % both."""
    count = len(people)
    spoken = [SPOKEN[0]] * (count * 60 // 100) + [SPOKEN[1]] * (count * 25 // 100)
    spoken += [SPOKEN[2]] * (count - len(spoken))
    rng.shuffle(spoken)
    return [replace(p, languages=lang) for p, lang in zip(people, spoken, strict=True)]


def second_speeddate(count: int, rounds: int, pairs: int | None, rng: random.Random,
                     languages: bool = False) -> Instance:
    """Two thirds of a first speeddate's people come back with newcomers; who met then met before now."""
    first = realistic(count, random.Random(rng.random()))
    earlier = solve(Instance(tuple(first), rounds, pairs), Options(time_limit=3, seed=1))
    back = first[: count * 2 // 3]
    people = back + realistic(count - len(back), rng, prefix="n")
    if languages:
        people = bilingual(people, rng)
    here = {p.id for p in people}
    met = tuple((m.inner, m.outer) for m in meetings_of(earlier)
                if m.inner in here and m.outer in here)
    return Instance(tuple(people), rounds, pairs, met)


@dataclass(frozen=True)
class Family:
    """A named instance generator."""

    name: str
    make: Callable[[random.Random], Instance]


FAMILIES = [
    Family("history-60", lambda r: second_speeddate(60, 8, None, r)),
    Family("history-circles-120", lambda r: second_speeddate(120, 8, 15, r)),
    Family("bilingual-60", lambda r: Instance(tuple(bilingual(realistic(60, r), r)), 8)),
    Family("bilingual-circles-120", lambda r: Instance(tuple(bilingual(realistic(120, r), r)), 8, 20)),
    Family("bilingual-history-circles-150", lambda r: second_speeddate(150, 10, 25, r, languages=True)),
]


def order(f: Figures) -> tuple[int, ...]:
    """The objective order, lower is better."""
    return (f.same_organisation, f.no_common_language, f.met_before, f.same_sector, -f.distinct_sectors_total,
            -f.distinct_sectors_min)


def run(instance: Instance, seconds: float, seed: int) -> dict[str, tuple[Figures, int]]:
    """Plain annealing and our solver on one instance, the same time each: figures and our bound."""
    layout = make_layout(instance)
    ours = solve(instance, Options(time_limit=seconds, seed=seed, started_at=time.monotonic()))
    at = plain_anneal(make_problem(instance, layout), random.Random(seed), seconds)
    plan = to_plan(instance, layout, at, "-", ours.upper_bound, time.monotonic())
    return {"plain annealing": (check(instance, plan), ours.upper_bound),
            "**speeddate**": (check(instance, ours), ours.upper_bound)}


def main(argv: list[str] | None = None) -> int:
    """Print the comparison table as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="time per method")
    parser.add_argument("--seeds", type=int, default=3, help="instances per family (seeds 1..N)")
    parser.add_argument("--only", nargs="*", help="family names to run")
    args = parser.parse_args(argv)
    seeds = list(range(1, args.seeds + 1))
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, {args.seconds:g} s "
          f"per method, seeds {seeds[0]}..{seeds[-1]}\n")
    print("| family | seed | people | met-before pairs | method | colleagues | no common language | met before "
          "| same sector | distinct | worst-off | upper bound |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    record = [0, 0, 0]
    for family in FAMILIES:
        if args.only and family.name not in args.only:
            continue
        for seed in seeds:
            instance = family.make(random.Random(seed))
            results = run(instance, args.seconds, seed)
            for method, (f, bound) in results.items():
                cells = [family.name, seed, len(instance.participants), len(instance.met_before), method,
                         f.same_organisation, f.no_common_language, f.met_before, f.same_sector,
                         f.distinct_sectors_total, f.distinct_sectors_min, bound]
                print("| " + " | ".join(map(str, cells)) + " |", flush=True)
            ours, plain = order(results["**speeddate**"][0]), order(results["plain annealing"][0])
            record[0 if ours < plain else 1 if ours == plain else 2] += 1
    print(f"\nspeeddate vs plain annealing in the objective order: {record[0]} better, {record[1]} equal, "
          f"{record[2]} worse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
