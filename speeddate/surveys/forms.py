"""Forms of the surveys area: the evaluation and follow-up forms are built from the questions at hand, so their
posted fields are checked here by hand; the question editor is a WTForms form."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from speeddate.forms_common import optional_text, required_text, strip_filter
from speeddate.models import ContactOutcome, Question, QuestionKind, Registration
from speeddate.surveys.questions import answered_ids

KIND_LABELS = {
    QuestionKind.SCALE: _l("Score from 1 to 5"),
    QuestionKind.YES_NO: _l("Yes or no"),
    QuestionKind.SINGLE: _l("One choice"),
    QuestionKind.MULTIPLE: _l("Several choices"),
    QuestionKind.TEXT: _l("Open text"),
}

TEXT_LIMIT = 2000


class TokenForm(FlaskForm):
    """The CSRF token only; the answers are read from the posted fields by parse_answers or parse_followup."""


class QuestionForm(FlaskForm):
    """Add or reword a question of an event type's evaluation."""

    kind = SelectField(_l("Kind of answer"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()])
    text_nl = StringField(_l("Question (Dutch)"), filters=[strip_filter], validators=required_text(300))
    text_fr = StringField(_l("Question (French)"), filters=[strip_filter], validators=optional_text(300))
    text_en = StringField(_l("Question (English)"), filters=[strip_filter], validators=optional_text(300))
    options = TextAreaField(_l("Options, one per line: Dutch | French | English"),
                            validators=[Optional(), Length(max=3000)])
    required = BooleanField(_l("An answer is required"))
    headline = BooleanField(_l("Headline score (compared with the 3.5 target)"))

    def __init__(self, *args, question: Question | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question

    def has_answers(self) -> bool:
        """Whether the question being edited has answers (a partner survey's form asks its own survey)."""
        return self.question is not None and self.question.id in answered_ids()

    def validate_kind(self, field) -> None:
        # Past answers are read by the kind they were given in: text summed as scores breaks every result page.
        question = self.question
        if question is not None and field.data != question.kind.value and self.has_answers():
            raise ValidationError(_l("This question already has answers, so its kind cannot change. Remove it "
                                     "(it is retired and its results stay) and add a new question instead."))

    def validate_options(self, field) -> None:
        if self.kind.data in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(self.option_list()) < 2:
            raise ValidationError(_l("Give at least two options."))
        # Answers are option numbers: with fewer options the last ones' answers would drop out of the results.
        question = self.question
        if question is not None and len(self.option_list()) < len(question.options) \
                and self.kind.data == question.kind.value and self.has_answers():
            raise ValidationError(_l("This question already has answers: keep its %(count)d options (you can "
                                     "reword them).", count=len(question.options)))
        if field.data and any(c in field.data for c in "<>"):
            raise ValidationError(_l("Please leave out the characters < and >."))

    def validate_headline(self, field) -> None:
        if field.data and self.kind.data != QuestionKind.SCALE:
            raise ValidationError(_l("Only a 1 to 5 score can be the headline."))

    def option_list(self) -> list[dict[str, str]]:
        """The options as stored: one dict of languages per line."""
        options = []
        for line in (self.options.data or "").splitlines():
            parts = [part.strip() for part in line.split("|")] + ["", ""]
            if parts[0]:
                options.append({"nl": parts[0], "fr": parts[1], "en": parts[2]})
        return options


@dataclass
class ParsedAnswers:
    """Posted evaluation answers: the values that passed, and what is wrong with the others, per question."""

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


@dataclass
class ParsedFollowup:
    """A posted follow-up: whether the contacts were used, an outcome per person met, a comment; or what is wrong."""

    used_contacts: bool = False
    outcomes: dict[int, ContactOutcome] = field(default_factory=dict)
    comment: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def parse_followup(form, met: list[Registration]) -> ParsedFollowup:
    """Check a posted follow-up (used_contacts, comment, met<id> per person met); errors per part of the form."""
    used = form.get("used_contacts")
    comment = form.get("comment", "").strip()
    chosen = {person.id: form.get(f"met{person.id}", "") for person in met}
    parsed = ParsedFollowup(used_contacts=used == "1", comment=comment)
    if used not in ("1", "0"):
        parsed.errors["used_contacts"] = str(_l("Please answer this question."))
    if len(comment) > TEXT_LIMIT:
        parsed.errors["comment"] = str(_l("Please keep this under %(max)d characters.", max=TEXT_LIMIT))
    if any(value not in set(ContactOutcome) for value in chosen.values() if value):
        parsed.errors["contacts"] = str(_l("Please choose one of the answers given."))
    else:
        parsed.outcomes = {person: ContactOutcome(value) for person, value in chosen.items() if value}
    return parsed
