"""A plan laid out for people: the printed sheets (one model, rendered as HTML and as PDF) and the exports.

The sheets are built once, with their texts in the current language; the HTML templates and `pdf.py` only lay
them out, so that the page printed from the browser and the PDF show the same people on the same seats.
"""

import json
from dataclasses import dataclass, replace

from flask_babel import gettext as _
from sqlalchemy import select

from speeddate import solver
from speeddate.exports import to_csv, to_xlsx_sheets
from speeddate.extensions import db
from speeddate.i18n import format_when
from speeddate.models import Event, Registration, SeatingJob, SeatingPlan
from speeddate.seating import plans, seats
from speeddate.solver import io as solver_io


@dataclass(frozen=True)
class SeatRow:
    """One seat in one round, with names, for printouts and exports."""

    round: int
    circle: int
    seat: int
    inner: Registration | None
    outer: Registration | None


def seat_rows(row: SeatingPlan) -> list[SeatRow]:
    """Every seat of every round of a plan."""
    people = {str(r.id): r for r in seats.plan_registrations(row)}
    return [SeatRow(m.round, m.circle, m.seat, people.get(m.inner or ""), people.get(m.outer or ""))
            for m in solver.meetings_of(seats.plan_of(row))]


def round_count(row: SeatingPlan) -> int:
    """Rounds in a plan."""
    return seats.plan_of(row).rounds


def labels(row: SeatingPlan) -> list[seats.Seat]:
    """One label per chair: every seat on both sides of every circle."""
    plan = seats.plan_of(row)
    return [seats.Seat(c.circle, side, n, len(plan.circles)) for c in plan.circles
            for side in ("inner", "outer") for n in range(1, c.pairs + 1)]


def people_with_seats(row: SeatingPlan) -> list[tuple[Registration, seats.Seat]]:
    """Everybody in a plan with their start seat, by name."""
    where = seats.seats(seats.plan_of(row))
    people = [(r, where[str(r.id)]) for r in seats.plan_registrations(row) if str(r.id) in where]
    return sorted(people, key=lambda p: (p[0].partner.last_name.lower(), p[0].partner.first_name.lower()))


def checked_plan(row: SeatingPlan) -> solver.Plan:
    """A stored plan with the figures the seating page shows (the checker's, against the registrations it was made
    from), the solver's run time, and how many people it moved."""
    job = db.session.scalar(select(SeatingJob).where(SeatingJob.plan_id == row.id).order_by(SeatingJob.id.desc()))
    seconds = (job.finished_at - job.started_at).total_seconds() if job and job.started_at and job.finished_at else 0.0
    moved = json.loads(row.moved_ids)
    return replace(seats.plan_of(row), figures=plans.check_stored(row), seconds=seconds,
                   moved=len(moved) if moved or row.replanned_from_id else None)


def exported(row: SeatingPlan, file_format: str) -> bytes:
    """The plan as the solver's JSON contract, or one row per seat per round as CSV or XLSX."""
    if file_format == "json":
        return solver_io.plan_to_json(checked_plan(row)).encode()
    columns = ("round", "circle", "seat", "inner_id", "inner_name", "outer_id", "outer_name")
    rows = [(s.round, s.circle, s.seat, s.inner.id if s.inner else "", s.inner.partner.full_name if s.inner else "",
             s.outer.id if s.outer else "", s.outer.partner.full_name if s.outer else "") for s in seat_rows(row)]
    if file_format == "csv":
        return to_csv(columns, rows)
    starts = [(r.id, r.partner.full_name, seat.circle, seat.side, seat.seat) for r, seat in people_with_seats(row)]
    return to_xlsx_sheets([("plan", columns, rows),
                           ("start seats", ("id", "name", "circle", "side", "seat"), starts)])


NOBODY = "—"  # an empty seat
PARTS = ("rounds", "labels", "cards")


@dataclass(frozen=True)
class SeatLine:
    """One row of a round's table: a seat of a circle, and who sits on its inner and outer side."""

    circle: int
    seat: int
    inner: str
    outer: str


@dataclass(frozen=True)
class RoundSheet:
    """One round: its heading and a row per seat."""

    heading: str
    lines: tuple[SeatLine, ...]


@dataclass(frozen=True)
class Label:
    """A label for one chair: the circle (only when there are several), the side, the seat number."""

    circle: str | None
    side: str
    inner: bool
    seat: int


@dataclass(frozen=True)
class Card:
    """A card for one person: who, from where, their start seat and how they move."""

    name: str
    organisation: str
    start: str
    how: str


@dataclass(frozen=True)
class Printout:
    """One printout of a plan (`part`: rounds, labels or cards), with the texts both renderers show."""

    part: str
    title: str
    event_line: str
    moved_heading: str = ""
    moved: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rounds: tuple[RoundSheet, ...] = ()
    labels: tuple[Label, ...] = ()
    cards: tuple[Card, ...] = ()


def printout(event: Event, row: SeatingPlan, part: str) -> Printout:
    """The sheets of one printout of a plan, in the current language."""
    event_line = f"{event.title} · {format_when(event.starts_at)}"
    if part == "rounds":
        return Printout(part, _("Plan per round"), event_line, _("Moved to another seat:"),
                        tuple(r.partner.full_name for r in seats.moved_people(row)),
                        (_("Circle"), _("Seat"), _("Inner circle"), _("Outer circle")), rounds=_round_sheets(row))
    if part == "labels":
        return Printout(part, _("Seat labels"), event_line, labels=tuple(_label(seat) for seat in labels(row)))
    if part == "cards":
        return Printout(part, _("Cards per person"), event_line,
                        cards=tuple(_card(r, seat) for r, seat in people_with_seats(row)))
    raise ValueError(f"no printout {part!r}: one of {', '.join(PARTS)}")


def _name(registration: Registration | None) -> str:
    return registration.partner.full_name if registration else NOBODY


def _round_sheets(row: SeatingPlan) -> tuple[RoundSheet, ...]:
    rows, total = seat_rows(row), round_count(row)
    return tuple(RoundSheet(_("Round %(round)d of %(rounds)d", round=number, rounds=total),
                            tuple(SeatLine(s.circle, s.seat, _name(s.inner), _name(s.outer))
                                  for s in rows if s.round == number))
                 for number in range(1, total + 1))


def _label(seat: seats.Seat) -> Label:
    inner = seat.side == "inner"
    return Label(_("Circle %(circle)d", circle=seat.circle) if seat.circles > 1 else None,
                 _("Inner circle") if inner else _("Outer circle"), inner, seat.seat)


def _card(registration: Registration, seat: seats.Seat) -> Card:
    organisation = registration.partner.organisation
    how = (_("You stay on your seat all the time; someone new comes to you every round.") if seat.side == "inner"
           else _("After each round you move one seat on, to the next number (after the last seat comes seat 1)."))
    return Card(registration.partner.full_name, organisation.name if organisation else "",
                _("Start: %(seat)s", seat=seat.label), how)
