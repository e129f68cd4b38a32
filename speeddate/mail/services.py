"""Mails as outbox rows, written in the caller's unit of work; the worker (speeddate.mail.worker) sends them.

Each function here that writes joins the `with write():` of the change that causes the mail, so a rolled-back
change sends nothing and a committed one loses nothing. A mail that goes now is rendered when it is written, in the
recipient's language. A scheduled one (reminders, and the kinds other areas register, such as the evaluation, due
weeks or months later) is written with its key, kind, registration, due time, recipient and subject only, and
rendered by the worker when it is due (render_due), so that it tells what holds that day: the event's time and
place, the partner's name and language. What a kind is, when it is due and whether it is still wanted:
speeddate.mail.kinds.
"""

import enum
import logging
import re
import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from speeddate import tokens
from speeddate.database import write
from speeddate.extensions import db
from speeddate.i18n import shift_local
from speeddate.mail import kinds
from speeddate.mail.calendar import registration_ics
from speeddate.mail.kinds import MailKind
from speeddate.models import Event, EventType, MailStatus, OutboxMail, Partner, Registration, RegistrationStatus
from speeddate.models.base import utcnow
from speeddate.seating.seats import start_seat
from speeddate.urls import external_url, personal_url
from speeddate.zone.settings import zone_settings

log = logging.getLogger(__name__)

# The token of a personal link (/r/...) or an unsubscribe link (/u/...): whoever reads it can act as the partner,
# and read their answers to an anonymous evaluation. Organisers see mails with it left out; the stored mail,
# which the worker sends, keeps it.
PERSONAL_TOKEN = re.compile(r"(/[ru]/)[^\s\"'<>/?#]+")


class Kind(enum.StrEnum):
    """The kinds of mail this area sends itself: about a registration and its event, and invitations."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    LINK_AGAIN = "link_again"
    CANCELLED = "cancelled"
    EVENT_CHANGED = "event_changed"
    EVENT_CANCELLED = "event_cancelled"
    EVENT_REOPENED = "event_reopened"
    REMINDER = "reminder"
    WEBINAR_LINK = "webinar_link"
    INVITATION = "invitation"


def _reminder_at(registration: Registration) -> datetime:
    return shift_local(registration.event.starts_at, hours=-current_app.config["MAIL_REMINDER_HOURS_BEFORE"])


def _webinar_link_at(registration: Registration) -> datetime | None:
    event = registration.event
    if event.type != EventType.LUNCHWEBINAR or not event.online_url:
        return None
    return event.starts_at - timedelta(minutes=current_app.config["MAIL_WEBINAR_LINK_MINUTES_BEFORE"])


kinds.register(
    MailKind(Kind.CONFIRMED, _l("Your registration for %(title)s is confirmed"), "REQUEST"),
    MailKind(Kind.WAITLISTED, _l("You are on the waiting list for %(title)s")),
    MailKind(Kind.PROMOTED, _l("A place came free: you are confirmed for %(title)s"), "REQUEST"),
    MailKind(Kind.LINK_AGAIN, _l("Your registration for %(title)s")),
    MailKind(Kind.CANCELLED, _l("Your registration for %(title)s is cancelled"), "CANCEL"),
    MailKind(Kind.EVENT_CHANGED, _l("Changed: %(title)s"), "REQUEST"),
    MailKind(Kind.EVENT_CANCELLED, _l("Cancelled: %(title)s"), "CANCEL"),
    MailKind(Kind.EVENT_REOPENED, _l("Takes place after all: %(title)s"), "REQUEST"),
    MailKind(Kind.REMINDER, _l("Reminder: %(title)s"), due_at=_reminder_at),
    MailKind(Kind.WEBINAR_LINK, _l("The link for %(title)s"), due_at=_webinar_link_at),
    MailKind(Kind.INVITATION, _l("Invitation: %(title)s")),
)


def _render(kind: MailKind, language: str, **values: object) -> tuple[str, str, str]:
    """Subject, text and HTML of a mail in the given language."""
    event = values["event"]
    with force_locale(language):
        context = {"zone": zone_settings(), **values}
        return (str(kind.subject) % {"title": event.text("title", language)},  # type: ignore[attr-defined]
                render_template(f"email/{kind.name}.txt", **context),
                render_template(f"email/{kind.name}.html", **context))


def _has_calendar_entry(registration: Registration, method: str) -> bool:
    """REQUESTs go to people with a place; a CANCEL to people who once had one."""
    if method == "REQUEST":
        return registration.status == RegistrationStatus.CONFIRMED
    return registration.confirmed_at is not None


def _fill(row: OutboxMail, kind: MailKind, registration: Registration, **context: object) -> None:
    partner = registration.partner
    signed = tokens.sign(registration.token)
    row.subject, row.body_text, row.body_html = _render(
        kind, partner.language, registration=registration, event=registration.event, partner=partner,
        link=personal_url(registration), cancel_link=external_url("partners.cancel", token=signed),
        seat=start_seat(registration), **kind.context(registration), **context)
    row.recipient, row.language = partner.email, partner.language
    if kind.ics_method and _has_calendar_entry(registration, kind.ics_method):
        row.ics, row.ics_method = registration_ics(registration, kind.ics_method), kind.ics_method
    else:
        row.ics, row.ics_method = None, None


def enqueue(kind_name: str, registration: Registration, key: str | None = None, due_at: datetime | None = None,
            **context: object) -> OutboxMail | None:
    """Add a mail about a registration to the outbox; the same key never makes a second row. None for a partner
    without an address (a walk-in): `catch_up` queues what is still worth sending once an address is added."""
    if registration.partner.email is None:
        return None
    with write():
        key = key or f"{kind_name}:{registration.id}"
        existing = db.session.scalar(select(OutboxMail).where(OutboxMail.idempotency_key == key))
        if existing is not None:
            return existing
        row = _pending_row(key, kind_name, due_at, registration_id=registration.id, event_id=registration.event_id,
                           partner_id=registration.partner_id)
        _fill(row, kinds.kind(kind_name), registration, **context)
        db.session.add(row)
        return row


def _pending_row(key: str, kind_name: str, due_at: datetime | None, **links: int) -> OutboxMail:
    """A new outbox row waiting for its due time; the caller fills its content, then adds it to the session
    (not before: rendering queries the database, and an autoflush would write the row half filled)."""
    due = due_at or utcnow()
    return OutboxMail(idempotency_key=key, kind=str(kind_name), due_at=due, next_attempt_at=due,
                      status=MailStatus.PENDING, attempts=0, last_error="", **links)


def registration_received(registration: Registration, waitlist_rank: int | None, details_kept: bool = False) -> None:
    """Confirmation of a place (with the calendar entry), or of a place on the waiting list.

    `details_kept`: the address belonged to a known partner, whose stored details were kept; the mail says so.
    """
    with write():
        db.session.flush()
        if waitlist_rank is None:
            enqueue(Kind.CONFIRMED, registration, details_kept=details_kept)
            schedule(registration)
        else:
            enqueue(Kind.WAITLISTED, registration, rank=waitlist_rank, details_kept=details_kept)


LINK_AGAIN_INTERVAL = timedelta(minutes=15)


def personal_link_again(registration: Registration) -> None:
    """Someone registered again with this address: mail its owner the personal link, at most once a quarter hour,
    so that a stranger repeating the form cannot flood the owner's mailbox."""
    with write():
        recent = db.session.scalar(select(OutboxMail.id).where(
            OutboxMail.registration_id == registration.id, OutboxMail.kind == Kind.LINK_AGAIN,
            OutboxMail.created_at > utcnow() - LINK_AGAIN_INTERVAL).limit(1))
        if recent is None:
            enqueue(Kind.LINK_AGAIN, registration, key=f"link_again:{registration.id}:{uuid.uuid4().hex}")


def promoted(registration: Registration) -> None:
    """A place came free and is now this partner's."""
    with write():
        enqueue(Kind.PROMOTED, registration)
        schedule(registration)


def cancelled(registration: Registration) -> None:
    """Acknowledge a cancellation; scheduled mails for it are withdrawn."""
    with write():
        enqueue(Kind.CANCELLED, registration)
        scheduled = [kind.name for kind in kinds.scheduled()]
        withdraw(OutboxMail.registration_id == registration.id, OutboxMail.kind.in_(scheduled))


# Mails that have not gone out and would if nothing changed (or if an organiser put them back).
UNSENT = (MailStatus.PENDING, MailStatus.HELD, MailStatus.WITHDRAWN)


def withdraw(*conditions: object) -> None:
    """Cancel mails still to be sent (waiting, held or withdrawn by an organiser) that are no longer wanted."""
    with write():
        db.session.execute(update(OutboxMail).where(OutboxMail.status.in_(UNSENT), *conditions)
                           .values(status=MailStatus.CANCELLED).execution_options(synchronize_session=False))


def scheduled_times(registration: Registration) -> dict[str, datetime]:
    """When each scheduled mail of a confirmed registration is due, as its kind says (Brussels wall-clock)."""
    times = {}
    for kind in kinds.scheduled():
        if kind.due_at is not None and (due := kind.due_at(registration)) is not None:
            times[kind.name] = due
    return times


def still_wanted(row: OutboxMail) -> bool:
    """Checked just before sending a mail about a registration: its kind may say it is no longer wanted (the
    evaluation reminder once the evaluation is answered...); everything else is withdrawn when it stops being wanted."""
    kind = kinds.find(row.kind)
    if row.registration is None or kind is None or kind.still_wanted is None:
        return True
    return kind.still_wanted(row.registration, row.due_at)


def schedule(registration: Registration) -> None:
    """Create the scheduled mails of a confirmed registration, or move those still waiting to their new time (the
    worker renders them when due); skip those already past. One query finds the rows already there."""
    with write():
        now, times = utcnow(), scheduled_times(registration)
        if not times or not registration.partner.email:  # a walk-in without an address gets no mail
            return
        keys = {f"{kind_name}:{registration.id}": kind_name for kind_name in times}
        existing = {row.idempotency_key: row for row in db.session.scalars(
            select(OutboxMail).where(OutboxMail.idempotency_key.in_(keys)))}
        for key, kind_name in keys.items():
            row, due, kind = existing.get(key), times[kind_name], kinds.kind(kind_name)
            if row is None and due > now:
                row = _pending_row(key, kind_name, due, registration_id=registration.id,
                                   event_id=registration.event_id, partner_id=registration.partner_id)
                _describe(row, kind, registration)
                db.session.add(row)
            elif row is not None and row.status == MailStatus.PENDING:
                # Waiting, so never handed to a server (a retry waits only after a refusal): render it afresh.
                row.due_at = row.next_attempt_at = due
                _describe(row, kind, registration)


def _describe(row: OutboxMail, kind: MailKind, registration: Registration) -> None:
    """What the outbox knows of a mail rendered when due: recipient, language and subject as they are now, for
    the organisers' list and search; the body is written by render_due."""
    partner = registration.partner
    with force_locale(partner.language):
        row.subject = str(kind.subject) % {"title": registration.event.text("title", partner.language)}  # type: ignore[attr-defined]
    row.recipient, row.language = partner.email, partner.language
    row.body_text = row.body_html = ""
    row.ics = row.ics_method = None
    row.render_when_due = True


def render_due(row: OutboxMail) -> str:
    """Render a mail written to be rendered when due, in the worker's unit of work just before it goes out.
    Returns why it must not go ("" when rendered): its registration was deleted or is no longer confirmed, its
    partner was erased or has no address left, or its kind is no longer known. A template that fails leaves the
    mail failed, for an organiser to see, rather than stopping the worker on it at every round."""
    registration, kind = row.registration, kinds.find(row.kind)
    if kind is None:
        return "its kind of mail is no longer sent"
    if registration is None:
        return "its registration no longer exists"
    if registration.status != RegistrationStatus.CONFIRMED:
        return "its registration is no longer confirmed"
    partner = registration.partner
    if partner.erased_at is not None or not partner.email:
        return "its recipient's details are erased or have no address"
    try:
        _fill(row, kind, registration)
    except Exception as error:  # any template or data error: the mail waits for an organiser
        log.exception("mail %s (%s) could not be rendered", row.id, row.kind)
        raise RenderFailed(f"could not be rendered: {type(error).__name__}: {error}") from error
    row.render_when_due = False
    return ""


class RenderFailed(Exception):
    """A mail due now could not be rendered; the message says why."""


def catch_up(registration: Registration) -> None:
    """The mails of a registration whose partner just got an address: the scheduled ones still ahead, and those
    already due whose kind is worth sending late (the evaluation while it is open), each once."""
    with write():
        schedule(registration)
        now = utcnow()
        for kind_name, due in scheduled_times(registration).items():
            kind = kinds.kind(kind_name)
            if due <= now and kind.late and (kind.still_wanted is None or kind.still_wanted(registration, now)):
                enqueue(kind_name, registration, key=f"{kind_name}:{registration.id}", due_at=now)


def text_language(language: str) -> str:
    """The language of the event texts a partner reads: their own where an event can have it, else Dutch."""
    return language if language in ("fr", "en") else "nl"


def active_registrations(event: Event) -> list[Registration]:
    """Confirmed and waitlisted registrations of an event."""
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED)))


def event_changed(event: Event, languages: Collection[str] = ("nl", "fr", "en")) -> None:
    """Time, place or link changed: tell everyone who reads the changed texts (updated calendar entry) and move
    their scheduled mails. A translation read in no other language changes only its readers' calendars."""
    with write():
        for registration in active_registrations(event):
            if text_language(registration.partner.language) not in languages:
                continue
            enqueue(Kind.EVENT_CHANGED, registration, key=f"event_changed:{registration.id}:{event.ics_sequence}")
            if registration.status == RegistrationStatus.CONFIRMED:
                schedule(registration)


def event_cancelled(event: Event) -> None:
    """The event is off: a cancellation (METHOD:CANCEL) to everyone, with the coordinator's note, and nothing else
    pending for it. The key carries the calendar sequence: an event re-opened and cancelled again is told again."""
    with write():
        withdraw(OutboxMail.event_id == event.id)
        for registration in active_registrations(event):
            enqueue(Kind.EVENT_CANCELLED, registration, key=f"event_cancelled:{registration.id}:{event.ics_sequence}")


def event_reopened(event: Event, ranks: dict[int, int]) -> None:
    """The cancelled event takes place after all: tell everyone where they stand (a calendar entry for those with a
    place, their rank on the waiting list, by registration id, to those waiting) and queue again the scheduled mails
    the cancellation withdrew."""
    with write():
        for registration in active_registrations(event):
            enqueue(Kind.EVENT_REOPENED, registration, key=f"event_reopened:{registration.id}:{event.ics_sequence}",
                    rank=ranks.get(registration.id))
            if registration.status == RegistrationStatus.CONFIRMED:
                _revive_scheduled(registration)
                schedule(registration)


def _revive_scheduled(registration: Registration) -> None:
    """Scheduled mails the cancellation withdrew come back, those still ahead only (schedule re-renders them)."""
    now = utcnow()
    for kind_name, due in scheduled_times(registration).items():
        if due > now:
            db.session.execute(update(OutboxMail).where(
                OutboxMail.idempotency_key == f"{kind_name}:{registration.id}",
                OutboxMail.status == MailStatus.CANCELLED).values(status=MailStatus.PENDING)
                .execution_options(synchronize_session=False))


def _invitation(event: Event, partner: Partner, unsubscribe_url: str, message: str) -> OutboxMail:
    row = _pending_row(f"invitation:{event.id}:{partner.id}", Kind.INVITATION, None, event_id=event.id,
                       partner_id=partner.id)
    row.subject, row.body_text, row.body_html = _render(
        kinds.kind(Kind.INVITATION), partner.language, event=event, partner=partner,
        link=external_url("partners.event", slug=event.slug), unsubscribe_url=unsubscribe_url, message=message)
    row.recipient, row.language, row.unsubscribe_url = partner.email, partner.language, unsubscribe_url
    return row


def invite(event: Event, partner: Partner, unsubscribe_url: str, message: str = "") -> OutboxMail:
    """An invitation to a partner who has no registration, with the coordinator's own message if any; the key
    makes a second one to the same event fail."""
    with write():
        row = _invitation(event, partner, unsubscribe_url, message)
        db.session.add(row)
        return row


def invitation_preview(event: Event, partner: Partner, unsubscribe_url: str, message: str = "") -> OutboxMail:
    """The invitation exactly as invite() would write it, kept out of the outbox (for a confirmation page)."""
    return _invitation(event, partner, unsubscribe_url, message)


def preview(kind_name: str, registration: Registration, **context: object) -> OutboxMail:
    """The mail exactly as enqueue() would write it, kept out of the outbox (for a confirmation page)."""
    row = _pending_row(f"preview:{kind_name}:{registration.id}", kind_name, None, registration_id=registration.id,
                       event_id=registration.event_id, partner_id=registration.partner_id)
    _fill(row, kinds.kind(kind_name), registration, **context)
    return row


def preview_due(row: OutboxMail) -> OutboxMail | None:
    """A mail to be rendered when due, as it would read if it went now (for the organisers' outbox), kept out of
    the outbox; None when it would not go now (its registration is gone or no longer confirmed...)."""
    registration, kind = row.registration, kinds.find(row.kind)
    if registration is None or kind is None or registration.status != RegistrationStatus.CONFIRMED \
            or registration.partner.erased_at is not None or not registration.partner.email:
        return None
    shown = _pending_row(row.idempotency_key, row.kind, row.due_at, registration_id=registration.id,
                         event_id=registration.event_id, partner_id=registration.partner_id)
    _fill(shown, kind, registration)
    return shown


def without_personal_links(body: str) -> str:
    """The mail's text or HTML with the token of every personal and unsubscribe link replaced by an ellipsis."""
    return PERSONAL_TOKEN.sub("\\1…", body)
