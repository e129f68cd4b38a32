"""A partner's registration for an event."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from speeddate.extensions import db
from speeddate.models.base import str_enum, utcnow
from speeddate.models.events import Event
from speeddate.models.partners import Partner


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(db.Model):
    """Confirmed, waitlisted or cancelled; reached by the partner through a signed personal token."""

    __tablename__ = "registrations"
    __table_args__ = (
        # One active registration per partner per event; a cancelled one may be followed by a new one.
        Index("uq_registrations_active_partner", "event_id", "partner_id", unique=True,
              sqlite_where=text("status != 'cancelled'"), postgresql_where=text("status != 'cancelled'")),
        UniqueConstraint("event_id", "waitlist_position", name="uq_registrations_waitlist_position"),
        CheckConstraint("(status = 'waitlisted') = (waitlist_position IS NOT NULL)", name="waitlist_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus, "registration_status"))
    waitlist_position: Mapped[int | None]
    attended: Mapped[bool] = mapped_column(default=False)
    dietary: Mapped[str] = mapped_column(String(300), default="")
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Set when the partner is erased: the organisation and sector the figures keep counting, once the partner
    # row no longer says them (speeddate.reports.indicators counts these first).
    counted_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    counted_sector_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    partner: Mapped[Partner] = relationship()
