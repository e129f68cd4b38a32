"""Forms for the zone's reference data."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, Optional

from speeddate.forms_common import id_value, optional_text, required_text, strip_filter
from speeddate.zone.services import sectors_by_cluster

LANGUAGE_CHOICES = [SelectChoice("nl", "Nederlands"), SelectChoice("fr", "Français"), SelectChoice("en", "English")]


class SettingsForm(FlaskForm):
    name = StringField(_l("Name of the zone"), filters=[strip_filter], validators=required_text(200))
    contact_email = EmailField(_l("Contact address shown to partners"), filters=[strip_filter],
                               validators=[Optional(), Email(message=_l("This is not a valid email address."))])
    default_language = SelectField(_l("Default language"), choices=LANGUAGE_CHOICES)
    ask_languages = BooleanField(_l("Ask partners which languages they can hold a conversation in"))


class GemeenteForm(FlaskForm):
    name = StringField(_l("Gemeente"), filters=[strip_filter], validators=required_text(100))


class ClusterForm(FlaskForm):
    name = StringField(_l("Cluster"), filters=[strip_filter], validators=required_text(100))


class SectorForm(FlaskForm):
    name = StringField(_l("Name (Dutch)"), filters=[strip_filter], validators=required_text(100))
    name_fr = StringField(_l("Name (French)"), filters=[strip_filter], validators=optional_text(100))
    name_en = StringField(_l("Name (English)"), filters=[strip_filter], validators=optional_text(100))
    cluster = SelectField(_l("Cluster"), coerce=id_value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cluster.choices = [SelectChoice(c.id, c.name) for c in sectors_by_cluster()]
