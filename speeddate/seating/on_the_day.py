"""The day itself: the check-in list, walk-ins at the door, and the round timer."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from speeddate import tokens
from speeddate.database import write
from speeddate.events import places
from speeddate.extensions import db
from speeddate.mail import services as mails
from speeddate.models import Event, Partner, Registration, RegistrationStatus, SeatingSettings
from speeddate.models.base import utcnow
from speeddate.models.partners import normalise_email
from speeddate.partners import services as partners
from speeddate.seating.constraints import confirmed_registrations, settings_of


def checkin_list(event_id: int, query: str = "") -> list[Registration]:
    """Confirmed people whose name or organisation contains the query, by last name."""
    words = query.lower().split()

    def matches(registration: Registration) -> bool:
        partner = registration.partner
        text = f"{partner.first_name} {partner.last_name} {partner.organisation.name if partner.organisation else ''}"
        return all(word in text.lower() for word in words)

    people = [r for r in confirmed_registrations(event_id) if matches(r)]
    return sorted(people, key=lambda r: (r.partner.last_name.lower(), r.partner.first_name.lower()))


class RoomFull(Exception):
    """Every place is taken and the organiser did not agree to one more than planned."""


def add_walk_in(event_id: int, email: str | None, details: partners.PartnerDetails,
                over_capacity: bool = False) -> Registration:
    """Someone who turns up unregistered: a place, checked in. When every place is taken the capacity grows by
    one only if the organiser said so (`over_capacity`), else RoomFull and nothing changes.

    Without an email the walk-in is a new partner with no address: nobody can tell which directory record they
    are, and the directory's merge joins the two records once an organiser knows."""
    address = normalise_email(email) if email else None
    with write():
        event = places.lock_event(event_id)
        partner = db.session.scalar(select(Partner).where(Partner.email == address)) if address else None
        registration = partners.active_registration(event, partner) if partner else None
        needs_place = registration is None or registration.status != RegistrationStatus.CONFIRMED
        if needs_place and event.free_places < 1:
            if not over_capacity:
                raise RoomFull
            event.capacity += 1
            db.session.flush()
        if partner is None:
            # The organiser checks them in, in person: an address they give at the door is theirs.
            partner = Partner(email=address, email_confirmed_at=utcnow() if address else None)
            partners.apply_details(partner, details)
            db.session.add(partner)
        if needs_place:
            registration = registration or Registration(event=event, partner=partner, token=tokens.new_token())
            places.confirm(registration, event)
            db.session.add(registration)
        assert registration is not None
        registration.attended = True
        db.session.flush()
        # Like anyone registered: the evaluation after the event, the follow-up months later (nothing now).
        mails.schedule(registration)
    return registration


@dataclass(frozen=True)
class TimerState:
    """Where the round timer is: round n of R, talking or switching, seconds left, paused."""

    started: bool
    paused: bool
    round: int
    rounds: int
    phase: str  # "talk", "switch" or "done"
    seconds_left: int
    round_seconds: int
    switch_seconds: int

    def controls(self) -> tuple[str, ...]:
        """The buttons that make sense now, so that the projector never offers to start a round already running."""
        if not self.started:
            return ("start",)
        if self.phase == "done":
            return ("restart", "reset")
        going_on = ("next",) if self.round < self.rounds else ()
        return ("resume" if self.paused else "pause", *going_on, "reset")


def timer_state(settings: SeatingSettings) -> TimerState:
    """Derived from the stored start time, so a reload (or a second screen) shows the same clock."""
    talk, switch = settings.minutes_per_round * 60, settings.switch_minutes * 60
    if settings.timer_started_at is None:
        return TimerState(False, False, 1, settings.rounds, "talk", talk, talk, switch)
    now = settings.timer_paused_at or utcnow()
    elapsed = max(0, int((now - settings.timer_started_at).total_seconds()))
    index, into = divmod(elapsed, talk + switch)
    if index >= settings.rounds or (index == settings.rounds - 1 and into >= talk):
        return TimerState(True, settings.timer_paused_at is not None, settings.rounds, settings.rounds, "done", 0,
                          talk, switch)
    phase, left = ("talk", talk - into) if into < talk else ("switch", talk + switch - into)
    return TimerState(True, settings.timer_paused_at is not None, index + 1, settings.rounds, phase, left, talk,
                      switch)


def timer_action(event_id: int, action: str) -> TimerState:
    """Start (or restart), pause, resume, skip to the next round, or reset the round timer."""
    with write():
        event = db.session.get_one(Event, event_id)
        settings = settings_of(event)
        now = utcnow()
        if action in ("start", "restart"):
            settings.timer_started_at, settings.timer_paused_at = now, None
        elif action == "pause" and settings.timer_started_at and not settings.timer_paused_at:
            settings.timer_paused_at = now
        elif action == "resume" and settings.timer_started_at and settings.timer_paused_at:
            settings.timer_started_at += now - settings.timer_paused_at
            settings.timer_paused_at = None
        elif action == "next" and (state := timer_state(settings)).started and "next" in state.controls():
            # The next round starts now (or, while paused, where the clock stands still).
            one_round = timedelta(seconds=state.round_seconds + state.switch_seconds)
            settings.timer_started_at = (settings.timer_paused_at or now) - state.round * one_round
        elif action == "reset":
            settings.timer_started_at = settings.timer_paused_at = None
        db.session.add(settings)
    return timer_state(settings)
