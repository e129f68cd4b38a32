"""Organiser work on events: create, edit, publish, close, cancel; registrations, promotion, attendance."""

import re
import secrets
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from speeddate.database import write
from speeddate.events import places
from speeddate.events.texts import LANGUAGES, TEXT_FIELDS, TRANSLATIONS
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
    """A change an organiser asked for that would break a rule; the message says which, and `field` (when set)
    names the form field it concerns, so the form can show it there."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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
    # Re-opening a cancelled event is its own step (reopen_event): it gives places back and mails everyone.
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
    # Translations of the Dutch texts; empty ones fall back to Dutch.
    title_fr: str = ""
    title_en: str = ""
    description_fr: str = ""
    description_en: str = ""
    location_fr: str = ""
    location_en: str = ""
    practical_note: str = ""
    practical_note_fr: str = ""
    practical_note_en: str = ""
    # A third party's event (its registration link, its organiser); and the partners organising with the zone.
    external_url: str = ""
    organised_by: str = ""
    co_organisers: str = ""

    def text(self, field: str, language: str) -> str:
        """What Event.text would give for this data once saved."""
        base = getattr(self, field)
        return (getattr(self, f"{field}_{language}") or base) if language in TRANSLATIONS else base


def new_slug(title: str) -> str:
    """A readable, unguessable public slug: the title's words and 64 random bits."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:40].strip("-")
    return f"{words}-{secrets.token_urlsafe(8)}" if words else secrets.token_urlsafe(8)


def create_event(data: EventData, publish: bool = False) -> Event:
    """Create an event (a draft unless published at once)."""
    _check_times(data)
    _check_texts(data)
    with write():
        event = Event(slug=new_slug(data.title), status=EventStatus.PUBLISHED if publish else EventStatus.DRAFT)
        _apply(event, data)
        db.session.add(event)
    return event


def update_event(event_id: int, data: EventData, update_mails_expected: int | None = None) -> list[Registration]:
    """Save changes; more capacity promotes people from the waiting list at once (returned).

    `update_mails_expected`: how many update mails the organiser was told this change sends (see update_mails);
    when the change would send a different number, nothing is saved and the view asks again.
    """
    _check_times(data)
    _check_texts(data)
    with write():
        event = places.lock_event(event_id)
        _check_capacity(event, data)
        _check_deadline_still_open(event, data)
        _check_can_move_elsewhere(event, data)
        if update_mails_expected is not None and update_mails(event, data) != update_mails_expected:
            raise UpdateMailsChanged
        changed = changed_languages(event, data)
        _apply(event, data)
        if changed:
            event.ics_sequence += 1
            db.session.flush()
            if event.status != EventStatus.CANCELLED:
                mails.event_changed(event, languages=changed)
        db.session.flush()
        promoted = places.promote_from_waiting_list(event)
        for registration in promoted:
            mails.promoted(registration)
    return promoted


def check_update(event_id: int, data: EventData) -> int:
    """Refuse what update_event would refuse, without saving; else how many update mails saving would send."""
    _check_times(data)
    _check_texts(data)
    event = db.session.get_one(Event, event_id)
    _check_capacity(event, data)
    _check_deadline_still_open(event, data)
    _check_can_move_elsewhere(event, data)
    return update_mails(event, data)


def _check_capacity(event: Event, data: EventData) -> None:
    if data.capacity < event.confirmed_count:
        raise EventError(_l("%(count)d people are already confirmed: the capacity cannot be lower.",
                            count=event.confirmed_count), field="capacity")


class UpdateMailsChanged(EventError):
    """Registrations came or went since the organiser saw how many update mails a change sends."""

    def __init__(self) -> None:
        super().__init__(_l("The number of people to tell has changed meanwhile: please check it again."))


def update_mails(event: Event, data: EventData) -> int:
    """How many registrants get an update mail if the event is saved with this data (0 when none is sent)."""
    if event.status == EventStatus.CANCELLED:
        return 0
    changed = changed_languages(event, data)
    return sum(1 for registration in mails.active_registrations(event)
               if mails.text_language(registration.partner.language) in changed)


def changed_languages(event: Event, data: EventData) -> set[str]:
    """The languages in which what partners have in their calendars would change: their readers get an update.

    Time and links change for everyone; a corrected French title only for those who read French.
    """
    return {language for language in LANGUAGES
            if _data_facts(data, language) != _calendar_facts(event, language)}


def _check_deadline_still_open(event: Event, data: EventData) -> None:
    """A published event whose new deadline has passed would silently stop taking registrations."""
    deadline = to_utc(data.registration_deadline) if data.registration_deadline else None
    if (event.status == EventStatus.PUBLISHED and deadline is not None and deadline <= utcnow()
            and deadline != event.registration_deadline):
        raise EventError(_l("This deadline has passed already: registration would close at once. Choose a later "
                            "one, or close the registration."), field="registration_deadline")


def _calendar_facts(event: Event, language: str) -> tuple:
    """What partners reading `language` have in their calendars: a change means an updated invitation."""
    return (event.text("title", language), event.starts_at, event.ends_at, event.text("location", language),
            event.online_url, event.followup_months, event.evaluation_reminder_days, event.evaluation_close_days)


def _data_facts(data: EventData, language: str) -> tuple:
    """The calendar facts the event would have after saving this data."""
    months = TYPE_DEFAULTS[data.type].followup_months if data.followup_months is None else data.followup_months
    return (data.text("title", language), to_utc(data.starts_at), to_utc(data.ends_at),
            data.text("location", language), data.online_url, months or None, data.evaluation_reminder_days,
            data.evaluation_close_days)


# The longest text each short field holds (the columns' sizes), checked here for what comes without a form (CLI).
MAX_LENGTHS = {"title": 200, "title_fr": 200, "title_en": 200, "location": 300, "location_fr": 300,
               "location_en": 300, "external_url": 500, "organised_by": 200, "co_organisers": 300}


def _check_texts(data: EventData) -> None:
    """Texts fit their columns; an event elsewhere needs its organiser's name and a web link, and registration
    (with the online link) is theirs."""
    for field, limit in MAX_LENGTHS.items():
        if len(getattr(data, field)) > limit:
            raise EventError(_l("Please use at most %(max)d characters.", max=limit), field=field)
    if data.external_url and not data.external_url.startswith(("https://", "http://")):
        raise EventError(_l("The registration link must start with https://."), field="external_url")
    if data.external_url and not data.organised_by:
        raise EventError(_l("Please name who organises this event."), field="organised_by")
    if data.external_url and data.online_url:
        raise EventError(_l("An event elsewhere has no online link here: its organiser sends it to their "
                            "registrants."), field="online_url")


def _check_can_move_elsewhere(event: Event, data: EventData) -> None:
    """People registered here would be left without a place: an event with registrations stays the zone's own."""
    if data.external_url and not event.elsewhere and mails.active_registrations(event):
        raise EventError(_l("People are registered for this event here, so it cannot become an event elsewhere. "
                            "Cancel it, or create the event elsewhere separately."), field="external_url")


def _check_times(data: EventData) -> None:
    times = {"starts_at": data.starts_at, "ends_at": data.ends_at, "registration_deadline": data.registration_deadline}
    for field, time in times.items():
        if time and not EARLIEST_DATE <= time.date() <= LATEST_DATE:
            raise EventError(_l("Please give dates between %(first)d and %(last)d.",
                                first=EARLIEST_DATE.year, last=LATEST_DATE.year), field=field)
    if data.ends_at <= data.starts_at:
        raise EventError(_l("The end must be after the start."), field="ends_at")
    if data.registration_deadline and data.registration_deadline > data.starts_at:
        raise EventError(_l("The registration deadline must be before the start."), field="registration_deadline")
    if data.capacity < 1:
        raise EventError(_l("The capacity must be at least 1."), field="capacity")
    if not 0 < data.evaluation_reminder_days < data.evaluation_close_days:
        raise EventError(_l("The evaluation reminder must come after the end and before the form closes."),
                         field="evaluation_reminder_days")


def _apply(event: Event, data: EventData) -> None:
    event.type = data.type
    for field in TEXT_FIELDS:
        setattr(event, field, getattr(data, field))
        for language in TRANSLATIONS:
            setattr(event, f"{field}_{language}", getattr(data, f"{field}_{language}"))
    event.external_url = data.external_url
    event.organised_by = data.organised_by
    event.co_organisers = data.co_organisers
    event.starts_at = to_utc(data.starts_at)
    event.ends_at = to_utc(data.ends_at)
    event.registration_deadline = to_utc(data.registration_deadline) if data.registration_deadline else None
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
    """Publish, close or reopen registration; cancelling goes through cancel_event (it asks first)."""
    if status == EventStatus.CANCELLED:
        return cancel_event(event_id)
    with write():
        event = places.lock_event(event_id)
        _check_transition(event, status)
        if status == EventStatus.PUBLISHED:
            _check_can_open(event)
        event.status = status
    return event


def _check_transition(event: Event, status: EventStatus) -> None:
    if status not in TRANSITIONS[event.status]:
        raise EventError(_l("This event cannot go from %(old)s to %(new)s.",
                            old=status_label(event.status), new=status_label(status)))


def _check_can_open(event: Event) -> None:
    """Registration cannot open on an event that is over or whose deadline has passed."""
    now = utcnow()
    if event.ends_at <= now:
        raise EventError(_l("This event has already taken place."))
    if event.registration_deadline is not None and event.registration_deadline <= now:
        raise EventError(_l("The registration deadline has passed: set a later one (Edit) first."))


@dataclass(frozen=True)
class CancellationPreview:
    """Who gets a cancellation mail if the event is cancelled now."""

    confirmed: int
    waiting: int

    @property
    def total(self) -> int:
        return self.confirmed + self.waiting


def cancellation_preview(event: Event) -> CancellationPreview:
    """The registrants a cancellation would mail, counted per status."""
    grouped = registrations(event)
    return CancellationPreview(confirmed=len(grouped[RegistrationStatus.CONFIRMED]),
                               waiting=len(grouped[RegistrationStatus.WAITLISTED]))


def check_can_cancel(event: Event) -> None:
    """Refuse to cancel an event that is cancelled already or over (its registrants would be told of nothing)."""
    _check_transition(event, EventStatus.CANCELLED)
    if event.ends_at <= utcnow():
        raise EventError(_l("This event has already taken place."))


def cancel_event(event_id: int, note: str = "") -> Event:
    """Cancel the event: everyone registered gets a cancellation mail carrying the coordinator's note (if any).

    Registrations keep their status, so that re-opening the event can give the places back.
    """
    with write():
        event = places.lock_event(event_id)
        check_can_cancel(event)
        event.status = EventStatus.CANCELLED
        event.cancellation_note = note.strip()
        event.ics_sequence += 1
        db.session.flush()
        mails.event_cancelled(event)
    return event


@dataclass(frozen=True)
class ReopeningPreview:
    """What re-opening a cancelled event does to its registrations."""

    reconfirmed: int  # had a place and keep it
    to_waiting_list: int  # had a place, but the capacity is smaller now
    promoted: int  # were waiting and get a free place
    waiting: int  # on the waiting list afterwards

    @property
    def mails(self) -> int:
        """Everyone still registered is told: the waiting list includes those moved onto it."""
        return self.reconfirmed + self.promoted + self.waiting


def reopening_preview(event: Event) -> ReopeningPreview:
    """The counts reopen_event will produce, for the confirmation page."""
    grouped = registrations(event)
    confirmed, waiting = len(grouped[RegistrationStatus.CONFIRMED]), len(grouped[RegistrationStatus.WAITLISTED])
    kept = min(confirmed, event.capacity)
    promoted = min(event.capacity - kept, waiting)
    return ReopeningPreview(reconfirmed=kept, to_waiting_list=confirmed - kept, promoted=promoted,
                            waiting=waiting - promoted + confirmed - kept)


def check_can_reopen(event: Event) -> None:
    """Only a cancelled event that has not ended (nor passed its deadline) can take place after all."""
    if event.status != EventStatus.CANCELLED:
        raise EventError(_l("Only a cancelled event can be re-opened."))
    _check_can_open(event)


def reopen_event(event_id: int) -> ReopeningPreview:
    """The cancelled event takes place after all: publish it again, give places back as far as the capacity allows
    (the rest onto the waiting list, in the order they got their places), fill free places from the waiting list,
    tell everyone and queue their scheduled mails again."""
    with write():
        event = places.lock_event(event_id)
        check_can_reopen(event)
        preview = reopening_preview(event)
        _move_overflow_to_waiting_list(event)
        event.status = EventStatus.PUBLISHED
        event.cancellation_note = ""
        event.ics_sequence += 1
        db.session.flush()
        places.promote_from_waiting_list(event)
        waiting = registrations(event)[RegistrationStatus.WAITLISTED]
        mails.event_reopened(event, ranks={r.id: rank for rank, r in enumerate(waiting, start=1)})
    return preview


def _move_overflow_to_waiting_list(event: Event) -> None:
    """Places beyond the capacity go back, the latest confirmed first (the capacity cannot drop below the number
    confirmed, so this is a guard rather than a path taken today)."""
    confirmed = sorted(registrations(event)[RegistrationStatus.CONFIRMED], key=lambda r: (r.confirmed_at, r.id))
    for registration in confirmed[event.capacity:]:
        places.release_place(event)
        places.put_on_waiting_list(registration, event)


NOT_WAITING = _l("Only people on the waiting list can be promoted.")
NO_FREE_PLACE = _l("The event is full. Raise the capacity first, or wait for a cancellation.")


def check_can_promote(registration: Registration) -> None:
    """Refuse before the confirmation page what `promote` would refuse: it mails, so it asks first."""
    if registration.status != RegistrationStatus.WAITLISTED:
        raise EventError(NOT_WAITING)
    if registration.event.free_places <= 0:
        raise EventError(NO_FREE_PLACE)


def promote(registration_id: int) -> Registration:
    """Give a waiting person a free place by hand, whatever their position."""
    with write():
        registration = db.session.get_one(Registration, registration_id)
        event = places.lock_event(registration.event_id)
        db.session.refresh(registration)
        if registration.status != RegistrationStatus.WAITLISTED:
            raise EventError(NOT_WAITING)
        if event.status == EventStatus.CANCELLED:
            raise EventError(_l("The event is cancelled: re-open it first."))
        try:
            places.confirm(registration, event)
        except places.CapacityError:
            raise EventError(NO_FREE_PLACE) from None
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
    # The page shows each person's organisation and sector: loaded in the same query, not one query per row.
    partner = joinedload(Registration.partner)
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                              .options(partner.joinedload(Partner.organisation), partner.joinedload(Partner.sector))
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


def calendar_events(gemeente: str | None = None, types: Collection[EventType] = (), language: str | None = None,
                    until: datetime | None = None) -> list[Event]:
    """Published and closed events that have not ended, the zone's own and those elsewhere, soonest first: what
    the public calendar and feeds show. Drafts and cancelled events never appear.

    Optionally of one gemeente (id or name), of some types, written in a language (French or English: with a
    title of their own in it), starting before `until`.
    """
    query = select(Event).where(Event.status.in_((EventStatus.PUBLISHED, EventStatus.CLOSED)),
                                Event.ends_at > utcnow())
    if gemeente:
        gemeente_id = parse_id(gemeente)
        query = query.join(Event.gemeente).where(
            Gemeente.id == gemeente_id if gemeente_id else func.lower(Gemeente.name) == gemeente.lower())
    if types:
        query = query.where(Event.type.in_(types))
    if language in TRANSLATIONS:
        query = query.where(getattr(Event, f"title_{language}") != "")
    if until is not None:
        query = query.where(Event.starts_at < until)
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id)))


def month_events(year: int, month: int) -> list[Event]:
    """The month's events for the newsletter: published ones (the zone's and elsewhere) not over yet, soonest first."""
    start = to_utc(datetime(year, month, 1))
    end = to_utc(datetime(year + month // 12, month % 12 + 1, 1))
    return [event for event in calendar_events(until=end) if event.starts_at >= start]


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


def new_event_times(event_type: EventType, now: datetime) -> tuple[datetime, datetime]:
    """The times a new event's form starts with: today at the type's usual hour, or tomorrow once that hour has
    passed (an event that begins in the past cannot be published)."""
    start, end = default_times(event_type, now)
    if start <= now:
        return default_times(event_type, now + timedelta(days=1))
    return start, end
