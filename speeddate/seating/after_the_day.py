"""After the day: the who-you-met mail, naming only people met who agreed to share their details."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from speeddate.database import write
from speeddate.events.places import lock_event
from speeddate.extensions import db
from speeddate.mail import kinds
from speeddate.mail import services as mails
from speeddate.mail.kinds import MailKind
from speeddate.models import Event, OutboxMail, Registration
from speeddate.models.base import utcnow
from speeddate.participation import attendance_known, people_met
from speeddate.seating import seats
from speeddate.seating.constraints import confirmed_registrations
from speeddate.seating.errors import SeatingError

WHO_YOU_MET = MailKind("who_you_met", _l("The people you met at %(title)s"))


def register_mail_kinds() -> None:
    """Tell the mail area about the seating area's mail (seating's blueprint does, when it is registered)."""
    kinds.register(WHO_YOU_MET)


@dataclass(frozen=True)
class Contact:
    """Someone met, as the who-you-met mail shows them: exactly what the consent names (name, organisation, email)."""

    name: str
    organisation: str
    email: str


def contacts_met(registration: Registration) -> list[Contact]:
    """The people this participant met in the final plan who took part and agreed to share their details (the
    who-you-met mail goes only once attendance is taken, so "took part" means checked in)."""
    if seats.met_ids(registration) is None:
        return []
    result = [Contact(other.partner.full_name, other.partner.organisation.name if other.partner.organisation else "",
                      other.partner.email or "")
              for other in people_met(registration)]
    return sorted(result, key=lambda c: c.name.lower())


@dataclass(frozen=True)
class WhoYouMetPlan:
    """What "send who-you-met mails" would do, for the page that says so before anything is sent."""

    refusal: str | None
    to_send: int
    already: int
    nothing_to_share: int
    absent: int
    preview: OutboxMail | None
    no_address: int = 0  # checked in without an email address (a walk-in): no mail until one is added


@dataclass(frozen=True)
class WhoYouMetSent:
    """What sending did: mails put in the outbox now, and attendees whose mail was there already."""

    queued: int
    already: int


def _attendees(event_id: int) -> list[Registration]:
    """Who took part and can be mailed."""
    return [registration for registration in confirmed_registrations(event_id)
            if registration.attended and registration.partner.erased_at is None and registration.partner.email]


def _without_address(event_id: int) -> int:
    return sum(1 for registration in confirmed_registrations(event_id)
               if registration.attended and registration.partner.erased_at is None and not registration.partner.email)


def who_you_met_sent(event_id: int) -> bool:
    """Whether the event's who-you-met mails went into the outbox."""
    return bool(_keys_in_outbox(event_id))


def _keys_in_outbox(event_id: int) -> set[str]:
    return set(db.session.scalars(select(OutboxMail.idempotency_key).where(
        OutboxMail.event_id == event_id, OutboxMail.kind == WHO_YOU_MET.name)))


def _key(registration: Registration) -> str:
    return f"{WHO_YOU_MET.name}:{registration.id}"


def who_you_met_plan(event_id: int) -> WhoYouMetPlan:
    """Who would get a who-you-met mail now, who already has one, who is left out, and one mail as its partner
    would get it; writes nothing."""
    event = db.session.get_one(Event, event_id)
    refusal = _who_you_met_refusal(event)
    attendees, queued = _attendees(event_id), _keys_in_outbox(event_id)
    no_address = _without_address(event_id)
    absent = len(confirmed_registrations(event_id)) - len(attendees) - no_address if attendance_known(event) else 0
    already = [r for r in attendees if _key(r) in queued]
    waiting = [(r, contacts) for r in attendees if _key(r) not in queued and (contacts := contacts_met(r))]
    preview = None
    if refusal is None and waiting:
        first, contacts = waiting[0]
        preview = mails.preview(WHO_YOU_MET.name, first, contacts=contacts)
    return WhoYouMetPlan(None if refusal is None else str(refusal), len(waiting), len(already),
                         len(attendees) - len(already) - len(waiting), absent, preview, no_address)


def send_who_you_met(event_id: int) -> WhoYouMetSent:
    """Put a who-you-met mail in the outbox for everyone checked in, once the event is over; a second call adds
    none and counts those already there. Refused (SeatingError) before the end, without a published plan, or
    when nobody was checked in."""
    with write():
        # Two organisers pressing together: the second waits here, then finds the first one's mails (on PostgreSQL
        # both would otherwise miss them and the second would fail on their idempotency keys).
        event = lock_event(event_id)
        refusal = _who_you_met_refusal(event)
        if refusal is not None:
            raise SeatingError(refusal)
        queued = _keys_in_outbox(event_id)
        attendees = _attendees(event_id)
        fresh = [registration for registration in attendees if _key(registration) not in queued]
        return WhoYouMetSent(queued=sum(queue_who_you_met(registration) for registration in fresh),
                             already=len(attendees) - len(fresh))


def _who_you_met_refusal(event: Event) -> object | None:
    if event.ends_at > utcnow():
        return _l("The event has not ended yet: the who-you-met mails can be sent once it is over.")
    if seats.published_plan(event.id) is None:
        return _l("There is no published plan: nobody knows whom they met.")
    if not attendance_known(event):
        return _l("Nobody is checked in: the who-you-met mail goes only to people who were there.")
    return None


def queue_who_you_met(registration: Registration, key: str | None = None) -> bool:
    """Queue one participant's who-you-met mail (no commit); False when nobody they met shares their details."""
    contacts = contacts_met(registration)
    if contacts:
        mails.enqueue(WHO_YOU_MET.name, registration, key=key, contacts=contacts)
    return bool(contacts)
