"""The outbox worker: claims due mails, sends them over SMTP, records the outcome of each.

Claim, send and record are separate steps, each claim and each group of outcomes committed on its own before the
next step (speeddate.mail.outbox), so that nothing is sent twice on its own. If a worker dies between the SMTP
server's acceptance and the commit of the outcome, the rows stay `sending`; after MAIL_CLAIM_MINUTES they are
marked failed for an organiser to check and retry, never sent again on their own.
"""

import os
import smtplib
import socket
import time
import uuid
from datetime import datetime

from speeddate.mail import outbox, transport
from speeddate.models import OutboxMail
from speeddate.models.base import utcnow
from speeddate.uploads import discard_stale_uploads


def worker_name() -> str:
    """Host, process and a random part: unique among workers running at the same time."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def send_due(worker: str | None = None, now: datetime | None = None) -> outbox.SendReport:
    """Send every mail that is due, batch by batch; stop early when the SMTP server is unreachable."""
    worker, now = worker or worker_name(), now or utcnow()
    report = outbox.SendReport()
    outbox.fail_abandoned_claims()
    while batch := outbox.claim(worker, now):
        if not _send_batch(batch, report, now):
            break
    return report


def _send_batch(batch: list[OutboxMail], report: outbox.SendReport, now: datetime) -> bool:
    """Send a claimed batch over one connection; False when the server could not be reached."""
    batch = outbox.withdraw_unwanted(batch, report)
    if not batch:
        return True
    prepared = [outbox.Prepared(row.id, row.attempts, row.next_attempt_at, transport.build_message(row))
                for row in batch]
    try:
        connection = transport.connect()
    except (OSError, smtplib.SMTPException) as error:
        outbox.release([mail.id for mail in prepared], f"SMTP server unreachable: {error}")
        report.smtp_unreachable = str(error)
        return False
    outcomes = outbox.Outcomes(report, now)
    try:
        for position, mail in enumerate(prepared):
            delivery = transport.deliver(connection, mail.message)
            outcomes.note(mail, delivery)
            if delivery.connection_lost:
                outcomes.write()
                outbox.release([rest.id for rest in prepared[position + 1:]], "the SMTP connection broke off")
                return False
    finally:
        outcomes.write()
        transport.close(connection)
    return True


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
