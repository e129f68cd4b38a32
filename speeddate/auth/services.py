"""Organiser accounts."""

from sqlalchemy import select

from speeddate.database import begin_write
from speeddate.extensions import db
from speeddate.models import Role, User


class AccountError(Exception):
    """An account that cannot be created as asked."""


def authenticate(email: str, password: str) -> User | None:
    """The active organiser with this email and password, or None."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
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
