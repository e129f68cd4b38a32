"""Validators and forms shared by the forms of every blueprint; messages go through Babel."""

import re
import unicodedata
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import ValidationError
from wtforms.validators import DataRequired, Length, Optional

MARKUP_CHARACTERS = set("<>")
# The largest id the database stores (a signed 32-bit integer on PostgreSQL): larger ones overflow, not miss.
MAX_ID = 2**31 - 1
# The calendar the service keeps: dates outside it are typing errors, and near year 1 or 9999 the conversion to
# and from UTC overflows.
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2100, 12, 31)
# Checked on every request's every value, so a regular expression rather than a loop over the characters.
STRAY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class ActionForm(FlaskForm):
    """A button that posts with a CSRF token (publish, promote, check in, ...)."""


def parse_id(value: object) -> int | None:
    """An id typed or sent by someone: ASCII digits within the database's range, else None (never an error)."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def id_value(value: object) -> int:
    """coerce= for fields that hold ids: parse_id, with a ValueError (a field error) for what it refuses."""
    number = parse_id(value)
    if number is None:
        raise ValueError(_l("Please choose from the list."))
    return number


def page_number(value: object) -> int:
    """A ?page= value: a positive id-sized number, anything else means the first page."""
    return parse_id(value) or 1


def is_control(character: str) -> bool:
    """A C0 or C1 control character or DEL (line breaks and tabs included)."""
    return ord(character) < 32 or 0x7F <= ord(character) <= 0x9F


def is_invisible(character: str) -> bool:
    """A format character (Unicode Cf): zero-width spaces and joiners, the byte order mark, soft hyphens and the
    bidirectional controls that make a name display backwards. Nobody types them in a name; they hide what it says."""
    return unicodedata.category(character) == "Cf"


def has_stray_control(text: str) -> bool:
    """Control characters that no field may hold: everything below space except tab and line breaks, and C1."""
    return STRAY_CONTROL.search(text) is not None


def no_markup(form, field) -> None:
    """Refuse < and >: names and organisations never need them, and they signal pasted HTML or script."""
    if field.data and MARKUP_CHARACTERS & set(field.data):
        raise ValidationError(_l("Please leave out the characters < and >."))


def single_line(form, field) -> None:
    """Refuse line breaks, control and invisible characters, which could break mail headers and exports or hide
    what a name really says."""
    if not field.data:
        return
    if any(is_control(character) for character in field.data):
        raise ValidationError(_l("Please keep this on one line."))
    if any(is_invisible(character) for character in field.data):
        raise ValidationError(_l("Please leave out invisible characters (such as zero-width spaces or "
                                 "direction marks)."))


def required_text(maximum: int) -> list:
    """A required one-line text of at most `maximum` characters, without markup; spaces alone are not a text."""
    return [
        # DataRequired looks at the stripped value: InputRequired took "   " as filled in and stored "".
        DataRequired(message=_l("Please fill this in.")),
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
    if not email_is_valid(field.data or ""):
        raise ValidationError(_l("This is not a valid email address."))
    reason = why_unsendable(field.data)
    if reason:
        raise ValidationError(reason)


def email_is_valid(address: str) -> bool:
    """Whether the address is well-formed (international characters allowed)."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def why_unsendable(address: str) -> str | None:
    """Why the mail worker cannot send to this valid address, or None when it can.

    Without SMTPUTF8 the part before the @ must be ASCII. The worker (Flask-Mail) sends to a non-ASCII domain
    in punycode made by Python's IDNA 2003 codec, which for a few letters (ß, ς) names another domain than the
    IDNA 2008 one the address means: faß.example would be mailed at fass.example, someone else's domain.
    """
    try:
        meant = validate_email(address, check_deliverability=False, allow_smtputf8=False).ascii_domain
    except EmailNotValidError:
        return _l("Please use an address with only Latin letters, digits and . _ - + before the @: our mail "
                  "server cannot send to this one.")
    try:  # the domain as stored (models.partners.normalise_email), encoded as the worker encodes it
        sent_to = address.strip().lower().rsplit("@", 1)[1].encode("idna").decode("ascii")
    except UnicodeError:
        sent_to = ""
    if sent_to != meant.lower():
        return _l("Our mail server cannot reach this address's domain as written (it has a letter such as ß). "
                  "Please use another address.")
    return None


def email_is_sendable(address: str) -> bool:
    """Whether the mail worker can send to this valid address (see why_unsendable)."""
    return why_unsendable(address) is None


def strip_filter(value):
    """Trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value
