"""Solver runs in the background: a job is queued, run in a thread (or by `flask seating work`), and stores its plan.

The solver thinks with no transaction open; the plan it finds is stored together with the job's outcome.
"""

import logging
import threading
from datetime import timedelta

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from speeddate import solver
from speeddate.database import UnitOfWorkError, in_write, lock_one, write
from speeddate.extensions import db
from speeddate.models import Event, JobStatus, SeatingJob
from speeddate.models.base import utcnow
from speeddate.seating import seats
from speeddate.seating.constraints import confirmed_registrations, settings_of
from speeddate.seating.errors import SeatingError
from speeddate.seating.plans import replace_published, store_plan

log = logging.getLogger(__name__)

# A job still running this long after its time limit died with its process.
STUCK_GRACE = timedelta(seconds=120)
_threads: list[threading.Thread] = []


def current_job(event_id: int) -> SeatingJob | None:
    """The event's most recent solver job."""
    return db.session.scalar(select(SeatingJob).where(SeatingJob.event_id == event_id)
                             .order_by(SeatingJob.id.desc()))


def is_stuck(job: SeatingJob) -> bool:
    """Running (or waiting) far longer than its time limit allows: its process is gone."""
    if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return False
    since = job.started_at or job.created_at
    return utcnow() > since + timedelta(seconds=job.time_limit) + STUCK_GRACE


def request_job(event_id: int, kind: str, time_limit: float | None = None, background: bool = True) -> SeatingJob:
    """Queue a solver run ("generate" or "replan"); unless told otherwise a thread starts on it at once."""
    with write():
        event = lock_one(Event, event_id)  # one job at a time per event, also on PostgreSQL
        running = current_job(event.id)
        if running is not None and running.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            if not is_stuck(running):
                raise SeatingError(_l("The solver is already working on this event."))
            _fail(running, str(_l("The solver stopped without an answer (its process ended).")))
        if kind == "replan" and seats.published_plan(event.id) is None:
            raise SeatingError(_l("Publish a plan first: re-planning starts from the published plan."))
        limit = time_limit or float(current_app.config.get("SEATING_TIME_LIMIT", 10.0))
        job = SeatingJob(event_id=event.id, kind=kind, status=JobStatus.QUEUED, time_limit=limit, error="")
        db.session.add(job)
    if background and current_app.config.get("SEATING_WORKER_THREAD", True):
        start_thread(job.id)
    return job


def generate_now(event_id: int, time_limit: float | None = None) -> SeatingJob:
    """Queue a generation and run it in this process (`flask seating generate`); the job tells how it went."""
    return run_job(request_job(event_id, "generate", time_limit, background=False).id)


def start_thread(job_id: int) -> None:
    """Run a job in a thread with its own app context, so that no web request waits for the solver."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(target=_run_in_app, args=(app, job_id), name=f"seating-job-{job_id}", daemon=True)
    _threads.append(thread)
    thread.start()


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def wait_for_threads(timeout: float = 60) -> None:
    """Wait until every job thread of this process has finished (tests, shutdown)."""
    while _threads:
        _threads.pop().join(timeout)


def run_queued() -> int:
    """Run every queued job, oldest first (`flask seating work`); returns how many ran."""
    done = 0
    while (job_id := db.session.scalar(select(SeatingJob.id).where(SeatingJob.status == JobStatus.QUEUED)
                                       .order_by(SeatingJob.id))) is not None:
        run_job(job_id)
        done += 1
    return done


def run_job(job_id: int) -> SeatingJob:
    """Run the solver for a job and store its plan; on failure the previous plan stays and the job says why.

    Three transactions by design: the job is marked running, the solver thinks with no transaction open, then
    the plan is stored (and on the day published) together with the job's outcome.
    """
    if in_write():
        raise UnitOfWorkError("run_job runs the solver outside any transaction: call it outside `with write():`")
    with write():
        job = lock_one(SeatingJob, job_id)  # a thread and `flask seating work` never both take it
        if job.status != JobStatus.QUEUED:
            return job
        job.status, job.started_at = JobStatus.RUNNING, utcnow()
    try:
        (_generate if job.kind == "generate" else _replan)(job)
    except (solver.InputError, solver.PlanError, SeatingError, TimeoutError) as error:
        return _finish_failed(job_id, str(error))
    except Exception as error:  # noqa: BLE001 - whatever broke, the organiser must learn it and the plan stays
        log.exception("seating job %s failed", job_id)
        return _finish_failed(job_id, f"{type(error).__name__}: {error}")
    return db.session.get_one(SeatingJob, job_id)


def _fail(job: SeatingJob, message: str) -> None:
    job.status, job.error, job.finished_at = JobStatus.FAILED, message[:2000], utcnow()


def _finish_failed(job_id: int, message: str) -> SeatingJob:
    with write():
        job = lock_one(SeatingJob, job_id)
        _fail(job, message)
    return job


def _finish_done(job_id: int, plan_id: int) -> None:
    """Inside the unit of work that stored the plan: the plan and the job's outcome are kept together."""
    job = lock_one(SeatingJob, job_id)
    job.status, job.plan_id, job.finished_at = JobStatus.DONE, plan_id, utcnow()


def _options(job: SeatingJob) -> solver.Options:
    return solver.Options(time_limit=job.time_limit, seed=job.id)


def _check_time(job: SeatingJob, plan: solver.Plan) -> None:
    if plan.seconds > job.time_limit * 1.5 + 5:
        raise TimeoutError(str(_l("The solver took %(seconds)d s, more than its limit.", seconds=plan.seconds)))


def _generate(job: SeatingJob) -> None:
    event = db.session.get_one(Event, job.event_id)
    people = confirmed_registrations(event.id)
    instance, ids = seats.instance_for(event.id, people, settings_of(event)), [r.id for r in people]
    db.session.rollback()  # end the read: no transaction open while the solver thinks
    plan = solver.solve(instance, _options(job))
    _check_time(job, plan)
    with write():
        _finish_done(job.id, store_plan(job.event_id, plan, ids).id)


def _replan(job: SeatingJob) -> None:
    event = db.session.get_one(Event, job.event_id)
    previous = seats.published_plan(event.id)
    if previous is None:
        raise SeatingError(str(_l("Publish a plan first: re-planning starts from the published plan.")))
    present = [r for r in confirmed_registrations(event.id) if r.attended]
    if len(present) < 2:
        raise SeatingError(str(_l("Check at least two people in before re-planning.")))
    instance = seats.instance_for(event.id, present, settings_of(event))
    old, previous_id, ids = seats.plan_of(previous), previous.id, [r.id for r in present]
    db.session.rollback()  # end the read: no transaction open while the solver thinks
    plan = solver.replan(instance, old.circles, _options(job))
    _check_time(job, plan)
    before, after = seats.seats(old), seats.seats(plan)
    moved = sorted(int(p) for p, seat in after.items() if p in before and before[p] != seat)
    with write():
        row = replace_published(job.event_id, plan, ids, previous_id, moved)
        _finish_done(job.id, row.id)
