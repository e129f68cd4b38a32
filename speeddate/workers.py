"""Which background workers are alive: each beats (updates its row in `worker_beats`) every WORKER_BEAT_SECONDS.

A worker that stops beating for WORKER_DEAD_SECONDS died with its process (kill -9, a crash, a lost machine);
whatever it had claimed (a mail it was handing to the SMTP server, a seating job) is then known to be orphaned,
within seconds rather than after a long claim timeout. The beat runs in a thread of its own with its own app
context and session, so that a solver that thinks for a minute or an SMTP server that answers slowly does not
stop it; a beat that cannot reach the database is skipped, not fatal.
"""

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta
from types import TracebackType

from flask import Flask, current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import WorkerBeat
from speeddate.models.base import utcnow
from speeddate.service_lock import hold_shared

log = logging.getLogger(__name__)


def worker_name(role: str) -> str:
    """Role, host, process and a random part: unique among workers running at the same time."""
    return f"{role}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Beat:
    """`with Beat(app, "mail") as beat:` registers a worker, beats while the block runs, and unregisters it.

    `beat.name` is what the worker writes into the rows it claims (outbox.claimed_by, seating_jobs.worker).
    """

    def __init__(self, app: Flask, role: str, name: str | None = None) -> None:
        self.app, self.role, self.name = app, role, name or worker_name(role)
        self.interval = float(app.config["WORKER_BEAT_SECONDS"])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"beat-{self.name}", daemon=True)

    def __enter__(self) -> "Beat":
        # A running worker holds the database, so that no restore replaces it underneath; a worker started during
        # a restore waits for it (speeddate.service_lock).
        hold_shared(self.app, wait=True)
        # The first beat lands before the worker claims anything, so that nobody takes a fresh claim of a worker
        # that has not beaten yet for one of a dead one (in a context of its own: the caller's session is left be).
        with self.app.app_context():
            self.beat()
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(self.interval + 5)
        with self.app.app_context():
            try:
                with write():
                    db.session.execute(delete(WorkerBeat).where(WorkerBeat.name == self.name))
            except SQLAlchemyError:
                log.warning("worker %s could not unregister; its beat will age out", self.name)
            finally:
                db.session.remove()

    def _run(self) -> None:
        with self.app.app_context():
            while not self._stop.wait(self.interval):
                self.beat()

    def beat(self) -> None:
        """Say "alive" once (insert the row the first time); a database that does not answer is tried next time."""
        try:
            with write():
                now = utcnow()
                updated = db.session.execute(update(WorkerBeat).where(WorkerBeat.name == self.name)
                                             .values(beat_at=now)).rowcount
                if not updated:
                    db.session.add(WorkerBeat(name=self.name, role=self.role, started_at=now, beat_at=now))
        except SQLAlchemyError as error:
            log.warning("worker %s could not beat: %s", self.name, type(error).__name__)
        finally:
            db.session.remove()


def dead_before(now: datetime | None = None) -> datetime:
    """A worker whose last beat is older than this is dead."""
    return (now or utcnow()) - timedelta(seconds=float(current_app.config["WORKER_DEAD_SECONDS"]))


def alive(now: datetime | None = None) -> set[str]:
    """The names of the workers that beat recently."""
    return set(db.session.scalars(select(WorkerBeat.name).where(WorkerBeat.beat_at >= dead_before(now))))


def alive_clause(column, now: datetime | None = None):  # type: ignore[no-untyped-def]
    """A SQL condition: the worker named in `column` beat recently (for UPDATE ... WHERE over claimed rows)."""
    return column.in_(select(WorkerBeat.name).where(WorkerBeat.beat_at >= dead_before(now)).scalar_subquery())


def forget_dead(now: datetime | None = None) -> int:
    """Remove the rows of workers dead for a long time (an hour), so that the table stays small."""
    with write():
        limit = dead_before(now) - timedelta(hours=1)
        return db.session.execute(delete(WorkerBeat).where(WorkerBeat.beat_at < limit)).rowcount
