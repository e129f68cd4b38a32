"""Events: ELP, lunchwebinar, speeddate and others."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from speeddate.extensions import db
from speeddate.models.base import str_enum, utcnow
from speeddate.models.zone import Gemeente


class EventType(enum.StrEnum):
    ELP = "elp"
    LUNCHWEBINAR = "lunchwebinar"
    SPEEDDATE = "speeddate"
    OTHER = "other"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    CANCELLED = "cancelled"



class Event(db.Model):
    """One event with a capacity; `confirmed_count` is the capacity lock (see registrations service)."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("confirmed_count >= 0 AND confirmed_count <= capacity", name="capacity_respected"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[EventType] = mapped_column(str_enum(EventType, "event_type"))
    status: Mapped[EventStatus] = mapped_column(str_enum(EventStatus, "event_status"), default=EventStatus.DRAFT)
    # Texts in Dutch, with optional French and English versions; an empty translation falls back to Dutch.
    title: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    # Naive UTC; shown and entered in Europe/Brussels.
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    registration_deadline: Mapped[datetime | None]
    location: Mapped[str] = mapped_column(String(300), default="")
    location_fr: Mapped[str] = mapped_column(String(300), default="")
    location_en: Mapped[str] = mapped_column(String(300), default="")
    # Practical information (how to join a webinar, what to bring), per language like the texts above.
    practical_note: Mapped[str] = mapped_column(Text, default="")
    practical_note_fr: Mapped[str] = mapped_column(Text, default="")
    practical_note_en: Mapped[str] = mapped_column(Text, default="")
    # An event "elsewhere": organised by a third party (organised_by), registration through its own link.
    external_url: Mapped[str] = mapped_column(String(500), default="")
    organised_by: Mapped[str] = mapped_column(String(200), default="")
    # Partners that organise this event together with the zone, as written on the page.
    co_organisers: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    gemeente_id: Mapped[int | None] = mapped_column(ForeignKey("gemeenten.id", ondelete="SET NULL"))
    capacity: Mapped[int]
    catering: Mapped[bool] = mapped_column(default=False)
    confirmed_count: Mapped[int] = mapped_column(default=0)
    # Last waiting-list position handed out; positions only grow, so the order is first come, first served.
    waitlist_counter: Mapped[int] = mapped_column(default=0)
    # Evaluation: anonymous answers, reminder to non-responders and closing, in days after the end.
    evaluation_anonymous: Mapped[bool] = mapped_column(default=True)
    evaluation_reminder_days: Mapped[int] = mapped_column(default=7)
    evaluation_close_days: Mapped[int] = mapped_column(default=21)
    # Months after the end for the follow-up survey; none for this event when empty.
    followup_months: Mapped[int | None]
    # Raised whenever time or place change, so that calendars replace their copy (iCalendar SEQUENCE).
    ics_sequence: Mapped[int] = mapped_column(default=0)
    # The coordinator's word to registrants when cancelling (a reason, a new date): in the mail and on the page.
    cancellation_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    gemeente: Mapped[Gemeente | None] = relationship()

    def text(self, field: str, language: str) -> str:
        """The event's `field` (title, description, location, practical_note) in `language`, else in Dutch."""
        base = getattr(self, field)
        if language in ("fr", "en"):
            return getattr(self, f"{field}_{language}") or base
        return base

    @property
    def elsewhere(self) -> bool:
        """A third party's event: shown in the calendar, with no registration here."""
        return bool(self.external_url)

    @property
    def free_places(self) -> int:
        """Places still open for confirmed registrations."""
        return self.capacity - self.confirmed_count
