"""Organiser work on events: create, edit, publish, close, cancel; registrations, promotion, attendance."""

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from speeddate.database import write
from speeddate.events import places
from speeddate.extensions import db
from speeddate.forms_common import EARLIEST_DATE, LATEST_DATE, parse_id
from speeddate.i18n import to_utc
from speeddate.labels import status_label
from speeddate.mail import services as mails
from speeddate.models import (
    Event,
    EventStatus,
    EventType,
    Gemeente,
    Organisation,
    Partner,
    Registration,
    RegistrationStatus,
)
from speeddate.models.base import utcnow


class EventError(Exception):
    """A change an organiser asked for that would break a rule; the message says which."""


@dataclass(frozen=True)
class TypeDefaults:
    capacity: int
    hours: float
    catering: bool
    online: bool
    followup_months: int = 0


TYPE_DEFAULTS = {
    EventType.ELP: TypeDefaults(capacity=100, hours=3, catering=True, online=False),
    EventType.LUNCHWEBINAR: TypeDefaults(capacity=300, hours=1, catering=False, online=True),
    EventType.SPEEDDATE: TypeDefaults(capacity=40, hours=2, catering=True, online=False, followup_months=3),
    EventType.OTHER: TypeDefaults(capacity=80, hours=2, catering=False, online=False),
}

# Which status an organiser may move an event to, from each status.
TRANSITIONS = {
    EventStatus.DRAFT: {EventStatus.PUBLISHED, EventStatus.CANCELLED},
    EventStatus.PUBLISHED: {EventStatus.CLOSED, EventStatus.CANCELLED},
    EventStatus.CLOSED: {EventStatus.PUBLISHED, EventStatus.CANCELLED},
    EventStatus.CANCELLED: set(),
}


@dataclass(frozen=True)
class EventData:
    """An event as the organiser describes it; times are Brussels wall-clock times."""

    type: EventType
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    description: str = ""
    registration_deadline: datetime | None = None
    location: str = ""
    online_url: str = ""
    gemeente: Gemeente | None = None
    catering: bool = False
    evaluation_anonymous: bool = True
    evaluation_reminder_days: int = 7
    evaluation_close_days: int = 21
    # Months until the follow-up survey; 0 for none, None for the type's default.
    followup_months: int | None = None


def new_slug(title: str) -> str:
    """A readable, unguessable public slug: the title's words and 64 random bits."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:40].strip("-")
    return f"{words}-{secrets.token_urlsafe(8)}" if words else secrets.token_urlsafe(8)


def create_event(data: EventData, publish: bool = False) -> Event:
    """Create an event (a draft unless published at once)."""
    _check_times(data)
    with write():
        event = Event(slug=new_slug(data.title), status=EventStatus.PUBLISHED if publish else EventStatus.DRAFT)
        _apply(event, data)
        db.session.add(event)
    return event


def update_event(event_id: int, data: EventData) -> list[Registration]:
    """Save changes; more capacity promotes people from the waiting list at once (returned)."""
    _check_times(data)
    with write():
        event = places.lock_event(event_id)
        if data.capacity < event.confirmed_count:
            raise EventError(_l("%(count)d people are already confirmed: the capacity cannot be lower.",
                                count=event.confirmed_count))
        before = _calendar_facts(event)
        _apply(event, data)
        if _calendar_facts(event) != before:
            event.ics_sequence += 1
            db.session.flush()
            if event.status != EventStatus.CANCELLED:
                mails.event_changed(event)
        db.session.flush()
        promoted = places.promote_from_waiting_list(event)
        for registration in promoted:
            mails.promoted(registration)
    return promoted


def _calendar_facts(event: Event) -> tuple:
    """What partners have in their calendars: a change means an updated invitation."""
    return (event.title, event.starts_at, event.ends_at, event.location, event.online_url, event.followup_months,
            event.evaluation_reminder_days, event.evaluation_close_days)


def _check_times(data: EventData) -> None:
    times = [data.starts_at, data.ends_at, data.registration_deadline]
    if any(time and not EARLIEST_DATE <= time.date() <= LATEST_DATE for time in times):
        raise EventError(_l("Please give dates between %(first)d and %(last)d.",
                            first=EARLIEST_DATE.year, last=LATEST_DATE.year))
    if data.ends_at <= data.starts_at:
        raise EventError(_l("The end must be after the start."))
    if data.registration_deadline and data.registration_deadline > data.starts_at:
        raise EventError(_l("The registration deadline must be before the start."))
    if data.capacity < 1:
        raise EventError(_l("The capacity must be at least 1."))
    if not 0 < data.evaluation_reminder_days < data.evaluation_close_days:
        raise EventError(_l("The evaluation reminder must come after the end and before the form closes."))


def _apply(event: Event, data: EventData) -> None:
    event.type = data.type
    event.title = data.title
    event.description = data.description
    event.starts_at = to_utc(data.starts_at)
    event.ends_at = to_utc(data.ends_at)
    event.registration_deadline = to_utc(data.registration_deadline) if data.registration_deadline else None
    event.location = data.location
    event.online_url = data.online_url
    event.gemeente = data.gemeente
    event.capacity = data.capacity
    event.catering = data.catering
    event.evaluation_anonymous = data.evaluation_anonymous
    event.evaluation_reminder_days = data.evaluation_reminder_days
    event.evaluation_close_days = data.evaluation_close_days
    months = TYPE_DEFAULTS[data.type].followup_months if data.followup_months is None else data.followup_months
    event.followup_months = months or None


def change_status(event_id: int, status: EventStatus) -> Event:
    """Publish, close, reopen or cancel an event."""
    with write():
        event = places.lock_event(event_id)
        if status not in TRANSITIONS[event.status]:
            raise EventError(_l("This event cannot go from %(old)s to %(new)s.",
                                old=status_label(event.status), new=status_label(status)))
        event.status = status
        if status == EventStatus.CANCELLED:
            event.ics_sequence += 1
            db.session.flush()
            mails.event_cancelled(event)
    return event


def promote(registration_id: int) -> Registration:
    """Give a waiting person a free place by hand, whatever their position."""
    with write():
        registration = db.session.get_one(Registration, registration_id)
        event = places.lock_event(registration.event_id)
        db.session.refresh(registration)
        if registration.status != RegistrationStatus.WAITLISTED:
            raise EventError(_l("Only people on the waiting list can be promoted."))
        try:
            places.confirm(registration, event)
        except places.CapacityError:
            raise EventError(_l("The event is full. Raise the capacity first, or wait for a cancellation.")) from None
        mails.promoted(registration)
    return registration


def set_attendance(registration_id: int, attended: bool) -> Registration:
    """Check a confirmed person in, or undo it."""
    with write():
        registration = db.session.get_one(Registration, registration_id)
        if registration.status != RegistrationStatus.CONFIRMED:
            raise EventError(_l("Only confirmed people can be checked in."))
        registration.attended = attended
    return registration


def registrations(event: Event) -> dict[RegistrationStatus, list[Registration]]:
    """The event's registrations by status: confirmed by name, the waiting list in order, cancelled."""
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                              .order_by(Registration.waitlist_position, Registration.created_at))
    grouped: dict[RegistrationStatus, list[Registration]] = {status: [] for status in RegistrationStatus}
    for registration in rows:
        grouped[registration.status].append(registration)
    grouped[RegistrationStatus.CONFIRMED].sort(key=lambda r: (r.partner.last_name.lower(),
                                                              r.partner.first_name.lower()))
    return grouped


def event_by_slug(slug: str) -> Event | None:
    """The event behind a public link."""
    return db.session.scalar(select(Event).where(Event.slug == slug))


def upcoming_public_events() -> list[Event]:
    """Published events that have not ended, soonest first."""
    return list(db.session.scalars(select(Event).where(Event.status == EventStatus.PUBLISHED,
                                                       Event.ends_at > utcnow()).order_by(Event.starts_at)))


def calendar_events(gemeente: str | None = None) -> list[Event]:
    """Published and closed events that have not ended, for the public feed; optionally of one gemeente."""
    query = select(Event).where(Event.status.in_((EventStatus.PUBLISHED, EventStatus.CLOSED)),
                                Event.ends_at > utcnow())
    if gemeente:
        gemeente_id = parse_id(gemeente)
        query = query.join(Event.gemeente).where(
            Gemeente.id == gemeente_id if gemeente_id else func.lower(Gemeente.name) == gemeente.lower())
    return list(db.session.scalars(query.order_by(Event.starts_at)))


def organiser_events(show_past: bool = False) -> list[Event]:
    """Events for the back office: upcoming first, or past ones most recent first."""
    now = utcnow()
    if show_past:
        return list(db.session.scalars(select(Event).where(Event.ends_at <= now).order_by(Event.starts_at.desc())))
    return list(db.session.scalars(select(Event).where(Event.ends_at > now).order_by(Event.starts_at)))


def known_organisation_names() -> list[str]:
    """Organisation names to suggest on the public registration form: only those an organiser has vouched for.

    Anyone can type any organisation on the form, so a name appears here only when a partner of it (not erased:
    an erased person's organisation may be theirs alone) was added by an organiser (imported or created in the
    directory: such a partner has no registration of their own making) or was checked in at an event.
    """
    registered = select(Registration.id).where(Registration.partner_id == Partner.id)
    vouched = select(Partner.organisation_id).where(Partner.erased_at.is_(None), or_(
        ~registered.exists(), registered.where(Registration.attended.is_(True)).exists()))
    return list(db.session.scalars(select(Organisation.name).where(Organisation.id.in_(vouched))
                                   .order_by(Organisation.name)))


def default_times(event_type: EventType, day: datetime) -> tuple[datetime, datetime]:
    """A sensible start and end for a new event of this type on a day (lunch for speeddates and webinars)."""
    defaults = TYPE_DEFAULTS[event_type]
    hour = 12 if event_type in (EventType.SPEEDDATE, EventType.LUNCHWEBINAR) else 19
    start = day.replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=defaults.hours)
