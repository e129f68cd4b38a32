"""Organiser accounts."""

from sqlalchemy import select

from speeddate.database import begin_write
from speeddate.extensions import db
from speeddate.models import Role, User
from speeddate.security import ratelimit


class AccountError(Exception):
    """An account that cannot be created as asked."""


def authenticate(email: str, password: str) -> User | None:
    """The active organiser with this email and password, or None."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def login_keys(email: str, address: str) -> list[tuple[str, str]]:
    """The buckets that count failed logins: the account asked for, and the address asking."""
    return [("login_account", email.strip().lower()), ("login_address", address)]


def locked_for(email: str, address: str) -> int | None:
    """Seconds until logins for this account and address are accepted again; None when they are now."""
    return ratelimit.exceeded(login_keys(email, address))


def log_in_attempt(email: str, password: str, address: str) -> User | None:
    """authenticate(), counting a failure against the account and the address, forgetting the account's on success."""
    user = authenticate(email, password)
    if user is None:
        ratelimit.record(login_keys(email, address))
    else:
        ratelimit.clear("login_account", email.strip().lower())
    return user


def create_user(email: str, password: str, admin: bool = False) -> User:
    """A new organiser account; emails are unique and stored lower-case."""
    email = email.strip().lower()
    begin_write()
    if "@" not in email:
        raise AccountError(f"not an email address: {email!r}")
    if len(password) < 8:
        raise AccountError("the password needs at least 8 characters")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(f"an account for {email} exists already")
    user = User(email=email, role=Role.ADMIN if admin else Role.ORGANISER)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user
