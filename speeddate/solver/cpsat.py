"""CP-SAT model of one circle, solved in lexicographic stages from the local search's plan as a hint.

Interchangeable people (same sector, same multi-member organisation, no wishes, no avoided people, no fixed
seat) form one *type*, so the model chooses a type per slot: x[slot, type]. Each constraint family is one
function returning its objective terms; the stages are assembled in `_solve_stages`:

1. conflicts: avoided pairs, colleagues, same-sector meetings (weighted in that order; a family the hint
   keeps at zero, together with every family above it, becomes a hard constraint: the hint proves that
   feasible, and no better plan in the objective order can have one),
2. the distinct-sector total, with conflicts capped at stage 1's result and the total capped by the
   combinatorial bound (`bound.py`; the tighter one once same-sector meetings are hard). The cap is valid, and
   it lets CP-SAT stop as soon as the total reaches it instead of failing to prove it by search,
3. the worst-off participant, then wishes, with the total held at stage 2's result.

Symmetry: rotating every seat, or swapping the sides while mirroring the seat numbers (inner seat i <->
outer start -i), maps plans to plans with the same meetings. So, when a circle has no fixed seats, the type
sitting at inner seat 1 in the hint may be required to sit there; the hint stays feasible.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from speeddate.solver.model import Options
from speeddate.solver.problem import EMPTY, NO_ORGANISATION, NO_SECTOR, NO_SLOT, Problem

log = logging.getLogger(__name__)

Term = cp_model.LinearExpr
TypeKey = tuple[int, int, frozenset[int], int]  # sector, organisation, wishes, the person or INTERCHANGEABLE
INTERCHANGEABLE = -1  # a type key's last field when any member of the type will do


@dataclass(frozen=True)
class Outcome:
    """Result of the CP-SAT stages: seating, whether every stage was proven optimal, and the stage-2 bound."""

    at: list[int]
    optimal: bool
    distinct_bound: int


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
        return _sum(self.x[slot, t] for t in self._types_where(lambda p: self.problem.sector[p] == sector))

    def org_at(self, slot: int, org: int) -> Term:
        """1 when the person in a local slot belongs to a (multi-member) organisation."""
        return _sum(self.x[slot, t] for t in self._types_where(lambda p: self.problem.org[p] == org))

    def empty_at(self, slot: int) -> Term:
        """1 when a local slot stays empty."""
        return _sum(self.x[slot, t] for t, members in enumerate(self.types) if members[0] == EMPTY)

    def meeting_pairs(self) -> list[tuple[int, int]]:
        """Local slot pairs that meet (each pair once: inner slot first)."""
        half = len(self.slots) // 2
        return [(i, j) for i in range(half) for j in self.partners[i]]

    def _types_where(self, test: Callable[[int], bool]) -> list[int]:
        return [t for t, members in enumerate(self.types) if members[0] != EMPTY and test(members[0])]


def solve_circle(problem: Problem, at: list[int], circle: int, deadline: float, options: Options,
                 distinct_caps: tuple[int, int] = (2**31, 2**31)) -> Outcome:
    """Lexicographic CP-SAT stages for one circle, hinted with the current seating.

    `distinct_caps` are true upper bounds on the circle's distinct total: for any plan, and for plans without
    same-sector meetings.
    """
    cm = build_circle_model(problem, at, circle)
    stages = _solve_stages(cm, at, deadline, options, distinct_caps)
    if stages is None:
        return Outcome(at, False, 2**31)
    values, optimal, bound = stages
    return Outcome(_read_seating(cm, at, values), optimal, bound)


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
        model.add(_sum(x[s, t] for s in range(len(slots))) == len(members))
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
        plain = head != EMPTY and _type_key(problem, head)[1:] == (NO_ORGANISATION, frozenset(), INTERCHANGEABLE)
        if plain and types_per_sector[problem.sector[head]] == 1 and problem.sector[head] not in wished:
            classes.setdefault(len(members), []).append(t)
    first = {cm.type_of[p]: s for s, p in reversed(list(enumerate(people))) if p != EMPTY}
    for group in classes.values():
        ordered = sorted(group, key=first.__getitem__)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            for s in range(1, len(cm.slots)):
                cm.model.add(cm.x[s, later] <= _sum(cm.x[u, earlier] for u in range(s)))
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
        return (NO_SECTOR, NO_ORGANISATION, frozenset(), INTERCHANGEABLE)
    unique = problem.avoid[person] or problem.fixed_slot[person] != NO_SLOT
    return (problem.sector[person], problem.org[person], problem.wants[person], person if unique else INTERCHANGEABLE)


def _fix_seats_and_hint(cm: CircleModel, people: list[int]) -> None:
    fixed = False
    for s, person in enumerate(people):
        t = cm.type_of.get(person, _empty_type(cm))
        for u in range(len(cm.types)):
            cm.model.add_hint(cm.x[s, u], u == t)
        if person != EMPTY and cm.problem.fixed_slot[person] == cm.slots[s]:
            cm.model.add(cm.x[s, t] == 1)
            fixed = True
    if not fixed:
        cm.model.add(cm.x[0, cm.type_of.get(people[0], _empty_type(cm))] == 1)


def _empty_type(cm: CircleModel) -> int:
    return next((t for t, members in enumerate(cm.types) if members[0] == EMPTY), -1)


def avoided_pairs(cm: CircleModel, hard: bool) -> list[Term]:
    """People who must not meet: never in facing slots."""
    terms: list[Term] = []
    problem = cm.problem
    for p, tp in cm.type_of.items():
        for q in problem.avoid[p]:
            if q in cm.type_of and p < q:
                tq = cm.type_of[q]
                pairs: list[tuple[Term, Term]] = [(cm.x[i, tp], cm.x[j, tq]) for i, j in _both_ways(cm)]
                terms += _never_together(cm, pairs, hard)
    return terms


def colleagues(cm: CircleModel, hard: bool) -> list[Term]:
    """Members of one organisation should not meet."""
    orgs = Counter(cm.problem.org[p] for p in cm.type_of if cm.problem.org[p] != NO_ORGANISATION)
    pairs = [(cm.org_at(i, o), cm.org_at(j, o))
             for o, k in orgs.items() if k > 1 for i, j in cm.meeting_pairs()]
    return _never_together(cm, pairs, hard)


def same_sector(cm: CircleModel, hard: bool) -> list[Term]:
    """Members of one sector should not meet."""
    sectors = Counter(cm.problem.sector[p] for p in cm.type_of)
    pairs = [(cm.sector_at(i, k), cm.sector_at(j, k))
             for k, count in sectors.items() if count > 1 for i, j in cm.meeting_pairs()]
    return _never_together(cm, pairs, hard)


def _both_ways(cm: CircleModel) -> list[tuple[int, int]]:
    return [pair for i, j in cm.meeting_pairs() for pair in ((i, j), (j, i))]


def _never_together(cm: CircleModel, pairs: list[tuple[Term, Term]], hard: bool) -> list[Term]:
    """Hard: a + b <= 1. Soft: a penalty variable forced to 1 when both hold."""
    terms: list[Term] = []
    for a, b in pairs:
        if hard:
            cm.model.add(a + b <= 1)
        else:
            both = cm.hinted_bool("both", None)
            cm.model.add(both >= a + b - 1)
            terms.append(both)
    return terms


def distinct_sectors(cm: CircleModel) -> dict[int, list[cp_model.IntVar]]:
    """Per local slot, one variable per sector it sees (someone of another sector sits there and meets it)."""
    sectors = sorted({cm.problem.sector[p] for p in cm.type_of})
    seen: dict[int, list[cp_model.IntVar]] = {}
    for s in range(len(cm.slots)):
        seen[s] = []
        met = cm.hinted_seen(s)
        for k in sectors:
            v = cm.hinted_bool(f"slot{s}_sees{k}", k in met)
            cm.model.add(v <= _sum(cm.sector_at(j, k) for j in cm.partners[s]))
            cm.model.add(v + cm.sector_at(s, k) + cm.empty_at(s) <= 1)
            seen[s].append(v)
    return seen


def worst_off(cm: CircleModel, seen: dict[int, list[cp_model.IntVar]]) -> cp_model.IntVar:
    """The smallest number of distinct sectors any seated person sees."""
    rounds = cm.problem.layout.rounds
    worst = cm.model.new_int_var(0, rounds, "worst")
    cm.model.add_hint(worst, min((len(cm.hinted_seen(s)) for s in seen if cm.hint[s] != EMPTY), default=rounds))
    cm.aux.append(worst)
    for s, vs in seen.items():
        cm.model.add(worst <= _sum(vs) + rounds * cm.empty_at(s))
    return worst


def wishes(cm: CircleModel, seen: dict[int, list[cp_model.IntVar]]) -> list[Term]:
    """Wished-for sectors met: person type in the slot wants sector k and the slot sees k."""
    sectors = sorted({cm.problem.sector[p] for p in cm.type_of})
    terms: list[Term] = []
    for t, members in enumerate(cm.types):
        wanted = cm.problem.wants[members[0]] if members[0] != EMPTY else frozenset()
        for k in wanted & set(sectors):
            for s in range(len(cm.slots)):
                met = cm.hinted_bool("wish", cm.hint[s] in members and k in cm.hinted_seen(s))
                cm.model.add(met <= cm.x[s, t])
                cm.model.add(met <= seen[s][sectors.index(k)])
                terms.append(met)
    return terms


def _hint_conflicts(cm: CircleModel, at: list[int]) -> tuple[bool, bool, bool]:
    """Which conflict families can be hard: the hint keeps them and every family above them at zero.

    A family zero in the hint but below one that is not must stay soft: a plan with one more same-sector
    meeting and one colleague meeting fewer is better in the objective order.
    """
    problem, people = cm.problem, [at[s] for s in cm.slots]
    met = [(people[i], people[j]) for i, j in cm.meeting_pairs() if EMPTY not in (people[i], people[j])]
    avoided = all(q not in problem.avoid[p] for p, q in met)
    no_colleagues = avoided and all(problem.org[p] != problem.org[q] or problem.org[p] == NO_ORGANISATION
                                    for p, q in met)
    return (avoided, no_colleagues, no_colleagues and all(problem.sector[p] != problem.sector[q] for p, q in met))


def _sum(terms: Iterable[Term]) -> cp_model.LinearExpr:
    return cp_model.LinearExpr.sum(list(terms))


def _solve_stages(cm: CircleModel, at: list[int], deadline: float, options: Options,
                  distinct_caps: tuple[int, int]) -> tuple[dict[cp_model.IntVar, int], bool, int] | None:
    """Stage 1 conflicts, stage 2 distinct total, stage 3 worst-off then wishes."""
    hard = _hint_conflicts(cm, at)
    n_meetings = len(cm.meeting_pairs())
    conflict = [avoided_pairs(cm, hard[0]), colleagues(cm, hard[1]), same_sector(cm, hard[2])]
    weights = [(n_meetings + 1) ** 2, n_meetings + 1, 1]
    conflicts = _sum(w * _sum(terms) for w, terms in zip(weights, conflict, strict=True))
    seen = distinct_sectors(cm)
    total = _sum(v for vs in seen.values() for v in vs)
    cm.model.add(total <= distinct_caps[1 if hard[2] else 0])
    worst, wished = worst_off(cm, seen), _sum(wishes(cm, seen))
    wish_cap = len(cm.types) * len(cm.slots) + 1
    stages = [(conflicts, False, 0.25), (total, True, 0.75), (worst * wish_cap + wished, True, 1.0)]
    if not any(conflict):
        stages = stages[1:]
    solver = cp_model.CpSolver()
    proven, bound, values = True, 0, None
    for objective, maximise, share in stages:
        result = _run_stage(cm, solver, objective, maximise, deadline, share, options)
        if result is None:
            return None if values is None else (values, False, 2**31)
        values, stage_optimal, stage_bound = result
        proven = proven and stage_optimal
        bound = stage_bound if objective is total else bound
        _fix_stage(cm, objective, maximise, solver.value(objective), values)
    assert values is not None
    return values, proven, bound


def _run_stage(cm: CircleModel, solver: cp_model.CpSolver, objective: Term, maximise: bool, deadline: float,
               share: float, options: Options) -> tuple[dict[cp_model.IntVar, int], bool, int] | None:
    if maximise:
        cm.model.maximize(objective)
    else:
        cm.model.minimize(objective)
    seconds = max(0.05, (deadline - time.monotonic()) * share)
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.max_deterministic_time = seconds
    solver.parameters.num_workers = options.workers
    solver.parameters.random_seed = options.seed
    # Interleaved workers are deterministic (same seed, same plan) and proved more than the portfolio here.
    solver.parameters.interleave_search = True
    status = solver.solve(cm.model)
    log.info("cp-sat stage: %s, objective %s, bound %s, %.2fs", solver.status_name(status),
             solver.objective_value, solver.best_objective_bound, solver.wall_time)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = {v: solver.value(v) for v in [*cm.x.values(), *cm.aux]}
    return values, status == cp_model.OPTIMAL, int(solver.best_objective_bound + 1e-6)


def _fix_stage(cm: CircleModel, objective: Term, maximise: bool, value: int,
               values: dict[cp_model.IntVar, int]) -> None:
    """Hold the stage's achievement and hint the next stage with its solution."""
    cm.model.add(objective >= value if maximise else objective <= value)
    cm.model.clear_hints()  # type: ignore[no-untyped-call]  # ortools ships this one unannotated
    for var, val in values.items():
        cm.model.add_hint(var, val)


def _read_seating(cm: CircleModel, at: list[int], values: dict[cp_model.IntVar, int]) -> list[int]:
    """Turn types per slot back into people, keeping people on their old slot where the type allows."""
    chosen = {s: next(t for t in range(len(cm.types)) if values[cm.x[s, t]]) for s in range(len(cm.slots))}
    pool = {t: list(members) for t, members in enumerate(cm.types)}
    result = list(at)
    for s, slot in enumerate(cm.slots):
        if at[slot] in pool[chosen[s]]:
            pool[chosen[s]].remove(at[slot])
            result[slot] = at[slot]
        else:
            result[slot] = -2
    for s, slot in enumerate(cm.slots):
        if result[slot] == -2:
            result[slot] = pool[chosen[s]].pop()
    return result
