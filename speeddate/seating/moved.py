"""Who a change of a published plan moves, and the mail that tells exactly those people their new seat.

A published plan changes by a new plan row (a swap, a re-plan, a regenerated plan published): the row's id is the
plan's version. "Moved" compares with the seat a person knows: the one they were last told, so a person moved by an
earlier change whose mail was never sent still counts as moved, and one swapped back onto the seat they know does
not. The mail goes through the outbox, once per plan version and person.
"""

import json
from dataclasses import dataclass

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from speeddate import solver
from speeddate.database import write
from speeddate.events.places import lock_event
from speeddate.extensions import db
from speeddate.mail import kinds
from speeddate.mail import services as mails
from speeddate.mail.kinds import MailKind
from speeddate.models import Event, OutboxMail, PlanStatus, Registration, RegistrationStatus, SeatingPlan
from speeddate.models.base import utcnow
from speeddate.seating import seats
from speeddate.seating.errors import SeatingError


def _seat_known_before(registration: Registration) -> dict[str, object]:
    """The seat the recipient knew before the published plan moved them (the new one is the mail's `seat`).

    Worked out from the plan, not handed over by the sender, so that the mail reads the same whenever it is
    rendered."""
    row = seats.published_plan(registration.event_id)
    if row is None:
        return {"before": None}
    # Who a published plan moved, and from where, no longer changes: worked out once per plan and app context,
    # not once per mail (a fresh plan of 100 people would otherwise take seconds to mail).
    cache = g.setdefault("seat_moved_before", {})
    if row.id not in cache:
        cache[row.id] = {m.registration.id: m.before for m in moves(row)}
    return {"before": cache[row.id].get(registration.id)}


SEAT_MOVED = MailKind("seat_moved", _l("Your seat at %(title)s has changed"), context=_seat_known_before)


def register_mail_kinds() -> None:
    """Tell the mail area about the moved-seat mail (seating's blueprint does, when it is registered)."""
    kinds.register(SEAT_MOVED)


def mail_key(plan_id: int, registration_id: int) -> str:
    """One moved-seat mail per plan version and person."""
    return f"{SEAT_MOVED.name}:{plan_id}:{registration_id}"


def previous_published(row: SeatingPlan) -> SeatingPlan | None:
    """The plan participants saw before this one: for a published or replaced plan the one it replaced, for a
    draft the plan published now."""
    if row.published_at is None:
        published = seats.published_plan(row.event_id)
        return published if published is not None and published.id != row.id else None
    earlier = or_(SeatingPlan.published_at < row.published_at,
                  and_(SeatingPlan.published_at == row.published_at, SeatingPlan.id < row.id))
    return db.session.scalar(select(SeatingPlan).where(SeatingPlan.event_id == row.event_id, earlier)
                             .order_by(SeatingPlan.published_at.desc(), SeatingPlan.id.desc()))


def next_published(row: SeatingPlan) -> SeatingPlan | None:
    """The plan that replaced this published one, if any."""
    if row.published_at is None or row.status != PlanStatus.SUPERSEDED:
        return None
    # Ties on the clock (a frozen one in tests) are broken by the id: versions are made in order.
    later = or_(SeatingPlan.published_at > row.published_at,
                and_(SeatingPlan.published_at == row.published_at, SeatingPlan.id > row.id))
    return db.session.scalar(select(SeatingPlan).where(SeatingPlan.event_id == row.event_id, later)
                             .order_by(SeatingPlan.published_at, SeatingPlan.id))


def _mailed(plan_id: int) -> set[int]:
    prefix = f"{SEAT_MOVED.name}:{plan_id}:"
    keys = db.session.scalars(select(OutboxMail.idempotency_key).where(OutboxMail.idempotency_key.like(f"{prefix}%")))
    return {int(key.removeprefix(prefix)) for key in keys}


def known_seats(row: SeatingPlan, depth: int = 0) -> dict[str, seats.Seat]:
    """The seat each person of a published plan knows: theirs in it, or, for someone it moved who was not mailed,
    the seat they knew before it."""
    known = seats.seats(seats.plan_of(row))
    untold = set(json.loads(row.moved_ids)) - _mailed(row.id)
    before = previous_published(row) if untold and depth < 50 else None
    if before is not None:
        earlier = known_seats(before, depth + 1)
        known.update({str(i): earlier[str(i)] for i in untold if str(i) in earlier})
    return known


def moved_ids(before: SeatingPlan | None, plan: solver.Plan) -> list[int]:
    """People in `plan` who sit elsewhere than the seat they know from the published plan `before`."""
    if before is None:
        return []
    known, now = known_seats(before), seats.seats(plan)
    return sorted(int(person) for person, seat in now.items() if person in known and known[person] != seat)


@dataclass(frozen=True)
class Move:
    """One person moved by a plan: the seat they knew, the seat they get."""

    registration: Registration
    before: seats.Seat
    after: seats.Seat

    @property
    def mailable(self) -> bool:
        """Still coming, with an address, and not erased: their new seat can be mailed."""
        partner = self.registration.partner
        return (self.registration.status == RegistrationStatus.CONFIRMED and bool(partner.email)
                and partner.erased_at is None)


def moves(row: SeatingPlan) -> list[Move]:
    """Who this plan moves off the seat they know, by name (for a draft: who publishing it would move)."""
    before = previous_published(row)
    if before is None:
        return []
    known, now = known_seats(before), seats.seats(seats.plan_of(row))
    ids = set(json.loads(row.moved_ids)) if row.published_at else set(moved_ids(before, seats.plan_of(row)))
    found = [Move(r, known[str(r.id)], now[str(r.id)]) for r in seats.plan_registrations(row)
             if r.id in ids and str(r.id) in known and str(r.id) in now]
    return sorted(found, key=lambda m: (m.registration.partner.last_name.lower(),
                                        m.registration.partner.first_name.lower()))


@dataclass(frozen=True)
class MovedMails:
    """What "mail the moved people" would do, for the page that asks first."""

    refusal: str | None
    to_send: list[Move]
    already: int
    unreachable: list[Move]
    preview: OutboxMail | None


def _refusal(event: Event, row: SeatingPlan) -> object | None:
    if row.status == PlanStatus.DRAFT:
        return _l("This plan is a draft: publish it first, then mail the people it moves.")
    if row.status != PlanStatus.PUBLISHED:
        return _l("This plan has been replaced: mail the people the current plan moves.")
    if event.ends_at <= utcnow():
        return _l("The event is over: a new seat is no use any more.")
    return None


def moved_mails(row: SeatingPlan) -> MovedMails:
    """Who would get their new seat by mail now, who has it already, who cannot be mailed; writes nothing."""
    event = db.session.get_one(Event, row.event_id)
    refusal, found = _refusal(event, row), moves(row)
    sent = _mailed(row.id)
    waiting = [m for m in found if m.mailable and m.registration.id not in sent]
    preview = None
    if refusal is None and waiting:
        first = waiting[0]
        preview = mails.preview(SEAT_MOVED.name, first.registration)
    return MovedMails(None if refusal is None else str(refusal), waiting,
                      sum(1 for m in found if m.registration.id in sent),
                      [m for m in found if not m.mailable and m.registration.id not in sent], preview)


@dataclass(frozen=True)
class MovedSent:
    """What sending did: mails put in the outbox now, and moved people whose mail was there already."""

    queued: int
    already: int


def send_moved_mails(event_id: int, plan_id: int) -> MovedSent:
    """Put a mail with the new seat in the outbox for each person the published plan moved; a second call adds
    none. Refused (SeatingError) for a draft, a replaced plan, or once the event is over."""
    with write():
        # Two organisers pressing together: the second waits here, then finds the first one's mails.
        event = lock_event(event_id)
        row = db.session.get(SeatingPlan, plan_id)
        if row is None or row.event_id != event.id:
            raise SeatingError(_l("This plan has been replaced: mail the people the current plan moves."))
        refusal = _refusal(event, row)
        if refusal is not None:
            raise SeatingError(refusal)
        found, sent = moves(row), _mailed(row.id)
        fresh = [m for m in found if m.mailable and m.registration.id not in sent]
        for move in fresh:
            mails.enqueue(SEAT_MOVED.name, move.registration, key=mail_key(row.id, move.registration.id))
        return MovedSent(queued=len(fresh), already=sum(1 for m in found if m.registration.id in sent))
