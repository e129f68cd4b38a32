"""The capacity lock and the waiting list, shared by partner and organiser services.

Every change to an event's places first locks the event row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite
every transaction starts with BEGIN IMMEDIATE, which serialises writers). Taking a place is moreover a
conditional UPDATE guarded by a CHECK constraint, so the database itself refuses a place beyond capacity.
Callers run inside the unit of work (`with write():`), which commits; the lock refuses to run outside one.
"""

from sqlalchemy import func, select, update

from speeddate.database import lock_one
from speeddate.extensions import db
from speeddate.models import Event, EventStatus, Registration, RegistrationStatus
from speeddate.models.base import utcnow


class CapacityError(Exception):
    """No free place for a confirmed registration."""


def lock_event(event_id: int) -> Event:
    """Load the event and hold its row lock until the unit of work ends (refused outside `with write():`)."""
    return lock_one(Event, event_id)


def take_place(event: Event) -> bool:
    """Count one more confirmed registration if a place is free; False when the event is full."""
    # No autoflush: the caller's registration has no status yet, and gets one from the outcome.
    with db.session.no_autoflush:
        result = db.session.execute(
            update(Event)
            .where(Event.id == event.id, Event.confirmed_count < Event.capacity)
            .values(confirmed_count=Event.confirmed_count + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(event, ["confirmed_count"])
    return result.rowcount == 1


def release_place(event: Event) -> None:
    """Count one confirmed registration less."""
    db.session.execute(
        update(Event).where(Event.id == event.id).values(confirmed_count=Event.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(event, ["confirmed_count"])


def put_on_waiting_list(registration: Registration, event: Event) -> None:
    """Give the registration the next waiting-list position; positions only grow."""
    event.waitlist_counter += 1
    registration.status = RegistrationStatus.WAITLISTED
    registration.waitlist_position = event.waitlist_counter


def confirm(registration: Registration, event: Event) -> None:
    """Give a registration a place; raise CapacityError when there is none."""
    if not take_place(event):
        raise CapacityError
    registration.status = RegistrationStatus.CONFIRMED
    registration.waitlist_position = None
    registration.confirmed_at = utcnow()


def first_waiting(event: Event) -> Registration | None:
    """The registration at the head of the waiting list."""
    return db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlist_position)
        .limit(1)
    ).first()


def promote_from_waiting_list(event: Event) -> list[Registration]:
    """Fill free places from the head of the waiting list; returns the promoted registrations."""
    promoted: list[Registration] = []
    if event.status == EventStatus.CANCELLED or event.ends_at <= utcnow():
        return promoted
    while event.free_places > 0 and (registration := first_waiting(event)) is not None:
        confirm(registration, event)
        db.session.flush()
        promoted.append(registration)
    return promoted


def waitlist_rank(registration: Registration) -> int | None:
    """1 for the first person waiting, and so on; None when not on the waiting list."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    return db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            Registration.waitlist_position <= registration.waitlist_position,
        )
    )


def cancel(registration: Registration, event: Event) -> list[Registration]:
    """Cancel a registration, release its place and promote; returns who was promoted."""
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.waitlist_position = None
    registration.cancelled_at = utcnow()
    db.session.flush()
    if not was_confirmed:
        return []
    release_place(event)
    return promote_from_waiting_list(event)
