"""Partner surveys: a survey of a selection of the directory outside any event (the action plan's broad survey).

The evaluation's engine, applied to partners instead of registrations: the same kinds of question and form
checks (surveys.forms), answers stored the same way (a keyed hash of the personal token finds a partner's own
answers; an anonymous survey stores no partner), the same results and export code (surveys.results).

Who gets it: partners who agreed to the zone's invitations with a confirmed address, never one without an address
or erased, filtered by gemeente, sector and cluster (the invitations' rule, speeddate.mail.invitations). Sending
again reaches only partners who match and have not had it yet. A reminder round goes to those who have not
answered; for an anonymous survey to every recipient who still consents, so that the outbox does not tell who
answered.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, Signer
from sqlalchemy import exists, func, select

from speeddate import tokens
from speeddate.database import lock_one, write
from speeddate.extensions import db
from speeddate.mail.invitations import Audience, matching, reachable
from speeddate.models import (
    OutboxMail,
    Partner,
    PartnerSurvey,
    PartnerSurveyAnswer,
    PartnerSurveyQuestion,
    PartnerSurveyRecipient,
    PartnerSurveyResponse,
    QuestionKind,
)
from speeddate.models.base import utcnow
from speeddate.surveys import partner_mails
from speeddate.surveys.answers import current_values
from speeddate.surveys.results import QuestionResult, answer_cell, question_result


class SurveyClosed(Exception):
    """The survey no longer takes answers (or reminders)."""


class AlreadyDone(Exception):
    """What was asked was done meanwhile (a second press, another organiser): nothing more is sent."""


@dataclass(frozen=True)
class SurveyTexts:
    """What the organiser writes: the texts in three languages, anonymity and the closing time (UTC)."""

    title_nl: str
    title_fr: str = ""
    title_en: str = ""
    intro_nl: str = ""
    intro_fr: str = ""
    intro_en: str = ""
    anonymous: bool = True
    closes_at: datetime | None = None


def is_open(survey: PartnerSurvey, now: datetime | None = None) -> bool:
    """Whether answers are taken: sent and not closed."""
    return survey.sent_at is not None and (now or utcnow()) < survey.closes_at


def all_surveys() -> list[PartnerSurvey]:
    """Every partner survey, newest first."""
    return list(db.session.scalars(select(PartnerSurvey).order_by(PartnerSurvey.created_at.desc(),
                                                                  PartnerSurvey.id.desc())))


def save_survey(survey_id: int | None, texts: SurveyTexts) -> PartnerSurvey:
    """Create a draft or change a survey's texts and closing time; anonymity only while nothing was sent."""
    with write():
        survey = lock_one(PartnerSurvey, survey_id) if survey_id else PartnerSurvey()
        db.session.add(survey)
        for name in ("title_nl", "title_fr", "title_en", "intro_nl", "intro_fr", "intro_en"):
            setattr(survey, name, getattr(texts, name))
        if texts.closes_at is not None:
            survey.closes_at = texts.closes_at
        if survey.sent_at is None:
            survey.anonymous = texts.anonymous
    return survey


def close_now(survey_id: int) -> bool:
    """Close an open survey at once (its answers stay); False when it was not open."""
    with write():
        survey = lock_one(PartnerSurvey, survey_id)
        if not is_open(survey):
            return False
        survey.closes_at = utcnow()
    return True


def delete_draft(survey_id: int) -> bool:
    """Remove a survey never sent; False (and nothing removed) once it was."""
    with write():
        survey = lock_one(PartnerSurvey, survey_id)
        if survey.sent_at is not None:
            return False
        db.session.delete(survey)
    return True


# Questions -----------------------------------------------------------------------------------------------------

def questions_of(survey: PartnerSurvey, include_retired: bool = False) -> list[PartnerSurveyQuestion]:
    """The survey's questions in order (without the retired ones unless asked)."""
    return [q for q in survey.questions if include_retired or q.active]


def answered_ids(survey: PartnerSurvey) -> set[int]:
    """The survey's questions that have answers: they can be retired, never deleted or changed in kind."""
    return set(db.session.scalars(select(PartnerSurveyAnswer.question_id).join(PartnerSurveyResponse).where(
        PartnerSurveyResponse.survey_id == survey.id).distinct()))


def save_question(survey_id: int, form, question_id: int | None) -> PartnerSurveyQuestion:
    """Store a new or reworded question of the survey (form: a checked surveys.forms.QuestionForm)."""
    with write():
        survey = lock_one(PartnerSurvey, survey_id)
        question = db.session.get_one(PartnerSurveyQuestion, question_id) if question_id else \
            PartnerSurveyQuestion(survey=survey, active=True, position=(db.session.scalar(
                select(func.max(PartnerSurveyQuestion.position)).where(
                    PartnerSurveyQuestion.survey_id == survey.id)) or 0) + 1)
        db.session.add(question)
        question.kind = QuestionKind(form.kind.data)
        question.text_nl, question.text_fr, question.text_en = form.text_nl.data, form.text_fr.data or "", \
            form.text_en.data or ""
        question.options = form.option_list() if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) \
            else []
        question.required = form.required.data
    return question


def question_action(question_id: int, action: str) -> bool:
    """Move a question up or down, remove it (retire it when answered: returns True), or bring it back."""
    with write():
        question = db.session.get_one(PartnerSurveyQuestion, question_id)
        survey = lock_one(PartnerSurvey, question.survey_id)
        if action in ("up", "down"):
            siblings = questions_of(survey, include_retired=True)
            index, other = siblings.index(question), siblings.index(question) + (-1 if action == "up" else 1)
            if 0 <= other < len(siblings):
                siblings[index], siblings[other] = siblings[other], siblings[index]
                for position, sibling in enumerate(siblings):
                    sibling.position = position
            return False
        if action == "restore":
            question.active = True
            return False
        if question.id in answered_ids(survey):
            question.active = False
            return True
        survey.questions.remove(question)
        return False


# Audience and sending -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Skipped:
    """Partners who match the filters but get no survey, by the first reason that applies."""

    already: int = 0
    no_consent: int = 0
    unconfirmed: int = 0
    no_address: int = 0

    @property
    def total(self) -> int:
        """All partners left out."""
        return self.already + self.no_consent + self.unconfirmed + self.no_address


@dataclass(frozen=True)
class SendPlan:
    """What sending would do, for the page that says so before anything is sent."""

    partners: list[Partner]
    skipped: Skipped
    preview: OutboxMail | None
    preview_text: str


def _received(survey: PartnerSurvey):
    return exists().where(PartnerSurveyRecipient.partner_id == Partner.id,
                          PartnerSurveyRecipient.survey_id == survey.id)


def audience(survey: PartnerSurvey, chosen: Audience) -> list[Partner]:
    """Partners who agreed to the zone's mails, match the filters, and did not get this survey yet."""
    query = select(Partner).where(*reachable(), ~_received(survey))
    return list(db.session.scalars(matching(query, chosen).order_by(Partner.id)))


def skipped(survey: PartnerSurvey, chosen: Audience) -> Skipped:
    """How many partners who match the filters are left out, and why (erased partners are nobody to count)."""
    query = matching(select(Partner.consent_invitations_at.is_not(None), Partner.email_confirmed_at.is_not(None),
                             Partner.email.is_not(None), _received(survey)).where(Partner.erased_at.is_(None)),
                      chosen)
    counts = {"already": 0, "no_consent": 0, "unconfirmed": 0, "no_address": 0}
    for consented, confirmed, has_address, received in db.session.execute(query):
        reason = ("already" if received else "no_address" if not has_address else "no_consent" if not consented
                  else "unconfirmed" if not confirmed else None)
        if reason is not None:
            counts[reason] += 1
    return Skipped(**counts)


def plan(survey: PartnerSurvey, chosen: Audience) -> SendPlan:
    """Who would get the survey, who is left out and why, and the first mail as its partner would get it;
    writes nothing."""
    partners = audience(survey, chosen)
    preview = partner_mails.invitation(survey, partners[0], "preview") if partners else None
    return SendPlan(partners, skipped(survey, chosen), preview,
                    partner_mails.shown_to_organisers(preview.body_text) if preview else "")


def send(survey_id: int, chosen: Audience) -> int:
    """Give each partner of the audience a personal link and queue their mail, in one unit of work; returns how
    many. A second press at the same moment waits for the first and finds nobody left."""
    with write():
        survey = lock_one(PartnerSurvey, survey_id)
        if not questions_of(survey) or utcnow() >= survey.closes_at:
            raise SurveyClosed()
        created = 0
        for partner in audience(survey, chosen):
            recipient = PartnerSurveyRecipient(survey=survey, partner=partner, token=tokens.new_token())
            db.session.add(recipient)
            db.session.flush()
            db.session.add(partner_mails.invitation(survey, partner, signed_token(recipient)))
            created += 1
        if created and survey.sent_at is None:
            survey.sent_at = utcnow()
    return created


def reminder_recipients(survey: PartnerSurvey) -> list[PartnerSurveyRecipient]:
    """Who the next reminder round goes to: recipients who still agree to the zone's mails and, in a named
    survey, have not answered; in an anonymous one all of them (the outbox must not tell who answered)."""
    recipients = db.session.scalars(select(PartnerSurveyRecipient).join(Partner).where(
        PartnerSurveyRecipient.survey_id == survey.id, *reachable()).order_by(PartnerSurveyRecipient.id))
    if survey.anonymous:
        return list(recipients)
    answered = set(db.session.scalars(select(PartnerSurveyResponse.respondent).where(
        PartnerSurveyResponse.survey_id == survey.id)))
    return [r for r in recipients if respondent_key(r) not in answered]


def reminder_preview(survey: PartnerSurvey) -> tuple[list[PartnerSurveyRecipient], OutboxMail | None, str]:
    """The next reminder round's recipients and its first mail, for the page that asks first."""
    recipients = reminder_recipients(survey)
    preview = partner_mails.reminder(survey, recipients[0].partner, "preview", survey.reminders_sent + 1) \
        if recipients else None
    return recipients, preview, partner_mails.shown_to_organisers(preview.body_text) if preview else ""


def remind(survey_id: int, round_number: int) -> int:
    """Queue reminder round `round_number` (the one the organiser confirmed); AlreadyDone when that round went
    out meanwhile, SurveyClosed once the survey is closed. Returns how many reminders."""
    with write():
        survey = lock_one(PartnerSurvey, survey_id)
        if not is_open(survey):
            raise SurveyClosed()
        if round_number != survey.reminders_sent + 1:
            raise AlreadyDone()
        recipients = reminder_recipients(survey)
        for recipient in recipients:
            db.session.add(partner_mails.reminder(survey, recipient.partner, signed_token(recipient),
                                                  round_number))
        survey.reminders_sent, survey.reminded_at = round_number, utcnow()
    return len(recipients)


# The personal link and the answers --------------------------------------------------------------------------------

_LINK_SALT = "speeddate.partner_survey"


def signed_token(recipient: PartnerSurveyRecipient) -> str:
    """The token as it appears in the partner's personal link (signed apart from registration links)."""
    return Signer(tokens.link_secret(), salt=_LINK_SALT).sign(recipient.token).decode()


def recipient_for(signed: str) -> PartnerSurveyRecipient | None:
    """The recipient behind a personal link; None for a link altered, made up, or of an erased partner."""
    try:
        token = Signer(tokens.link_secret(), salt=_LINK_SALT).unsign(signed).decode()
    except (BadSignature, UnicodeError):
        return None
    recipient = db.session.scalar(select(PartnerSurveyRecipient).where(PartnerSurveyRecipient.token == token))
    if recipient is None or recipient.partner.erased_at is not None:
        return None
    return recipient


def respondent_key(recipient: PartnerSurveyRecipient) -> str:
    """A keyed hash of the personal token: finds a partner's own answers without naming them."""
    return hmac.new(tokens.purpose_key("partner_survey"), recipient.token.encode(), hashlib.sha256).hexdigest()


def response_of(recipient: PartnerSurveyRecipient) -> PartnerSurveyResponse | None:
    """The recipient's saved answers, if any."""
    return db.session.scalar(select(PartnerSurveyResponse).where(
        PartnerSurveyResponse.survey_id == recipient.survey_id,
        PartnerSurveyResponse.respondent == respondent_key(recipient)))


def saved_values(recipient: PartnerSurveyRecipient) -> dict[int, list[int] | str]:
    """A partner's saved answers as form values, to show when they come back."""
    return current_values(response_of(recipient))  # type: ignore[arg-type]  # the same shape as an evaluation's


def save_answers(recipient_id: int, values: dict[int, list[int] | str]) -> PartnerSurveyResponse:
    """Store (or replace) a recipient's answers in one unit of work; SurveyClosed after the closing time."""
    with write():
        recipient = lock_one(PartnerSurveyRecipient, recipient_id)
        survey = recipient.survey
        if not is_open(survey):
            raise SurveyClosed()
        response = response_of(recipient)
        if response is None:
            response = PartnerSurveyResponse(survey_id=survey.id, respondent=respondent_key(recipient))
            db.session.add(response)
        now = utcnow()
        # The day only in an anonymous survey: a time could be matched with the moment a mail went out.
        stamp = now.replace(hour=0, minute=0, second=0, microsecond=0) if survey.anonymous else now
        response.partner_id = None if survey.anonymous else recipient.partner_id
        if not survey.anonymous:
            partner_mails.withdraw_reminders(survey, recipient.partner_id)
        response.submitted_at = response.submitted_at if response.id else stamp
        response.updated_at = stamp
        response.answers = [PartnerSurveyAnswer(question_id=question_id,
                                                number=None if isinstance(value, str) else number,
                                                text=value if isinstance(value, str) else None)
                            for question_id, value in values.items()
                            for number in ([None] if isinstance(value, str) else value)]
    return response


# Results ----------------------------------------------------------------------------------------------------------

@dataclass
class SurveyResults:
    """Who was asked, who answered, and each question's figures (counts only: see counts_only)."""

    invited: int
    responded: int
    questions: list[QuestionResult]
    counts_only: bool

    @property
    def response_rate(self) -> float | None:
        """Respondents per partner asked; None before anyone was asked."""
        return self.responded / self.invited if self.invited else None


def recipients_count(survey: PartnerSurvey) -> int:
    """How many partners the survey was sent to."""
    return db.session.scalar(select(func.count()).select_from(PartnerSurveyRecipient).where(
        PartnerSurveyRecipient.survey_id == survey.id)) or 0


def respondents(survey: PartnerSurvey) -> int:
    """How many partners answered."""
    return db.session.scalar(select(func.count()).select_from(PartnerSurveyResponse).where(
        PartnerSurveyResponse.survey_id == survey.id)) or 0


def counts_only(survey: PartnerSurvey, responded: int) -> bool:
    """An anonymous survey with fewer respondents than the evaluations' minimum shows counts only."""
    return survey.anonymous and responded < current_app.config["EVALUATION_MIN_RESPONDENTS"]


def results(survey: PartnerSurvey, language: str) -> SurveyResults:
    """Response rate and, per question, n, mean, distribution and open answers (evaluation results' code)."""
    responded = respondents(survey)
    rows = db.session.execute(select(PartnerSurveyAnswer.question_id, PartnerSurveyAnswer.response_id,
                                     PartnerSurveyAnswer.number, PartnerSurveyAnswer.text)
                              .join(PartnerSurveyResponse).where(PartnerSurveyResponse.survey_id == survey.id)).all()
    per_question: dict[int, list] = {}
    answered_by: dict[int, set[int]] = {}
    for question_id, response_id, number, text in rows:
        per_question.setdefault(question_id, []).append(text if text is not None else number)
        answered_by.setdefault(question_id, set()).add(response_id)
    figures = [question_result(q, per_question.get(q.id, []), len(answered_by.get(q.id, ())), language)  # type: ignore[arg-type]
               for q in questions_of(survey, include_retired=True) if q.active or q.id in per_question]
    few = counts_only(survey, responded)
    if few:
        figures = [QuestionResult(r.question, r.n, None, [], []) for r in figures]
    return SurveyResults(recipients_count(survey), responded, figures, few)


def result_rows(survey: PartnerSurvey, language: str) -> tuple[list[str], list[list[object]]]:
    """One row per response, one column per question, sorted by content; names only in a named survey (as the
    evaluation export: see surveys.results.evaluation_rows)."""
    questions = questions_of(survey, include_retired=True)
    if counts_only(survey, respondents(survey)):
        return ["question", "answers"], [[r.question.text(language), r.n] for r in results(survey, language).questions]
    columns = ([] if survey.anonymous else ["name", "email", "organisation", "submitted_at"])
    columns += [q.text(language) for q in questions]
    rows = []
    for response in db.session.scalars(select(PartnerSurveyResponse).where(
            PartnerSurveyResponse.survey_id == survey.id)):
        values = current_values(response)  # type: ignore[arg-type]
        row: list[object] = []
        if not survey.anonymous:
            partner = response.partner if response.partner and response.partner.erased_at is None else None
            row += [partner.full_name if partner else "", partner.email if partner else "",
                    partner.organisation.name if partner and partner.organisation else "",
                    response.submitted_at.strftime("%Y-%m-%d")]
        row += [answer_cell(q, values.get(q.id), language) for q in questions]  # type: ignore[arg-type]
        rows.append(row)
    return columns, sorted(rows, key=lambda row: [str(cell) for cell in row])
