"""Solve a seating instance: constructive start, local search, then CP-SAT where the instance is small enough.

Reproducibility: every search phase is bounded by work (move counts, CP-SAT deterministic time) derived from
the time limit, with the wall clock only as a safety net, so the same seed gives the same plan on this machine
unless the safety net fires (then a note says so).
"""

from __future__ import annotations

import logging
import random
import time

from speeddate.solver.anneal import SearchResult, local_search, polish_worst_off
from speeddate.solver.bound import distinct_upper_bound
from speeddate.solver.check import check
from speeddate.solver.construct import ALTERNATE, ONE_SIDE, RUNS, construct, random_seating
from speeddate.solver.languages import language_start, speaks_apart
from speeddate.solver.layout import Layout, make_layout
from speeddate.solver.model import Circle, Instance, Note, NoteKind, Options, Plan
from speeddate.solver.problem import EMPTY, Problem, make_problem
from speeddate.solver.score import Score, reached
from speeddate.solver.state import State

log = logging.getLogger(__name__)

# Under what this machine does (21-27k moves/s; start-up, the constructive starts and the polish take their
# share of the time limit too), so that the budget, not the clock, ends a run and a seed reproduces it: at 22k,
# skewed-40pct-60 (about 21k/s in its warm walks) still ran into the clock at 10 s.
MOVES_PER_SECOND = 18_000
OUTPUT_MARGIN = 0.15
LOCAL_SHARE_BEFORE_CPSAT = 0.2
CPSAT_MAX_PAIRS = 15
POLISH_SHARE = 0.05
WARM, COOL = 0.3, 0.05
WALK_MOVES_PER_SLOT = 330
RANDOM = "random"
# Start shapes and temperatures the walks take in turn; the first walk starts from the given seating.
SHAPES = [(RUNS, WARM), (ALTERNATE, WARM), (RANDOM, COOL), (ONE_SIDE, WARM)]


def solve(instance: Instance, options: Options | None = None) -> Plan:
    """Best plan found within the time limit, with checked figures, upper bound and proof status."""
    options = options or Options()
    started = options.started_at if options.started_at is not None else time.monotonic()
    deadline = started + options.time_limit - OUTPUT_MARGIN
    layout = make_layout(instance)
    problem = make_problem(instance, layout)
    rng = random.Random(options.seed)
    start = construct(problem, rng)
    if speaks_apart(problem):
        start = language_start(problem, start)
    return improve(instance, problem, start, options, started, deadline)


def improve(instance: Instance, problem: Problem, start: list[int], options: Options, started: float,
            deadline: float, notes: tuple[Note, ...] = ()) -> Plan:
    """Search from a start seating and turn the best one into a checked Plan."""
    # For any plan, and for plans without same-sector meetings (index: conflict-free), computed once.
    bounds = (honest_bound(instance, problem.layout, False), honest_bound(instance, problem.layout, True))
    # The target assumes no conflicts at all, so the bound for plans without same-sector meetings serves.
    target = target_score(problem, bounds[True])
    rng = random.Random(options.seed)
    state = State(problem, start)
    cpsat_next = options.use_cpsat and _worth_cpsat(problem, deadline)
    # CP-SAT proves more than local search finds on small circles, so it gets most of the time there.
    share = LOCAL_SHARE_BEFORE_CPSAT if cpsat_next else 1.0
    # A small slice at the end is kept for the worst-off polish.
    search_deadline = time.monotonic() + max(0.0, deadline - time.monotonic()) * share * (1 - POLISH_SHARE)
    # The budget comes from the time limit, never from the clock, so a seed reproduces the run.
    budget = int(options.time_limit * share * MOVES_PER_SECOND)
    result = _restarts(problem, state, rng, search_deadline, budget, target)
    clock_ended = time.monotonic() >= search_deadline and not reached(result.score, target)
    if not reached(result.score, target):
        result = polish_worst_off(State(problem, result.at), deadline)
        log.info("worst-off polish: %d swaps tried, score %s", result.moves, result.score)
    at, status, cpsat_bound = result.at, "OPTIMAL" if reached(result.score, target) else "FEASIBLE", 2**31
    if status != "OPTIMAL" and cpsat_next:
        from speeddate.solver.cpsat import solve_circle

        outcome = solve_circle(problem, at, 0, deadline, options, bounds)
        at, cpsat_bound = outcome.at, outcome.distinct_bound
        status = "OPTIMAL" if outcome.optimal or reached(State(problem, at).score(), target) else status
    if clock_ended or time.monotonic() > deadline:
        notes += (Note(NoteKind.CLOCK_ENDED_SEARCH,
                       "the wall clock, not the work budget, ended the search: a rerun with this seed may differ"),)
    conflict_free = State(problem, at).score().conflict_free
    bound = min(cpsat_bound, bounds[conflict_free])
    return to_plan(instance, problem.layout, at, status, bound, started, notes)


def _restarts(problem: Problem, state: State, rng: random.Random, deadline: float, budget: int,
              target: Score) -> SearchResult:
    """Walks of a few hundred moves per seat from fresh starts of four shapes while the budget lasts.

    Measured (bench/RESULTS.md): on mid-sized circles the result of one walk varies a lot with the seed
    (four-sectors-60: 161 to 169 of at most 169), so several walks beat one long one. The shapes (SHAPES)
    take turns: the constructive start with a huge sector in runs on both sides, or dealt to both sides
    alternately, each with a warm walk; a random start and a cool walk; the constructive start with a huge
    sector kept to one side and a warm walk. No shape wins on every instance: dropping the alternating one
    lost 7 on four-sectors-60 and 4 on skewed-40pct-60 (seeds 1-3), the runs found the optimum of
    skewed-circles-150 seed 3 that no other shape reached. Tried and dropped: keeping a quarter of the
    budget for a last cool walk from the best plan (it lifted the worst-off of skewed-40pct-60 seed 1 from
    2 to 3, but cost four-sectors-60 seed 1 7 of its 169 and odd-45 seed 3 a worst-off level). Short of the
    moves for two walks (large circles, little time), one cool walk from the constructive start measured best.
    """
    walk = WALK_MOVES_PER_SLOT * problem.layout.slot_count
    if budget < 2 * walk:
        result = local_search(state, rng, deadline, budget, target, COOL)
        log.info("one walk from the constructive start: %d moves, score %s", result.moves, result.score)
        return result
    best: SearchResult | None = None
    used = walks = 0
    # The first walk always runs (local_search itself stops at the deadline), so there is a best plan.
    while used + walk <= budget and (walks == 0 or time.monotonic() < deadline):
        # The last walk takes whatever is left of the budget.
        moves = budget - used if used + 2 * walk > budget else walk
        shape, temperature = SHAPES[walks % len(SHAPES)]
        if walks == 0:
            start = state
        elif shape == RANDOM:
            start = State(problem, random_seating(problem, rng))
        else:
            start = State(problem, construct(problem, rng, shape))
        result = local_search(start, rng, deadline, moves, target, temperature)
        used, walks = used + moves, walks + 1
        if best is None or result.score < best.score:
            best = result
        if reached(best.score, target):
            break
    assert best is not None
    log.info("%d walks, %d moves, score %s", walks, used, best.score)
    return best


def honest_bound(instance: Instance, layout: Layout, conflict_free: bool) -> int:
    """The distinct-sector bound; the tighter one for plans without same-sector meetings once one is known.

    Valid for the objective order: when the plan has no conflict of any family (Score.conflict_free), neither
    has the lexicographic optimum, so bounding plans without same-sector meetings bounds the optimum.
    """
    return distinct_upper_bound([p.sector for p in instance.participants], layout, conflict_free)


def target_score(problem: Problem, bound: int) -> Score:
    """The best score conceivable: no conflicts, distinct total at its bound, every wish met."""
    layout = problem.layout
    has_empty = layout.slot_count > problem.size
    # The worst-off cannot beat the average the bound allows.
    rounds = layout.rounds - (1 if has_empty else 0)
    worst = max(0, min(rounds, problem.sector_count - 1, bound // problem.size))
    return Score(avoided_pairs=0, colleagues=0, no_common_language=0, met_before=0, same_sector=0,
                 minus_distinct=-bound, minus_worst_off=-worst, minus_wishes=-sum(len(w) for w in problem.wants),
                 worst_off_count=0)


def _worth_cpsat(problem: Problem, deadline: float) -> bool:
    """Whether CP-SAT is worth its second of import and model building."""
    # Only for one small circle: with several circles it would keep each circle's members fixed, which
    # measured worse than letting the local search swap people between circles.
    single = len(problem.layout.sizes) == 1
    return single and problem.layout.sizes[0] <= CPSAT_MAX_PAIRS and deadline - time.monotonic() > 1.5


def to_plan(instance: Instance, layout: Layout, at: list[int], status: str, bound: int, started: float,
            notes: tuple[Note, ...] = ()) -> Plan:
    """Round-1 seats per circle, figures from the independent checker."""
    ids = [p.id for p in instance.participants]
    circles = []
    for c, offset in enumerate(layout.offsets):
        n = layout.sizes[c]
        inner = tuple(ids[p] if p != EMPTY else None for p in at[offset:offset + n])
        outer = tuple(ids[p] if p != EMPTY else None for p in at[offset + n:offset + 2 * n])
        circles.append(Circle(c + 1, inner, outer))
    plan = Plan(instance.rounds, tuple(circles), status=status, upper_bound=bound, notes=notes)
    figures = check(instance, plan)
    if figures.same_organisation:
        why = "cannot be avoided (proven)" if status == "OPTIMAL" else "remain: no plan without them found"
        notes += (Note(NoteKind.COLLEAGUES_MEET, f"{figures.same_organisation} colleague meeting(s) {why}"),)
    return Plan(plan.rounds, plan.circles, figures, bound, status, time.monotonic() - started, None, notes)
