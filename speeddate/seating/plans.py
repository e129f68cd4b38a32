"""Stored plans: checked when stored, swapped by hand, published (with the reminders re-rendered, who moved
recorded), and judged."""

import json
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from speeddate import solver
from speeddate.database import lock_one, write
from speeddate.extensions import db
from speeddate.mail import services as mails
from speeddate.models import Event, PlanStatus, Registration, RegistrationStatus, SeatingPlan
from speeddate.models.base import utcnow
from speeddate.seating import moved, network, seats
from speeddate.seating.constraints import confirmed_registrations, fixed_seats, settings_of
from speeddate.seating.errors import SeatingError
from speeddate.solver import io as solver_io


def check_stored(row: SeatingPlan) -> solver.Figures:
    """The checker's figures for a stored plan, against the registrations it was made from."""
    event = db.session.get_one(Event, row.event_id)
    registrations = seats.plan_registrations(row)
    instance = seats.instance_for(event.id, registrations, settings_of(event), keep_colleagues_apart=True)
    return solver.check(network.with_network(event, instance, registrations), seats.plan_of(row))


def _write_plan(row: SeatingPlan, plan: solver.Plan) -> None:
    row.plan_json = solver_io.plan_to_json(plan)
    row.solver_status, row.upper_bound = plan.status, plan.upper_bound
    figures = check_stored(row)
    row.same_organisation, row.same_sector = figures.same_organisation, figures.same_sector
    row.distinct_sectors_total, row.distinct_sectors_min = figures.distinct_sectors_total, figures.distinct_sectors_min


def store_plan(event_id: int, plan: solver.Plan, registration_ids: list[int], replanned_from: int | None = None,
               moved: list[int] | None = None) -> SeatingPlan:
    """Store a plan as a draft after the checker accepts it against the event's registrations."""
    with write():
        row = SeatingPlan(event_id=event_id, status=PlanStatus.DRAFT, registration_ids=json.dumps(registration_ids),
                          moved_ids=json.dumps(moved or []), replanned_from_id=replanned_from, generated_at=utcnow())
        _write_plan(row, plan)
        old_drafts = db.session.scalars(select(SeatingPlan).where(SeatingPlan.event_id == event_id,
                                                                  SeatingPlan.status == PlanStatus.DRAFT))
        for draft in old_drafts:
            draft.status = PlanStatus.SUPERSEDED
        db.session.add(row)
        db.session.flush()  # the id, for a caller inside the same unit of work
    return row


def replace_published(event_id: int, plan: solver.Plan, registration_ids: list[int], replanned_from: int | None,
                      remind: bool = False) -> SeatingPlan:
    """Store a new version of the published plan and publish it at once, as one change: if publishing fails,
    nothing is stored. Who it moves is recorded by `publish`.

    No reminders re-rendered for a re-plan of the day: they went out before the day.
    """
    with write():
        row = store_plan(event_id, plan, registration_ids, replanned_from=replanned_from)
        return publish(row.id, remind=remind)


def swap(plan_id: int, first_id: int, second_id: int) -> SeatingPlan:
    """Swap two people's start seats by hand; the figures are recomputed. A draft changes in place; a published
    plan is replaced by a new version, published at once, that records who moved (nobody is mailed: the moved
    page offers that). Returns the plan now holding the swap."""
    with write():
        row = lock_one(SeatingPlan, plan_id)
        if row.status == PlanStatus.SUPERSEDED:
            raise SeatingError(_l("This plan has been replaced; swap in the current one."))
        plan = seats.plan_of(row)
        a, b = str(first_id), str(second_id)
        where = seats.seats(plan)
        if a == b or a not in where or b not in where:
            raise SeatingError(_l("Choose two different people from this plan."))
        fixed = {f.registration_id for f in fixed_seats(row.event_id)}
        if first_id in fixed or second_id in fixed:
            raise SeatingError(_l("Someone with a fixed seat keeps it; remove the fixed seat first."))
        swapped = {a: b, b: a}
        circles = tuple(solver.Circle(c.circle, tuple(swapped.get(p, p) if p else p for p in c.inner),
                                      tuple(swapped.get(p, p) if p else p for p in c.outer)) for c in plan.circles)
        changed = solver.Plan(plan.rounds, circles, upper_bound=plan.upper_bound, status="FEASIBLE")
        if row.status == PlanStatus.PUBLISHED:
            # On the day, the new version stays a plan of the people present (see staleness).
            on_the_day = row.id if row.replanned_from_id is not None else None
            return replace_published(row.event_id, changed, json.loads(row.registration_ids), on_the_day,
                                     remind=True)
        _write_plan(row, changed)
        row.moved_ids = json.dumps(moved.moved_ids(seats.published_plan(row.event_id), changed))
    return row


def _remind_again(registration: Registration) -> None:
    """Re-render the pending reminder, so that it names the seat now planned (no mail is added)."""
    if registration.status == RegistrationStatus.CONFIRMED:
        mails.schedule(registration)


def publish(plan_id: int, remind: bool = True) -> SeatingPlan:
    """Make a plan the one participants see, recording whom it moves off the seat they know; pending reminders
    are rendered again with their seat. Nobody is mailed."""
    with write():
        row = lock_one(SeatingPlan, plan_id)
        if row.status != PlanStatus.DRAFT:
            raise SeatingError(_l("Only a draft plan can be published."))
        before = seats.published_plan(row.event_id)
        now = seats.seats(seats.plan_of(row))
        # Only reminders that name another seat now are rendered again: a hundred take seconds.
        was = seats.seats(seats.plan_of(before)) if before is not None else {}
        if before is not None:
            row.moved_ids = json.dumps(moved.moved_ids(before, seats.plan_of(row)))
            before.status = PlanStatus.SUPERSEDED
            db.session.flush()
        row.status, row.published_at = PlanStatus.PUBLISHED, utcnow()
        db.session.flush()
        if remind:
            for registration in seats.plan_registrations(row):
                if was.get(str(registration.id)) != now.get(str(registration.id)):
                    _remind_again(registration)
    return row


@dataclass
class Staleness:
    """Registrations changed since a plan was made."""

    cancelled: list[Registration] = field(default_factory=list)
    added: list[Registration] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.cancelled or self.added)


def staleness(row: SeatingPlan) -> Staleness:
    """Who cancelled or came in since the plan; a re-plan on the day is compared with the people present."""
    made_from = set(json.loads(row.registration_ids))
    confirmed = confirmed_registrations(row.event_id)
    now = {r.id for r in confirmed if r.attended or row.replanned_from_id is None}
    by_id = {r.id: r for r in seats.plan_registrations(row)} | {r.id: r for r in confirmed}
    return Staleness(cancelled=[by_id[i] for i in sorted(made_from - now)],
                     added=[by_id[i] for i in sorted(now - made_from)])


@dataclass
class Quality:
    """What the organiser sees about a plan."""

    figures: solver.Figures
    people: int
    upper_bound: int
    mean_distinct: float
    matrix_sectors: list[str]
    matrix: dict[tuple[str, str], int]
    pauses: list[tuple[int, Registration]]
    names: dict[str, Registration]

    @property
    def gap(self) -> int:
        """How far the distinct-sector total may still be from the best possible."""
        return max(0, self.upper_bound - self.figures.distinct_sectors_total)


def quality(row: SeatingPlan, language: str = "nl") -> Quality:
    """Figures from the checker, the sector x sector matrix and who pauses when."""
    figures = check_stored(row)
    registrations = {str(r.id): r for r in seats.plan_registrations(row)}

    def sector(person: str) -> str:
        partner = registrations[person].partner
        return partner.sector.label(language) if partner.sector else "—"

    matrix: Counter[tuple[str, str]] = Counter()
    pauses = []
    for m in solver.meetings_of(seats.plan_of(row)):
        if m.inner and m.outer:
            a, b = sorted((sector(m.inner), sector(m.outer)))
            matrix[(a, b)] += 1
            if a != b:
                matrix[(b, a)] += 1
        elif m.inner or m.outer:
            pauses.append((m.round, registrations[m.inner or m.outer or ""]))
    people = len(registrations)
    return Quality(figures, people, row.upper_bound, figures.distinct_sectors_total / people if people else 0,
                   sorted({sector(p) for p in registrations}), dict(matrix), pauses, registrations)
