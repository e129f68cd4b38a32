"""Organiser forms for seating: settings, fixed seats, pairs apart, swaps; the walk-in form on the day."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from speeddate.forms_common import id_value, strip_filter, valid_email
from speeddate.models import Registration
from speeddate.partners.fields import MAX_LENGTH
from speeddate.partners.forms import RegistrationForm
from speeddate.seating.constraints import SettingsData


class SettingsForm(FlaskForm):
    """Rounds and their length, the room size and whether colleagues are kept apart."""

    rounds = IntegerField(_l("Rounds"), validators=[InputRequired(), NumberRange(min=1, max=100)])
    minutes_per_round = IntegerField(_l("Minutes per round"), validators=[InputRequired(), NumberRange(min=1, max=60)])
    switch_minutes = IntegerField(_l("Minutes to switch seats"), validators=[InputRequired(),
                                                                            NumberRange(min=0, max=15)])
    pairs_per_circle = IntegerField(_l("Pairs per circle (room size; empty: one circle)"),
                                    validators=[Optional(), NumberRange(min=1, max=500)])
    keep_colleagues_apart = BooleanField(_l("Keep colleagues apart"), default=True)

    def settings_data(self) -> SettingsData:
        """The validated form as service input."""
        return SettingsData(self.rounds.data, self.minutes_per_round.data, self.switch_minutes.data,
                            self.pairs_per_circle.data or None, self.keep_colleagues_apart.data)


def _people_choices(people: list[Registration]) -> list[SelectChoice]:
    return [SelectChoice(r.id, r.partner.full_name) for r in people]


class PeopleForm(FlaskForm):
    """A form choosing among the event's confirmed people."""

    def __init__(self, people: list[Registration], *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first", "second", "registration"):
            if name in self._fields:
                self._fields[name].choices = _people_choices(people)


class FixedSeatForm(PeopleForm):
    registration = SelectField(_l("Participant"), coerce=id_value)
    side = SelectField(_l("Side"), choices=[SelectChoice("inner", _l("inner circle (stays seated)")),
                                            SelectChoice("outer", _l("outer circle (moves)"))])
    seat = IntegerField(_l("Seat"), default=1, validators=[InputRequired(), NumberRange(min=1, max=500)])
    circle = IntegerField(_l("Circle"), default=1, validators=[InputRequired(), NumberRange(min=1, max=50)])


class PairForm(PeopleForm):
    """Two people: a pair that must not meet, or a swap."""

    first = SelectField(_l("First person"), coerce=id_value)
    second = SelectField(_l("Second person"), coerce=id_value)


class WalkInForm(RegistrationForm):
    """A quick registration at the door; language, gemeenten and consents as on the public form.

    The coordinator fills it in for the person in front of them, so its messages speak to the coordinator."""

    # Optional at the door: someone without an address (or who would rather not say it) is checked in all the
    # same, and gets mails once an organiser adds an address in the directory.
    email = EmailField(_l("The participant's email (optional)"), filters=[strip_filter], validators=[
        Optional(),
        Length(max=MAX_LENGTH["email"], message=_l("Please use at most %(max)d characters.")), valid_email])
    over_capacity = BooleanField(_l("Yes, one more than planned: raise the capacity by one"))


class SwapForm(FlaskForm):
    """Apply a swap seen in its preview: the two people, the plan it was previewed on, the second confirmation."""

    first = IntegerField(validators=[InputRequired()])
    second = IntegerField(validators=[InputRequired()])
    version = HiddenField(validators=[InputRequired(), Length(max=64)])
    confirmed = BooleanField(_l("Yes, swap them anyway"))
