"""Mails as outbox rows, written in the caller's unit of work; the worker (speeddate.mail.worker) sends them.

Each function here that writes joins the `with write():` of the change that causes the mail, so a rolled-back
change sends nothing and a committed one loses nothing.
Each row is rendered when it is written, in the recipient's language; scheduled rows (reminders, evaluation,
follow-up) are rendered again when the event changes.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from speeddate import tokens
from speeddate.database import write
from speeddate.extensions import db
from speeddate.i18n import shift_local
from speeddate.mail.calendar import registration_ics
from speeddate.models import Event, EventType, MailStatus, OutboxMail, Partner, Registration, RegistrationStatus
from speeddate.models.base import utcnow
from speeddate.surveys import answers, windows
from speeddate.urls import external_url, personal_url
from speeddate.zone.services import zone_settings


@dataclass(frozen=True)
class MailKind:
    """A kind of mail: its templates (email/<name>.txt and .html), subject and calendar method."""

    name: str
    subject: object
    ics_method: str | None = None


KINDS = {kind.name: kind for kind in (
    MailKind("confirmed", _l("Your registration for %(title)s is confirmed"), "REQUEST"),
    MailKind("waitlisted", _l("You are on the waiting list for %(title)s")),
    MailKind("promoted", _l("A place came free: you are confirmed for %(title)s"), "REQUEST"),
    MailKind("link_again", _l("Your registration for %(title)s")),
    MailKind("cancelled", _l("Your registration for %(title)s is cancelled"), "CANCEL"),
    MailKind("event_changed", _l("Changed: %(title)s"), "REQUEST"),
    MailKind("event_cancelled", _l("Cancelled: %(title)s"), "CANCEL"),
    MailKind("reminder", _l("Reminder: %(title)s")),
    MailKind("webinar_link", _l("The link for %(title)s")),
    MailKind("evaluation", _l("How was %(title)s?")),
    MailKind("evaluation_reminder", _l("Reminder: how was %(title)s?")),
    MailKind("followup", _l("Did you use your new contacts from %(title)s?")),
    MailKind("invitation", _l("Invitation: %(title)s")),
    MailKind("who_you_met", _l("The people you met at %(title)s")),
)}
SCHEDULED = ("reminder", "webinar_link", "evaluation", "evaluation_reminder", "followup")


def _render(kind: MailKind, language: str, **values: object) -> tuple[str, str, str]:
    """Subject, text and HTML of a mail in the given language."""
    event = values["event"]
    with force_locale(language):
        context = {"zone": zone_settings(), **values}
        return (str(kind.subject) % {"title": event.title},  # type: ignore[attr-defined]
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
        evaluation_link=external_url("surveys.evaluation", token=signed),
        followup_link=external_url("surveys.followup", token=signed), **context)
    row.recipient, row.language = partner.email, partner.language
    if kind.ics_method and _has_calendar_entry(registration, kind.ics_method):
        row.ics, row.ics_method = registration_ics(registration, kind.ics_method), kind.ics_method
    else:
        row.ics, row.ics_method = None, None


def enqueue(kind_name: str, registration: Registration, key: str | None = None, due_at: datetime | None = None,
            **context: object) -> OutboxMail:
    """Add a mail about a registration to the outbox; the same key never makes a second row."""
    with write():
        key = key or f"{kind_name}:{registration.id}"
        existing = db.session.scalar(select(OutboxMail).where(OutboxMail.idempotency_key == key))
        if existing is not None:
            return existing
        row = _pending_row(key, kind_name, due_at, registration_id=registration.id, event_id=registration.event_id,
                           partner_id=registration.partner_id)
        _fill(row, KINDS[kind_name], registration, **context)
        db.session.add(row)
        return row


def _pending_row(key: str, kind_name: str, due_at: datetime | None, **links: int) -> OutboxMail:
    """A new outbox row waiting for its due time; the caller fills its content, then adds it to the session
    (not before: rendering queries the database, and an autoflush would write the row half filled)."""
    due = due_at or utcnow()
    return OutboxMail(idempotency_key=key, kind=kind_name, due_at=due, next_attempt_at=due,
                      status=MailStatus.PENDING, attempts=0, last_error="", **links)


def registration_received(registration: Registration, waitlist_rank: int | None, details_kept: bool = False) -> None:
    """Confirmation of a place (with the calendar entry), or of a place on the waiting list.

    `details_kept`: the address belonged to a known partner, whose stored details were kept; the mail says so.
    """
    with write():
        db.session.flush()
        if waitlist_rank is None:
            enqueue("confirmed", registration, details_kept=details_kept)
            schedule(registration)
        else:
            enqueue("waitlisted", registration, rank=waitlist_rank, details_kept=details_kept)


LINK_AGAIN_INTERVAL = timedelta(minutes=15)


def personal_link_again(registration: Registration) -> None:
    """Someone registered again with this address: mail its owner the personal link, at most once a quarter hour,
    so that a stranger repeating the form cannot flood the owner's mailbox."""
    with write():
        recent = db.session.scalar(select(OutboxMail.id).where(
            OutboxMail.registration_id == registration.id, OutboxMail.kind == "link_again",
            OutboxMail.created_at > utcnow() - LINK_AGAIN_INTERVAL).limit(1))
        if recent is None:
            enqueue("link_again", registration, key=f"link_again:{registration.id}:{uuid.uuid4().hex}")


def promoted(registration: Registration) -> None:
    """A place came free and is now this partner's."""
    with write():
        enqueue("promoted", registration)
        schedule(registration)


def cancelled(registration: Registration) -> None:
    """Acknowledge a cancellation; scheduled mails for it are withdrawn."""
    with write():
        enqueue("cancelled", registration)
        withdraw(OutboxMail.registration_id == registration.id, OutboxMail.kind.in_(SCHEDULED))


def withdraw(*conditions: object) -> None:
    """Cancel pending mails that are no longer wanted."""
    with write():
        db.session.execute(update(OutboxMail).where(OutboxMail.status == MailStatus.PENDING, *conditions)
                           .values(status=MailStatus.CANCELLED).execution_options(synchronize_session=False))


def scheduled_times(registration: Registration) -> dict[str, datetime]:
    """When each scheduled mail of a confirmed registration is due (Brussels wall-clock arithmetic)."""
    event, config = registration.event, current_app.config
    times = {"reminder": shift_local(event.starts_at, hours=-config["MAIL_REMINDER_HOURS_BEFORE"]),
             "evaluation": windows.evaluation_invitation_at(event),
             "evaluation_reminder": windows.evaluation_reminder_at(event)}
    if event.type == EventType.LUNCHWEBINAR and event.online_url:
        times["webinar_link"] = event.starts_at - timedelta(minutes=config["MAIL_WEBINAR_LINK_MINUTES_BEFORE"])
    if (opens := windows.followup_opens_at(event)) and registration.partner.consent_followup_at is not None:
        times["followup"] = opens
    return times


def still_wanted(row: OutboxMail) -> bool:
    """Checked just before sending: evaluation mails only for people who took part and (when named) have not answered,
    the follow-up only for those who still consent; everything else is withdrawn when it stops being wanted."""
    registration = row.registration
    if registration is None or row.kind not in ("evaluation", "evaluation_reminder", "followup"):
        return True
    if row.kind == "followup":
        return windows.followup_window(registration, row.due_at) != windows.Window.NOT_FOR_YOU
    if windows.evaluation_window(registration, row.due_at) != windows.Window.OPEN:
        return False
    # An anonymous evaluation's reminder goes to everyone who took part: a reminder withdrawn next to a name in
    # the outbox would tell the organisers who answered.
    return (row.kind == "evaluation" or registration.event.evaluation_anonymous
            or not answers.has_responded(registration))


def schedule(registration: Registration) -> None:
    """Create or re-render the scheduled mails of a confirmed registration; skip those already past."""
    with write():
        now = utcnow()
        for kind_name, due in scheduled_times(registration).items():
            key = f"{kind_name}:{registration.id}"
            row = db.session.scalar(select(OutboxMail).where(OutboxMail.idempotency_key == key))
            if row is None and due > now:
                enqueue(kind_name, registration, key=key, due_at=due)
            elif row is not None and row.status == MailStatus.PENDING:
                row.due_at = row.next_attempt_at = due
                _fill(row, KINDS[kind_name], registration)


def active_registrations(event: Event) -> list[Registration]:
    """Confirmed and waitlisted registrations of an event."""
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED)))


def event_changed(event: Event) -> None:
    """Time, place or link changed: tell everyone (updated calendar entry) and move their scheduled mails."""
    with write():
        for registration in active_registrations(event):
            enqueue("event_changed", registration, key=f"event_changed:{registration.id}:{event.ics_sequence}")
            if registration.status == RegistrationStatus.CONFIRMED:
                schedule(registration)


def event_cancelled(event: Event) -> None:
    """The event is off: a cancellation (METHOD:CANCEL) to everyone, and nothing else pending for it."""
    with write():
        withdraw(OutboxMail.event_id == event.id)
        for registration in active_registrations(event):
            enqueue("event_cancelled", registration)


def invite(event: Event, partner: Partner, unsubscribe_url: str) -> OutboxMail:
    """An invitation to a partner who has no registration; the key makes a second one to the same event fail."""
    with write():
        row = _pending_row(f"invitation:{event.id}:{partner.id}", "invitation", None, event_id=event.id,
                           partner_id=partner.id)
        row.subject, row.body_text, row.body_html = _render(
            KINDS["invitation"], partner.language, event=event, partner=partner,
            link=external_url("partners.event", slug=event.slug), unsubscribe_url=unsubscribe_url)
        row.recipient, row.language, row.unsubscribe_url = partner.email, partner.language, unsubscribe_url
        db.session.add(row)
        return row
