"""What monitoring needs to know: is the database reachable, do mails go out, does background work get done.

A handful of COUNT queries on indexed columns, so that a monitor may ask every few seconds. Figures only: no
addresses, names or subjects.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError

from speeddate.extensions import db
from speeddate.models import JobStatus, MailStatus, OutboxMail, SeatingJob, WorkerBeat
from speeddate.models.base import utcnow
from speeddate.workers import alive_clause, dead_before

# Each figure and the setting that holds its limit; the figure passing it makes the service "degraded".
LIMITS = {
    "failed_mails": "HEALTH_MAX_FAILED_MAILS",
    "uncertain_mails": "HEALTH_MAX_UNCERTAIN_MAILS",
    "held_mails": "HEALTH_MAX_HELD_MAILS",
    "stuck_sending_mails": "HEALTH_MAX_STUCK_MAILS",
    "stuck_seating_jobs": "HEALTH_MAX_STUCK_JOBS",
    "oldest_pending_mail_seconds": "HEALTH_MAX_MAIL_WAIT_SECONDS",
}


@dataclass(frozen=True)
class Health:
    """Figures only: no addresses, names or subjects. `crossed` names the figures past their limits."""

    database: bool
    outbox_backlog: int | None = None
    oldest_pending_mail_seconds: int | None = None
    failed_mails: int | None = None
    uncertain_mails: int | None = None
    held_mails: int | None = None
    stuck_sending_mails: int | None = None
    stuck_seating_jobs: int | None = None
    mail_worker_alive: bool | None = None
    crossed: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """"unavailable" without a database, "degraded" past a limit, else "ok"."""
        if not self.database:
            return "unavailable"
        return "degraded" if self.crossed else "ok"


def health() -> Health:
    """Check the database with a trivial query, then read the figures and compare them with their limits."""
    try:
        db.session.execute(text("SELECT 1"))
        figures = _figures(utcnow())
    except SQLAlchemyError:
        db.session.rollback()
        return Health(database=False, crossed=["database"])
    config = current_app.config
    crossed = [name for name, setting in LIMITS.items() if figures[name] > config[setting]]
    if config["HEALTH_MAIL_WORKER_REQUIRED"] and config.get("MAIL_SERVER") and not figures["mail_worker_alive"]:
        crossed.append("mail_worker_alive")
    return Health(database=True, crossed=crossed, **figures)


def _figures(now: datetime) -> dict:
    backlog, oldest = db.session.execute(select(func.count(), func.min(OutboxMail.due_at)).where(
        OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)).one()
    by_status = dict(db.session.execute(
        select(OutboxMail.status, func.count())
        .where(OutboxMail.status.in_((MailStatus.FAILED, MailStatus.UNCERTAIN, MailStatus.HELD)))
        .group_by(OutboxMail.status)).all())
    return {"outbox_backlog": backlog,
            "oldest_pending_mail_seconds": max(0, int((now - oldest).total_seconds())) if oldest else 0,
            "failed_mails": by_status.get(MailStatus.FAILED, 0),
            "uncertain_mails": by_status.get(MailStatus.UNCERTAIN, 0),
            "held_mails": by_status.get(MailStatus.HELD, 0),
            "stuck_sending_mails": _stuck_mails(now), "stuck_seating_jobs": _stuck_jobs(now),
            "mail_worker_alive": db.session.scalar(select(func.count()).select_from(WorkerBeat).where(
                WorkerBeat.role == "mail", WorkerBeat.beat_at >= dead_before(now))) > 0}


def _orphaned(worker_column, since_column, now: datetime):  # type: ignore[no-untyped-def]
    """Claimed by no living worker, and not just now (a worker's first beat may still be on its way)."""
    return and_(or_(worker_column.is_(None), ~alive_clause(worker_column, now)), since_column < dead_before(now))


def _stuck_mails(now: datetime) -> int:
    """Mails left `sending` by a worker that died: nobody will finish them."""
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.status == MailStatus.SENDING, _orphaned(OutboxMail.claimed_by, OutboxMail.claimed_at, now))) or 0


def _stuck_jobs(now: datetime) -> int:
    """Seating jobs running in a worker that died, or waiting longer than any worker should leave them."""
    waited_too_long = now - timedelta(seconds=current_app.config["HEALTH_JOB_QUEUED_SECONDS"])
    return db.session.scalar(select(func.count()).select_from(SeatingJob).where(or_(
        and_(SeatingJob.status == JobStatus.RUNNING, _orphaned(SeatingJob.worker, SeatingJob.started_at, now)),
        and_(SeatingJob.status == JobStatus.QUEUED, SeatingJob.created_at < waited_too_long)))) or 0
