"""What the zone's network tells the seating: who met at an earlier speeddate, and who speaks which languages.

"Met before" is everyone who sat face to face in the final plan (the published one, so the re-plan of the day
where there was one) of an earlier event of the zone that was not cancelled. Where check-in was used there, only
people who were checked in count; a registration cancelled after the plan was published never sat.
"""

import json
from dataclasses import replace

from sqlalchemy import select

from speeddate import solver
from speeddate.extensions import db
from speeddate.models import Event, EventStatus, PlanStatus, Registration, RegistrationStatus, SeatingPlan
from speeddate.partners.fields import split_languages
from speeddate.seating import seats

PartnerPair = tuple[int, int]  # partner ids, smaller first


def with_network(event: Event, instance: solver.Instance, registrations: list[Registration]) -> solver.Instance:
    """The instance with each participant's conversation languages and the pairs who met at an earlier event."""
    by_partner = {r.partner_id: str(r.id) for r in registrations}
    languages = {str(r.id): tuple(split_languages(r.partner.languages)) for r in registrations}
    people = tuple(replace(p, languages=languages.get(p.id, ())) for p in instance.participants)
    pairs = tuple((by_partner[a], by_partner[b]) for a, b in sorted(partners_met_before(event, set(by_partner))))
    return replace(instance, participants=people, met_before=pairs)


def partners_met_before(event: Event, partner_ids: set[int]) -> set[PartnerPair]:
    """Pairs of these partners who faced each other in the final plan of an earlier event of the zone."""
    rows = db.session.scalars(select(SeatingPlan).join(Event, Event.id == SeatingPlan.event_id).where(
        SeatingPlan.status == PlanStatus.PUBLISHED, Event.id != event.id, Event.starts_at < event.starts_at,
        Event.status != EventStatus.CANCELLED))
    pairs: set[PartnerPair] = set()
    for row in rows:
        sat = _who_sat(row)
        for m in solver.meetings_of(seats.plan_of(row)):
            first, second = sat.get(m.inner or ""), sat.get(m.outer or "")
            if first is None or second is None or first == second or not {first, second} <= partner_ids:
                continue
            pairs.add((min(first, second), max(first, second)))
    return pairs


def _who_sat(row: SeatingPlan) -> dict[str, int]:
    """Registration id (as in the plan) -> partner id, for the people of a plan who took their seat."""
    ids = json.loads(row.registration_ids)
    registrations = list(db.session.scalars(select(Registration).where(
        Registration.id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED)))
    checked_in = any(r.attended for r in registrations)
    return {str(r.id): r.partner_id for r in registrations if r.attended or not checked_in}
