"""Circles and seats: how many circles, how many seats a side, and who can face whom.

Slots are numbered globally: circle c occupies ``offset[c] .. offset[c] + 2n - 1``, first its n inner seats,
then its n outer start seats (the outer seat a person takes in round 1). With the outer circle moving one seat
up per round, inner seat i meets the outer people who started at seats i, i-1, ..., i-R+1 (a cyclic window),
and outer start t meets inner seats t, t+1, ..., t+R-1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from speeddate.solver.model import INNER, InputError, Instance


@dataclass(frozen=True)
class Layout:
    """Seats per side for each circle, and the meeting windows between slots."""

    rounds: int
    sizes: tuple[int, ...]
    people: tuple[int, ...]

    @property
    def offsets(self) -> tuple[int, ...]:
        """First global slot of each circle."""
        result, total = [], 0
        for n in self.sizes:
            result.append(total)
            total += 2 * n
        return tuple(result)

    @property
    def slot_count(self) -> int:
        """All seats on both sides of all circles."""
        return 2 * sum(self.sizes)

    def circle_of(self) -> list[int]:
        """Circle index (0-based) of every slot."""
        return [c for c, n in enumerate(self.sizes) for _ in range(2 * n)]

    def slot(self, circle: int, side: str, seat: int) -> int:
        """Global slot of a 0-based circle and a 0-based seat."""
        return self.offsets[circle] + (0 if side == INNER else self.sizes[circle]) + seat

    def partners(self) -> list[list[int]]:
        """For every slot, the slots it meets over the rounds (the cyclic window)."""
        result: list[list[int]] = []
        for offset, n in zip(self.offsets, self.sizes, strict=True):
            inner = [[offset + n + (i - d) % n for d in range(self.rounds)] for i in range(n)]
            outer = [[offset + (t + d) % n for d in range(self.rounds)] for t in range(n)]
            result.extend(inner + outer)
        return result


def make_layout(instance: Instance) -> Layout:
    """Balanced circles for the instance; raises InputError when the rounds do not fit."""
    count = len(instance.participants)
    if count < 2:
        raise InputError(f"need at least 2 participants, got {count}")
    if instance.rounds < 1:
        raise InputError(f"--rounds must be at least 1, got {instance.rounds}")
    per_circle = instance.pairs_per_circle or math.ceil(count / 2)
    if per_circle < 1:
        raise InputError(f"--pairs-per-circle must be at least 1, got {per_circle}")
    circles = math.ceil(count / (2 * per_circle))
    people = tuple(count // circles + (1 if c < count % circles else 0) for c in range(circles))
    sizes = tuple(math.ceil(p / 2) for p in people)
    layout = Layout(instance.rounds, sizes, people)
    check_fixed_seats(instance, layout)
    if instance.rounds > min(sizes):
        raise InputError(
            f"--rounds {instance.rounds} is larger than a circle allows: with {count} participants "
            f"the smallest circle has {min(sizes)} pairs, so at most {min(sizes)} rounds"
        )
    return layout


def check_fixed_seats(instance: Instance, layout: Layout) -> None:
    """Fixed seats must exist in the layout and be distinct."""
    taken: dict[tuple[int, str, int], int] = {}
    for index, person in enumerate(instance.participants):
        fixed = person.fixed_seat
        if fixed is None:
            continue
        if not 1 <= fixed.circle <= len(layout.sizes):
            raise InputError(f"circle {fixed.circle} does not exist (there are {len(layout.sizes)})",
                             index, "fixed_seat")
        if not 1 <= fixed.seat <= layout.sizes[fixed.circle - 1]:
            raise InputError(f"seat {fixed.seat} does not exist (circle {fixed.circle} has "
                             f"{layout.sizes[fixed.circle - 1]} seats a side)", index, "fixed_seat")
        key = (fixed.circle, fixed.side, fixed.seat)
        if key in taken:
            other = instance.participants[taken[key]].id
            raise InputError(f"seat {fixed.side}:{fixed.seat} is already fixed for {other}",
                             index, "fixed_seat")
        taken[key] = index
