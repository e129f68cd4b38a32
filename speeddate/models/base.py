"""Helpers shared by the model modules."""

import enum
from datetime import UTC, datetime

from sqlalchemy import Enum

# Set by tests that move the clock (evaluation windows, reminders months later); None in production.
frozen_now: datetime | None = None


def utcnow() -> datetime:
    """Naive UTC now: every timestamp column stores UTC without a zone, on SQLite and PostgreSQL alike."""
    return frozen_now or datetime.now(UTC).replace(tzinfo=None)


def str_enum(cls: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum column: the lower-case value stored as text with a CHECK constraint."""
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=20,
                values_callable=lambda members: [m.value for m in members])
