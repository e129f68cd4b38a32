"""The instance as integers for the search: sectors, organisations, wishes, avoided people, fixed slots, the
languages each person speaks (a bit mask) and whom they met before.

People, slots, sectors and organisations are list indexes; the sentinels below stand for "none".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from speeddate.solver.layout import Layout
from speeddate.solver.model import FixedSeat, Instance, Participant

EMPTY = -1  # the person in a slot nobody sits in (whoever faces it pauses)
NO_SLOT = -1  # the slot of a person not seated, or without a fixed (or, re-planning, a previous) seat
NO_ORGANISATION = -1  # the organisation of a person who is its only member here: nobody's colleague
NO_SECTOR = -1  # the sector of nobody, in an empty slot
ANY_LANGUAGE = -1  # every bit set: the language mask of someone who gave none, who has one in common with all


@dataclass(frozen=True)
class Problem:
    """Participants as integers: sector, organisation (NO_ORGANISATION when alone), wishes, avoided, fixed slot,
    language mask (two people share a language when their masks share a bit) and the people met before."""

    sector: tuple[int, ...]
    org: tuple[int, ...]
    wants: tuple[frozenset[int], ...]
    avoid: tuple[frozenset[int], ...]
    fixed_slot: tuple[int, ...]
    sector_count: int
    layout: Layout
    language: tuple[int, ...]
    met: tuple[frozenset[int], ...]

    @property
    def size(self) -> int:
        """Number of participants."""
        return len(self.sector)


def make_problem(instance: Instance, layout: Layout) -> Problem:
    """Index sectors, organisations with several members, wishes, avoided pairs, fixed slots, languages and the
    pairs who met before (pairs naming someone absent are left out)."""
    people = instance.participants
    sectors = {name: i for i, name in enumerate(sorted({p.sector for p in people}))}
    org_sizes = Counter(p.organisation for p in people)
    orgs = {name: i for i, name in enumerate(sorted(o for o, k in org_sizes.items() if k > 1))}
    index = {p.id: i for i, p in enumerate(people)}
    avoid: list[set[int]] = [set() for _ in people]
    for i, p in enumerate(people):
        for other in p.avoid:
            avoid[i].add(index[other])
            avoid[index[other]].add(i)
    return Problem(
        sector=tuple(sectors[p.sector] for p in people),
        org=tuple(orgs.get(p.organisation, NO_ORGANISATION) for p in people),
        wants=tuple(frozenset(sectors[s] for s in p.wants if s in sectors and s != p.sector) for p in people),
        avoid=tuple(frozenset(a) for a in avoid),
        fixed_slot=tuple(_fixed_slot(p.fixed_seat, layout) for p in people),
        sector_count=len(sectors),
        layout=layout,
        language=language_masks(people),
        met=_met_before(instance, index),
    )


def language_masks(people: tuple[Participant, ...]) -> tuple[int, ...]:
    """One bit per language code anyone gave; ANY_LANGUAGE for someone who gave none."""
    codes = {code: 1 << i for i, code in enumerate(sorted({c for p in people for c in p.languages}))}
    return tuple(sum(codes[c] for c in set(p.languages)) if p.languages else ANY_LANGUAGE for p in people)


def _met_before(instance: Instance, index: dict[str, int]) -> tuple[frozenset[int], ...]:
    met: list[set[int]] = [set() for _ in instance.participants]
    for first, second in instance.met_before:
        if first in index and second in index and first != second:
            met[index[first]].add(index[second])
            met[index[second]].add(index[first])
    return tuple(frozenset(m) for m in met)


def _fixed_slot(fixed: FixedSeat | None, layout: Layout) -> int:
    if fixed is None:
        return NO_SLOT
    return layout.slot(fixed.circle - 1, fixed.side, fixed.seat - 1)


def movable_slots(problem: Problem) -> list[int]:
    """Slots whose occupant may change: all but the fixed seats."""
    fixed = {s for s in problem.fixed_slot if s != NO_SLOT}
    return [s for s in range(problem.layout.slot_count) if s not in fixed]
