"""What needs an organiser's attention: the start page of the back office, read in a few grouped queries.

It composes several areas (events, seating, surveys, the outbox) and writes nothing. Each list is read with one
query for all events, never one per event, so the page costs the same with five events or fifty.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.i18n import shift_local, to_local, to_utc
from speeddate.models import (
    EvaluationResponse,
    Event,
    EventStatus,
    EventType,
    MailStatus,
    OutboxMail,
    PlanStatus,
    Registration,
    RegistrationStatus,
    SeatingPlan,
)
from speeddate.models.base import utcnow
from speeddate.surveys.mails import SurveyMail
from speeddate.surveys.windows import evaluation_closes_at

# Mails an organiser has to look at: the worker gave up, the outcome is unknown, or they wait for a release.
MAILS_NEEDING_A_LOOK = (MailStatus.FAILED, MailStatus.UNCERTAIN, MailStatus.HELD)
CLOSING_SOON = timedelta(days=7)
THIS_WEEK_DAYS = 7
RUNNING = (EventStatus.PUBLISHED, EventStatus.CLOSED)


@dataclass(frozen=True)
class Counted:
    """An event and how many of something it has (people waiting, mails due)."""

    event: Event
    count: int


@dataclass(frozen=True)
class StalePlan:
    """A seating plan made before some people cancelled or registered."""

    event: Event
    cancelled: int
    added: int


@dataclass(frozen=True)
class OpenEvaluation:
    """An evaluation that can still be answered, with how many did and when it closes."""

    event: Event
    responses: int
    closes_at: datetime
    closing_soon: bool


@dataclass(frozen=True)
class Attention:
    """Everything on the organiser's start page."""

    waiting: list[Counted] = field(default_factory=list)
    full: list[Event] = field(default_factory=list)
    stale_plans: list[StalePlan] = field(default_factory=list)
    mails: dict[MailStatus, int] = field(default_factory=dict)
    evaluations: list[OpenEvaluation] = field(default_factory=list)
    followups: list[Counted] = field(default_factory=list)
    this_week: list[Event] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        """Whether the page has nothing to ask for."""
        return not (self.waiting or self.full or self.stale_plans or self.mails or self.evaluations
                    or self.followups or self.this_week)


def attention(now: datetime | None = None) -> Attention:
    """What needs doing now, in the zone's time."""
    now = now or utcnow()
    upcoming = list(db.session.scalars(select(Event).where(Event.status.in_(RUNNING), Event.ends_at > now)
                                       .order_by(Event.starts_at)))
    return Attention(waiting=_waiting(now), full=[e for e in upcoming if e.free_places <= 0],
                     stale_plans=_stale_plans([e for e in upcoming if e.type == EventType.SPEEDDATE]),
                     mails=_mails(), evaluations=_evaluations(now), followups=_followups(now),
                     this_week=[e for e in upcoming if e.starts_at < _days_ahead(now, THIS_WEEK_DAYS)])


def _days_ahead(now: datetime, days: int) -> datetime:
    """The start of the local day `days` days from today (so "this week" is today and the six days after)."""
    today = to_local(now).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    return to_utc(today + timedelta(days=days))


def _waiting(now: datetime) -> list[Counted]:
    rows = db.session.execute(
        select(Event, func.count(Registration.id)).join(Registration, Registration.event_id == Event.id)
        .where(Event.status.in_(RUNNING), Event.ends_at > now, Registration.status == RegistrationStatus.WAITLISTED)
        .group_by(Event.id).order_by(Event.starts_at))
    return [Counted(event, count) for event, count in rows]


def _stale_plans(events: list[Event]) -> list[StalePlan]:
    """Plans made from other people than those now confirmed (after a re-plan on the day: those present).

    The same rule as speeddate.seating.plans.staleness, read for all events at once.
    """
    by_id = {e.id: e for e in events}
    plans = db.session.scalars(select(SeatingPlan).where(SeatingPlan.event_id.in_(by_id),
                                                        SeatingPlan.status != PlanStatus.SUPERSEDED)
                               .order_by(SeatingPlan.id))
    latest = {plan.event_id: plan for plan in plans}
    confirmed: dict[int, list[tuple[int, bool]]] = {event_id: [] for event_id in latest}
    for event_id, registration_id, attended in db.session.execute(
            select(Registration.event_id, Registration.id, Registration.attended)
            .where(Registration.event_id.in_(latest), Registration.status == RegistrationStatus.CONFIRMED)):
        confirmed[event_id].append((registration_id, attended))
    stale = []
    for event_id, plan in latest.items():
        made_from = set(json.loads(plan.registration_ids))
        now = {i for i, attended in confirmed[event_id] if attended or plan.replanned_from_id is None}
        if made_from != now:
            stale.append(StalePlan(by_id[event_id], cancelled=len(made_from - now), added=len(now - made_from)))
    return sorted(stale, key=lambda s: s.event.starts_at)


def _mails() -> dict[MailStatus, int]:
    rows = db.session.execute(select(OutboxMail.status, func.count(OutboxMail.id))
                              .where(OutboxMail.status.in_(MAILS_NEEDING_A_LOOK)).group_by(OutboxMail.status))
    found: dict[MailStatus, int] = dict(rows.all())
    return {status: found[status] for status in MAILS_NEEDING_A_LOOK if found.get(status)}


def _evaluations(now: datetime) -> list[OpenEvaluation]:
    """Evaluations of ended events still open, soonest closing first."""
    longest = db.session.scalar(select(func.max(Event.evaluation_close_days))) or 0
    # One day more than the longest window: a window counts Brussels days, which a clock change makes 23 or 25 hours.
    ended = select(Event).where(Event.status.in_(RUNNING), Event.ends_at <= now,
                                Event.ends_at > now - timedelta(days=longest + 1))
    responses: dict[int, int] = dict(db.session.execute(
        select(EvaluationResponse.event_id, func.count(EvaluationResponse.id))
        .where(EvaluationResponse.event_id.in_(ended.with_only_columns(Event.id)))
        .group_by(EvaluationResponse.event_id)).all())
    found = []
    for event in db.session.scalars(ended):
        closes = evaluation_closes_at(event)
        if now < closes:
            found.append(OpenEvaluation(event, responses.get(event.id, 0), closes, closes - now <= CLOSING_SOON))
    return sorted(found, key=lambda e: e.closes_at)


def _followups(now: datetime) -> list[Counted]:
    """Follow-up surveys queued to go out this calendar month (Brussels time)."""
    month_start = to_local(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = to_utc(month_start)
    end = shift_local(start, months=1)
    rows = db.session.execute(
        select(Event, func.count(OutboxMail.id)).join(OutboxMail, OutboxMail.event_id == Event.id)
        .where(OutboxMail.kind == SurveyMail.FOLLOWUP.value, OutboxMail.due_at >= start, OutboxMail.due_at < end,
               OutboxMail.status.in_((MailStatus.PENDING, MailStatus.HELD)))
        .group_by(Event.id).order_by(Event.starts_at))
    return [Counted(event, count) for event, count in rows]

