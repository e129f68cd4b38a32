"""The outbox's filters and the confirmation of an action on a selection of mails."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from speeddate.forms_common import parse_id, strip_filter
from speeddate.labels import MAIL_STATUS_LABELS, mail_kind_label
from speeddate.mail.actions import Action, MailFilter, events_with_mail, kinds_in_outbox
from speeddate.models import MailStatus

# Every id of a confirmed selection travels in one field; a zone's whole outbox fits well under MAX_CONTENT_LENGTH.
MAX_IDS_LENGTH = 1_500_000


class FilterFields(FlaskForm):
    """Event, person, kind and status, as the outbox page and the confirmation page carry them."""

    event = SelectField(_l("Event"), validate_choice=False)
    person = StringField(_l("Person (address or name)"), filters=[strip_filter],
                         validators=[Optional(), Length(max=100, message=_l("Please use at most %(max)d characters."))])
    kind = SelectField(_l("Kind of mail"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = SelectChoice("", _l("all"))
        self.event.choices = [everything] + [SelectChoice(str(e.id), e.title) for e in events_with_mail()]
        self.kind.choices = [everything] + [SelectChoice(k, mail_kind_label(k)) for k in kinds_in_outbox()]
        self.status.choices = [everything] + [SelectChoice(s.value, label) for s, label in MAIL_STATUS_LABELS.items()]

    def wanted(self) -> MailFilter:
        """The filter the form describes; a value that names nothing is ignored."""
        status = self.status.data if self.status.data in set(MailStatus) else None
        return MailFilter(event_id=parse_id(self.event.data), person=(self.person.data or "")[:100],
                          kind=(self.kind.data or "")[:40], status=MailStatus(status) if status else None)

    def query(self) -> dict[str, str]:
        """The filter as query-string values, for links that keep it (pages, back to the list)."""
        values = {"event": self.event.data, "person": self.person.data, "kind": self.kind.data,
                  "status": self.status.data}
        return {name: str(value) for name, value in values.items() if value}


class FilterForm(FilterFields):
    """The outbox's filters, read from the query string (a GET form: it changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False


def _ids(form, field) -> None:
    if not field.data or any(parse_id(part) is None for part in field.data.split(",")):
        raise ValidationError(_l("The selection was damaged on its way. Nothing was changed: please select again."))


class ConfirmForm(FilterFields):
    """The organiser's yes to an action on the mails the confirmation page listed (posted with a CSRF token)."""

    action = SelectField(choices=[a.value for a in Action],
                         validators=[InputRequired(message=_l("Please choose from the list."))])
    ids = HiddenField(validators=[Length(max=MAX_IDS_LENGTH), _ids])

    def chosen_ids(self) -> list[int]:
        """The mail ids the organiser confirmed."""
        return [number for part in (self.ids.data or "").split(",") if (number := parse_id(part)) is not None]
