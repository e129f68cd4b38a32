"""The organiser's login form and language choice."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Length

from speeddate.forms_common import strip_filter


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip_filter],
                       validators=[InputRequired(message=_l("Please fill in your email address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(message=_l("Please fill in your password.")),
                                                         Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this computer"))


class LanguageForm(FlaskForm):
    """The back office's language, chosen by an organiser; `next` is the page to go back to."""

    language = SelectField(_l("Language"), choices=[SelectChoice("nl", "Nederlands"), SelectChoice("fr", "Français"),
                                                    SelectChoice("en", "English")])
    next = HiddenField()
