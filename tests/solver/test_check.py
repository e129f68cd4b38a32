"""The independent checker: each rule alone on a tiny plan, the figures by hand, and agreement with the referee."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from types import ModuleType
from typing import Any

import pytest

from speeddate.solver.check import (
    PlanError,
    avoided_pairs_apart,
    check,
    check_meetings,
    check_requests,
    circle_sizes,
    everyone_seated,
    fixed_seats_kept,
    follows_rotation,
    known_people,
    nobody_meets_twice,
    rounds_fit,
    seated_once_per_round,
    stays_in_circle_and_side,
)
from speeddate.solver.model import Circle, FixedSeat, Instance, Meeting, Plan, meetings_of

from .helpers import REFEREE, people

FOUR = people("A/x", "B/x", "A/y", "C/z")
BY_ID = {p.id: p for p in FOUR}


def rotation(rounds: int = 2) -> list[Meeting]:
    """p1, p2 inside; p3, p4 outside; a valid two-round plan."""
    plan = Plan(rounds, (Circle(1, ("p1", "p2"), ("p3", "p4")),))
    return meetings_of(plan)


# A valid plan, then the same with one thing broken.
OUTER_STAYS = [Meeting(1, 1, 1, "p1", "p3"), Meeting(1, 1, 2, "p2", "p4"),
               Meeting(2, 1, 1, "p1", "p3"), Meeting(2, 1, 2, "p2", "p4")]
INNER_MOVES = [Meeting(1, 1, 1, "p1", "p3"), Meeting(1, 1, 2, "p2", "p4"),
               Meeting(2, 1, 1, "p2", "p4"), Meeting(2, 1, 2, "p1", "p3")]
SIDES_SWAPPED = [Meeting(1, 1, 1, "p1", "p3"), Meeting(1, 1, 2, "p2", "p4"),
                 Meeting(2, 1, 1, "p3", "p2"), Meeting(2, 1, 2, "p4", "p1")]
SITS_TWICE = [Meeting(1, 1, 1, "p1", "p3"), Meeting(1, 1, 2, "p2", "p3")]
THREE_ROUNDS_ON_TWO_SEATS = [*rotation(), Meeting(3, 1, 1, "p1", "p3"), Meeting(3, 1, 2, "p2", "p4")]


def test_valid_rotation_gives_hand_computed_figures() -> None:
    figures = check_meetings(FOUR, 2, rotation())
    # p1(A,x) meets p3(A,y) and p4(C,z); p2(B,x) meets p4 and p3.
    assert figures.meetings == 4
    assert figures.same_organisation == 0
    assert figures.same_sector == 1
    assert figures.distinct_sectors_total == 1 + 2 + 1 + 2
    assert figures.distinct_sectors_min == 1


def test_empty_seat_means_a_pause_not_a_meeting() -> None:
    three = people("A", "B", "C")
    plan = Plan(2, (Circle(1, ("p1", "p2"), ("p3", None)),))
    figures = check_meetings(three, 2, meetings_of(plan))
    assert figures.meetings == 2
    assert figures.distinct_sectors_min == 1


def test_check_of_a_plan_uses_its_meetings() -> None:
    plan = Plan(2, (Circle(1, ("p1", "p2"), ("p3", "p4")),))
    assert check(Instance(FOUR, 2), plan) == check_meetings(FOUR, 2, rotation())


def test_check_rejects_a_plan_with_more_rounds_than_seats() -> None:
    plan = Plan(3, (Circle(1, ("p1", "p2"), ("p3", "p4")),))
    with pytest.raises(PlanError, match="do not fit"):
        check(Instance(FOUR, 3), plan)


# --- one rule at a time ----------------------------------------------------------------------------------------

def test_rounds_fit_accepts_as_many_rounds_as_seats() -> None:
    rounds_fit(2, {1: 2}, rotation())


@pytest.mark.parametrize(("rounds", "meetings"), [(0, []), (1, rotation()), (3, THREE_ROUNDS_ON_TWO_SEATS)],
                         ids=["no rounds", "a meeting after the last round", "more rounds than seats"])
def test_rounds_fit_rejects(rounds: int, meetings: list[Meeting]) -> None:
    with pytest.raises(PlanError):
        rounds_fit(rounds, circle_sizes(meetings), meetings)


def test_known_people_accepts_participants_and_empty_seats() -> None:
    known_people(BY_ID, [*rotation(), Meeting(1, 1, 3, "p1", None)])


def test_known_people_rejects_a_stranger() -> None:
    with pytest.raises(PlanError, match="unknown"):
        known_people(BY_ID, [Meeting(1, 1, 1, "p1", "nobody")])


def test_seated_once_per_round_gives_everyone_s_seat() -> None:
    seats = seated_once_per_round(rotation())
    assert seats["p3"] == {1: ("outer", 1, 1), 2: ("outer", 1, 2)}


def test_seated_once_per_round_rejects_a_person_in_two_seats() -> None:
    with pytest.raises(PlanError, match="sits twice"):
        seated_once_per_round(SITS_TWICE)


def test_stays_in_circle_and_side_accepts_the_rotation() -> None:
    stays_in_circle_and_side(seated_once_per_round(rotation()))


@pytest.mark.parametrize("meetings", [SIDES_SWAPPED, [Meeting(1, 1, 1, "p1", "p3"), Meeting(2, 2, 1, "p1", "p4")]],
                         ids=["side", "circle"])
def test_stays_in_circle_and_side_rejects_a_change(meetings: list[Meeting]) -> None:
    with pytest.raises(PlanError, match="changes circle or side"):
        stays_in_circle_and_side(seated_once_per_round(meetings))


def test_follows_rotation_accepts_the_rotation() -> None:
    follows_rotation(seated_once_per_round(rotation()), {1: 2})


@pytest.mark.parametrize("meetings", [INNER_MOVES, OUTER_STAYS], ids=["inner moves", "outer stays"])
def test_follows_rotation_rejects(meetings: list[Meeting]) -> None:
    with pytest.raises(PlanError, match="goes from seat"):
        follows_rotation(seated_once_per_round(meetings), {1: 2})


def test_everyone_seated_accepts_everyone_in_every_round() -> None:
    everyone_seated(BY_ID, 2, seated_once_per_round(rotation()))


def test_everyone_seated_rejects_a_missing_round() -> None:
    # Without the last seat of round 2, p2 and p3 sit in round 1 only.
    with pytest.raises(PlanError, match="p2, p3"):
        everyone_seated(BY_ID, 2, seated_once_per_round(rotation()[:3]))


def test_nobody_meets_twice_gives_the_pairs() -> None:
    assert nobody_meets_twice(rotation()) == {frozenset(p) for p in
                                                      (("p1", "p3"), ("p2", "p4"), ("p1", "p4"), ("p2", "p3"))}


@pytest.mark.parametrize("meetings", [OUTER_STAYS, [Meeting(1, 1, 1, "p1", "p1")]], ids=["twice", "oneself"])
def test_nobody_meets_twice_rejects(meetings: list[Meeting]) -> None:
    with pytest.raises(PlanError, match="meet twice"):
        nobody_meets_twice(meetings)


def test_fixed_seats_kept_accepts_the_seat_taken() -> None:
    kept = (replace(FOUR[0], fixed_seat=FixedSeat("inner", 1)), replace(FOUR[3], fixed_seat=FixedSeat("outer", 2)))
    fixed_seats_kept(kept, seated_once_per_round(rotation()))


@pytest.mark.parametrize("seat", [FixedSeat("inner", 2), FixedSeat("outer", 1), FixedSeat("inner", 1, circle=2)],
                         ids=["seat", "side", "circle"])
def test_fixed_seats_kept_rejects_another_seat(seat: FixedSeat) -> None:
    with pytest.raises(PlanError, match="fixed seat"):
        fixed_seats_kept((replace(FOUR[0], fixed_seat=seat),), seated_once_per_round(rotation()))


def test_avoided_pairs_apart_accepts_two_inner_people() -> None:
    avoided_pairs_apart((replace(FOUR[0], avoid=("p2",)),), nobody_meets_twice(rotation()))


def test_avoided_pairs_apart_rejects_a_pair_that_meets() -> None:
    with pytest.raises(PlanError, match="must not"):
        avoided_pairs_apart((replace(FOUR[3], avoid=("p2",)),), nobody_meets_twice(rotation()))


def test_check_requests_applies_both_requests_to_a_plan() -> None:
    plan = Plan(2, (Circle(1, ("p1", "p2"), ("p3", "p4")),))
    fixed_and_apart = (replace(FOUR[0], fixed_seat=FixedSeat("inner", 1), avoid=("p2",)), *FOUR[1:])
    check_requests(Instance(fixed_and_apart, 2), plan)
    with pytest.raises(PlanError, match="fixed seat"):
        check_requests(Instance((replace(FOUR[0], fixed_seat=FixedSeat("outer", 1)), *FOUR[1:]), 2), plan)
    with pytest.raises(PlanError, match="must not"):
        check_requests(Instance((replace(FOUR[0], avoid=("p3",)), *FOUR[1:]), 2), plan)


# --- agreement with the referee (../shared/tools/check_plan.py) --------------------------------------------------

def load_referee() -> ModuleType:
    """The referee script as a module, so both checkers can judge the same plans in this process."""
    spec = importlib.util.spec_from_file_location("check_plan", REFEREE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def referee_verdict(rounds: int, meetings: list[Meeting]) -> dict[str, Any] | None:
    """The referee's figures, or None when it rejects the plan."""
    plan = {"meetings": [{"round": m.round, "circle": m.circle, "seat": m.seat, "inner": m.inner,
                          "outer": m.outer} for m in meetings]}
    rows = {p.id: {"sector": p.sector, "organisation": p.organisation} for p in FOUR}
    try:
        figures: dict[str, Any] = load_referee().check(rows, plan, rounds)
    except AssertionError:
        return None
    return figures


def our_verdict(rounds: int, meetings: list[Meeting]) -> dict[str, Any] | None:
    """Our checker's figures in the referee's terms, or None when it rejects the plan."""
    try:
        f = check_meetings(FOUR, rounds, meetings)
    except PlanError:
        return None
    return {"participants": len(FOUR), "meetings": f.meetings, "same_organisation": f.same_organisation,
            "same_sector": f.same_sector, "distinct_sectors_total": f.distinct_sectors_total,
            "distinct_sectors_min": f.distinct_sectors_min}


PLANS = {
    "valid": (2, rotation()),
    "valid, one round": (1, rotation(1)),
    "valid, an empty seat": (2, meetings_of(Plan(2, (Circle(1, ("p1", "p2", None), ("p3", "p4", None)),)))),
    "valid, two circles": (1, meetings_of(Plan(1, (Circle(1, ("p1",), ("p3",)), Circle(2, ("p2",), ("p4",)))))),
    "more rounds than seats": (3, THREE_ROUNDS_ON_TWO_SEATS),
    "no rounds": (0, []),
    "a meeting after the last round": (1, rotation()),
    "a stranger": (1, [*rotation(1)[:1], Meeting(1, 1, 2, "p2", "nobody")]),
    "sits twice": (1, SITS_TWICE),
    "changes side": (2, SIDES_SWAPPED),
    "inner moves": (2, INNER_MOVES),
    "outer stays": (2, OUTER_STAYS),
    "never seated": (1, [Meeting(1, 1, 1, "p1", "p3"), Meeting(1, 1, 2, "p2", None)]),
}


@pytest.mark.parametrize("name", list(PLANS))
def test_checker_and_referee_agree(name: str) -> None:
    rounds, meetings = PLANS[name]
    assert our_verdict(rounds, meetings) == referee_verdict(rounds, meetings)
    assert (our_verdict(rounds, meetings) is not None) == name.startswith("valid")


def test_checker_is_stricter_than_the_referee_about_a_missing_round() -> None:
    # The referee asks that everyone sits somewhere and that every round has someone; we ask for everyone in
    # every round. No plan from Circle seats can tell them apart: every seat is listed in every round.
    rounds, meetings = 2, rotation()[:3]
    assert referee_verdict(rounds, meetings) is not None
    assert our_verdict(rounds, meetings) is None
