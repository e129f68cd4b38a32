"""Evaluation questions and answers, and the follow-up survey months later."""

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from speeddate.extensions import db
from speeddate.models.base import str_enum, utcnow
from speeddate.models.events import Event, EventType
from speeddate.models.partners import Partner
from speeddate.models.registrations import Registration


class QuestionKind(enum.StrEnum):
    SCALE = "scale"  # 1 to 5
    YES_NO = "yes_no"
    SINGLE = "single"  # one of the options
    MULTIPLE = "multiple"  # any of the options
    TEXT = "text"


class QuestionTexts:
    """The wording of a question in three languages, shared by evaluation and partner survey questions (each
    maps text_nl, text_fr, text_en and options itself)."""

    text_nl: str
    text_fr: str
    text_en: str
    options: list

    def text(self, language: str) -> str:
        """The question in the given language, Dutch when no translation is known."""
        return {"fr": self.text_fr, "en": self.text_en}.get(language) or self.text_nl

    def option_labels(self, language: str) -> list[str]:
        """The options in the given language."""
        return [option.get(language) or option.get("nl", "") for option in self.options]


class Question(QuestionTexts, db.Model):
    """One question of the evaluation form of an event type, in three languages."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[EventType] = mapped_column(str_enum(EventType, "question_event_type"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    text_nl: Mapped[str] = mapped_column(String(300))
    text_fr: Mapped[str] = mapped_column(String(300), default="")
    text_en: Mapped[str] = mapped_column(String(300), default="")
    # For single and multiple choice: [{"nl": ..., "fr": ..., "en": ...}, ...]; answers store the index.
    options: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    headline: Mapped[bool] = mapped_column(default=False)
    # A question with answers is never deleted; it is retired and leaves the form.
    active: Mapped[bool] = mapped_column(default=True)


class EvaluationResponse(db.Model):
    """One registration's answers to an event's evaluation.

    `respondent` is a keyed hash of the registration's token: the partner can reopen and change their own
    answers, reminders skip people who answered, and yet in anonymous mode nothing in this table names anyone.
    """

    __tablename__ = "evaluation_responses"
    __table_args__ = (UniqueConstraint("event_id", "respondent", name="uq_evaluation_responses_respondent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[str] = mapped_column(String(64))
    # Only when the event's evaluation is not anonymous.
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    registration: Mapped[Registration | None] = relationship()
    answers: Mapped[list["Answer"]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(db.Model):
    """One answer: a number (scale 1-5, yes 1 / no 0, the index of a chosen option) or a text."""

    __tablename__ = "answers"
    __table_args__ = (CheckConstraint("number IS NOT NULL OR text IS NOT NULL", name="has_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("evaluation_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[EvaluationResponse] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class ContactOutcome(enum.StrEnum):
    NOT_YET = "not_yet"
    CONTACTED = "contacted"
    REFERRED = "referred"  # referred someone to them
    COLLABORATING = "collaborating"  # started working together


class FollowupResponse(db.Model):
    """A participant's answer, months later, on whether they used the contacts they made."""

    __tablename__ = "followup_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    used_contacts: Mapped[bool]
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()
    contacts: Mapped[list["FollowupContact"]] = relationship(back_populates="response",
                                                             cascade="all, delete-orphan")


class FollowupContact(db.Model):
    """What became of one person met."""

    __tablename__ = "followup_contacts"
    __table_args__ = (UniqueConstraint("response_id", "met_registration_id", name="uq_followup_contacts_met"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("followup_responses.id", ondelete="CASCADE"), index=True)
    met_registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    outcome: Mapped[ContactOutcome] = mapped_column(str_enum(ContactOutcome, "contact_outcome"))

    response: Mapped[FollowupResponse] = relationship(back_populates="contacts")


class PartnerSurvey(db.Model):
    """A survey of the directory outside any event (the action plan's broad partner survey): its texts in three
    languages, whether it is anonymous, and until when it can be answered. A draft until it is first sent."""

    __tablename__ = "partner_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_nl: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    intro_nl: Mapped[str] = mapped_column(Text, default="")
    intro_fr: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    # Fixed once the survey is sent: a named survey turned anonymous would keep the names already stored.
    anonymous: Mapped[bool] = mapped_column(default=True)
    closes_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # Reminder rounds sent so far: the key of a reminder carries its round, so a round is never sent twice.
    reminders_sent: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    questions: Mapped[list["PartnerSurveyQuestion"]] = relationship(
        back_populates="survey", cascade="all, delete-orphan",
        order_by="(PartnerSurveyQuestion.position, PartnerSurveyQuestion.id)")

    def text(self, field: str, language: str) -> str:
        """The title or introduction in the given language, Dutch when no translation is given."""
        return getattr(self, f"{field}_{language}", "") or getattr(self, f"{field}_nl")


class PartnerSurveyQuestion(QuestionTexts, db.Model):
    """One question of a partner survey: the same kinds and wording as an evaluation question."""

    __tablename__ = "partner_survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("partner_surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "partner_question_kind"))
    text_nl: Mapped[str] = mapped_column(String(300))
    text_fr: Mapped[str] = mapped_column(String(300), default="")
    text_en: Mapped[str] = mapped_column(String(300), default="")
    options: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    survey: Mapped[PartnerSurvey] = relationship(back_populates="questions")

    # A partner survey has no headline score (that is the evaluations' 3.5 target).
    headline = False


class PartnerSurveyRecipient(db.Model):
    """A partner the survey was sent to, with the token of their personal link."""

    __tablename__ = "partner_survey_recipients"
    __table_args__ = (UniqueConstraint("survey_id", "partner_id", name="uq_partner_survey_recipients_partner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("partner_surveys.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[PartnerSurvey] = relationship()
    partner: Mapped[Partner] = relationship()


class PartnerSurveyResponse(db.Model):
    """One recipient's answers, found again by a keyed hash of their token (as evaluations are).

    In an anonymous survey nothing here names anyone: no partner, and the day only of answering, so that not even
    the time of an answer next to the time a mail was sent tells who gave it.
    """

    __tablename__ = "partner_survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "respondent", name="uq_partner_survey_responses_respondent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("partner_surveys.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[str] = mapped_column(String(64))
    # Only when the survey is not anonymous.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    partner: Mapped[Partner | None] = relationship()
    answers: Mapped[list["PartnerSurveyAnswer"]] = relationship(back_populates="response",
                                                                cascade="all, delete-orphan")


class PartnerSurveyAnswer(db.Model):
    """One answer to a partner survey question, stored as an evaluation answer is (see Answer)."""

    __tablename__ = "partner_survey_answers"
    __table_args__ = (CheckConstraint("number IS NOT NULL OR text IS NOT NULL", name="has_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("partner_survey_responses.id", ondelete="CASCADE"),
                                             index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("partner_survey_questions.id", ondelete="RESTRICT"),
                                             index=True)
    number: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[PartnerSurveyResponse] = relationship(back_populates="answers")
    question: Mapped[PartnerSurveyQuestion] = relationship()
