"""Mails to partners, rendered in their own language and sent after the change is committed.

For now mails go straight out through Flask-Mail; the outbox (issue 4) will take over delivery. A failing
SMTP server never undoes a registration: the failure is logged and the partner keeps their place.
"""

import logging
import smtplib

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mail import Message

from speeddate.extensions import mail
from speeddate.models import Registration
from speeddate.urls import personal_url
from speeddate.zone.services import zone_settings

log = logging.getLogger(__name__)


def send_registration_received(registration: Registration, waitlist_rank: int | None) -> None:
    """Confirmation of a place, or of a place on the waiting list."""
    if waitlist_rank is None:
        _send(registration, "confirmed", _l("Your registration for %(title)s is confirmed"))
    else:
        _send(registration, "waitlisted", _l("You are on the waiting list for %(title)s"), rank=waitlist_rank)


def send_personal_link_again(registration: Registration) -> None:
    """Someone registered again with this address: remind its owner of their personal link."""
    _send(registration, "link_again", _l("Your registration for %(title)s"))


def send_promoted(registration: Registration) -> None:
    """A place came free and is now this partner's."""
    _send(registration, "promoted", _l("A place came free: you are confirmed for %(title)s"))


def send_cancelled(registration: Registration) -> None:
    """Acknowledge a cancellation."""
    _send(registration, "cancelled", _l("Your registration for %(title)s is cancelled"))


def _send(registration: Registration, template: str, subject: object, **context: object) -> None:
    partner = registration.partner
    with force_locale(partner.language):
        values = {
            "registration": registration,
            "event": registration.event,
            "partner": partner,
            "link": personal_url(registration),
            "zone": zone_settings(),
            **context,
        }
        message = Message(
            subject=str(subject) % {"title": registration.event.title},
            recipients=[partner.email],
            body=render_template(f"email/{template}.txt", **values),
            html=render_template(f"email/{template}.html", **values),
        )
    deliver(message)


def deliver(message: Message) -> None:
    """Send through the configured SMTP server; log instead when none is configured or it fails."""
    if not current_app.config.get("MAIL_SERVER"):
        log.info("no MAIL_SERVER configured; not sent: %r to %s", message.subject, message.recipients)
        return
    try:
        mail.send(message)
    except (smtplib.SMTPException, OSError):
        log.exception("mail %r to %s could not be sent", message.subject, message.recipients)
