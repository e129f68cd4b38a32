"""What monitoring needs to know: is the database reachable, and is the outbox keeping up."""

from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from speeddate.extensions import db
from speeddate.mail import outbox
from speeddate.models import MailStatus, OutboxMail
from speeddate.models.base import utcnow


@dataclass(frozen=True)
class Health:
    """Figures only: no addresses, names or subjects."""

    database: bool
    outbox_backlog: int | None = None
    oldest_pending_mail_seconds: int | None = None

    @property
    def healthy(self) -> bool:
        return self.database


def health() -> Health:
    """Check the database with a trivial query, then read the outbox figures."""
    try:
        db.session.execute(text("SELECT 1"))
        backlog = outbox.backlog()
        now = utcnow()
        oldest = db.session.scalar(select(func.min(OutboxMail.due_at)).where(
            OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now))
    except SQLAlchemyError:
        db.session.rollback()
        return Health(database=False)
    age = max(0, int((now - oldest).total_seconds())) if oldest is not None else 0
    return Health(database=True, outbox_backlog=backlog, oldest_pending_mail_seconds=age)
