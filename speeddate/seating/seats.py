"""Reading seating: registrations as solver participants, stored plans as solver plans, who sits and met where.

Only reads; imported by the mail and survey areas, so it imports neither of them.
"""

import json
import math
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from speeddate import solver
from speeddate.extensions import db
from speeddate.models import (
    Partner,
    PlanStatus,
    Registration,
    RegistrationStatus,
    SeatingAvoidPair,
    SeatingFixedSeat,
    SeatingPlan,
    SeatingSettings,
)
from speeddate.solver.model import INNER

# What the seating pages show of each person (organisation and sector), loaded with the registrations in one
# query rather than one per person.
_PARTNER = joinedload(Registration.partner)
WITH_PARTNER = (_PARTNER.joinedload(Partner.organisation), _PARTNER.joinedload(Partner.sector))


@dataclass(frozen=True)
class Seat:
    """A start seat: circle (1-based), side ("inner"/"outer"), seat number; `circles` to name the circle."""

    circle: int
    side: str
    seat: int
    circles: int = 1

    @property
    def label(self) -> str:
        """"inner circle, seat 7", with the circle's number when there are several."""
        text = (_("inner circle, seat %(seat)d", seat=self.seat) if self.side == INNER
                else _("outer circle, seat %(seat)d", seat=self.seat))
        return _("circle %(circle)d, %(seat)s", circle=self.circle, seat=text) if self.circles > 1 else text


def participant(registration: Registration, fixed: SeatingFixedSeat | None = None, avoid: tuple[str, ...] = (),
                keep_colleagues_apart: bool = True) -> solver.Participant:
    """A registration as the solver sees it; the id is the registration id."""
    partner, key = registration.partner, str(registration.id)
    organisation = partner.organisation.name if partner.organisation else ""
    if not organisation or not keep_colleagues_apart:
        # Nobody is anybody's colleague then: a name of one's own.
        organisation = f"{organisation}#{key}"
    return solver.Participant(
        id=key, name=partner.full_name, organisation=organisation,
        sector=partner.sector.name if partner.sector else f"#{key}", email=partner.email,
        fixed_seat=solver.FixedSeat(fixed.side, fixed.seat, fixed.circle) if fixed else None, avoid=avoid)


def instance_for(event_id: int, registrations: list[Registration], settings: SeatingSettings,
                 keep_colleagues_apart: bool | None = None) -> solver.Instance:
    """The solver instance for these registrations, with the event's fixed seats and avoided pairs."""
    ids = {r.id for r in registrations}
    fixed = {f.registration_id: f for f in db.session.scalars(
        select(SeatingFixedSeat).where(SeatingFixedSeat.event_id == event_id))}
    avoid: dict[int, list[str]] = defaultdict(list)
    for pair in db.session.scalars(select(SeatingAvoidPair).where(SeatingAvoidPair.event_id == event_id)):
        if pair.first_id in ids and pair.second_id in ids:
            avoid[pair.first_id].append(str(pair.second_id))
    apart = settings.keep_colleagues_apart if keep_colleagues_apart is None else keep_colleagues_apart
    people = tuple(participant(r, fixed.get(r.id), tuple(avoid[r.id]), apart)
                   for r in sorted(registrations, key=lambda r: r.id))
    # More rounds than the smallest circle has pairs would seat people twice together: plan the most possible.
    rounds = min(settings.rounds, max_rounds(len(people), settings.pairs_per_circle)) or settings.rounds
    return solver.Instance(people, rounds, settings.pairs_per_circle)


def max_rounds(people: int, pairs_per_circle: int | None) -> int:
    """The most rounds a plan for this many people allows (the smallest circle's pairs), as the solver lays out."""
    if people < 2:
        return 0
    per_circle = pairs_per_circle or math.ceil(people / 2)
    circles = math.ceil(people / (2 * per_circle))
    return math.ceil((people // circles) / 2)


def plan_of(row: SeatingPlan) -> solver.Plan:
    """A stored plan as a solver Plan (figures are recomputed by the checker when needed)."""
    data = json.loads(row.plan_json)
    circles = tuple(solver.Circle(int(c["circle"]), tuple(c["inner"]), tuple(c["outer"])) for c in data["circles"])
    return solver.Plan(rounds=int(data["rounds"]), circles=circles, upper_bound=row.upper_bound,
                       status=row.solver_status)


def plan_registrations(row: SeatingPlan) -> list[Registration]:
    """The registrations a plan was made from, cancelled ones included."""
    ids = json.loads(row.registration_ids)
    return list(db.session.scalars(select(Registration).where(Registration.id.in_(ids))
                                   .options(*WITH_PARTNER).order_by(Registration.id)))


def moved_people(row: SeatingPlan) -> list[Registration]:
    """Who a re-plan of the day moved off their previous seat."""
    ids = json.loads(row.moved_ids)
    return [r for r in plan_registrations(row) if r.id in ids]


def latest_plan(event_id: int) -> SeatingPlan | None:
    """The newest plan of an event, draft or published."""
    return db.session.scalar(select(SeatingPlan).where(SeatingPlan.event_id == event_id, SeatingPlan.status !=
                                                       PlanStatus.SUPERSEDED).order_by(SeatingPlan.id.desc()))


def published_plan(event_id: int) -> SeatingPlan | None:
    """The plan participants see; after a re-plan on the day, the final one."""
    return db.session.scalar(select(SeatingPlan).where(SeatingPlan.event_id == event_id,
                                                       SeatingPlan.status == PlanStatus.PUBLISHED))


def seats(plan: solver.Plan) -> dict[str, Seat]:
    """Every participant's start seat."""
    found = {}
    for circle in plan.circles:
        for side, people in (("inner", circle.inner), ("outer", circle.outer)):
            for number, person in enumerate(people, start=1):
                if person is not None:
                    found[person] = Seat(circle.circle, side, number, len(plan.circles))
    return found


def start_seat(registration: Registration) -> Seat | None:
    """The registration's seat in the published plan, if it has one."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return None
    row = published_plan(registration.event_id)
    return seats(plan_of(row)).get(str(registration.id)) if row else None


def met_ids(registration: Registration) -> set[int] | None:
    """Registration ids this person faced in the published (final) plan; None when there is no plan."""
    row = published_plan(registration.event_id)
    if row is None:
        return None
    me = str(registration.id)
    met = set()
    for m in solver.meetings_of(plan_of(row)):
        if me in (m.inner, m.outer) and m.inner is not None and m.outer is not None:
            met.add(int(m.outer if m.inner == me else m.inner))
    return met
