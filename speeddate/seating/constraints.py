"""What a plan must respect: the event's seating settings, fixed seats and pairs kept apart, and who takes part."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import (
    Event,
    Registration,
    RegistrationStatus,
    SeatingAvoidPair,
    SeatingFixedSeat,
    SeatingSettings,
)
from speeddate.seating.errors import SeatingError
from speeddate.seating.seats import WITH_PARTNER

DEFAULT_MINUTES, DEFAULT_SWITCH = 7, 1
WELCOME_MINUTES = 30  # welcome and closing words: not for rounds


def suggested_rounds(event: Event, minutes: int = DEFAULT_MINUTES, switch: int = DEFAULT_SWITCH) -> int:
    """As many rounds as fit in the event after the welcome, at `minutes` + `switch` a round."""
    duration = (event.ends_at - event.starts_at).total_seconds() / 60
    return max(1, int((duration - WELCOME_MINUTES) // (minutes + switch)))


def settings_of(event: Event) -> SeatingSettings:
    """The event's settings, or unsaved suggestions from its duration."""
    found = db.session.get(SeatingSettings, event.id)
    return found or SeatingSettings(event_id=event.id, rounds=suggested_rounds(event),
                                    minutes_per_round=DEFAULT_MINUTES, switch_minutes=DEFAULT_SWITCH,
                                    pairs_per_circle=None, keep_colleagues_apart=True)


@dataclass(frozen=True)
class SettingsData:
    rounds: int
    minutes_per_round: int
    switch_minutes: int
    pairs_per_circle: int | None
    keep_colleagues_apart: bool


def save_settings(event_id: int, data: SettingsData) -> SeatingSettings:
    """Store the seating settings of an event."""
    with write():
        event = db.session.get_one(Event, event_id)
        settings = settings_of(event)
        for name, value in data.__dict__.items():
            setattr(settings, name, value)
        db.session.add(settings)
    return settings


def _confirmed(event_id: int, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id or \
            registration.status != RegistrationStatus.CONFIRMED:
        raise SeatingError(_l("Choose someone with a confirmed place."))
    return registration


def set_fixed_seat(event_id: int, registration_id: int, side: str, seat: int, circle: int = 1) -> None:
    """Give a participant a fixed start seat (replacing an earlier one)."""
    with write():
        _confirmed(event_id, registration_id)
        taken = db.session.scalar(select(SeatingFixedSeat).where(
            SeatingFixedSeat.event_id == event_id, SeatingFixedSeat.side == side, SeatingFixedSeat.seat == seat,
            SeatingFixedSeat.circle == circle, SeatingFixedSeat.registration_id != registration_id))
        if taken is not None:
            raise SeatingError(_l("That seat is already fixed for %(name)s.",
                                  name=taken.registration.partner.full_name))
        row = db.session.get(SeatingFixedSeat, registration_id) or SeatingFixedSeat(registration_id=registration_id)
        row.event_id, row.side, row.seat, row.circle = event_id, side, seat, circle
        db.session.add(row)


def remove_fixed_seat(event_id: int, registration_id: int) -> None:
    """Let the solver choose this participant's seat again."""
    with write():
        row = db.session.get(SeatingFixedSeat, registration_id)
        if row is not None and row.event_id == event_id:
            db.session.delete(row)


def add_avoided_pair(event_id: int, first_id: int, second_id: int) -> None:
    """Two participants who must not meet."""
    if first_id == second_id:
        raise SeatingError(_l("Choose two different people."))
    first, second = sorted((first_id, second_id))
    with write():
        _confirmed(event_id, first)
        _confirmed(event_id, second)
        if db.session.get(SeatingAvoidPair, (first, second)) is None:
            db.session.add(SeatingAvoidPair(event_id=event_id, first_id=first, second_id=second))


def remove_avoided_pair(event_id: int, first_id: int, second_id: int) -> None:
    """They may meet after all."""
    with write():
        row = db.session.get(SeatingAvoidPair, (first_id, second_id))
        if row is not None and row.event_id == event_id:
            db.session.delete(row)


def fixed_seats(event_id: int) -> list[SeatingFixedSeat]:
    """The event's fixed seats."""
    return list(db.session.scalars(select(SeatingFixedSeat).where(SeatingFixedSeat.event_id == event_id)))


def avoided_pairs(event_id: int) -> list[SeatingAvoidPair]:
    """The event's pairs that must not meet."""
    return list(db.session.scalars(select(SeatingAvoidPair).where(SeatingAvoidPair.event_id == event_id)))


def confirmed_registrations(event_id: int) -> list[Registration]:
    """Confirmed registrations, by id."""
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)
        .options(*WITH_PARTNER).order_by(Registration.id)))
