"""When the surveys can be answered: the evaluation right after an event, the follow-up months later."""

import enum
from datetime import datetime, timedelta

from flask import current_app

from speeddate.i18n import shift_local
from speeddate.models import Event, Registration
from speeddate.models.base import utcnow
from speeddate.participation import took_part

FOLLOWUP_OPEN_DAYS = 60


class Window(enum.StrEnum):
    """Whether a survey can be answered now; if not, whether it is too early, too late, or not for this person."""

    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"
    NOT_FOR_YOU = "not_for_you"


def evaluation_invitation_at(event: Event) -> datetime:
    """When the evaluation invitation goes out: shortly after the end."""
    return event.ends_at + timedelta(minutes=current_app.config["MAIL_EVALUATION_MINUTES_AFTER"])


def evaluation_reminder_at(event: Event) -> datetime:
    """When non-responders get their one reminder."""
    return shift_local(event.ends_at, days=event.evaluation_reminder_days)


def evaluation_closes_at(event: Event) -> datetime:
    """The evaluation closes this many days after the end, at the same Brussels wall-clock time."""
    return shift_local(event.ends_at, days=event.evaluation_close_days)


def evaluation_window(registration: Registration, now: datetime | None = None) -> Window:
    """Whether this registration's evaluation form can be filled now."""
    now = now or utcnow()
    if not took_part(registration):
        return Window.NOT_FOR_YOU
    if now < registration.event.ends_at:
        return Window.NOT_YET
    return Window.OPEN if now < evaluation_closes_at(registration.event) else Window.CLOSED


def followup_opens_at(event: Event) -> datetime | None:
    """When the follow-up survey is sent; None when the event has none."""
    return shift_local(event.ends_at, months=event.followup_months) if event.followup_months else None


def followup_window(registration: Registration, now: datetime | None = None) -> Window:
    """Whether this registration's follow-up survey can be filled now."""
    now, opens = now or utcnow(), followup_opens_at(registration.event)
    if opens is None or not took_part(registration) or registration.partner.consent_followup_at is None:
        return Window.NOT_FOR_YOU
    if now < opens:
        return Window.NOT_YET
    return Window.OPEN if now < shift_local(opens, days=FOLLOWUP_OPEN_DAYS) else Window.CLOSED
