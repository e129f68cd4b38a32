"""The partner's erasure form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import InputRequired


class EraseForm(FlaskForm):
    """Erasing cannot be undone, so the person ticks a box first."""

    confirm = BooleanField(_l("I understand that my details are erased for good"),
                           validators=[InputRequired(message=_l("Please confirm."))])
