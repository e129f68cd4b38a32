"""Re-planning on the day: what the re-plan reports about the plan it returns."""

from __future__ import annotations

import pytest

from speeddate.solver import Options, Participant, Plan, replan, solve

from .helpers import instance, varied


def seats_of(plan: Plan) -> dict[str, tuple[int, str, int]]:
    """Each seated person's round-1 seat: circle, side, seat index."""
    return {p: (c.circle, side, i) for c in plan.circles for side, seats in (("inner", c.inner), ("outer", c.outer))
            for i, p in enumerate(seats) if p}


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_moved_counts_the_people_off_their_seat_in_the_returned_plan(seed: int) -> None:
    # The walk goes on after its best plan; moved must describe the plan returned, not where the walk ended.
    participants = varied(10, 4)
    first = solve(instance(participants, 3), Options(time_limit=1.0, seed=0, use_cpsat=False))
    present = (*participants[1:], Participant("new1", "Walk In", "elsewhere", "S0"))
    again = replan(instance(present, 3), first.circles, Options(time_limit=1.0, seed=seed))
    before, after = seats_of(first), seats_of(again)
    assert again.moved == sum(1 for p in after if p in before and after[p] != before[p])
