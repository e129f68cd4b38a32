"""Evaluation answers: found by a keyed hash of the personal token, saved (or replaced) in one unit of work."""

import hashlib
import hmac

from sqlalchemy import select

from speeddate import tokens
from speeddate.database import lock_one, write
from speeddate.extensions import db
from speeddate.models import Answer, EvaluationResponse, Event, Registration
from speeddate.models.base import utcnow


def respondent_key(registration: Registration) -> str:
    """A keyed hash of the personal token: finds a partner's own answers without naming them."""
    # The link secret itself with an "evaluation:" prefix, as before the keys were separated: old answers are found.
    secret = tokens.link_secret().encode()
    return hmac.new(secret, f"evaluation:{registration.token}".encode(), hashlib.sha256).hexdigest()


def response_of(registration: Registration) -> EvaluationResponse | None:
    """The registration's saved evaluation, if any."""
    return db.session.scalar(select(EvaluationResponse).where(
        EvaluationResponse.event_id == registration.event_id,
        EvaluationResponse.respondent == respondent_key(registration)))


def has_responded(registration: Registration) -> bool:
    """Whether the registration answered the evaluation (for reminders)."""
    return response_of(registration) is not None


def save_evaluation(registration_id: int, values: dict[int, list[int] | str]) -> EvaluationResponse:
    """Store (or replace) the registration's answers in one transaction; one response per registration."""
    with write():
        # The row lock makes a double submission wait for the first one and then replace its answers
        # (SQLite's BEGIN IMMEDIATE already serialises; PostgreSQL needs the lock).
        registration = lock_one(Registration, registration_id)
        response = response_of(registration)
        if response is None:
            response = EvaluationResponse(event_id=registration.event_id, respondent=respondent_key(registration))
            db.session.add(response)
        response.registration_id = None if registration.event.evaluation_anonymous else registration.id
        response.answers = [Answer(question_id=question_id, number=None if isinstance(value, str) else number,
                                   text=value if isinstance(value, str) else None)
                            for question_id, value in values.items()
                            for number in ([None] if isinstance(value, str) else value)]
        response.updated_at = utcnow()
    return response


def current_values(response: EvaluationResponse | None) -> dict[int, list[int] | str]:
    """A saved response as form values, to show when the partner comes back."""
    values: dict[int, list[int] | str] = {}
    for answer in response.answers if response else []:
        if answer.text is not None:
            values[answer.question_id] = answer.text
        else:
            values.setdefault(answer.question_id, []).append(answer.number)  # type: ignore[union-attr]
    return values


def evaluations_given(registrations: list[Registration]) -> list[Event]:
    """Events among these registrations whose evaluation the partner answered (never the answers themselves);
    never an anonymous one, whose few answers could otherwise be tied to the few who gave them."""
    return [registration.event for registration in registrations
            if not registration.event.evaluation_anonymous and has_responded(registration)]
