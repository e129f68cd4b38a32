"""The outbox worker: claims due mails, sends them over SMTP, records the outcome of each.

A mail is claimed (status `sending`, with the worker's name) in its own committed transaction before it is sent,
so two workers never send the same row: PostgreSQL skips rows another worker has locked, SQLite lets one
writer at a time claim. Outcomes are committed in small groups (MAIL_OUTCOME_GROUP). If a worker dies between
the SMTP server's acceptance and that commit, the rows stay `sending`; after MAIL_CLAIM_MINUTES they are marked
failed for an organiser to check and retry, never sent again on their own.
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

from speeddate.database import write
from speeddate.directory.imports import discard_stale_uploads
from speeddate.extensions import db
from speeddate.mail import services as mails
from speeddate.models import MailStatus, OutboxMail
from speeddate.models.base import utcnow

log = logging.getLogger(__name__)


@dataclass
class SendReport:
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

    def write(self) -> None:
        if self.rows:
            with write():
                db.session.execute(update(OutboxMail), self.rows)
            self.rows = []


def _send_batch(batch: list[OutboxMail], report: SendReport, now: datetime) -> bool:
    """Send a claimed batch over one connection; False when the server could not be reached."""
    batch = _withdraw_unwanted(batch, report)
    if not batch:
        return True
    prepared = [Prepared(row.id, row.attempts, row.next_attempt_at, build_message(row)) for row in batch]
    try:
        connection = TimedConnection(current_app.extensions["mail"]).__enter__()
    except (OSError, smtplib.SMTPException) as error:
        _release([mail.id for mail in prepared], f"SMTP server unreachable: {error}")
        report.smtp_unreachable = str(error)
        return False
    outcomes = Outcomes(report, now)
    try:
        for position, mail in enumerate(prepared):
            if not _send_one(connection, mail, outcomes):
                outcomes.write()
                _release([rest.id for rest in prepared[position + 1:]], "the SMTP connection broke off")
                return False
    finally:
        outcomes.write()
        _quit(connection)
    return True


def _withdraw_unwanted(batch: list[OutboxMail], report: SendReport) -> list[OutboxMail]:
    """Mails that stopped being wanted since they were written (an evaluation already answered...)."""
    unwanted = [row.id for row in batch if not mails.still_wanted(row)]
    if unwanted:
        with write():
            db.session.execute(update(OutboxMail).where(OutboxMail.id.in_(unwanted))
                               .values(status=MailStatus.CANCELLED, claimed_by=None, last_error="no longer needed")
                               .execution_options(synchronize_session=False))
        report.withdrawn += len(unwanted)
    return [row for row in batch if row.id not in unwanted]


def _quit(connection: Connection) -> None:
    try:
        connection.__exit__(None, None, None)  # type: ignore[arg-type]
    except (OSError, smtplib.SMTPException):
        log.debug("SMTP connection was already closed")


def _send_one(connection: Connection, mail: Prepared, outcomes: Outcomes) -> bool:
    """Send one mail and note the outcome; False when the connection itself is gone."""
    try:
        connection.send(mail.message)
    except smtplib.SMTPRecipientsRefused as error:
        permanent = min(code for code, _ in error.recipients.values()) >= 500
        (outcomes.failed if permanent else outcomes.retry_later)(mail, f"refused: {error.recipients}")
    except (BadHeaderError, UnicodeError, ValueError) as error:
        outcomes.failed(mail, f"cannot be sent: {error!r}")
    except smtplib.SMTPResponseException as error:
        permanent = error.smtp_code >= 500
        (outcomes.failed if permanent else outcomes.retry_later)(
            mail, f"refused: {error.smtp_code} {error.smtp_error!r}")
    except (smtplib.SMTPServerDisconnected, OSError) as error:
        outcomes.retry_later(mail, f"connection lost: {error}")
        return False
    else:
        outcomes.sent(mail)
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


def _release(ids: list[int], error: str) -> None:
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


def retry(mail_id: int) -> bool:
    """Put a failed (or cancelled) mail back in the queue, as new; False when it was not failed, or when an
    erasure emptied it (it would reach nobody, or somebody without the text)."""
    with write():
        row = db.session.get(OutboxMail, mail_id)
        if row is None or row.status not in (MailStatus.FAILED, MailStatus.CANCELLED) or not row.body_text:
            return False
        row.status, row.attempts, row.next_attempt_at, row.claimed_by = MailStatus.PENDING, 0, utcnow(), None
    return True


def backlog() -> int:
    """Mails waiting to be sent now."""
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= utcnow())) or 0


def run_forever(interval: float, echo) -> None:
    """`flask mail send --loop`: send, sleep, repeat; back off while the SMTP server is unreachable. As the one
    process that always runs, it also removes import uploads kept for more than a day."""
    worker, pause = worker_name(), interval
    while True:
        report = send_due(worker)
        discard_stale_uploads()
        if report.sent or report.failed or report.retry_later or report.smtp_unreachable:
            echo(str(report))
        pause = min(pause * 2, 300) if report.smtp_unreachable else interval
        time.sleep(pause)
