"""Forms of the surveys area: the evaluation and follow-up forms are built from the questions at hand."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from speeddate.forms_common import optional_text, required_text, strip_filter
from speeddate.models import EventType, Question, QuestionKind
from speeddate.surveys.questions import answered_ids

KIND_LABELS = {
    QuestionKind.SCALE: _l("Score from 1 to 5"),
    QuestionKind.YES_NO: _l("Yes or no"),
    QuestionKind.SINGLE: _l("One choice"),
    QuestionKind.MULTIPLE: _l("Several choices"),
    QuestionKind.TEXT: _l("Open text"),
}


class TokenForm(FlaskForm):
    """The CSRF token only; the answers are read by the service from the posted fields."""


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

    def validate_kind(self, field) -> None:
        # Past answers are read by the kind they were given in: text summed as scores breaks every result page.
        question = self.question
        if question is not None and field.data != question.kind.value and question.id in answered_ids():
            raise ValidationError(_l("This question already has answers, so its kind cannot change. Remove it "
                                     "(it is retired and its results stay) and add a new question instead."))

    def validate_options(self, field) -> None:
        if self.kind.data in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(self.option_list()) < 2:
            raise ValidationError(_l("Give at least two options."))
        # Answers are option numbers: with fewer options the last ones' answers would drop out of the results.
        question = self.question
        if question is not None and len(self.option_list()) < len(question.options) \
                and self.kind.data == question.kind.value and question.id in answered_ids():
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


EVENT_TYPES = [t.value for t in EventType]
