"""Speeddate seating solver: a pure package (no Flask, no database).

Python API for the web app::

    from speeddate.solver import Instance, Options, Participant, FixedSeat, solve, replan, check

    plan = solve(Instance(participants, rounds=7, pairs_per_circle=20), Options(time_limit=10, seed=0))
    plan.circles          # round-1 seats per circle: Circle(circle, inner, outer), None = empty seat
    plan.figures          # Figures recomputed by check.py from the meetings, never from the model
    plan.upper_bound      # no plan with as few conflicts has a higher distinct-sector total
    plan.status           # "OPTIMAL" (proven) or "FEASIBLE"
    plan.noted(NoteKind.COLLEAGUES_MEET)  # notes: a kind to check, a text to show
    meetings_of(plan)     # every seat of every round
    again = replan(Instance(present_people, 7), plan.circles, Options(time_limit=5))
    again.moved           # present people no longer on their previous seat
    check(instance, plan) # Figures, or PlanError when a rule is broken
    check_requests(instance, plan)  # PlanError unless fixed seats are kept and avoided pairs apart
    check_network(instance, plan)   # PlanError if people without a common language or who met before meet

Participant(languages=("nl", "fr")) speaks those languages (() = any); Instance(met_before=(("p1", "p7"),))
names pairs who met at an earlier speeddate. The objective order: avoided pairs, colleagues, no common
language, met before, same sector, distinct sectors total, worst-off.

Bad input raises InputError (with `index` of the participant and `column` when about one person).
Command line: ``speeddate seat PARTICIPANTS.csv --rounds R ...`` (see cli.py and DESIGN.md section 4).
"""

from speeddate.solver.check import PlanError, check, check_network, check_requests
from speeddate.solver.model import (
    Circle,
    Figures,
    FixedSeat,
    InputError,
    Instance,
    Meeting,
    Note,
    NoteKind,
    Options,
    Participant,
    Plan,
    meetings_of,
)
from speeddate.solver.replan import replan
from speeddate.solver.solve import solve

__all__ = [
    "Circle",
    "Figures",
    "FixedSeat",
    "InputError",
    "Instance",
    "Meeting",
    "Note",
    "NoteKind",
    "Options",
    "Participant",
    "Plan",
    "PlanError",
    "check",
    "check_network",
    "check_requests",
    "meetings_of",
    "replan",
    "solve",
]
