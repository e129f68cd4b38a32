"""Personal links: a random token stored with the registration, signed so that tampering is caught early."""

import secrets

from flask import current_app
from itsdangerous import BadSignature, Signer

_SALT = "speeddate.registration"


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
