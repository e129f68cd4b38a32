"""Organiser forms of partner surveys: the survey's texts, its questions (the evaluation's question form) and
whom to send it to."""

from datetime import date, datetime, time

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from speeddate.forms_common import id_value, no_markup, optional_text, required_text, strip_filter
from speeddate.i18n import to_local, to_utc
from speeddate.mail.invitations import Audience
from speeddate.models import PartnerSurvey, PartnerSurveyQuestion
from speeddate.models.base import utcnow
from speeddate.partners.fields import LANGUAGES
from speeddate.surveys.forms import QuestionForm
from speeddate.surveys.partner_survey import SurveyTexts, answered_ids
from speeddate.zone.services import all_gemeenten, sectors_by_cluster

MAX_INTRO = 3000


def _intro(label) -> TextAreaField:
    return TextAreaField(label, filters=[strip_filter], validators=[
        Optional(), Length(max=MAX_INTRO, message=_l("Please use at most %(max)d characters.")), no_markup])


class SurveyForm(FlaskForm):
    """A partner survey's texts (Dutch required, French and English optional), anonymity and closing day."""

    title_nl = StringField(_l("Title (Dutch)"), filters=[strip_filter], validators=required_text(200))
    title_fr = StringField(_l("Title (French)"), filters=[strip_filter], validators=optional_text(200))
    title_en = StringField(_l("Title (English)"), filters=[strip_filter], validators=optional_text(200))
    intro_nl = _intro(_l("Introduction (Dutch)"))
    intro_fr = _intro(_l("Introduction (French)"))
    intro_en = _intro(_l("Introduction (English)"))
    anonymous = BooleanField(_l("Anonymous: the answers are stored without names"))
    closes_on = DateField(_l("Open until (the last day)"),
                          validators=[InputRequired(message=_l("Please give a date."))])

    def __init__(self, *args, survey: PartnerSurvey | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey

    @classmethod
    def of(cls, survey: PartnerSurvey) -> "SurveyForm":
        """The form filled in with a survey's values."""
        values = {name: getattr(survey, name) for name in ("title_nl", "title_fr", "title_en", "intro_nl",
                                                            "intro_fr", "intro_en", "anonymous")}
        return cls(data={**values, "closes_on": to_local(survey.closes_at).date()}, survey=survey)

    def validate_closes_on(self, field) -> None:
        if field.data is None:
            return  # not a date: the field says so already
        unchanged = self.survey is not None and field.data == to_local(self.survey.closes_at).date()
        if not unchanged and closing_time(field.data) <= utcnow():
            raise ValidationError(_l("Please choose a day that is still to come."))

    def texts(self) -> SurveyTexts:
        """The checked values, for the service."""
        return SurveyTexts(self.title_nl.data, self.title_fr.data or "", self.title_en.data or "",
                           self.intro_nl.data or "", self.intro_fr.data or "", self.intro_en.data or "",
                           bool(self.anonymous.data), closing_time(self.closes_on.data))


def closing_time(day: date) -> datetime:
    """A survey open until a day closes at midnight after it, Brussels time (stored as UTC)."""
    return to_utc(datetime.combine(day, time(23, 59, 59)))


class PartnerQuestionForm(QuestionForm):
    """The evaluation's question form, for a partner survey's question: no headline score, and "has answers"
    asks the survey's own answers."""

    headline = None

    def __init__(self, *args, question: PartnerSurveyQuestion | None = None, **kwargs):
        super().__init__(*args, question=question, **kwargs)  # type: ignore[arg-type]

    def has_answers(self) -> bool:
        question = self.question
        return question is not None and question.id in answered_ids(question.survey)  # type: ignore[attr-defined]


class AudienceForm(FlaskForm):
    """Whom to send the survey to (ticked gemeenten, clusters, sectors, languages, or explicitly everyone);
    nothing ticked sends it to nobody."""

    everyone = BooleanField(_l("Every partner who agreed to receive mails of the zone"))
    gemeenten = SelectMultipleField(_l("Gemeenten"), coerce=id_value, validate_choice=True)
    clusters = SelectMultipleField(_l("Clusters"), coerce=id_value, validate_choice=True)
    sectors = SelectMultipleField(_l("Sectors"), coerce=id_value, validate_choice=True)
    languages = SelectMultipleField(_l("Languages"), validate_choice=True,
                                    choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = str(get_locale() or "nl")
        clusters = sectors_by_cluster()
        self.gemeenten.choices = [SelectChoice(g.id, g.name) for g in all_gemeenten()]
        self.clusters.choices = [SelectChoice(c.id, c.name) for c in clusters]
        self.sectors.choices = [SelectChoice(s.id, s.label(language), optgroup=c.name)
                                for c in clusters for s in c.sectors]

    def audience(self) -> Audience | None:
        """The chosen filters; None while nothing is ticked (so that no click sends to everyone by accident)."""
        chosen = Audience(gemeente_ids=tuple(self.gemeenten.data or ()), sector_ids=tuple(self.sectors.data or ()),
                          cluster_ids=tuple(self.clusters.data or ()), languages=tuple(self.languages.data or ()))
        return chosen if self.everyone.data or chosen != Audience() else None
