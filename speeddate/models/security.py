"""Rate limit counters, kept in the database so that every web worker on every host sees the same counts."""

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from speeddate.extensions import db
from speeddate.models.base import utcnow


class RateLimitHit(db.Model):
    """One counted attempt in a bucket: a keyed hash of (rule, address or account), never the address itself."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_bucket_at", "bucket", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
