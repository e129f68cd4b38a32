"""The outbox: every mail is a row, written in the transaction of the change that causes it."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from speeddate.extensions import db
from speeddate.models.base import str_enum, utcnow
from speeddate.models.events import Event
from speeddate.models.partners import Partner
from speeddate.models.registrations import Registration


class MailStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its due time or its next attempt
    SENDING = "sending"  # claimed by a worker; never picked up by another
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt; an organiser may retry
    CANCELLED = "cancelled"  # no longer wanted (event moved or cancelled, person cancelled)
    # The connection broke off (or timed out) after the message went out: it may have arrived. Never retried on
    # its own; an organiser checks, then sends it again or marks it sent.
    UNCERTAIN = "uncertain"
    HELD = "held"  # due, but waits for an organiser to release it (after a restore of a backup)
    WITHDRAWN = "withdrawn"  # taken back by an organiser: never sent; can be put back while still due


class OutboxMail(db.Model):
    """One mail to one recipient, rendered (or to be rendered when due), with its delivery state."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_event_status", "event_id", "status"),
        # The organisers' outbox pages through mails in due order, and lists the kinds there are.
        Index("ix_outbox_due_at", "due_at", "id"),
        Index("ix_outbox_kind", "kind"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique per intended mail (e.g. "reminder:2d:reg-17"): enqueuing the same mail twice is impossible.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus, "mail_status"), default=MailStatus.PENDING)
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2), default="nl")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    ics: Mapped[str | None] = mapped_column(Text)
    ics_method: Mapped[str | None] = mapped_column(String(10))
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    # A scheduled mail (a reminder, an evaluation...) is written with its subject only and rendered by the worker
    # when it is due, in the recipient's language of that day: a moved event or a corrected name is then right
    # in it. True until rendered; set again when the event changes while the mail still waits.
    render_when_due: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"),
                                                        index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"), index=True)

    registration: Mapped[Registration | None] = relationship()
    event: Mapped[Event | None] = relationship()
    partner: Mapped[Partner | None] = relationship()
