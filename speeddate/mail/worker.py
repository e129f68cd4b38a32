"""The outbox worker: sends due mails one at a time over SMTP and records the outcome of each.

Claim, send and record follow speeddate.mail.outbox: one mail `sending` per worker at any moment, its outcome
written with the claim of the next. `flask mail send --loop` also outlives the database: when it goes away (or is
down at start) the worker logs one line, backs off (1 s doubling to 10 s) and resumes where it was, writing first
the outcome of the mail it was sending. Its beat (speeddate.workers) resumes too, so nobody takes that mail from
it unless the database was away longer than WORKER_DEAD_SECONDS: then the mail is uncertain, the safe answer.
"""

import logging
import smtplib
import time
from collections.abc import Callable
from datetime import datetime

from flask_mail import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from speeddate import workers
from speeddate.extensions import db
from speeddate.mail import outbox, transport
from speeddate.models.base import utcnow
from speeddate.uploads import discard_stale_uploads

log = logging.getLogger(__name__)

# A database back after an outage is noticed within 10 s: one cheap connection attempt that often costs nothing.
OUTAGE_FIRST_PAUSE, OUTAGE_LONGEST_PAUSE = 1.0, 10.0


class Sender:
    """One worker's rounds; it keeps the outcome it could not write while the database was away."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self.unwritten: outbox.Outcome | None = None

    def send_due(self, now: datetime | None = None) -> outbox.SendReport:
        """Send every mail that is due; stop early when the SMTP server is unreachable or the connection is lost."""
        now, report = now or utcnow(), outbox.SendReport()
        outbox.settle(self.worker, self.unwritten)
        self.unwritten = None
        outbox.sweep_orphans(self.worker)
        candidates = outbox.due(now)
        if not candidates:
            return report
        try:
            connection = transport.connect()
        except (OSError, smtplib.SMTPException) as error:
            report.smtp_unreachable = str(error)
            return report
        try:
            self._send(connection, candidates, now, report)
        finally:
            transport.close(connection)
        return report

    def _send(self, connection: Connection, candidates: list[int], now: datetime,
              report: outbox.SendReport) -> None:
        while candidates:
            claimed = 0
            while mail := self._advance(candidates, now, report):
                claimed += 1
                delivery = transport.deliver(connection, mail.message)
                self.unwritten = outbox.outcome_of(mail, delivery, now, report)
                if delivery.connection_lost:  # the rest waits for the next round and a new connection
                    self._advance([], now, report)
                    return
            # Other workers may have taken the ones read ahead: read again, unless this reading gave nothing.
            candidates = outbox.due(now) if claimed else []

    def _advance(self, candidates: list[int], now: datetime, report: outbox.SendReport) -> outbox.Prepared | None:
        mail = outbox.advance(self.worker, self.unwritten, candidates, now, report)
        self.unwritten = None
        return mail


def send_due(worker: str | None = None, now: datetime | None = None) -> outbox.SendReport:
    """One round of sending, as the worker named `worker` (by default a new name)."""
    return Sender(worker or workers.worker_name("mail")).send_due(now)


def database_unreachable(error: BaseException) -> bool:
    """Whether an error means the database went away (or is not there yet), rather than a fault in the code."""
    return isinstance(error, OperationalError) or (isinstance(error, DBAPIError) and error.connection_invalidated)


def run_forever(interval: float, echo: Callable[[str], object], worker: str | None = None) -> None:
    """`flask mail send --loop`: send, sleep, repeat; back off while the SMTP server or the database is unreachable.
    As the one process that always runs, it also removes import uploads kept for more than a day."""
    sender = Sender(worker or workers.worker_name("mail"))
    pause, outage = interval, 0.0
    while True:
        try:
            report = sender.send_due()
        except DBAPIError as error:
            if not database_unreachable(error):
                raise
            db.session.remove()
            outage = min(outage * 2, OUTAGE_LONGEST_PAUSE) if outage else OUTAGE_FIRST_PAUSE
            log.warning("mail worker: database unreachable (%s), trying again in %.0f s", type(error).__name__, outage)
            time.sleep(outage)
            continue
        outage = 0.0
        discard_stale_uploads()
        if report.sent or report.failed or report.retry_later or report.uncertain or report.smtp_unreachable:
            echo(str(report))
        pause = min(pause * 2, 300) if report.smtp_unreachable else interval
        time.sleep(pause)
