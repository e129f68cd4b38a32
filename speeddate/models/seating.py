"""Seating for a speeddate: settings, seat constraints, stored plans and the background jobs that make them."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from speeddate.extensions import db
from speeddate.models.base import str_enum, utcnow
from speeddate.models.events import Event
from speeddate.models.registrations import Registration


class SeatingSettings(db.Model):
    """How a speeddate runs: rounds, their length, the room, and the round timer's clock."""

    __tablename__ = "seating_settings"
    __table_args__ = (
        CheckConstraint("rounds >= 1", name="rounds_positive"),
        CheckConstraint("minutes_per_round >= 1", name="minutes_positive"),
        CheckConstraint("switch_minutes >= 0", name="switch_not_negative"),
        CheckConstraint("pairs_per_circle IS NULL OR pairs_per_circle >= 1", name="pairs_positive"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    rounds: Mapped[int]
    minutes_per_round: Mapped[int]
    switch_minutes: Mapped[int]
    # Empty: one circle for everybody.
    pairs_per_circle: Mapped[int | None]
    keep_colleagues_apart: Mapped[bool] = mapped_column(default=True)
    # The round timer: when round 1 began (moved on by pauses) and when it was paused; naive UTC.
    timer_started_at: Mapped[datetime | None]
    timer_paused_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()


class SeatingFixedSeat(db.Model):
    """A participant who needs a given start seat (e.g. a wheelchair user inside, near the door)."""

    __tablename__ = "seating_fixed_seats"
    __table_args__ = (
        CheckConstraint("side IN ('inner', 'outer')", name="side_known"),
        CheckConstraint("seat >= 1 AND circle >= 1", name="seat_positive"),
        UniqueConstraint("event_id", "circle", "side", "seat", name="uq_seating_fixed_seats_seat"),
    )

    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(5))
    seat: Mapped[int]
    circle: Mapped[int] = mapped_column(default=1)

    registration: Mapped[Registration] = relationship()


class SeatingAvoidPair(db.Model):
    """Two participants who must not meet; stored with the lower registration id first."""

    __tablename__ = "seating_avoid_pairs"
    __table_args__ = (CheckConstraint("first_id < second_id", name="ordered"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True)

    first: Mapped[Registration] = relationship(foreign_keys=[first_id])
    second: Mapped[Registration] = relationship(foreign_keys=[second_id])


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class SeatingPlan(db.Model):
    """A plan as the solver's JSON contract (participant ids are registration ids), checked when stored."""

    __tablename__ = "seating_plans"
    __table_args__ = (
        # At most one published plan per event: the one participants see.
        Index("uq_seating_plans_published", "event_id", unique=True,
              sqlite_where=text("status = 'published'"), postgresql_where=text("status = 'published'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus, "plan_status"), default=PlanStatus.DRAFT)
    # A re-plan on the day starts from the present people and the published plan.
    replanned_from_id: Mapped[int | None] = mapped_column(ForeignKey("seating_plans.id", ondelete="SET NULL"))
    plan_json: Mapped[str] = mapped_column(Text)
    # Registration ids the plan was made from, as a JSON list, to flag later changes.
    registration_ids: Mapped[str] = mapped_column(Text)
    # Registration ids a re-plan moved off their previous seat, as a JSON list.
    moved_ids: Mapped[str] = mapped_column(Text, default="[]")
    same_organisation: Mapped[int]
    same_sector: Mapped[int]
    distinct_sectors_total: Mapped[int]
    distinct_sectors_min: Mapped[int]
    upper_bound: Mapped[int]
    solver_status: Mapped[str] = mapped_column(String(20))
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class SeatingJob(db.Model):
    """A solver run asked for by an organiser; a worker thread or `flask seating work` carries it out."""

    __tablename__ = "seating_jobs"
    __table_args__ = (
        # At most one job per event waits or runs: the database, not a check in the code, refuses a second one.
        Index("uq_seating_jobs_one_active", "event_id", unique=True,
              sqlite_where=text("status IN ('queued', 'running')"),
              postgresql_where=text("status IN ('queued', 'running')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "generate" or "replan"
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, "job_status"), default=JobStatus.QUEUED)
    time_limit: Mapped[float]
    error: Mapped[str] = mapped_column(Text, default="")
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("seating_plans.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # The worker (speeddate.workers) running it; a job whose worker stopped beating died with its process.
    worker: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(default=0)
