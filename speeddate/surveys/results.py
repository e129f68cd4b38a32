"""Evaluation results for organisers: per question, the export, and the indicators' figures over many events.

An anonymous evaluation with fewer respondents than the minimum shows counts only (see counts_only).
"""

from collections import Counter
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from speeddate.exports import FileStyle
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.models import (
    Answer,
    ContactOutcome,
    EvaluationResponse,
    Event,
    FollowupResponse,
    Question,
    QuestionKind,
    Registration,
    RegistrationStatus,
)
from speeddate.participation import attendance_known
from speeddate.surveys.answers import current_values
from speeddate.surveys.followup import followup_results
from speeddate.surveys.questions import questions_for

TARGET = 3.5  # the action plan's target for the headline score


@dataclass
class QuestionResult:
    """One question's figures: respondents, mean (scores and yes/no), distribution, open answers."""

    question: Question
    n: int
    mean: float | None
    distribution: list[tuple[str, int]]
    texts: list[str]

    @property
    def yes_share(self) -> float | None:
        """For a yes/no question, the share of its respondents who said yes."""
        return self.mean if self.question.kind == QuestionKind.YES_NO else None

    def share(self, count: int) -> float | None:
        """A count of the distribution as a share of the people who answered the question (with several choices
        per person, the shares add up to more than 100 %)."""
        return count / self.n if self.n else None


@dataclass
class EvaluationResults:
    """An event's evaluation: who was asked, who answered, and each question's figures."""

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
    results = [question_result(q, per_question.get(q.id, []), len(answered_by.get(q.id, ())), language)
               for q in questions_for(event.type, include_retired=True) if q.active or q.id in per_question]
    if counts_only(event, responded):
        results = [QuestionResult(r.question, r.n, None, [], []) for r in results]
    headline = next((r for r in results if r.question.headline), None)
    return EvaluationResults(evaluation_invited(event), responded, results, headline, counts_only(event, responded))


def question_result(question: Question, values: list, respondents: int, language: str) -> QuestionResult:
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


EXPORT_HEADINGS = {"name": _l("Name"), "email": _l("Email"), "submitted_at": _l("Submitted on"),
                   "question": _l("Question"), "answers": _l("Number of answers")}


def evaluation_rows(event: Event, language: str, style: FileStyle | None = None) -> tuple[list[str],
                                                                                          list[list[object]]]:
    """One row per response, one column per question (its text in `language`); names only when the evaluation is
    not anonymous. In the machine form (no style, or a style without a language) the fixed columns keep their
    codes and yes/no answers read "yes"/"no"; otherwise both are in the style's language.

    Rows are sorted by their content (by name when named), never kept in the order people answered, and an
    anonymous export has no response ids or times: either would let an organiser match a row to a person seen
    answering. Below the minimum of an anonymous evaluation (counts_only), one row per question with its count.
    """
    words = style is not None and style.language is not None
    with force_locale(style.language if words else "en"):  # type: ignore[union-attr]
        def heading(code: str) -> str:
            return str(EXPORT_HEADINGS[code]) if words else code

        questions = questions_for(event.type, include_retired=True)
        if counts_only(event, respondents(event)):
            results = evaluation_results(event, language)
            return ([heading("question"), heading("answers")],
                    [[r.question.text(language), r.n] for r in results.questions])
        responses = db.session.scalars(select(EvaluationResponse).where(EvaluationResponse.event_id == event.id))
        columns = [] if event.evaluation_anonymous else [heading(c) for c in ("name", "email", "submitted_at")]
        columns += [q.text(language) for q in questions]
        rows = []
        for response in responses:
            values = current_values(response)
            row: list[object] = []
            if not event.evaluation_anonymous:
                partner = response.registration.partner if response.registration else None
                submitted = to_local(response.submitted_at).date()
                row += [partner.full_name if partner else "", (partner.email or "") if partner else "",
                        submitted if words else submitted.isoformat()]
            row += [answer_cell(q, values.get(q.id), language, words) for q in questions]
            rows.append(row)
        return columns, sorted(rows, key=lambda row: [str(cell) for cell in row])


def answer_cell(question: Question, value: list[int] | str | None, language: str, words: bool = False) -> object:
    if value is None or isinstance(value, str):
        return value or ""
    if question.kind == QuestionKind.SCALE:
        return value[0]
    if question.kind == QuestionKind.YES_NO:
        if words:
            return _("yes") if value[0] else _("no")
        return "yes" if value[0] else "no"
    labels = question.option_labels(language)
    return "|".join(labels[i] for i in value if i < len(labels))


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
            per_event.append({"title": event.title, "title_fr": event.text("title", "fr"),
                              "title_en": event.text("title", "en"), "mean": round(sum(headline) / len(headline), 2),
                              "responses": results.responded})
    # A pooled mean of fewer anonymous scores than the minimum would show them as well as a per-event mean.
    if 0 < anonymous_scores < current_app.config["EVALUATION_MIN_RESPONDENTS"]:
        scores = []
    followup = followup_results([event for event in events if event.followup_months])
    return {
        "response_rate": round(responded / invited, 4) if invited else None,
        "evaluation_mean": round(sum(scores) / len(scores), 2) if scores else None,
        "evaluation_per_event": per_event,
        "followup_invited": followup.invited if followup.invited else None,
        "followup_responded": followup.responded if followup.invited else None,
        "new_contact_share": round(followup.share_used, 4) if followup.share_used is not None else None,
        "referrals": followup.referrals if followup.responded else None,
        "collaborations": followup.collaborations if followup.responded else None,
    }


def _headline_scores(event: Event) -> list[int]:
    return list(db.session.scalars(
        select(Answer.number).join(EvaluationResponse).join(Question)
        .where(EvaluationResponse.event_id == event.id, Question.headline.is_(True), Answer.number.is_not(None))))


# Follow-up figures --------------------------------------------------------------------------------------------------

FOLLOWUP_LABELS = {
    "asked": _l("People asked"),
    "answered": _l("People who answered"),
    "used_contacts": _l("People who used at least one new contact"),
    "people_contacted": _l("People who got in touch with someone they met"),
    "people_referred": _l("People who referred someone to a person they met"),
    "people_collaborating": _l("People who started working with someone they met"),
    "contacts_contacted": _l("Contacts got in touch with"),
    "contacts_referred": _l("Contacts someone was referred to"),
    "contacts_collaborating": _l("Contacts now working together"),
    "contacts_not_yet": _l("Contacts not (yet) used"),
}
# What each line is counted over, as the page says it.
FOLLOWUP_TOTALS = {
    "asked": _l("people asked"), "answered": _l("people who answered"), "reported": _l("contacts reported on"),
}


@dataclass(frozen=True)
class Figure:
    """One line of figures that add up: how many of what (people or contacts) out of which total."""

    key: str
    count: int
    total: int
    base: str  # what the total counts: "asked", "answered" (people) or "reported" (contacts)

    @property
    def share(self) -> float | None:
        """The count over its total; None when the total is zero."""
        return self.count / self.total if self.total else None

    @property
    def label(self) -> str:
        """What the line counts, in the current language."""
        return str(FOLLOWUP_LABELS[self.key])

    @property
    def total_label(self) -> str:
        """What the total counts, in the current language."""
        return str(FOLLOWUP_TOTALS[self.base])


@dataclass(frozen=True)
class FollowupFigures:
    """The follow-up survey in lines that say what they count.

    People: who answered (out of those asked), who used a new contact and who has at least one contact that got as
    far as each outcome (out of the people who answered; one person can be in several lines). Contacts: every
    person met that a respondent reported on, by what became of them (out of all contacts reported on, so these
    lines add up to the total and their shares to 100 %).
    """

    asked: int
    responded: int
    people: list[Figure]
    contacts: list[Figure]
    quotes: list[str]

    @property
    def share_used(self) -> float | None:
        """The share of the people who answered that used at least one new contact."""
        return self.people[1].share if self.responded else None

    @property
    def reported(self) -> int:
        """How many contacts the respondents reported on."""
        return sum(line.count for line in self.contacts)

    @staticmethod
    def bars(lines: list[Figure]) -> list[tuple[str, int]]:
        """The lines as (label, count) for a chart."""
        return [(line.label, line.count) for line in lines]


OUTCOMES = (ContactOutcome.CONTACTED, ContactOutcome.REFERRED, ContactOutcome.COLLABORATING, ContactOutcome.NOT_YET)


def followup_figures(events: list[Event]) -> FollowupFigures:
    """The follow-up figures of the events, people and contacts apart."""
    asked = followup_results(events).invited
    responses = list(db.session.scalars(select(FollowupResponse).where(
        FollowupResponse.event_id.in_([event.id for event in events]))))
    answered = len(responses)
    contacts = Counter(contact.outcome for response in responses for contact in response.contacts)
    reported = sum(contacts.values())
    people_with = Counter(outcome for response in responses
                          for outcome in {contact.outcome for contact in response.contacts})
    people = [Figure("answered", answered, asked, "asked"),
              Figure("used_contacts", sum(r.used_contacts for r in responses), answered, "answered"),
              *(Figure(f"people_{outcome.value}", people_with[outcome], answered, "answered")
                for outcome in OUTCOMES if outcome != ContactOutcome.NOT_YET)]
    return FollowupFigures(
        asked=asked, responded=answered, people=people,
        contacts=[Figure(f"contacts_{outcome.value}", contacts[outcome], reported, "reported") for outcome in OUTCOMES],
        quotes=[response.comment for response in responses if response.comment])
