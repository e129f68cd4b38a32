"""Evaluations right after an event and the follow-up survey months later: who may answer, saving, results."""

import enum
import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from speeddate import tokens
from speeddate.database import lock_one, write
from speeddate.extensions import db
from speeddate.i18n import shift_local
from speeddate.models import (
    Answer,
    ContactOutcome,
    EvaluationResponse,
    Event,
    EventType,
    FollowupContact,
    FollowupResponse,
    Question,
    QuestionKind,
    Registration,
    RegistrationStatus,
)
from speeddate.models.base import utcnow
from speeddate.participation import (
    attendance_known,
    people_met,
    shares_contacts,  # noqa: F401 (seating imports it from here, for now)
    took_part,
)

TARGET = 3.5  # the action plan's target for the headline score
TEXT_LIMIT = 2000
FOLLOWUP_OPEN_DAYS = 60


class Window(enum.StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"
    NOT_FOR_YOU = "not_for_you"


# --- who may answer, and when ---------------------------------------------------------------------------------

def evaluation_closes_at(event: Event) -> datetime:
    """The evaluation closes this many days after the end, at the same Brussels wall-clock time."""
    return shift_local(event.ends_at, days=event.evaluation_close_days)


def evaluation_window(registration: Registration, now: datetime | None = None) -> Window:
    """Whether this registration's evaluation form can be filled now."""
    now = now or utcnow()
    if not took_part(registration):
        return Window.NOT_FOR_YOU
    if now < registration.event.ends_at:
        return Window.NOT_YET
    return Window.OPEN if now < evaluation_closes_at(registration.event) else Window.CLOSED


def followup_opens_at(event: Event) -> datetime | None:
    """When the follow-up survey is sent; None when the event has none."""
    return shift_local(event.ends_at, months=event.followup_months) if event.followup_months else None


def followup_window(registration: Registration, now: datetime | None = None) -> Window:
    """Whether this registration's follow-up survey can be filled now."""
    now, opens = now or utcnow(), followup_opens_at(registration.event)
    if opens is None or not took_part(registration) or registration.partner.consent_followup_at is None:
        return Window.NOT_FOR_YOU
    if now < opens:
        return Window.NOT_YET
    return Window.OPEN if now < shift_local(opens, days=FOLLOWUP_OPEN_DAYS) else Window.CLOSED


# --- evaluation answers ---------------------------------------------------------------------------------------

def respondent_key(registration: Registration) -> str:
    """A keyed hash of the personal token: finds a partner's own answers without naming them."""
    # The link secret itself with an "evaluation:" prefix, as before the keys were separated: old answers are found.
    secret = tokens.link_secret().encode()
    return hmac.new(secret, f"evaluation:{registration.token}".encode(), hashlib.sha256).hexdigest()


def questions_for(event_type: EventType, include_retired: bool = False) -> list[Question]:
    """The evaluation questions of an event type, in order."""
    query = select(Question).where(Question.event_type == event_type)
    if not include_retired:
        query = query.where(Question.active.is_(True))
    return list(db.session.scalars(query.order_by(Question.position, Question.id)))


def response_of(registration: Registration) -> EvaluationResponse | None:
    """The registration's saved evaluation, if any."""
    return db.session.scalar(select(EvaluationResponse).where(
        EvaluationResponse.event_id == registration.event_id,
        EvaluationResponse.respondent == respondent_key(registration)))


def has_responded(registration: Registration) -> bool:
    """Whether the registration answered the evaluation (for reminders)."""
    return response_of(registration) is not None


@dataclass
class ParsedAnswers:
    values: dict[int, list[int] | str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)


def parse_answers(questions: list[Question], form) -> ParsedAnswers:
    """Check posted answers (fields q<id>) against the questions; errors say what is wrong per question."""
    parsed = ParsedAnswers()
    for question in questions:
        raw = [value.strip() for value in form.getlist(f"q{question.id}") if value.strip()]
        try:
            value = _parse_one(question, raw)
        except ValueError as error:
            parsed.errors[question.id] = str(error)
            continue
        if value in (None, [], ""):
            if question.required:
                parsed.errors[question.id] = str(_l("Please answer this question."))
            continue
        parsed.values[question.id] = value
    return parsed


def _parse_one(question: Question, raw: list[str]) -> list[int] | str | None:
    if question.kind == QuestionKind.TEXT:
        text = "\n".join(raw)
        if len(text) > TEXT_LIMIT:
            raise ValueError(_l("Please keep this under %(max)d characters.", max=TEXT_LIMIT))
        return text
    allowed = {QuestionKind.SCALE: range(1, 6), QuestionKind.YES_NO: range(0, 2)}.get(
        question.kind, range(len(question.options)))
    if len(raw) > (len(allowed) if question.kind == QuestionKind.MULTIPLE else 1):
        raise ValueError(_l("Please choose one answer."))
    numbers = []
    for value in raw:
        if not (value.isascii() and value.isdigit() and len(value) <= 4) or int(value) not in allowed:
            raise ValueError(_l("Please choose one of the answers given."))
        numbers.append(int(value))
    return sorted(set(numbers)) or None


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


# --- follow-up ------------------------------------------------------------------------------------------------

def followup_of(registration: Registration) -> FollowupResponse | None:
    """The registration's follow-up answer, if any."""
    return db.session.scalar(select(FollowupResponse).where(FollowupResponse.registration_id == registration.id))


def save_followup(registration_id: int, used_contacts: bool, outcomes: dict[int, ContactOutcome],
                  comment: str) -> FollowupResponse:
    """Store (or replace) the follow-up answer; outcomes only for people actually met."""
    with write():
        registration = lock_one(Registration, registration_id)  # a double submission waits, then replaces
        met = {other.id for other in people_met(registration)}
        response = followup_of(registration) or FollowupResponse(registration_id=registration.id,
                                                                 event_id=registration.event_id)
        db.session.add(response)
        response.used_contacts, response.comment, response.updated_at = used_contacts, comment, utcnow()
        response.contacts = [FollowupContact(met_registration_id=other, outcome=outcome)
                             for other, outcome in outcomes.items() if other in met]
    return response


# --- results --------------------------------------------------------------------------------------------------

@dataclass
class QuestionResult:
    question: Question
    n: int
    mean: float | None
    distribution: list[tuple[str, int]]
    texts: list[str]


@dataclass
class EvaluationResults:
    invited: int
    responded: int
    questions: list[QuestionResult]
    headline: QuestionResult | None
    counts_only: bool = False  # too few anonymous answers to show more than how many there are

    @property
    def response_rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.headline is None or self.headline.mean is None else self.headline.mean >= TARGET


def evaluation_invited(event: Event) -> int:
    """How many people were asked to evaluate: attendees when attendance was taken, else the confirmed."""
    confirmed = select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
    if attendance_known(event):
        confirmed = confirmed.where(Registration.attended.is_(True))
    return db.session.scalar(confirmed) or 0


def counts_only(event: Event, responded: int) -> bool:
    """Whether an evaluation may show counts only: anonymous, with fewer respondents than the minimum, whose means,
    distributions and open answers would let an organiser recognise who answered what."""
    return event.evaluation_anonymous and responded < current_app.config["EVALUATION_MIN_RESPONDENTS"]


def respondents(event: Event) -> int:
    """How many people answered the event's evaluation."""
    return db.session.scalar(select(func.count()).select_from(EvaluationResponse).where(
        EvaluationResponse.event_id == event.id)) or 0


def evaluation_results(event: Event, language: str) -> EvaluationResults:
    """Response rate and, per question, n, mean, distribution and open answers (n only, see counts_only)."""
    responded = respondents(event)
    answers = db.session.execute(select(Answer.question_id, Answer.response_id, Answer.number, Answer.text)
                                 .join(EvaluationResponse).where(EvaluationResponse.event_id == event.id)).all()
    per_question: dict[int, list] = {}
    answered_by: dict[int, set[int]] = {}
    for question_id, response_id, number, text in answers:
        per_question.setdefault(question_id, []).append(text if text is not None else number)
        answered_by.setdefault(question_id, set()).add(response_id)
    results = [_question_result(q, per_question.get(q.id, []), len(answered_by.get(q.id, ())), language)
               for q in questions_for(event.type, include_retired=True) if q.active or q.id in per_question]
    if counts_only(event, responded):
        results = [QuestionResult(r.question, r.n, None, [], []) for r in results]
    headline = next((r for r in results if r.question.headline), None)
    return EvaluationResults(evaluation_invited(event), responded, results, headline, counts_only(event, responded))


def _question_result(question: Question, values: list, respondents: int, language: str) -> QuestionResult:
    """One question's figures; n counts the people who answered it (several choices are one answer each)."""
    if question.kind == QuestionKind.TEXT:
        return QuestionResult(question, respondents, None, [], [v for v in values if v])
    labels = {QuestionKind.SCALE: [str(n) for n in range(1, 6)],
              QuestionKind.YES_NO: [str(_l("no")), str(_l("yes"))]}.get(question.kind,
                                                                        question.option_labels(language))
    counts = Counter(values)
    offset = 1 if question.kind == QuestionKind.SCALE else 0
    distribution = [(label, counts.get(index + offset, 0)) for index, label in enumerate(labels)]
    mean = sum(values) / len(values) if values and question.kind in (QuestionKind.SCALE, QuestionKind.YES_NO) \
        else None
    return QuestionResult(question, respondents, mean, distribution, [])


@dataclass
class FollowupResults:
    invited: int
    responded: int
    used_contacts: int
    contacted: int
    referrals: int
    collaborations: int
    quotes: list[str]

    @property
    def share_used(self) -> float | None:
        return self.used_contacts / self.responded if self.responded else None


def followup_results(events: list[Event]) -> FollowupResults:
    """Follow-up outcomes over one or more events."""
    ids = [event.id for event in events]
    responses = list(db.session.scalars(select(FollowupResponse).where(FollowupResponse.event_id.in_(ids))))
    outcomes = Counter(contact.outcome for response in responses for contact in response.contacts)
    invited = sum(1 for event in events if event.followup_months
                  for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id))
                  if took_part(r) and r.partner.consent_followup_at is not None)
    return FollowupResults(
        invited=invited, responded=len(responses), used_contacts=sum(r.used_contacts for r in responses),
        contacted=outcomes[ContactOutcome.CONTACTED], referrals=outcomes[ContactOutcome.REFERRED],
        collaborations=outcomes[ContactOutcome.COLLABORATING], quotes=[r.comment for r in responses if r.comment])


def evaluation_rows(event: Event, language: str) -> tuple[list[str], list[list[object]]]:
    """One row per response, one column per question; names only when the evaluation is not anonymous.

    Rows are sorted by their content (by name when named), never kept in the order people answered, and an
    anonymous export has no response ids or times: either would let an organiser match a row to a person seen
    answering. Below the minimum of an anonymous evaluation (counts_only), one row per question with its count.
    """
    questions = questions_for(event.type, include_retired=True)
    if counts_only(event, respondents(event)):
        results = evaluation_results(event, language)
        return ["question", "answers"], [[r.question.text(language), r.n] for r in results.questions]
    responses = db.session.scalars(select(EvaluationResponse).where(EvaluationResponse.event_id == event.id))
    columns = ([] if event.evaluation_anonymous else ["name", "email", "submitted_at"])
    columns += [q.text(language) for q in questions]
    rows = []
    for response in responses:
        values = current_values(response)
        row: list[object] = []
        if not event.evaluation_anonymous:
            partner = response.registration.partner if response.registration else None
            row += [partner.full_name if partner else "", partner.email if partner else "",
                    response.submitted_at.strftime("%Y-%m-%d")]
        row += [_cell(q, values.get(q.id), language) for q in questions]
        rows.append(row)
    return columns, sorted(rows, key=lambda row: [str(cell) for cell in row])


def _cell(question: Question, value: list[int] | str | None, language: str) -> object:
    if value is None or isinstance(value, str):
        return value or ""
    if question.kind == QuestionKind.SCALE:
        return value[0]
    if question.kind == QuestionKind.YES_NO:
        return "yes" if value[0] else "no"
    labels = question.option_labels(language)
    return "|".join(labels[i] for i in value if i < len(labels))


def evaluation_reminder_at(event: Event) -> datetime:
    """When non-responders get their one reminder."""
    return shift_local(event.ends_at, days=event.evaluation_reminder_days)


def evaluation_invitation_at(event: Event) -> datetime:
    """When the evaluation invitation goes out: shortly after the end."""
    return event.ends_at + timedelta(minutes=current_app.config["MAIL_EVALUATION_MINUTES_AFTER"])


def evaluation_figures(events: list[Event]) -> dict[str, object]:
    """The indicators' evaluation and follow-up figures over a set of events (one key each).

    response_rate and evaluation_mean pool every invited person and every headline answer; events without
    answers count for the rate only.
    """
    invited = responded = 0
    scores: list[int] = []
    per_event = []
    anonymous_scores = 0
    for event in events:
        results = evaluation_results(event, "nl")
        invited, responded = invited + results.invited, responded + results.responded
        headline = _headline_scores(event)
        scores += headline
        anonymous_scores += len(headline) if event.evaluation_anonymous else 0
        if headline and not results.counts_only:
            per_event.append({"title": event.title, "mean": round(sum(headline) / len(headline), 2),
                              "responses": results.responded})
    # A pooled mean of fewer anonymous scores than the minimum would show them as well as a per-event mean.
    if 0 < anonymous_scores < current_app.config["EVALUATION_MIN_RESPONDENTS"]:
        scores = []
    followup = followup_results([event for event in events if event.followup_months])
    return {
        "response_rate": round(responded / invited, 4) if invited else None,
        "evaluation_mean": round(sum(scores) / len(scores), 2) if scores else None,
        "evaluation_per_event": per_event,
        "new_contact_share": round(followup.share_used, 4) if followup.share_used is not None else None,
        "referrals": followup.referrals if followup.responded else None,
        "collaborations": followup.collaborations if followup.responded else None,
    }


def _headline_scores(event: Event) -> list[int]:
    return list(db.session.scalars(
        select(Answer.number).join(EvaluationResponse).join(Question)
        .where(EvaluationResponse.event_id == event.id, Question.headline.is_(True), Answer.number.is_not(None))))


def evaluations_given(registrations: list[Registration]) -> list[Event]:
    """Events among these registrations whose evaluation the partner answered (never the answers themselves);
    never an anonymous one, whose few answers could otherwise be tied to the few who gave them."""
    return [registration.event for registration in registrations
            if not registration.event.evaluation_anonymous and has_responded(registration)]
