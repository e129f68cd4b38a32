"""Targeted swap local search: simulated annealing over swaps, then a sweep that lifts the worst-off."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from speeddate.solver.problem import EMPTY, movable_slots
from speeddate.solver.score import Score, reached
from speeddate.solver.state import State

TARGETED = 0.2
FINAL_TEMPERATURE = 0.01
SAME_SECTOR_PENALTY = 2.5  # up to PENALTY_ROUNDS rounds; see conflict_penalty
PENALTY_ROUNDS = 8
SAME_CIRCLE_SHARE = 0.8  # of the swap partners drawn from the same circle (the rest from any circle)
WORST_COUNT_PENALTY = 0.1  # annealing loss per extra person at the worst-off level
# The score's fields before HARD_FIELDS never get worse (avoided pairs, colleagues, no common language, met
# before); those from there to SOFT_END are conflicts the walk may take on at a price (same-sector meetings); the
# rest are gains.
HARD_FIELDS = Score._fields.index("same_sector")
SOFT_END = Score._fields.index("minus_distinct")


@dataclass
class SearchResult:
    """Best seating found and how many moves were tried."""

    at: list[int]
    score: Score
    moves: int


def local_search(state: State, rng: random.Random, deadline: float, budget: int,
                 target: Score | None = None, start_temperature: float = 1.0) -> SearchResult:
    """Simulated annealing over swaps; stops at the deadline, the move budget or the target score.

    Avoided pairs, colleague meetings, meetings without a common language and meetings of people who met before
    never get worse (compared in that order). Any other worse swap is accepted with probability
    exp(-loss / temperature), where a same-sector meeting costs `conflict_penalty` distinct sectors; the
    temperature falls geometrically with the move budget (not the clock, so a seed reproduces the run). The
    best plan in the objective order is kept. Measured: plain "accept if not worse" stalls, notably when few
    sectors force a plan that mixes sectors on both sides (bench/RESULTS.md).
    """
    movable = movable_slots(state.problem)
    circle_of = state.problem.layout.circle_of()
    by_circle: dict[int, list[int]] = {}
    for slot in movable:
        by_circle.setdefault(circle_of[slot], []).append(slot)
    current = best = state.score()
    best_at, moves, temperature = list(state.at), 0, start_temperature
    penalty = conflict_penalty(state.problem.layout.rounds)
    while moves < budget and len(movable) > 1 and not reached(best, target):
        if moves % 256 == 0:
            if time.monotonic() >= deadline:
                break
            temperature = start_temperature * (FINAL_TEMPERATURE / start_temperature) ** (moves / budget)
        moves += 1
        a = rng.choice(movable)
        if rng.random() < TARGETED:
            a = max((a, rng.choice(movable)), key=state.badness)
        b = _partner_slot(state, a, rng, movable, by_circle[circle_of[a]], circle_of)
        if b == a or state.at[a] == state.at[b]:
            continue
        new = state.score_after_swap(a, b)
        if new <= current or _accept_worse(current, new, temperature, penalty, rng):
            state.swap(a, b)
            current = new
            if new < best:
                best, best_at = new, list(state.at)
    return SearchResult(best_at, best, moves)


def polish_worst_off(state: State, deadline: float) -> SearchResult:
    """Try every swap of each worst-off person's seat; keep any that improves the score.

    Annealing ends on a plan that is good in total but whose worst-off people are a matter of luck; a full
    sweep over those few people's swaps is cheap and deterministic, and never makes the plan worse. Fewer
    people at the worst level (the score's worst_off_count) counts as progress, so several worst-off people can
    be lifted one by one.
    """
    movable, circle_of = movable_slots(state.problem), state.problem.layout.circle_of()
    best, moves, improved = state.score(), 0, True
    while improved and time.monotonic() < deadline:
        improved = False
        worst = best.worst_off
        for a in [s for s in movable if state.at[s] != EMPTY and state.distinct[state.at[s]] == worst]:
            for b in movable:
                if state.at[a] == state.at[b] or (circle_of[a] != circle_of[b] and state.at[b] == EMPTY):
                    continue
                moves += 1
                new = state.score_after_swap(a, b)
                if new < best:
                    state.swap(a, b)
                    best, improved = new, True
                    break
            if time.monotonic() >= deadline:
                break
    return SearchResult(list(state.at), best, moves)


def conflict_penalty(rounds: int) -> float:
    """What one more soft conflict costs a walk, in distinct sectors; it grows with the rounds above 8.

    A swap changes the meetings of two people in every round, so what it can win in distinct sectors
    elsewhere grows with the rounds; measured on the realistic families, a swap adding one same-sector
    meeting won 3 or more sectors in a third of cases at 8 rounds and in over half at 12 (up to 21). A flat
    penalty of 2.5 let such swaps through at any temperature: the walk drifted away from plans without
    conflicts and stopped at 85-94 % of the bound on realistic-3x50-12, where a plain annealing reached 98 %.
    Up to 8 rounds, where the earlier families were tuned, it stays 2.5; never letting gains pay for a
    conflict at all fixed 12 rounds too but lost up to 14 on four-sectors-60 (bench/RESULTS.md).
    """
    return SAME_SECTOR_PENALTY * max(1.0, rounds / PENALTY_ROUNDS) ** 2


def _accept_worse(current: Score, new: Score, temperature: float, penalty: float, rng: random.Random) -> bool:
    if new[:HARD_FIELDS] > current[:HARD_FIELDS]:
        return False
    return rng.random() < math.exp(-max(0.0, _loss(current, new, penalty)) / temperature)


def _loss(current: Score, new: Score, penalty: float) -> float:
    """How much worse a plan is, in distinct sectors: soft conflicts at `penalty` each, then the gains."""
    conflicts = sum(new[HARD_FIELDS:SOFT_END]) - sum(current[HARD_FIELDS:SOFT_END])
    return (penalty * conflicts
            + (new.minus_distinct - current.minus_distinct)
            + 0.5 * (new.minus_worst_off - current.minus_worst_off)
            + WORST_COUNT_PENALTY * (new.worst_off_count - current.worst_off_count))


def _partner_slot(state: State, a: int, rng: random.Random, movable: list[int], same_circle: list[int],
                  circle_of: list[int]) -> int:
    """Mostly a slot in the same circle; people may also swap circles, empty seats stay in theirs."""
    if rng.random() < SAME_CIRCLE_SHARE:
        return rng.choice(same_circle)
    b = rng.choice(movable)
    if circle_of[b] != circle_of[a] and EMPTY in (state.at[a], state.at[b]):
        return a
    return b
