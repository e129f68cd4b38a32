"""Organiser forms for events."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from speeddate.events.services import EventData
from speeddate.extensions import db
from speeddate.forms_common import id_value, optional_text, parse_id, required_text, strip_filter
from speeddate.labels import TYPE_LABELS
from speeddate.mail.invitations import Audience
from speeddate.models import EventType, Gemeente
from speeddate.partners.fields import LANGUAGES
from speeddate.zone.services import all_gemeenten, sectors_by_cluster

# The coordinator's own words in an invitation: a paragraph or two, not a newsletter.
MAX_MESSAGE = 2000
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class EventForm(FlaskForm):
    """Create or edit an event; times in Europe/Brussels."""

    type = SelectField(_l("Type"), choices=[SelectChoice(t.value, label) for t, label in TYPE_LABELS.items()])
    # Each text in Dutch (required where the text is), French and English; the form shows them side by side.
    title = StringField(_l("Title in Dutch"), filters=[strip_filter], validators=required_text(200))
    title_fr = StringField(_l("Title in French"), filters=[strip_filter], validators=optional_text(200))
    title_en = StringField(_l("Title in English"), filters=[strip_filter], validators=optional_text(200))
    description = TextAreaField(_l("Description in Dutch"), validators=[Optional(), Length(max=5000)])
    description_fr = TextAreaField(_l("Description in French"), validators=[Optional(), Length(max=5000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), Length(max=5000)])
    starts_at = DateTimeLocalField(_l("Start"), format=DATETIME_FORMATS,
                                   validators=[InputRequired(message=_l("Please give a date and time."))])
    ends_at = DateTimeLocalField(_l("End"), format=DATETIME_FORMATS,
                                 validators=[InputRequired(message=_l("Please give a date and time."))])
    registration_deadline = DateTimeLocalField(_l("Registration deadline (optional)"), format=DATETIME_FORMATS,
                                               validators=[Optional()])
    location = StringField(_l("Location in Dutch"), filters=[strip_filter], validators=optional_text(300))
    location_fr = StringField(_l("Location in French"), filters=[strip_filter], validators=optional_text(300))
    location_en = StringField(_l("Location in English"), filters=[strip_filter], validators=optional_text(300))
    practical_note = TextAreaField(_l("Practical information in Dutch"), validators=[Optional(), Length(max=2000)])
    practical_note_fr = TextAreaField(_l("Practical information in French"),
                                      validators=[Optional(), Length(max=2000)])
    practical_note_en = TextAreaField(_l("Practical information in English"),
                                      validators=[Optional(), Length(max=2000)])
    external_url = URLField(_l("Registration link of the organiser"), filters=[strip_filter],
                            validators=[Optional(), Length(max=500)])
    organised_by = StringField(_l("Organised by"), filters=[strip_filter], validators=optional_text(200))
    co_organisers = StringField(_l("Organised together with (optional)"), filters=[strip_filter],
                                validators=optional_text(300))
    online_url = URLField(_l("Online link (webinars; only registrants see it)"), filters=[strip_filter],
                          validators=[Optional(), Length(max=500)])
    gemeente = SelectField(_l("Gemeente"), validate_choice=False)
    capacity = IntegerField(_l("Capacity"), validators=[
        InputRequired(message=_l("Please give the number of places.")),
        NumberRange(min=1, max=10000, message=_l("The capacity must be between 1 and 10000."))])
    catering = BooleanField(_l("Catering (ask for dietary needs)"))
    evaluation_anonymous = BooleanField(_l("Anonymous evaluation (results without names)"), default=True)
    evaluation_reminder_days = IntegerField(_l("Evaluation reminder to non-responders, days after the end"),
                                            default=7, validators=[NumberRange(min=1, max=60)])
    evaluation_close_days = IntegerField(_l("Evaluation closes, days after the end"), default=21,
                                         validators=[NumberRange(min=2, max=120)])
    followup_months = IntegerField(_l("Follow-up survey, months after the event (0: none)"), default=0,
                                   validators=[NumberRange(min=0, max=24)])
    # The number of update mails the organiser agreed to send with this change (see the edit view).
    update_mails = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gemeente.choices = [SelectChoice("", "—")] + [SelectChoice(str(g.id), g.name) for g in all_gemeenten()]

    def validate_online_url(self, field) -> None:
        if field.data and not field.data.startswith(("https://", "http://")):
            raise ValidationError(_l("The online link must start with https://."))

    def validate_external_url(self, field) -> None:
        if field.data and not field.data.startswith(("https://", "http://")):
            raise ValidationError(_l("The registration link must start with https://."))

    def validate_organised_by(self, field) -> None:
        if self.external_url.data and not field.data:
            raise ValidationError(_l("Please name who organises this event."))

    def text_rows(self) -> list[tuple[str, list]]:
        """The translatable texts as rows of (label, [Dutch, French, English field]), for the side-by-side form."""
        return [(str(label), [self[name], self[f"{name}_fr"], self[f"{name}_en"]]) for name, label in (
            ("title", _l("Title")), ("description", _l("Description")), ("location", _l("Location")),
            ("practical_note", _l("Practical information")))]

    def validate_gemeente(self, field) -> None:
        if field.data and (not parse_id(field.data) or db.session.get(Gemeente, parse_id(field.data)) is None):
            raise ValidationError(_l("Please choose a gemeente from the list."))

    def event_data(self) -> EventData:
        """The validated form as service input."""
        gemeente = db.session.get(Gemeente, parse_id(self.gemeente.data)) if self.gemeente.data else None
        return EventData(
            type=EventType(self.type.data), title=self.title.data, description=self.description.data or "",
            starts_at=self.starts_at.data, ends_at=self.ends_at.data,
            registration_deadline=self.registration_deadline.data, location=self.location.data or "",
            online_url=self.online_url.data or "", gemeente=gemeente, capacity=self.capacity.data,
            catering=self.catering.data, evaluation_anonymous=self.evaluation_anonymous.data,
            evaluation_reminder_days=self.evaluation_reminder_days.data,
            evaluation_close_days=self.evaluation_close_days.data, followup_months=self.followup_months.data,
            **{name: self[name].data or "" for name in TEXT_NAMES})


# The form fields that go to the service as they are: translations, practical note, the third party's details.
TEXT_NAMES = ("title_fr", "title_en", "description_fr", "description_en", "location_fr", "location_en",
              "practical_note", "practical_note_fr", "practical_note_en", "external_url", "organised_by",
              "co_organisers")


class CancelEventForm(FlaskForm):
    """The coordinator's optional word with a cancellation (a reason, a new date)."""

    note = TextAreaField(_l("Message for the registrants (optional)"), filters=[strip_filter],
                         validators=[Optional(), Length(max=2000)])


class InviteForm(FlaskForm):
    """Whom to invite (ticked gemeenten, clusters, sectors, languages, or explicitly everyone) and the
    coordinator's own message; nothing ticked invites nobody."""

    everyone = BooleanField(_l("Every partner who agreed to invitations"))
    gemeenten = SelectMultipleField(_l("Gemeenten"), coerce=id_value, validate_choice=True)
    clusters = SelectMultipleField(_l("Clusters"), coerce=id_value, validate_choice=True)
    sectors = SelectMultipleField(_l("Sectors"), coerce=id_value, validate_choice=True)
    languages = SelectMultipleField(_l("Languages"), validate_choice=True,
                                    choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])
    message = TextAreaField(_l("Your own message (optional, in every invitation)"), filters=[strip_filter],
                            validators=[Optional(), Length(max=MAX_MESSAGE, message=_l(
                                "Please use at most %(max)d characters."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = str(get_locale() or "nl")
        clusters = sectors_by_cluster()
        self.gemeenten.choices = [SelectChoice(g.id, g.name) for g in all_gemeenten()]
        self.clusters.choices = [SelectChoice(c.id, c.name) for c in clusters]
        self.sectors.choices = [SelectChoice(s.id, s.label(language), optgroup=c.name)
                                for c in clusters for s in c.sectors]

    def audience(self) -> Audience | None:
        """The chosen filters, for the invitation service; None while nothing is ticked (the page starts with
        nobody chosen, so that no click invites everyone by accident)."""
        chosen = Audience(gemeente_ids=tuple(self.gemeenten.data or ()), sector_ids=tuple(self.sectors.data or ()),
                          cluster_ids=tuple(self.clusters.data or ()), languages=tuple(self.languages.data or ()))
        return chosen if self.everyone.data or chosen != Audience() else None
