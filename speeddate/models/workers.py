"""Background workers that are running now: each beats (updates its row) every few seconds while it lives."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from speeddate.extensions import db
from speeddate.models.base import utcnow


class WorkerBeat(db.Model):
    """One running worker (mail, seating); a row whose beat is old belongs to a process that died."""

    __tablename__ = "worker_beats"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)  # host:pid:random, see speeddate.workers
    role: Mapped[str] = mapped_column(String(20))  # "mail" or "seating"
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
