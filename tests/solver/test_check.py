"""The independent checker rejects broken plans and recomputes the figures by hand-checkable rules."""

from __future__ import annotations

import pytest

from speeddate.solver.check import PlanError, check, check_meetings
from speeddate.solver.model import Circle, Meeting, Plan, meetings_of

from .helpers import people

FOUR = people("A/x", "B/x", "A/y", "C/z")


def rotation(rounds: int = 2) -> list[Meeting]:
    """p1, p2 inside; p3, p4 outside; a valid two-round plan."""
    plan = Plan(rounds, (Circle(1, ("p1", "p2"), ("p3", "p4")),))
    return meetings_of(plan)


def test_valid_rotation_gives_hand_computed_figures() -> None:
    figures = check_meetings(FOUR, 2, rotation())
    # p1(A,x) meets p3(A,y) and p4(C,z); p2(B,x) meets p4 and p3.
    assert figures.meetings == 4
    assert figures.same_organisation == 0
    assert figures.same_sector == 1
    assert figures.distinct_sectors_total == 1 + 2 + 1 + 2
    assert figures.distinct_sectors_min == 1


def test_checker_rejects_a_pair_meeting_twice() -> None:
    meetings = [Meeting(1, 1, 1, "p1", "p3"), Meeting(1, 1, 2, "p2", "p4"),
                Meeting(2, 1, 1, "p1", "p4"), Meeting(2, 1, 2, "p2", "p3"),
                Meeting(3, 1, 1, "p1", "p3"), Meeting(3, 1, 2, "p2", "p4")]
    with pytest.raises(PlanError, match="meet twice"):
        check_meetings(FOUR, 3, meetings)


def test_checker_rejects_an_inner_person_who_moves() -> None:
    meetings = [Meeting(1, 1, 1, "p1", "p3"), Meeting(1, 1, 2, "p2", "p4"),
                Meeting(2, 1, 1, "p2", "p4"), Meeting(2, 1, 2, "p1", "p3")]
    with pytest.raises(PlanError, match="inner"):
        check_meetings(FOUR, 2, meetings)


def test_checker_rejects_an_outer_person_who_stays() -> None:
    meetings = [Meeting(1, 1, 1, "p1", "p3"), Meeting(1, 1, 2, "p2", "p4"),
                Meeting(2, 1, 1, "p2", "p3"), Meeting(2, 1, 2, "p1", "p4")]
    with pytest.raises(PlanError):
        check_meetings(FOUR, 2, meetings)


def test_checker_rejects_a_person_seated_twice_in_a_round() -> None:
    meetings = [Meeting(1, 1, 1, "p1", "p3"), Meeting(1, 1, 2, "p2", "p3")]
    with pytest.raises(PlanError, match="sits twice"):
        check_meetings(FOUR, 1, meetings)


def test_checker_rejects_someone_never_seated() -> None:
    meetings = [Meeting(1, 1, 1, "p1", "p3"), Meeting(1, 1, 2, "p2", None)]
    with pytest.raises(PlanError, match="p4"):
        check_meetings(FOUR, 1, meetings)


def test_checker_rejects_unknown_people() -> None:
    with pytest.raises(PlanError, match="unknown"):
        check_meetings(FOUR, 1, [Meeting(1, 1, 1, "p1", "nobody")])


def test_empty_seat_means_a_pause_not_a_meeting() -> None:
    three = people("A", "B", "C")
    plan = Plan(2, (Circle(1, ("p1", "p2"), ("p3", None)),))
    figures = check_meetings(three, 2, meetings_of(plan))
    assert figures.meetings == 2
    assert figures.distinct_sectors_min == 1


def test_check_of_a_plan_uses_its_meetings() -> None:
    from speeddate.solver.model import Instance

    plan = Plan(2, (Circle(1, ("p1", "p2"), ("p3", "p4")),))
    assert check(Instance(FOUR, 2), plan) == check_meetings(FOUR, 2, rotation())
