"""Personal links: a random token stored with the registration, signed so that tampering is caught early."""

import secrets

from flask import current_app
from itsdangerous import BadSignature, Signer, URLSafeSerializer

_SALT = "speeddate.registration"
_UNSUBSCRIBE_SALT = "speeddate.unsubscribe"


def new_token() -> str:
    """A random, unguessable token (192 bits)."""
    return secrets.token_urlsafe(24)


def sign(token: str) -> str:
    """The token as it appears in a personal link."""
    return Signer(current_app.config["SECRET_KEY"], salt=_SALT).sign(token).decode()


def unsign(signed: str) -> str | None:
    """The stored token behind a personal link, or None when the link was altered or made up."""
    try:
        return Signer(current_app.config["SECRET_KEY"], salt=_SALT).unsign(signed).decode()
    except (BadSignature, UnicodeError):
        return None


def unsubscribe_token(partner_id: int) -> str:
    """A signed token naming a partner, for one-click unsubscribe links in invitations."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT).dumps(partner_id)


def partner_for_unsubscribe(token: str) -> int | None:
    """The partner id behind an unsubscribe link, or None when it was altered or made up."""
    try:
        value = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None
