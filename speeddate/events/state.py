"""Whether an event takes registrations right now, and why not."""

import enum
from datetime import datetime

from speeddate.models import Event, EventStatus
from speeddate.models.base import utcnow


class Availability(enum.StrEnum):
    OPEN = "open"
    FULL = "full"  # open, but new registrations go to the waiting list
    DRAFT = "draft"
    CLOSED = "closed"
    DEADLINE_PASSED = "deadline_passed"
    PAST = "past"
    CANCELLED = "cancelled"
    ELSEWHERE = "elsewhere"  # a third party's event: registration on its organiser's site


def availability(event: Event, now: datetime | None = None) -> Availability:
    """What a partner opening the registration link may do now."""
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return Availability.CANCELLED
    if event.status == EventStatus.DRAFT:
        return Availability.DRAFT
    if event.ends_at <= now:
        return Availability.PAST
    if event.elsewhere:
        return Availability.ELSEWHERE
    if event.status == EventStatus.CLOSED or event.starts_at <= now:
        return Availability.CLOSED
    if event.registration_deadline is not None and event.registration_deadline <= now:
        return Availability.DEADLINE_PASSED
    return Availability.FULL if event.free_places <= 0 else Availability.OPEN


def takes_registrations(event: Event, now: datetime | None = None) -> bool:
    """Whether the registration form may be posted."""
    return availability(event, now) in (Availability.OPEN, Availability.FULL)
