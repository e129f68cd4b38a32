"""Organiser accounts."""

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from speeddate.extensions import db
from speeddate.models.base import str_enum, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"


class User(UserMixin, db.Model):
    """An ELZ staff member who logs in to the back office."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"), default=Role.ORGANISER)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the session and remember cookies name instead of the id: a new one makes every earlier cookie useless.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: new_session_token())
    # The interface language the organiser chose (nl, fr, en); None: the browser's.
    language: Mapped[str | None] = mapped_column(String(2))

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def get_id(self) -> str:
        """Flask-Login's user id in cookies: the session token, so that ending sessions ends every copy of them."""
        return self.session_token

    def end_sessions(self) -> None:
        """Make every session and remember cookie given out so far load no one."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        """Store a salted hash (the password itself is never kept) and end the sessions opened with the old one."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)


def new_session_token() -> str:
    """A random session token (256 bits)."""
    return secrets.token_urlsafe(32)
