"""The outbox worker: claims due mails, sends them over SMTP, records the outcome of each.

A mail is claimed (status `sending`, with the worker's name) in its own committed transaction before it is sent,
so two workers never send the same row: PostgreSQL skips rows another worker has locked, SQLite lets one
writer at a time claim. Each outcome is committed on its own. If a worker dies between the SMTP server's
acceptance and that commit, the row stays `sending`; after MAIL_CLAIM_MINUTES it is marked failed for an
organiser to check and retry, never sent again on its own.
"""

import logging
import os
import smtplib
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import sha256

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message
from sqlalchemy import func, select, update

from speeddate.database import begin_write
from speeddate.extensions import db
from speeddate.models import MailStatus, OutboxMail
from speeddate.models.base import utcnow

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: int = 0
    retry_later: int = 0
    failed: int = 0
    smtp_unreachable: str = ""

    def __str__(self) -> str:
        text = f"sent {self.sent}, to retry later {self.retry_later}, failed {self.failed}"
        return f"{text}; SMTP server unreachable: {self.smtp_unreachable}" if self.smtp_unreachable else text


class TimedConnection(Connection):
    """Flask-Mail's connection with a timeout, so that a hanging SMTP server cannot block the worker."""

    def configure_host(self) -> smtplib.SMTP:
        timeout = current_app.config["MAIL_TIMEOUT"]
        smtp_class = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp_class(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def worker_name() -> str:
    """Host, process and a random part: unique among workers running at the same time."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def send_due(worker: str | None = None, now: datetime | None = None) -> SendReport:
    """Send every mail that is due, batch by batch; stop early when the SMTP server is unreachable."""
    worker, now = worker or worker_name(), now or utcnow()
    report = SendReport()
    fail_abandoned_claims()
    while batch := claim(worker, now):
        if not _send_batch(batch, report, now):
            break
    return report


def claim(worker: str, now: datetime) -> list[OutboxMail]:
    """Mark a batch of due mails as this worker's, oldest due first, and commit that claim."""
    begin_write()
    due = (select(OutboxMail.id)
           .where(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)
           .order_by(OutboxMail.due_at, OutboxMail.id)
           .limit(current_app.config["MAIL_BATCH_SIZE"])
           .with_for_update(skip_locked=True))
    ids = list(db.session.scalars(due))
    if ids:
        db.session.execute(update(OutboxMail).where(OutboxMail.id.in_(ids), OutboxMail.status == MailStatus.PENDING)
                           .values(status=MailStatus.SENDING, claimed_by=worker, claimed_at=utcnow())
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.id.in_(ids),
                                                            OutboxMail.claimed_by == worker,
                                                            OutboxMail.status == MailStatus.SENDING)
                                   .order_by(OutboxMail.due_at, OutboxMail.id)))


def _send_batch(batch: list[OutboxMail], report: SendReport, now: datetime) -> bool:
    """Send a claimed batch over one connection; False when the server could not be reached."""
    try:
        connection = TimedConnection(current_app.extensions["mail"]).__enter__()
    except (OSError, smtplib.SMTPException) as error:
        _release(batch, f"SMTP server unreachable: {error}")
        report.smtp_unreachable = str(error)
        return False
    try:
        for position, row in enumerate(batch):
            if not _send_one(connection, row, report, now):
                _release(batch[position + 1:], "the SMTP connection broke off")
                return False
    finally:
        _quit(connection)
    return True


def _quit(connection: Connection) -> None:
    try:
        connection.__exit__(None, None, None)  # type: ignore[arg-type]
    except (OSError, smtplib.SMTPException):
        log.debug("SMTP connection was already closed")


def _send_one(connection: Connection, row: OutboxMail, report: SendReport, now: datetime) -> bool:
    """Send one mail and record the outcome; False when the connection itself is gone."""
    try:
        connection.send(build_message(row))
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if min(codes) >= 500:
            _finish(row, MailStatus.FAILED, f"refused: {error.recipients}")
            report.failed += 1
        else:
            _retry_later(row, f"temporary failure: {error.recipients}", report, now)
    except (BadHeaderError, UnicodeError, ValueError) as error:
        _finish(row, MailStatus.FAILED, f"cannot be sent: {error!r}")
        report.failed += 1
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500:
            _finish(row, MailStatus.FAILED, f"refused: {error.smtp_code} {error.smtp_error!r}")
            report.failed += 1
        else:
            _retry_later(row, f"temporary failure: {error.smtp_code} {error.smtp_error!r}", report, now)
    except (smtplib.SMTPServerDisconnected, OSError) as error:
        _retry_later(row, f"connection lost: {error}", report, now)
        return False
    else:
        _finish(row, MailStatus.SENT, "")
        report.sent += 1
    return True


def build_message(row: OutboxMail) -> Message:
    """The Flask-Mail message for an outbox row, with a Message-ID that stays the same on every attempt."""
    host = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2].strip("> ") or "speeddate.invalid"
    digest = sha256(row.idempotency_key.encode()).hexdigest()[:16]
    headers = {"Auto-Submitted": "auto-generated"}
    if row.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = Message(subject=row.subject, recipients=[row.recipient], body=row.body_text,
                      html=row.body_html or None, extra_headers=headers)
    message.msgId = f"<outbox.{row.id}.{digest}@{host}>"
    if row.ics:
        message.attach("invite.ics", f"text/calendar; method={row.ics_method}; charset=UTF-8", row.ics.encode())
    return message


def _finish(row: OutboxMail, status: MailStatus, error: str) -> None:
    begin_write()
    row.status, row.last_error, row.claimed_by = status, error, None
    row.attempts += 1
    if status == MailStatus.SENT:
        row.sent_at = utcnow()
    db.session.commit()


def _retry_later(row: OutboxMail, error: str, report: SendReport, now: datetime) -> None:
    """Back off exponentially from this run's time; after the last attempt the mail is failed for organisers."""
    config = current_app.config
    begin_write()
    row.attempts += 1
    row.last_error, row.claimed_by = error, None
    if row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        row.status = MailStatus.FAILED
        report.failed += 1
    else:
        row.status = MailStatus.PENDING
        row.next_attempt_at = now + timedelta(seconds=config["MAIL_RETRY_SECONDS"] * 2 ** (row.attempts - 1))
        report.retry_later += 1
    db.session.commit()


def _release(rows: list[OutboxMail], error: str) -> None:
    """Give claimed rows back untouched (the server, not the mail, was the problem)."""
    if not rows:
        return
    begin_write()
    db.session.execute(update(OutboxMail).where(OutboxMail.id.in_([row.id for row in rows]))
                       .values(status=MailStatus.PENDING, claimed_by=None, last_error=error)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def fail_abandoned_claims() -> int:
    """Rows a dead worker left `sending`: mark them failed for review rather than risk a second copy."""
    begin_write()
    limit = utcnow() - timedelta(minutes=current_app.config["MAIL_CLAIM_MINUTES"])
    result = db.session.execute(
        update(OutboxMail).where(OutboxMail.status == MailStatus.SENDING, OutboxMail.claimed_at < limit)
        .values(status=MailStatus.FAILED, claimed_by=None,
                last_error="the worker stopped while sending: check whether it arrived, then retry")
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def retry(mail_id: int) -> bool:
    """Put a failed (or cancelled) mail back in the queue, as new; False when it was not failed."""
    begin_write()
    row = db.session.get(OutboxMail, mail_id)
    if row is None or row.status not in (MailStatus.FAILED, MailStatus.CANCELLED):
        db.session.rollback()
        return False
    row.status, row.attempts, row.next_attempt_at, row.claimed_by = MailStatus.PENDING, 0, utcnow(), None
    db.session.commit()
    return True


def backlog() -> int:
    """Mails waiting to be sent now."""
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= utcnow())) or 0


def run_forever(interval: float, echo) -> None:
    """`flask mail send --loop`: send, sleep, repeat; back off while the SMTP server is unreachable."""
    worker, pause = worker_name(), interval
    while True:
        report = send_due(worker)
        if report.sent or report.failed or report.retry_later or report.smtp_unreachable:
            echo(str(report))
        pause = min(pause * 2, 300) if report.smtp_unreachable else interval
        time.sleep(pause)
