"""Helpers for the solver tests: tiny instances, CSV files and the command line in a subprocess."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from speeddate.solver.model import FixedSeat, Instance, Participant

SHARED = Path(__file__).resolve().parents[3] / "shared"  # ../shared beside the repository
SAMPLE = SHARED / "data" / "sample_participants.csv"
REFEREE = SHARED / "tools" / "check_plan.py"


def people(*specs: str) -> tuple[Participant, ...]:
    """People from 'sector/organisation' strings (organisation defaults to a unique one); ids p1, p2, ..."""
    result = []
    for i, spec in enumerate(specs, start=1):
        sector, _, org = spec.partition("/")
        result.append(Participant(f"p{i}", f"Person {i}", org or f"org{i}", sector))
    return tuple(result)


def fixed(person: Participant, side: str, seat: int, circle: int = 1) -> Participant:
    """The same person with a fixed seat."""
    return Participant(person.id, person.name, person.organisation, person.sector,
                       fixed_seat=FixedSeat(side, seat, circle))


def varied(count: int, sectors: int, seed: int = 1) -> tuple[Participant, ...]:
    """A deterministic mix of sectors and a few two-person organisations."""
    return tuple(Participant(f"p{i}", f"Person {i}", f"org{i // 2 if i % 5 == 0 else 1000 + i}",
                             f"S{(i * 7 + seed) % sectors}") for i in range(count))


def rich_instance(count: int, sectors: int, rounds: int, pairs: int | None) -> Instance:
    """Colleagues, avoided pairs, wishes, a fixed seat and (odd counts) empty seats all at once."""
    base = list(varied(count, sectors))
    rng = random.Random(count)
    people = []
    for i, p in enumerate(base):
        avoid = (base[rng.randrange(count)].id,) if i % 7 == 0 else ()
        wants = (f"S{rng.randrange(sectors)}", f"S{rng.randrange(sectors)}") if i % 3 == 0 else ()
        people.append(Participant(p.id, p.name, p.organisation, p.sector, avoid=tuple(a for a in avoid
                                  if a != p.id), wants=wants))
    people[0] = fixed(people[0], "inner", 1)
    return Instance(tuple(people), rounds, pairs)


def instance(participants: tuple[Participant, ...], rounds: int, pairs: int | None = None) -> Instance:
    """An instance in one line."""
    return Instance(participants, rounds, pairs)


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `speeddate` as the user would, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "speeddate.solver.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120, check=False)


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a participants file exactly as given."""
    path.write_bytes(text.encode(encoding))
    return path
