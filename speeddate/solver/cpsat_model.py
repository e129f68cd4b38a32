"""The CP-SAT variables of one circle: a type of interchangeable people per slot, the hint, symmetry breaking.

Interchangeable people (same sector, same multi-member organisation, same wishes, same languages, no avoided
people, nobody met before, no fixed seat) form one *type*, so the model chooses a type per slot: x[slot, type];
the empty seat is a type of its own.

Symmetry: rotating every seat, or swapping the sides while mirroring the seat numbers (inner seat i <->
outer start -i), maps plans to plans with the same meetings. So, when a circle has no fixed seats, the type
sitting at inner seat 1 in the hint may be required to sit there; the hint stays feasible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from speeddate.solver.problem import ANY_LANGUAGE, EMPTY, NO_ORGANISATION, NO_SECTOR, NO_SLOT, Problem

Term = cp_model.LinearExpr
TypeKey = tuple[int, int, frozenset[int], int, int]  # sector, organisation, wishes, languages, the person or
# INTERCHANGEABLE
INTERCHANGEABLE = -1  # a type key's last field when any member of the type will do
NO_TYPE = -1  # the empty seat's type when the circle has no empty seat


@dataclass
class CircleModel:
    """Variables of one circle's model and the data needed to read a seating back."""

    problem: Problem
    slots: list[int]
    partners: list[list[int]]
    types: list[list[int]]
    type_of: dict[int, int]
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    hint: list[int]
    aux: list[cp_model.IntVar]

    def hinted_bool(self, name: str, value: bool | None) -> cp_model.IntVar:
        """A new auxiliary 0/1 variable with its value in the hinted seating (None: left to CP-SAT).

        Hinting the auxiliaries too (not just x) lets CP-SAT start from the hint's objective value instead of
        rebuilding it: measured on small-24, the stage reached the hint's total in 0.36 s, not at once.
        """
        var = self.model.new_bool_var(name)
        if value is not None:
            self.model.add_hint(var, value)
        self.aux.append(var)
        return var

    def hinted_sector(self, slot: int) -> int:
        """Sector of the person in a local slot in the hinted seating (NO_SECTOR when empty)."""
        person = self.hint[slot]
        return self.problem.sector[person] if person != EMPTY else NO_SECTOR

    def hinted_seen(self, slot: int) -> set[int]:
        """Sectors the person in a local slot sees in the hinted seating (none when empty)."""
        own = self.hinted_sector(slot)
        if own == NO_SECTOR:
            return set()
        return {self.hinted_sector(j) for j in self.partners[slot]} - {own, NO_SECTOR}

    def sector_at(self, slot: int, sector: int) -> Term:
        """1 when the person in a local slot belongs to a sector."""
        return linear_sum(self.x[slot, t] for t in self._types_where(lambda p: self.problem.sector[p] == sector))

    def org_at(self, slot: int, org: int) -> Term:
        """1 when the person in a local slot belongs to a (multi-member) organisation."""
        return linear_sum(self.x[slot, t] for t in self._types_where(lambda p: self.problem.org[p] == org))

    def language_at(self, slot: int, mask: int) -> Term:
        """1 when the person in a local slot speaks exactly the languages of a mask."""
        return linear_sum(self.x[slot, t] for t in self._types_where(lambda p: self.problem.language[p] == mask))

    def empty_at(self, slot: int) -> Term:
        """1 when a local slot stays empty."""
        return linear_sum(self.x[slot, t] for t, members in enumerate(self.types) if members[0] == EMPTY)

    def meeting_pairs(self) -> list[tuple[int, int]]:
        """Local slot pairs that meet (each pair once: inner slot first)."""
        half = len(self.slots) // 2
        return [(i, j) for i in range(half) for j in self.partners[i]]

    def _types_where(self, test: Callable[[int], bool]) -> list[int]:
        return [t for t, members in enumerate(self.types) if members[0] != EMPTY and test(members[0])]


def build_circle_model(problem: Problem, at: list[int], circle: int) -> CircleModel:
    """Type-per-slot assignment variables, with the hint and symmetry breaking."""
    layout = problem.layout
    offset, n = layout.offsets[circle], layout.sizes[circle]
    slots = list(range(offset, offset + 2 * n))
    partners = [[s - offset for s in layout.partners()[slot]] for slot in slots]
    people = [at[s] for s in slots]
    types, type_of = _types(problem, people)
    model = cp_model.CpModel()
    x = {(s, t): model.new_bool_var(f"slot{s}_type{t}") for s in range(len(slots)) for t in range(len(types))}
    cm = CircleModel(problem, slots, partners, types, type_of, model, x, people, [])
    for s in range(len(slots)):
        model.add_exactly_one(x[s, t] for t in range(len(types)))
    for t, members in enumerate(types):
        model.add(linear_sum(x[s, t] for s in range(len(slots))) == len(members))
    _fix_seats_and_hint(cm, people)
    _break_sector_symmetry(cm, people)
    return cm


def _break_sector_symmetry(cm: CircleModel, people: list[int]) -> None:
    """Plain sectors of equal size are interchangeable: order them by the first slot they occupy.

    A sector is plain when all its members form one type (no organisation shared, no wishes, no avoided
    people, no fixed seat) and nobody wishes for it. Relabelling such sectors maps plans to plans of equal
    quality; ordering each class as the hint does keeps the hint, and the type at slot 0, first in its class.
    """
    problem = cm.problem
    wished = set().union(*(problem.wants[p] for p in cm.type_of))
    types_per_sector = Counter(problem.sector[m[0]] for m in cm.types if m[0] != EMPTY)
    classes: dict[int, list[int]] = {}
    for t, members in enumerate(cm.types):
        head = members[0]
        plain = head != EMPTY and _type_key(problem, head)[1:] == (NO_ORGANISATION, frozenset(), ANY_LANGUAGE,
                                                                    INTERCHANGEABLE)
        if plain and types_per_sector[problem.sector[head]] == 1 and problem.sector[head] not in wished:
            classes.setdefault(len(members), []).append(t)
    first = {cm.type_of[p]: s for s, p in reversed(list(enumerate(people))) if p != EMPTY}
    for group in classes.values():
        ordered = sorted(group, key=first.__getitem__)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            for s in range(1, len(cm.slots)):
                cm.model.add(cm.x[s, later] <= linear_sum(cm.x[u, earlier] for u in range(s)))
            cm.model.add(cm.x[0, later] == 0)


def _types(problem: Problem, people: list[int]) -> tuple[list[list[int]], dict[int, int]]:
    """Group interchangeable people; the empty seat is a type of its own."""
    groups: dict[TypeKey, list[int]] = {}
    for person in people:
        groups.setdefault(_type_key(problem, person), []).append(person)
    types = list(groups.values())
    return types, {p: t for t, members in enumerate(types) for p in members if p != EMPTY}


def _type_key(problem: Problem, person: int) -> TypeKey:
    if person == EMPTY:
        return (NO_SECTOR, NO_ORGANISATION, frozenset(), ANY_LANGUAGE, INTERCHANGEABLE)
    unique = problem.avoid[person] or problem.met[person] or problem.fixed_slot[person] != NO_SLOT
    return (problem.sector[person], problem.org[person], problem.wants[person], problem.language[person],
            person if unique else INTERCHANGEABLE)


def _fix_seats_and_hint(cm: CircleModel, people: list[int]) -> None:
    fixed = False
    for s, person in enumerate(people):
        t = cm.type_of.get(person, empty_type(cm))
        for u in range(len(cm.types)):
            cm.model.add_hint(cm.x[s, u], u == t)
        if person != EMPTY and cm.problem.fixed_slot[person] == cm.slots[s]:
            cm.model.add(cm.x[s, t] == 1)
            fixed = True
    if not fixed:
        cm.model.add(cm.x[0, cm.type_of.get(people[0], empty_type(cm))] == 1)


def empty_type(cm: CircleModel) -> int:
    """The type of the empty seat, or NO_TYPE."""
    return next((t for t, members in enumerate(cm.types) if members[0] == EMPTY), NO_TYPE)


def linear_sum(terms: Iterable[Term]) -> cp_model.LinearExpr:
    """The sum of terms as one linear expression."""
    return cp_model.LinearExpr.sum(list(terms))
