"""Version stamps of data that processes keep built in memory (the registration form's choices, ...).

Each worker process of gunicorn keeps its own copy; a change made through any process bumps the stamp in the
database, and every process rebuilds its copy when it reads a stamp other than the one it built it from.
"""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from speeddate.extensions import db


class CacheVersion(db.Model):
    """One stamp per kind of cached data; a missing row reads as version 0."""

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
