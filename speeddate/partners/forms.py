"""The public registration form; its field names are a stable interface for the zone's website."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
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
from speeddate.forms_common import optional_text, parse_id, required_text, strip_filter, valid_email
from speeddate.models import Gemeente, Sector
from speeddate.partners.services import PartnerDetails
from speeddate.zone.services import all_gemeenten, sectors_by_cluster

LANGUAGES = {"nl": "Nederlands", "fr": "Français", "en": "English"}
# A zone has a few dozen gemeenten at most; a longer list is a script, and each value costs work to resolve.
MAX_GEMEENTEN = 100
MAX_VALUE_LENGTH = 200  # longer than any gemeente or sector name in any language


def find_sector(value: str) -> Sector | None:
    """A sector by id, or by its Dutch, French or English name in any letter case."""
    value = (value or "").strip()
    if sector_id := parse_id(value):
        return db.session.get(Sector, sector_id)
    lowered = value.lower()
    return db.session.scalar(select(Sector).where(or_(
        func.lower(Sector.name) == lowered, func.lower(Sector.name_fr) == lowered,
        func.lower(Sector.name_en) == lowered)))


def find_gemeenten(values: list[str]) -> list[Gemeente | None]:
    """The gemeente for each value (by id or by name in any letter case; None when unknown), in one query."""
    values = [(value or "").strip() for value in values]
    ids = {parse_id(value) for value in values} - {None}
    names = {value.lower() for value in values if not parse_id(value)}
    found = db.session.scalars(select(Gemeente).where(or_(Gemeente.id.in_(ids),
                                                          func.lower(Gemeente.name).in_(names)))).all()
    by_id, by_name = {g.id: g for g in found}, {g.name.lower(): g for g in found}
    return [by_id.get(parse_id(value)) or by_name.get(value.lower()) for value in values]


class PartnerDetailsForm(FlaskForm):
    """Who the partner is; shared by registration and the personal page."""

    first_name = StringField(_l("First name"), filters=[strip_filter], validators=required_text(100))
    last_name = StringField(_l("Last name"), filters=[strip_filter], validators=required_text(100))
    organisation = StringField(_l("Organisation"), filters=[strip_filter], validators=required_text(200))
    sector = SelectField(_l("Sector"), validate_choice=False,
                         validators=[InputRequired(message=_l("Please choose your sector."))])
    function = StringField(_l("Function"), filters=[strip_filter], validators=optional_text(150))
    gemeenten = SelectMultipleField(_l("Gemeenten where you are active"), validate_choice=False)
    phone = StringField(_l("Phone (optional)"), filters=[strip_filter], validators=optional_text(40))
    dietary = StringField(_l("Dietary needs (optional)"), filters=[strip_filter], validators=optional_text(300))
    language = SelectField(_l("Preferred language"), validate_choice=False,
                           choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])
    consent_share_contacts = BooleanField(
        _l("Share my name, organisation and email with the people I meet at events"))
    consent_followup = BooleanField(_l("Ask me a few months later whether the contacts were useful"))
    consent_invitations = BooleanField(_l("Invite me to future events of the zone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = str(get_locale() or "nl")
        self.sector.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(sector.id), sector.label(language), optgroup=cluster.name)
            for cluster in sectors_by_cluster() for sector in cluster.sectors
        ]
        self.gemeenten.choices = [SelectChoice(str(g.id), g.name) for g in all_gemeenten()]
        if not self.language.data or self.language.data == "None":
            self.language.data = language

    def validate_sector(self, field) -> None:
        self.chosen_sector = find_sector(field.data) if len(field.data or "") <= MAX_VALUE_LENGTH else None
        if self.chosen_sector is None:
            raise ValidationError(_l("Please choose a sector from the list."))

    def validate_gemeenten(self, field) -> None:
        self.chosen_gemeenten = []
        values = field.data or []
        if len(values) > MAX_GEMEENTEN:
            raise ValidationError(_l("Please choose at most %(max)d gemeenten from the list.", max=MAX_GEMEENTEN))
        too_long = any(len(value) > MAX_VALUE_LENGTH for value in values)
        for gemeente in [None] if too_long else find_gemeenten(values):
            if gemeente is None:
                raise ValidationError(_l("Please choose gemeenten from the list."))
            if gemeente not in self.chosen_gemeenten:
                self.chosen_gemeenten.append(gemeente)

    def validate_language(self, field) -> None:
        if field.data not in LANGUAGES:
            raise ValidationError(_l("Please choose Dutch, French or English."))

    def validate_phone(self, field) -> None:
        if field.data and not set(field.data) <= set("+0123456789 ()/.-"):
            raise ValidationError(_l("Please use only digits, spaces and + ( ) / . - in a phone number."))

    def details(self) -> PartnerDetails:
        """The validated details, for the service."""
        return PartnerDetails(
            first_name=self.first_name.data, last_name=self.last_name.data,
            organisation=self.organisation.data, sector=self.chosen_sector, function=self.function.data or "",
            gemeenten=self.chosen_gemeenten, phone=self.phone.data or "", language=self.language.data,
            consent_share_contacts=self.consent_share_contacts.data,
            consent_followup=self.consent_followup.data, consent_invitations=self.consent_invitations.data)


class RegistrationForm(PartnerDetailsForm):
    """The public registration form at /e/<slug>."""

    email = EmailField(_l("Email"), filters=[strip_filter], validators=[
        InputRequired(message=_l("Please fill in your email address.")),
        Length(max=254, message=_l("Please use at most %(max)d characters.")), valid_email])
    # A honeypot: hidden from sight and from the keyboard, its label asks people to leave it empty; scripts that
    # fill every field fill it too. Never validated, so that a robot learns nothing from the answer.
    website = StringField(_l("Leave this field empty (it catches robots)"))

    def filled_by_robot(self) -> bool:
        """Whether the hidden field that people leave empty was filled in."""
        return bool((self.website.data or "").strip())


class CancelForm(FlaskForm):
    """Only a CSRF token: cancelling is a deliberate POST."""
