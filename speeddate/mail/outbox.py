"""The outbox as the worker sees it: claim due mails, record what became of them, give them back, retry.

Each operation is its own short unit of work, committed before the worker goes on: a claim is committed before
anything is sent, so two workers never send the same row (PostgreSQL skips rows another worker has locked, SQLite
lets one writer at a time claim); outcomes are committed in small groups (MAIL_OUTCOME_GROUP).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Message
from sqlalchemy import func, select, update

from speeddate.database import write
from speeddate.extensions import db
from speeddate.mail import services as mails
from speeddate.mail.transport import Delivery, Verdict
from speeddate.models import MailStatus, OutboxMail
from speeddate.models.base import utcnow


@dataclass
class SendReport:
    """What one run of the worker did, as `flask mail send` prints it."""

    sent: int = 0
    retry_later: int = 0
    failed: int = 0
    withdrawn: int = 0
    smtp_unreachable: str = ""

    def __str__(self) -> str:
        text = f"sent {self.sent}, to retry later {self.retry_later}, failed {self.failed}"
        if self.withdrawn:
            text += f", withdrawn as no longer needed {self.withdrawn}"
        return f"{text}; SMTP server unreachable: {self.smtp_unreachable}" if self.smtp_unreachable else text


def claim(worker: str, now: datetime) -> list[OutboxMail]:
    """Mark a batch of due mails as this worker's, oldest due first, and commit that claim."""
    with write():
        due = (select(OutboxMail.id)
               .where(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)
               .order_by(OutboxMail.due_at, OutboxMail.id)
               .limit(current_app.config["MAIL_BATCH_SIZE"])
               .with_for_update(skip_locked=True))
        ids = list(db.session.scalars(due))
        if ids:
            db.session.execute(update(OutboxMail)
                               .where(OutboxMail.id.in_(ids), OutboxMail.status == MailStatus.PENDING)
                               .values(status=MailStatus.SENDING, claimed_by=worker, claimed_at=utcnow())
                               .execution_options(synchronize_session=False))
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.id.in_(ids),
                                                            OutboxMail.claimed_by == worker,
                                                            OutboxMail.status == MailStatus.SENDING)
                                   .order_by(OutboxMail.due_at, OutboxMail.id)))


@dataclass(frozen=True)
class Prepared:
    """A claimed mail, built before sending so that recording outcomes never reloads rows."""

    id: int
    attempts: int
    next_attempt_at: datetime
    message: Message


class Outcomes:
    """What happened to each mail, written in small groups (one commit per group, not per mail).

    A worker that dies mid-group leaves those rows `sending`, which fail_abandoned_claims turns into failed
    mails for review: at most one group is ever in doubt, and nothing is sent twice on its own.
    """

    def __init__(self, report: SendReport, now: datetime) -> None:
        self.report, self.now = report, now
        self.rows: list[dict[str, object]] = []

    def sent(self, mail: Prepared) -> None:
        self.report.sent += 1
        self._add(mail, MailStatus.SENT, "", sent_at=utcnow())

    def failed(self, mail: Prepared, error: str) -> None:
        self.report.failed += 1
        self._add(mail, MailStatus.FAILED, error)

    def retry_later(self, mail: Prepared, error: str) -> None:
        """Back off exponentially from this run's time; after the last attempt the mail is failed."""
        config = current_app.config
        if mail.attempts + 1 >= config["MAIL_MAX_ATTEMPTS"]:
            self.failed(mail, error)
            return
        self.report.retry_later += 1
        delay = timedelta(seconds=config["MAIL_RETRY_SECONDS"] * 2 ** mail.attempts)
        self._add(mail, MailStatus.PENDING, error, next_attempt_at=self.now + delay)

    def _add(self, mail: Prepared, status: MailStatus, error: str, **changes: object) -> None:
        self.rows.append({"id": mail.id, "status": status, "last_error": error, "attempts": mail.attempts + 1,
                          "claimed_by": None, "sent_at": None, "next_attempt_at": mail.next_attempt_at, **changes})
        if len(self.rows) >= current_app.config["MAIL_OUTCOME_GROUP"]:
            self.write()

    def note(self, mail: Prepared, delivery: Delivery) -> None:
        """Record what one send meant for the mail."""
        if delivery.verdict == Verdict.SENT:
            self.sent(mail)
        elif delivery.verdict == Verdict.FAILED:
            self.failed(mail, delivery.error)
        else:
            self.retry_later(mail, delivery.error)

    def write(self) -> None:
        """Write the outcomes noted so far, in one short unit of work."""
        if self.rows:
            with write():
                db.session.execute(update(OutboxMail), self.rows)
            self.rows = []


def withdraw_unwanted(batch: list[OutboxMail], report: SendReport) -> list[OutboxMail]:
    """Mails that stopped being wanted since they were written (an evaluation already answered...)."""
    unwanted = [row.id for row in batch if not mails.still_wanted(row)]
    if unwanted:
        with write():
            db.session.execute(update(OutboxMail).where(OutboxMail.id.in_(unwanted))
                               .values(status=MailStatus.CANCELLED, claimed_by=None, last_error="no longer needed")
                               .execution_options(synchronize_session=False))
        report.withdrawn += len(unwanted)
    return [row for row in batch if row.id not in unwanted]


def release(ids: list[int], error: str) -> None:
    """Give claimed rows back untouched (the server, not the mail, was the problem)."""
    if not ids:
        return
    with write():
        db.session.execute(update(OutboxMail).where(OutboxMail.id.in_(ids))
                           .values(status=MailStatus.PENDING, claimed_by=None, last_error=error)
                           .execution_options(synchronize_session=False))


def fail_abandoned_claims() -> int:
    """Rows a dead worker left `sending`: mark them failed for review rather than risk a second copy."""
    with write():
        limit = utcnow() - timedelta(minutes=current_app.config["MAIL_CLAIM_MINUTES"])
        result = db.session.execute(
            update(OutboxMail).where(OutboxMail.status == MailStatus.SENDING, OutboxMail.claimed_at < limit)
            .values(status=MailStatus.FAILED, claimed_by=None,
                    last_error="the worker stopped while sending: check whether it arrived, then retry")
            .execution_options(synchronize_session=False))
    return result.rowcount


def backlog() -> int:
    """Mails waiting to be sent now."""
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= utcnow())) or 0
