"""Validators shared by the forms of every blueprint; messages go through Babel."""

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import InputRequired, Length, Optional

MARKUP_CHARACTERS = set("<>")


def no_markup(form, field) -> None:
    """Refuse < and >: names and organisations never need them, and they signal pasted HTML or script."""
    if field.data and MARKUP_CHARACTERS & set(field.data):
        raise ValidationError(_l("Please leave out the characters < and >."))


def single_line(form, field) -> None:
    """Refuse line breaks and other control characters, which could break mail headers and exports."""
    if field.data and any(ord(character) < 32 for character in field.data):
        raise ValidationError(_l("Please keep this on one line."))


def required_text(maximum: int) -> list:
    """A required one-line text of at most `maximum` characters, without markup."""
    return [
        InputRequired(message=_l("Please fill this in.")),
        Length(max=maximum, message=_l("Please use at most %(max)d characters.")),
        no_markup,
        single_line,
    ]


def optional_text(maximum: int) -> list:
    """An optional one-line text of at most `maximum` characters, without markup."""
    return [
        Optional(),
        Length(max=maximum, message=_l("Please use at most %(max)d characters.")),
        no_markup,
        single_line,
    ]


def valid_email(form, field) -> None:
    """An email address as a mail server would take it (no deliverability check: that needs the network)."""
    try:
        validate_email(field.data, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError(_l("This is not a valid email address.")) from error


def strip_filter(value):
    """Trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value
