"""What organisers do with the outbox: find mails, then send them again, mark them sent, withdraw, put back, release.

An action runs on a list of mail ids the organiser confirmed, as one unit of work: it locks those rows, looks at
each one's status again and acts only on those the action still applies to. A row the worker or another organiser
changed in between is skipped and counted, never acted on.
"""

import enum
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import defer

from speeddate.database import write
from speeddate.extensions import db
from speeddate.mail import kinds
from speeddate.mail import services as mails
from speeddate.models import Event, MailStatus, OutboxMail, Partner, RegistrationStatus
from speeddate.models.base import utcnow

# Ids per IN (...): well below SQLite's and PostgreSQL's limits on parameters, whatever the selection.
CHUNK = 500


class Action(enum.StrEnum):
    SEND_AGAIN = "send_again"  # queue it as new, to go now
    MARK_SENT = "mark_sent"  # the organiser checked that a mail in doubt arrived
    WITHDRAW = "withdraw"  # never send it (a failed one: nobody is to retry it)
    PUT_BACK = "put_back"  # undo a withdrawal: it goes at its own time
    RELEASE = "release"  # let a mail held after a restore go


APPLIES_TO = {
    Action.SEND_AGAIN: {MailStatus.FAILED, MailStatus.UNCERTAIN, MailStatus.CANCELLED, MailStatus.WITHDRAWN},
    Action.MARK_SENT: {MailStatus.UNCERTAIN},
    Action.WITHDRAW: {MailStatus.PENDING, MailStatus.HELD, MailStatus.FAILED},
    Action.PUT_BACK: {MailStatus.WITHDRAWN},
    Action.RELEASE: {MailStatus.HELD},
}
MAILS_PEOPLE = {Action.SEND_AGAIN, Action.PUT_BACK, Action.RELEASE}


class Refusal(enum.StrEnum):
    """Why an action leaves a mail alone."""

    STATUS = "status"  # the action does not apply to a mail in this status
    EMPTIED = "emptied"  # an erasure blanked it: it would reach nobody, or somebody without the text
    PAST = "past"  # put back too late: its time (or its event) has passed


@dataclass(frozen=True)
class MailFilter:
    """What the organiser looks for in the outbox; empty fields do not filter."""

    event_id: int | None = None
    person: str = ""
    kind: str = ""
    status: MailStatus | None = None

    def conditions(self, with_status: bool = True) -> list:
        """WHERE clauses for this filter (without the status one, for counts per status)."""
        clauses: list = []
        if self.event_id is not None:
            clauses.append(OutboxMail.event_id == self.event_id)
        if self.person:
            named = select(Partner.id).where((Partner.first_name + " " + Partner.last_name)
                                             .icontains(self.person, autoescape=True))
            clauses.append(or_(OutboxMail.recipient.icontains(self.person, autoescape=True),
                               OutboxMail.partner_id.in_(named)))
        if self.kind:
            clauses.append(OutboxMail.kind == self.kind)
        if with_status and self.status is not None:
            clauses.append(OutboxMail.status == self.status)
        return clauses


def page(wanted: MailFilter, number: int, size: int, now: datetime | None = None) -> list[OutboxMail]:
    """One page of the mails that match: those due now or before, latest first, then those scheduled for later,
    soonest first (a follow-up due in six months is not what a coordinator opens the outbox for).

    Two queries, each in the order of the due-time index, rather than one sorted on a computed key: with a hundred
    thousand mails the latter read and sorted them all for every page."""
    now, offset = now or utcnow(), (number - 1) * size
    base = select(OutboxMail).where(*wanted.conditions())
    rows = list(db.session.scalars(base.where(OutboxMail.due_at <= now).order_by(
        OutboxMail.due_at.desc(), OutboxMail.id.desc()).limit(size).offset(offset)))
    if len(rows) == size:
        return rows
    # The page ends the mails due by now (or lies beyond them): the rest comes from those scheduled for later.
    due_by_now = offset + len(rows) if rows else db.session.scalar(
        select(func.count()).select_from(OutboxMail).where(*wanted.conditions(), OutboxMail.due_at <= now)) or 0
    rows += db.session.scalars(base.where(OutboxMail.due_at > now).order_by(OutboxMail.due_at, OutboxMail.id)
                               .limit(size - len(rows)).offset(max(offset - due_by_now, 0)))
    return rows


def total(wanted: MailFilter, counts: dict[MailStatus, int]) -> int:
    """How many mails match, from the counts per status of the same filter (no second pass over the outbox)."""
    return counts.get(wanted.status, 0) if wanted.status is not None else sum(counts.values())


def counts_by_status(wanted: MailFilter) -> dict[MailStatus, int]:
    """How many mails match the filter's event, person and kind, per status."""
    rows = db.session.execute(select(OutboxMail.status, func.count()).where(*wanted.conditions(with_status=False))
                              .group_by(OutboxMail.status))
    return {MailStatus(status): number for status, number in rows}


def matching_ids(wanted: MailFilter) -> list[int]:
    """The ids of every mail that matches, for an action on all of them."""
    return list(db.session.scalars(select(OutboxMail.id).where(*wanted.conditions()).order_by(OutboxMail.id)))


def events_with_mail() -> list[Event]:
    """The events that have mails in the outbox, latest first."""
    with_mail = select(OutboxMail.event_id).where(OutboxMail.event_id.is_not(None)).distinct()
    return list(db.session.scalars(select(Event).where(Event.id.in_(with_mail))
                                   .order_by(Event.starts_at.desc(), Event.id.desc())))


def kinds_in_outbox() -> list[str]:
    """The kinds of the mails in the outbox."""
    return list(db.session.scalars(select(OutboxMail.kind).distinct().order_by(OutboxMail.kind)))


def still_due(row: OutboxMail, now: datetime) -> bool:
    """Whether a withdrawn mail may be put back: a scheduled one (a reminder...) while its time, as its kind
    computes it for the registration today, is to come; another one while its event has not begun."""
    kind = kinds.find(row.kind)
    if kind is not None and kind.due_at is not None:
        registration = row.registration
        if registration is None or registration.status != RegistrationStatus.CONFIRMED:
            return False
        due = kind.due_at(registration)
        return due is not None and due > now
    return row.event is None or row.event.starts_at > now


def refusal(action: Action, row: OutboxMail, now: datetime) -> Refusal | None:
    """Why the action leaves this mail alone, or None when it applies."""
    if row.status not in APPLIES_TO[action]:
        return Refusal.STATUS
    if action in MAILS_PEOPLE and not row.body_text and not (row.render_when_due and row.subject):
        # Blank and not to be rendered when due (an erasure blanks the subject too): nothing left to send.
        return Refusal.EMPTIED
    if action == Action.PUT_BACK and not still_due(row, now):
        return Refusal.PAST
    return None


@dataclass
class Plan:
    """What an action would do to a selection, for the organiser to confirm."""

    action: Action
    ids: list[int] = field(default_factory=list)  # the mails it would act on
    by_kind: Counter[str] = field(default_factory=Counter)
    by_status: Counter[MailStatus] = field(default_factory=Counter)
    recipients: set[str] = field(default_factory=set)
    in_doubt: int = 0  # among them, mails that may have arrived already
    left_alone: Counter[Refusal] = field(default_factory=Counter)

    @property
    def people(self) -> int:
        return len(self.recipients)


def plan(action: Action, ids: Iterable[int]) -> Plan:
    """What the action would do to these mails now; unknown ids are left out."""
    now, planned = utcnow(), Plan(action)
    for row in _rows(ids):
        reason = refusal(action, row, now)
        if reason is not None:
            planned.left_alone[reason] += 1
            continue
        planned.ids.append(row.id)
        planned.by_kind[row.kind] += 1
        planned.by_status[row.status] += 1
        planned.recipients.add(row.recipient)
        planned.in_doubt += row.status == MailStatus.UNCERTAIN
    return planned


@dataclass(frozen=True)
class Outcome:
    """What an action did: `done` mails acted on, `skipped` ones that had changed (or were gone) meanwhile."""

    done: int
    skipped: int


def apply(action: Action, ids: Iterable[int]) -> Outcome:
    """Act on the confirmed mails in one unit of work; rows that no longer qualify are skipped and counted."""
    wanted = set(ids)
    with write():
        now = utcnow()
        # Only rows the action may apply to are locked: never one a worker holds while sending (that could
        # deadlock with its outcome write); on PostgreSQL a row claimed meanwhile drops out once its lock is free.
        candidates = _rows(wanted, lock=True, statuses=APPLIES_TO[action])
        acting = [row for row in candidates if refusal(action, row, now) is None]
        for row in acting:
            ACT[action](row, now)
    return Outcome(done=len(acting), skipped=len(wanted) - len(acting))


def retry(mail_id: int) -> bool:
    """Send one mail again; False when it cannot be (sent, waiting, or emptied by an erasure)."""
    return apply(Action.SEND_AGAIN, [mail_id]).done == 1


def _rows(ids: Iterable[int], lock: bool = False, statuses: set[MailStatus] | None = None) -> Iterator[OutboxMail]:
    """The mails with these ids (in these statuses), in id order, read afresh (and locked until the unit of work
    ends)."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        query = (select(OutboxMail).options(defer(OutboxMail.body_html), defer(OutboxMail.ics))
                 .where(OutboxMail.id.in_(chunk)).order_by(OutboxMail.id)
                 .execution_options(populate_existing=True))
        if statuses is not None:
            query = query.where(OutboxMail.status.in_(statuses))
        yield from db.session.scalars(query.with_for_update(of=OutboxMail) if lock else query)


def _send_again(row: OutboxMail, now: datetime) -> None:
    row.status, row.attempts, row.next_attempt_at, row.claimed_by = MailStatus.PENDING, 0, now, None


def _mark_sent(row: OutboxMail, now: datetime) -> None:
    # The error stays: it tells later readers why this mail was in doubt.
    row.status, row.claimed_by, row.sent_at = MailStatus.SENT, None, row.sent_at or now


def _withdraw(row: OutboxMail, now: datetime) -> None:
    row.status, row.claimed_by = MailStatus.WITHDRAWN, None


def _put_back(row: OutboxMail, now: datetime) -> None:
    row.status, row.claimed_by = MailStatus.PENDING, None
    kind = kinds.find(row.kind)
    if kind is not None and kind.due_at is not None and row.registration is not None:
        # The event may have moved while the mail was withdrawn: its time and text follow, as for waiting mails.
        mails.schedule(row.registration)


def _release(row: OutboxMail, now: datetime) -> None:
    row.status, row.claimed_by = MailStatus.PENDING, None


ACT = {Action.SEND_AGAIN: _send_again, Action.MARK_SENT: _mark_sent, Action.WITHDRAW: _withdraw,
       Action.PUT_BACK: _put_back, Action.RELEASE: _release}
