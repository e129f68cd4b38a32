"""Organiser accounts."""

import secrets
from functools import cache

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import Role, User
from speeddate.security import ratelimit


class AccountError(Exception):
    """An account that cannot be created as asked."""


def authenticate(email: str, password: str) -> User | None:
    """The active organiser with this email and password, or None.

    A password is checked (against a dummy hash for an unknown email) before anything else is decided, so that
    the answer takes as long for an unknown or disabled account as for a known one and its time tells nothing.
    """
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


@cache
def _dummy_hash() -> str:
    """A hash made like every stored one (same method and cost), of a password nobody has."""
    return generate_password_hash(secrets.token_hex(16))


def login_keys(email: str, address: str) -> list[tuple[str, str]]:
    """The buckets that count failed logins: this account from this address, and this address for any account.

    Never the account alone: then anyone anywhere could lock the real organiser out by failing on purpose.
    """
    return [("login_account_address", _account_at(email, address)), ("login_address", address)]


def _account_at(email: str, address: str) -> str:
    return f"{email.strip().lower()}\0{address}"


def locked_for(email: str, address: str) -> int | None:
    """Seconds until logins for this account from this address are accepted again; None when they are now."""
    return ratelimit.exceeded(login_keys(email, address))


def log_in_attempt(email: str, password: str, address: str) -> User | None:
    """authenticate(), counting a failure in both buckets, forgetting this account's from this address on success."""
    user = authenticate(email, password)
    if user is None:
        ratelimit.record(login_keys(email, address))
    else:
        ratelimit.clear("login_account_address", _account_at(email, address))
    return user


def create_user(email: str, password: str, admin: bool = False) -> User:
    """A new organiser account; emails are unique and stored lower-case."""
    email = email.strip().lower()
    with write():
        if "@" not in email:
            raise AccountError(f"not an email address: {email!r}")
        _check_password_rules(password)
        if db.session.scalar(select(User).where(User.email == email)) is not None:
            raise AccountError(f"an account for {email} exists already")
        user = User(email=email, role=Role.ADMIN if admin else Role.ORGANISER)
        user.set_password(password)
        db.session.add(user)
    return user


def end_sessions(user_id: int) -> None:
    """Log the organiser out everywhere: every session and remember cookie given out so far loads no one."""
    with write():
        db.session.get_one(User, user_id).end_sessions()


def disable_user(email: str) -> User:
    """Refuse the account's logins from now on and end its sessions."""
    with write():
        user = _existing(email)
        user.active = False
        user.end_sessions()
    return user


def change_password(email: str, password: str) -> User:
    """A new password for the account; the sessions opened with the old one end."""
    with write():
        user = _existing(email)
        _check_password_rules(password)
        user.set_password(password)
    return user


def _existing(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise AccountError(f"no account for {email.strip().lower()}")
    return user


def _check_password_rules(password: str) -> None:
    if len(password) < 8:
        raise AccountError("the password needs at least 8 characters")


def set_language(user_id: int, language: str | None) -> User:
    """Keep the organiser's interface language on their account; None goes back to the browser's."""
    with write():
        if language is not None and language not in current_app.config["LANGUAGES"]:
            raise AccountError(f"not a language of this service: {language!r}")
        user = db.session.get_one(User, user_id)
        user.language = language
    return user
