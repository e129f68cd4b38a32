"""Who took part in an event and whom they met there, and whose details they may see.

A shared domain piece below the areas: the follow-up survey, the who-you-met mail and erasure all ask it, so it
imports none of them. Whom someone met is read from the published (final) seating plan (seating.seats).
"""

from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.models import Event, Partner, Registration, RegistrationStatus
from speeddate.seating.seats import met_ids


def attendance_known(event: Event) -> bool:
    """Once anyone is checked in, only people checked in count as having been there."""
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.attended.is_(True))) > 0


def took_part(registration: Registration) -> bool:
    """Confirmed, and present when attendance was taken."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return False
    return registration.attended or not attendance_known(registration.event)


def shares_contacts(partner: Partner) -> bool:
    """Whether the people this partner meets may see their name, organisation and email (their consent)."""
    return partner.consent_share_contacts_at is not None and partner.erased_at is None


def people_met(registration: Registration) -> list[Registration]:
    """Whom the participant met at the event and may see named: their partners in the final (published) seating
    plan who took part and consented to be shown; without a plan, everyone else who took part and consented."""
    query = select(Registration).where(
        Registration.event_id == registration.event_id, Registration.id != registration.id,
        Registration.status == RegistrationStatus.CONFIRMED)
    met = met_ids(registration)
    if met is not None:
        query = query.where(Registration.id.in_(met))
    others = db.session.scalars(query.order_by(Registration.id))
    return [other for other in others if took_part(other) and shares_contacts(other.partner)]
