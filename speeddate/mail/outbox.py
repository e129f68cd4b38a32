"""The outbox as the worker sees it: claim one due mail, record what became of it, claim the next.

A worker holds at most one mail `sending` at any moment (claimed_by is its beat name, speeddate.workers): the
outcome of one mail and the claim of the next are one unit of work, committed before that next mail goes out. A
worker killed while sending therefore leaves at most one mail in doubt, which any worker marks uncertain once the
dead one has stopped beating; every other due mail was never claimed and goes out in the next round of any worker.
PostgreSQL skips a row that another worker is claiming (FOR UPDATE SKIP LOCKED); SQLite lets one writer at a time
claim. An outcome is written only while the row is still `sending` and claimed by this worker: a mail that was
marked uncertain meanwhile (its worker was unreachable for longer than WORKER_DEAD_SECONDS) stays uncertain, for
an organiser to check, rather than being overwritten by a worker that others had given up for dead.
A scheduled mail is rendered in the unit of work that claims it (speeddate.mail.services.render_due), so that the
rendered text is stored before it goes out: an uncertain or failed mail shows what was sent, and a retry sends it
again unchanged.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import Message
from sqlalchemy import and_, func, or_, select, update

from speeddate import workers
from speeddate.database import write
from speeddate.extensions import db
from speeddate.mail import services as mails
from speeddate.mail.transport import Delivery, Verdict, build_message
from speeddate.models import MailStatus, OutboxMail
from speeddate.models.base import utcnow

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    """What one run of the worker did, as `flask mail send` prints it."""

    sent: int = 0
    retry_later: int = 0
    failed: int = 0
    uncertain: int = 0
    withdrawn: int = 0
    smtp_unreachable: str = ""

    def __str__(self) -> str:
        text = f"sent {self.sent}, to retry later {self.retry_later}, failed {self.failed}"
        if self.uncertain:
            text += f", may have been sent (to check) {self.uncertain}"
        if self.withdrawn:
            text += f", withdrawn as no longer needed {self.withdrawn}"
        return f"{text}; SMTP server unreachable: {self.smtp_unreachable}" if self.smtp_unreachable else text

    def count(self, verdict: Verdict) -> None:
        """Count one send by what it meant for the mail."""
        field = {Verdict.SENT: "sent", Verdict.FAILED: "failed", Verdict.RETRY_LATER: "retry_later",
                 Verdict.UNCERTAIN: "uncertain"}[verdict]
        setattr(self, field, getattr(self, field) + 1)


@dataclass(frozen=True)
class Prepared:
    """A claimed mail, built before sending so that recording its outcome never reloads the row."""

    id: int
    attempts: int
    next_attempt_at: datetime
    message: Message


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed mail: the changes to its row, written with the claim of the next mail."""

    mail_id: int
    changes: dict[str, object]


STATUS_AFTER = {Verdict.SENT: MailStatus.SENT, Verdict.FAILED: MailStatus.FAILED,
                Verdict.RETRY_LATER: MailStatus.PENDING, Verdict.UNCERTAIN: MailStatus.UNCERTAIN}


def outcome_of(mail: Prepared, delivery: Delivery, now: datetime, report: SendReport) -> Outcome:
    """What one send means for the mail; a retry backs off exponentially from this round's time, and after the last
    attempt the mail is failed."""
    config, verdict = current_app.config, delivery.verdict
    if verdict == Verdict.RETRY_LATER and mail.attempts + 1 >= config["MAIL_MAX_ATTEMPTS"]:
        verdict = Verdict.FAILED
    report.count(verdict)
    changes: dict[str, object] = {"status": STATUS_AFTER[verdict], "last_error": delivery.error,
                                  "attempts": mail.attempts + 1, "claimed_by": None}
    if verdict == Verdict.SENT:
        changes["sent_at"] = utcnow()
    elif verdict == Verdict.RETRY_LATER:
        changes["next_attempt_at"] = now + timedelta(seconds=config["MAIL_RETRY_SECONDS"] * 2 ** mail.attempts)
    return Outcome(mail.id, changes)


def due(now: datetime) -> list[int]:
    """The ids of mails due by `now`, oldest due first: read ahead, not claimed."""
    return list(db.session.scalars(
        select(OutboxMail.id).where(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)
        .order_by(OutboxMail.due_at, OutboxMail.id).limit(current_app.config["MAIL_READ_AHEAD"])))


# Candidates looked at per claim: the first is nearly always free; a short list keeps the query cheap.
CLAIM_WINDOW = 10


def advance(worker: str, outcome: Outcome | None, candidates: list[int], now: datetime,
            report: SendReport) -> Prepared | None:
    """One unit of work per mail: write the previous mail's outcome, then claim the first of `candidates` that is
    still due, withdrawing on the way those no longer wanted. Candidates passed over are removed from the list;
    None when none is left to claim."""
    with write():
        _write(worker, outcome)
        while candidates:
            row = _claim_first(worker, candidates[:CLAIM_WINDOW], now)
            if row is None:
                del candidates[:CLAIM_WINDOW]
                continue
            del candidates[:candidates.index(row.id) + 1]
            # An evaluation answered since the reminder was written, a registration cancelled, and the like.
            unwanted = "" if mails.still_wanted(row) else "no longer needed"
            try:
                unwanted = unwanted or (mails.render_due(row) if row.render_when_due else "")
            except mails.RenderFailed as error:
                row.status, row.claimed_by, row.last_error = MailStatus.FAILED, None, str(error)
                report.failed += 1
                continue
            if not unwanted:
                return Prepared(row.id, row.attempts, row.next_attempt_at, build_message(row))
            row.status, row.claimed_by, row.last_error = MailStatus.CANCELLED, None, unwanted
            report.withdrawn += 1
    return None


def _claim_first(worker: str, candidates: list[int], now: datetime) -> OutboxMail | None:
    first = (select(OutboxMail.id)
             .where(OutboxMail.id.in_(candidates), OutboxMail.status == MailStatus.PENDING,
                    OutboxMail.next_attempt_at <= now)
             .order_by(OutboxMail.due_at, OutboxMail.id).limit(1).with_for_update(skip_locked=True))
    # One statement (UPDATE ... RETURNING) rather than a SELECT and an UPDATE: it runs once per mail.
    return db.session.scalar(
        update(OutboxMail).where(OutboxMail.id == first.scalar_subquery())
        .values(status=MailStatus.SENDING, claimed_by=worker, claimed_at=utcnow()).returning(OutboxMail),
        execution_options={"populate_existing": True})


def _write(worker: str, outcome: Outcome | None) -> None:
    if outcome is None:
        return
    written = db.session.execute(
        update(OutboxMail).where(OutboxMail.id == outcome.mail_id, OutboxMail.status == MailStatus.SENDING,
                                 OutboxMail.claimed_by == worker)
        .values(**outcome.changes).execution_options(synchronize_session=False)).rowcount
    if not written:
        log.warning("mail %s: outcome %s not recorded: the mail is no longer this worker's (recorded before the "
                    "database went away, or marked uncertain while this worker was presumed dead)",
                    outcome.mail_id, outcome.changes["status"])


def settle(worker: str, outcome: Outcome | None) -> None:
    """Before a round: write the outcome that the database missed while it was away, and give back any other mail
    still claimed by this worker. That one was never handed to the server: the worker sends only after its claim
    is committed, so it is a claim whose commit reached the database while its answer did not reach the worker."""
    with write():
        _write(worker, outcome)
        db.session.execute(update(OutboxMail)
                           .where(OutboxMail.status == MailStatus.SENDING, OutboxMail.claimed_by == worker)
                           .values(status=MailStatus.PENDING, claimed_by=None)
                           .execution_options(synchronize_session=False))


def sweep_orphans(worker: str) -> int:
    """A mail left `sending` by a worker that stopped beating (killed while sending) may have arrived: mark it
    uncertain, never send it again on its own. A claim younger than WORKER_DEAD_SECONDS is never taken, so that a
    worker whose first beat is still on its way is not given up for dead."""
    dead_before = workers.dead_before()
    with write():
        result = db.session.execute(
            update(OutboxMail).where(
                OutboxMail.status == MailStatus.SENDING,
                func.coalesce(OutboxMail.claimed_at, OutboxMail.created_at) < dead_before,
                or_(OutboxMail.claimed_by.is_(None),
                    and_(OutboxMail.claimed_by != worker, ~workers.alive_clause(OutboxMail.claimed_by))))
            .values(status=MailStatus.UNCERTAIN, claimed_by=None,
                    last_error="the worker stopped while sending it: it may have arrived; check, then send it "
                               "again or mark it sent")
            .execution_options(synchronize_session=False))
    return result.rowcount


def backlog() -> int:
    """Mails waiting to be sent now."""
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= utcnow())) or 0
