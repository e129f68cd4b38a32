"""The public registration form; its field names are a stable interface for the zone's website."""

from flask import request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length

from speeddate.extensions import db
from speeddate.forms_common import optional_text, required_text, strip_filter, valid_email
from speeddate.models import Gemeente, Sector
from speeddate.partners import choices
from speeddate.partners.fields import (
    LANGUAGES,
    MAX_GEMEENTEN,
    MAX_LENGTH,
    are_conversation_languages,
    is_language,
    is_phone_number,
    join_languages,
)
from speeddate.partners.services import PartnerDetails


class PartnerDetailsForm(FlaskForm):
    """Who the partner is; shared by registration and the personal page."""

    first_name = StringField(_l("First name"), filters=[strip_filter],
                             validators=required_text(MAX_LENGTH["first_name"]))
    last_name = StringField(_l("Last name"), filters=[strip_filter], validators=required_text(MAX_LENGTH["last_name"]))
    organisation = StringField(_l("Organisation"), filters=[strip_filter],
                               validators=required_text(MAX_LENGTH["organisation"]))
    sector = SelectField(_l("Sector"), validate_choice=False,
                         validators=[InputRequired(message=_l("Please choose your sector."))])
    function = StringField(_l("Function"), filters=[strip_filter], validators=optional_text(MAX_LENGTH["function"]))
    gemeenten = SelectMultipleField(_l("Gemeenten where you are active"), validate_choice=False)
    phone = StringField(_l("Phone (optional)"), filters=[strip_filter], validators=optional_text(MAX_LENGTH["phone"]))
    dietary = StringField(_l("Dietary needs (optional)"), filters=[strip_filter],
                          validators=optional_text(MAX_LENGTH["dietary"]))
    language = SelectField(_l("Preferred language"), validate_choice=False,
                           choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])
    # Only where the zone asks (ZoneSettings.ask_languages) and the page shows it: see __init__.
    languages = SelectMultipleField(_l("Languages you can hold a conversation in"), validate_choice=False,
                                    choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])
    consent_share_contacts = BooleanField(
        _l("Share my name, organisation and email with the people I meet at events"))
    consent_followup = BooleanField(_l("Ask me a few months later whether the contacts were useful"))
    consent_invitations = BooleanField(_l("Invite me to future events of the zone"))

    def __init__(self, *args, ask_languages: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_languages:
            # Not on the page: the partner's stored languages stay as they are (details() gives None).
            del self.languages
        language = str(get_locale() or "nl")
        self.offered = choices.current()
        self.sector.choices = list(self.offered.sectors.get(language) or self.offered.sectors["nl"])
        self.gemeenten.choices = list(self.offered.gemeenten)
        if not self.language.data or self.language.data == "None":
            self.language.data = language
        if ask_languages and not self.languages.data and request.method != "POST":
            self.languages.data = [self.language.data]

    def validate_sector(self, field) -> None:
        number = self.offered.sector_id(field.data or "")
        self.chosen_sector = db.session.get(Sector, number) if number else None
        if self.chosen_sector is None:
            raise ValidationError(_l("Please choose a sector from the list."))

    def validate_gemeenten(self, field) -> None:
        self.chosen_gemeenten = []
        values = field.data or []
        if len(values) > MAX_GEMEENTEN:
            raise ValidationError(_l("Please choose at most %(max)d gemeenten from the list.", max=MAX_GEMEENTEN))
        numbers = [self.offered.gemeente_id(value) for value in values]
        if None in numbers:
            raise ValidationError(_l("Please choose gemeenten from the list."))
        wanted = list(dict.fromkeys(numbers))
        found = {g.id: g for g in db.session.scalars(select(Gemeente).where(Gemeente.id.in_(wanted)))} if wanted else {}
        if len(found) != len(wanted):  # removed since the choices were read
            raise ValidationError(_l("Please choose gemeenten from the list."))
        self.chosen_gemeenten = [found[number] for number in wanted]

    def validate_language(self, field) -> None:
        if not is_language(field.data):
            raise ValidationError(_l("Please choose Dutch, French or English."))

    def validate_languages(self, field) -> None:
        if not are_conversation_languages(field.data or []):
            raise ValidationError(_l("Please tick at least one language you can hold a conversation in."))

    def validate_phone(self, field) -> None:
        if field.data and not is_phone_number(field.data):
            raise ValidationError(_l("Please use only digits, spaces and + ( ) / . - in a phone number."))

    def details(self) -> PartnerDetails:
        """The validated details, for the service."""
        return PartnerDetails(
            first_name=self.first_name.data, last_name=self.last_name.data,
            organisation=self.organisation.data, sector=self.chosen_sector, function=self.function.data or "",
            gemeenten=self.chosen_gemeenten, phone=self.phone.data or "", language=self.language.data,
            languages=join_languages(self.languages.data) if "languages" in self else None,
            consent_share_contacts=self.consent_share_contacts.data,
            consent_followup=self.consent_followup.data, consent_invitations=self.consent_invitations.data)


class RegistrationForm(PartnerDetailsForm):
    """The public registration form at /e/<slug>."""

    email = EmailField(_l("Email"), filters=[strip_filter], validators=[
        InputRequired(message=_l("Please fill in your email address.")),
        Length(max=MAX_LENGTH["email"], message=_l("Please use at most %(max)d characters.")), valid_email])
    # A honeypot: hidden from sight and from the keyboard, its label asks people to leave it empty; scripts that
    # fill every field fill it too. Never validated, so that a robot learns nothing from the answer.
    website = StringField(_l("Leave this field empty (it catches robots)"))

    def filled_by_robot(self) -> bool:
        """Whether the hidden field that people leave empty was filled in."""
        return bool((self.website.data or "").strip())


class CancelForm(FlaskForm):
    """Only a CSRF token: cancelling is a deliberate POST."""
