"""Organiser forms of the directory: search, edit, merge, import."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional

from speeddate.directory.services import PartnerFilter
from speeddate.extensions import db
from speeddate.forms_common import id_value, parse_id, strip_filter, valid_email
from speeddate.models import Organisation
from speeddate.partners.fields import MAX_LENGTH
from speeddate.partners.forms import PartnerDetailsForm
from speeddate.zone.services import all_gemeenten, sectors_by_cluster

ACTIVITY_CHOICES = {
    "": _l("any time"),
    "active-1y": _l("active in the last 12 months"),
    "inactive-1y": _l("no activity for 12 months"),
    "inactive-3y": _l("no activity for 3 years"),
}
ACTIVITY_DAYS = {"active-1y": ("active_within_days", 365), "inactive-1y": ("inactive_for_days", 365),
                 "inactive-3y": ("inactive_for_days", 3 * 365)}


def _number(value):
    return parse_id(value)


class SearchForm(FlaskForm):
    """The directory's filters, read from the query string (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name, email or organisation"), filters=[strip_filter], validators=[Optional(), Length(max=100)])
    gemeente = SelectField(_l("Gemeente"), coerce=_number, validate_choice=False)
    sector = SelectField(_l("Sector"), coerce=_number, validate_choice=False)
    cluster = SelectField(_l("Cluster"), coerce=_number, validate_choice=False)
    organisation = IntegerField(_l("Organisation"), validators=[Optional()])
    activity = SelectField(_l("Last activity"), validate_choice=False,
                           choices=[SelectChoice(key, label) for key, label in ACTIVITY_CHOICES.items()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clusters = sectors_by_cluster()
        everything = SelectChoice("", _l("all"))
        self.gemeente.choices = [everything] + [SelectChoice(g.id, g.name) for g in all_gemeenten()]
        self.cluster.choices = [everything] + [SelectChoice(c.id, c.name) for c in clusters]
        self.sector.choices = [everything] + [SelectChoice(s.id, s.name, optgroup=c.name)
                                              for c in clusters for s in c.sectors]

    def wanted(self) -> PartnerFilter:
        """The filter the form describes; anything malformed is ignored."""
        attribute, days = ACTIVITY_DAYS.get(self.activity.data or "", (None, None))
        organisation = parse_id(self.organisation.data) if isinstance(self.organisation.data, int) else None
        return PartnerFilter(text=(self.q.data or "")[:100], gemeente_id=self.gemeente.data,
                             sector_id=self.sector.data, cluster_id=self.cluster.data,
                             organisation_id=organisation, **({attribute: days} if attribute else {}))

    def organisation_name(self) -> str:
        """The name of the organisation filtered on, for the page."""
        organisation_id = parse_id(self.organisation.data)
        organisation = organisation_id and db.session.get(Organisation, organisation_id)
        return organisation.name if organisation else ""


class PartnerEditForm(PartnerDetailsForm):
    """An organiser edits a partner's record: the partner's own fields plus the email."""

    # Empty only for a walk-in who gave no address; the service refuses to remove an address.
    email = EmailField(_l("Email"), filters=[strip_filter], validators=[
        Optional(), Length(max=MAX_LENGTH["email"], message=_l("Please use at most %(max)d characters.")),
        valid_email])


class MergeForm(FlaskForm):
    """Name the other record of the same person; it disappears into this one."""

    other_email = EmailField(_l("Email of the other record"), filters=[strip_filter],
                             validators=[InputRequired(message=_l("Please fill this in.")),
                                         Length(max=MAX_LENGTH["email"],
                                                message=_l("Please use at most %(max)d characters."))])
    confirm = BooleanField(_l("I checked that both records are the same person"),
                           validators=[InputRequired(message=_l("Please confirm."))])


class ImportForm(FlaskForm):
    """A CSV or XLSX file of partners."""

    file = FileField(_l("CSV or XLSX file"), validators=[
        FileRequired(message=_l("Please choose a file.")),
        FileAllowed(["csv", "xlsx", "txt"], message=_l("Please choose a CSV or XLSX file."))])


class ImportConfirmForm(FlaskForm):
    """Confirm a previewed import, skipping the rows the organiser ticked."""

    skip = SelectMultipleField(_l("Skip"), coerce=id_value, validate_choice=False)
