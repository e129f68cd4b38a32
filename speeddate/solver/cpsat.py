"""CP-SAT model of one circle, solved in lexicographic stages from the local search's plan as a hint.

The variables, the hint and the symmetry breaking are in `cpsat_model.py`. Each constraint family is one
function here returning its objective terms; the stages are assembled in `_solve_stages`:

1. conflicts: avoided pairs, colleagues, meetings without a common language, meetings of people who met
   before, same-sector meetings (weighted in that order; a family the hint
   keeps at zero, together with every family above it, becomes a hard constraint: the hint proves that
   feasible, and no better plan in the objective order can have one),
2. the distinct-sector total, with conflicts capped at stage 1's result and the total capped by the
   combinatorial bound (`bound.py`; the tighter one once same-sector meetings are hard). The cap is valid, and
   it lets CP-SAT stop as soon as the total reaches it instead of failing to prove it by search,
3. the worst-off participant, then wishes, with the total held at stage 2's result.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass

from ortools.sat.python import cp_model

from speeddate.solver.cpsat_model import CircleModel, Term, build_circle_model, linear_sum
from speeddate.solver.model import Options
from speeddate.solver.problem import EMPTY, NO_ORGANISATION, Problem

log = logging.getLogger(__name__)
TO_FILL = -2  # a slot whose person is still to be taken from its type's pool


@dataclass(frozen=True)
class Outcome:
    """Result of the CP-SAT stages: seating, whether every stage was proven optimal, and the stage-2 bound."""

    at: list[int]
    optimal: bool
    distinct_bound: int


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


def no_common_language(cm: CircleModel, hard: bool) -> list[Term]:
    """People without a language in common should not meet: per pair of disjoint language masks."""
    masks = sorted({cm.problem.language[p] for p in cm.type_of})
    apart = [(a, b) for a in masks for b in masks if not a & b]
    pairs = [(cm.language_at(i, a), cm.language_at(j, b)) for a, b in apart for i, j in cm.meeting_pairs()]
    return _never_together(cm, pairs, hard)


def met_before(cm: CircleModel, hard: bool) -> list[Term]:
    """People who met at an earlier speeddate should not meet again (each such person is a type of their own)."""
    terms: list[Term] = []
    for p, tp in cm.type_of.items():
        for q in cm.problem.met[p]:
            if q in cm.type_of and p < q:
                tq = cm.type_of[q]
                pairs: list[tuple[Term, Term]] = [(cm.x[i, tp], cm.x[j, tq]) for i, j in _both_ways(cm)]
                terms += _never_together(cm, pairs, hard)
    return terms


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
            cm.model.add(v <= linear_sum(cm.sector_at(j, k) for j in cm.partners[s]))
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
        cm.model.add(worst <= linear_sum(vs) + rounds * cm.empty_at(s))
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


def _hint_conflicts(cm: CircleModel, at: list[int]) -> tuple[bool, ...]:
    """Which conflict families can be hard: the hint keeps them and every family above them at zero.

    A family zero in the hint but below one that is not must stay soft: a plan with one more same-sector
    meeting and one colleague meeting fewer is better in the objective order.
    """
    problem, people = cm.problem, [at[s] for s in cm.slots]
    met = [(people[i], people[j]) for i, j in cm.meeting_pairs() if EMPTY not in (people[i], people[j])]
    kept = [
        all(q not in problem.avoid[p] for p, q in met),
        all(problem.org[p] != problem.org[q] or problem.org[p] == NO_ORGANISATION for p, q in met),
        all(problem.language[p] & problem.language[q] for p, q in met),
        all(q not in problem.met[p] for p, q in met),
        all(problem.sector[p] != problem.sector[q] for p, q in met),
    ]
    return tuple(all(kept[:level + 1]) for level in range(len(kept)))


def _solve_stages(cm: CircleModel, at: list[int], deadline: float, options: Options,
                  distinct_caps: tuple[int, int]) -> tuple[dict[cp_model.IntVar, int], bool, int] | None:
    """Stage 1 conflicts, stage 2 distinct total, stage 3 worst-off then wishes."""
    hard = _hint_conflicts(cm, at)
    n_meetings = len(cm.meeting_pairs())
    families = (avoided_pairs, colleagues, no_common_language, met_before, same_sector)
    conflict = [family(cm, hard_here) for family, hard_here in zip(families, hard, strict=True)]
    # Each family outweighs all below it: a meeting of one family costs more than every meeting of the next.
    weights = [(n_meetings + 1) ** (len(families) - 1 - level) for level in range(len(families))]
    conflicts = linear_sum(w * linear_sum(terms) for w, terms in zip(weights, conflict, strict=True))
    seen = distinct_sectors(cm)
    total = linear_sum(v for vs in seen.values() for v in vs)
    cm.model.add(total <= distinct_caps[1 if hard[-1] else 0])
    worst, wished = worst_off(cm, seen), linear_sum(wishes(cm, seen))
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
            result[slot] = TO_FILL
    for s, slot in enumerate(cm.slots):
        if result[slot] == TO_FILL:
            result[slot] = pool[chosen[s]].pop()
    return result
