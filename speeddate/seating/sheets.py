"""A plan laid out for people: every seat of every round, a label per chair, everybody's start seat, exports."""

from dataclasses import dataclass

from speeddate import solver
from speeddate.models import Registration, SeatingPlan
from speeddate.reports.services import to_csv, to_xlsx_sheets
from speeddate.seating import seats
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


def exported(row: SeatingPlan, file_format: str) -> bytes:
    """The plan as the solver's JSON contract, or one row per seat per round as CSV or XLSX."""
    if file_format == "json":
        return solver_io.plan_to_json(seats.plan_of(row)).encode()
    columns = ("round", "circle", "seat", "inner_id", "inner_name", "outer_id", "outer_name")
    rows = [(s.round, s.circle, s.seat, s.inner.id if s.inner else "", s.inner.partner.full_name if s.inner else "",
             s.outer.id if s.outer else "", s.outer.partner.full_name if s.outer else "") for s in seat_rows(row)]
    if file_format == "csv":
        return to_csv(columns, rows)
    starts = [(r.id, r.partner.full_name, seat.circle, seat.side, seat.seat) for r, seat in people_with_seats(row)]
    return to_xlsx_sheets([("plan", columns, rows),
                           ("start seats", ("id", "name", "circle", "side", "seat"), starts)])
