"""Solver runs in the background: a job is queued, then claimed and run by a seating worker (`flask seating work
--loop`) or, in the embedded default, by a thread of the web process that queued it.

Whoever runs a job does so inside a `Beat` (speeddate.workers) and writes its name into the job: a job whose
runner stopped beating died with its process, and is resumed (at most MAX_RUNS runs in all) or failed within
seconds. The solver thinks with no transaction open; the plan it finds is stored together with the job's outcome,
and only while the job is still its runner's (a runner wrongly thought dead stores nothing).
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from speeddate import solver, workers
from speeddate.database import UnitOfWorkError, in_write, lock_one, write
from speeddate.extensions import db
from speeddate.models import Event, JobStatus, SeatingJob, WorkerBeat
from speeddate.models.base import utcnow
from speeddate.seating import moved, network, seats
from speeddate.seating.constraints import confirmed_registrations, settings_of
from speeddate.seating.errors import SeatingError
from speeddate.seating.plans import replace_published, store_plan

log = logging.getLogger(__name__)

# A job that killed its runner twice (a solver that runs out of memory, say) must not kill every worker in turn.
MAX_RUNS = 2
# `flask seating work` takes any queued job; a "seating-job" runner runs only the job it was started for.
WORKER_ROLE, ONE_JOB_ROLE = "seating", "seating-job"
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
PROCESS_ENDED = _l("The solver stopped without an answer (its process ended).")
_threads: list[threading.Thread] = []


class JobTakenOver(Exception):
    """The job is no longer this runner's: it was resumed elsewhere after its runner was thought dead."""


def current_job(event_id: int) -> SeatingJob | None:
    """The event's most recent solver job."""
    return db.session.scalar(select(SeatingJob).where(SeatingJob.event_id == event_id)
                             .order_by(SeatingJob.id.desc()))


def threads_on() -> bool:
    """Whether the web process runs the jobs it queues in a thread of its own (the embedded default)."""
    return bool(current_app.config["SEATING_WORKER_THREAD"])


def seating_worker_alive() -> bool:
    """Whether a seating worker (`flask seating work --loop`) beat recently, so that a queued job is taken."""
    return db.session.scalar(select(WorkerBeat.name).where(
        WorkerBeat.role == WORKER_ROLE, WorkerBeat.beat_at >= workers.dead_before()).limit(1)) is not None


def is_dead(job: SeatingJob) -> bool:
    """Queued or running, but nobody will finish it: its runner stopped beating, or (threads only, no seating
    worker) the thread that should have taken it never did."""
    if job.status == JobStatus.RUNNING:
        return job.worker is None or job.worker not in workers.alive()
    return (job.status == JobStatus.QUEUED and threads_on() and job.created_at < workers.dead_before()
            and not seating_worker_alive())


def waits_for_worker(job: SeatingJob) -> bool:
    """Queued while no thread will take it and no seating worker runs: it waits until one is started."""
    return job.status == JobStatus.QUEUED and not threads_on() and not seating_worker_alive()


def request_job(event_id: int, kind: str, time_limit: float | None = None, background: bool = True,
                runner: str | None = None) -> SeatingJob:
    """Queue a solver run ("generate", "fresh" or "replan"); unless told otherwise a thread starts on it at once. With a
    `runner` (a beating worker's name) the job is that runner's from the start, for no other worker to take."""
    try:
        with write():
            event = lock_one(Event, event_id)  # requests for one event wait for each other, also on PostgreSQL
            running = current_job(event.id)
            if running is not None and running.status in ACTIVE:
                _fail_if_dead(lock_one(SeatingJob, running.id))  # locked: a sweep must not resume it meanwhile
            if kind == "replan" and seats.published_plan(event.id) is None:
                raise SeatingError(_l("Publish a plan first: re-planning starts from the published plan."))
            limit = time_limit or float(current_app.config["SEATING_TIME_LIMIT"])
            job = SeatingJob(event_id=event.id, kind=kind, status=JobStatus.QUEUED, time_limit=limit, error="",
                             attempts=0)
            if runner is not None:
                _mark_running(job, runner)
            db.session.add(job)
            db.session.flush()
    except IntegrityError as error:
        if not _one_active_refused(error):
            raise
        raise SeatingError(_l("The solver is already working on this event.")) from None
    if background and runner is None and threads_on():
        start_thread(job.id)
    return job


def _fail_if_dead(job: SeatingJob) -> None:
    """Refuse a second run while the event's job is alive; a dead one is failed, so that the new run replaces it."""
    if job.status not in ACTIVE:
        return
    if not is_dead(job):
        raise SeatingError(_l("The solver is already working on this event."))
    _fail(job, str(PROCESS_ENDED))


def _one_active_refused(error: IntegrityError) -> bool:
    """The database's own "one queued or running job per event" (uq_seating_jobs_one_active) refused the job."""
    text = str(error.orig)
    return "uq_seating_jobs_one_active" in text or "seating_jobs.event_id" in text


def generate_now(event_id: int, time_limit: float | None = None, fresh: bool = False) -> SeatingJob:
    """Queue a generation and run it in this process (`flask seating generate`); the job tells how it went."""
    _refuse_inside_write()
    with beating(current_app._get_current_object(), ONE_JOB_ROLE) as beat:  # type: ignore[attr-defined]
        job_id = request_job(event_id, "fresh" if fresh else "generate", time_limit, runner=beat.name).id
        _run_claimed(job_id, beat.name)
    db.session.rollback()
    return db.session.get_one(SeatingJob, job_id)


@contextmanager
def beating(app: Flask, role: str) -> Iterator[workers.Beat]:
    """A Beat whose row exists before the block starts: a job it claims is never seen without a living runner."""
    beat = workers.Beat(app, role)
    with app.app_context():
        beat.beat()
    with beat:
        yield beat


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


def run_job(job_id: int) -> SeatingJob:
    """Claim one queued job and run it in this process, beating while it runs; the job tells how it went."""
    _refuse_inside_write()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with beating(app, ONE_JOB_ROLE) as beat:
        if _claim(job_id, beat.name):
            _run_claimed(job_id, beat.name)
    db.session.rollback()
    return db.session.get_one(SeatingJob, job_id)


def _refuse_inside_write() -> None:
    if in_write():
        raise UnitOfWorkError("a job runs the solver outside any transaction: call it outside `with write():`")


def _claim(job_id: int, worker: str) -> bool:
    """Mark a queued job running for this worker; False when another runner took it first."""
    with write():
        job = lock_one(SeatingJob, job_id)  # a thread and `flask seating work` never both take it
        if job.status != JobStatus.QUEUED:
            return False
        _mark_running(job, worker)
    return True


def _mark_running(job: SeatingJob, worker: str) -> None:
    job.status, job.started_at, job.worker, job.attempts = JobStatus.RUNNING, utcnow(), worker, job.attempts + 1


def claim_next(worker: str) -> int | None:
    """Claim the oldest queued job for this worker; None when there is none. Workers skip each other's claims."""
    with write():
        job = db.session.scalar(select(SeatingJob).where(SeatingJob.status == JobStatus.QUEUED)
                                .order_by(SeatingJob.id).limit(1).with_for_update(skip_locked=True))
        if job is None:
            return None
        _mark_running(job, worker)
        return job.id


@dataclass(frozen=True)
class Swept:
    """What a sweep found: dead jobs put back in the queue, and dead jobs failed after their last run."""

    resumed: int = 0
    failed: int = 0


def sweep_dead(idle_worker: str | None = None) -> Swept:
    """Resume every running job whose runner stopped beating (back to the queue), or fail it after MAX_RUNS runs.

    `idle_worker` runs nothing right now: a job still marked as its own was left behind (the database went away
    while it stored the outcome), although the worker beats.
    """
    resumed = failed = 0
    with write():
        dead = db.session.scalars(select(SeatingJob).where(
            SeatingJob.status == JobStatus.RUNNING,
            or_(SeatingJob.worker.is_(None), ~workers.alive_clause(SeatingJob.worker),
                SeatingJob.worker == idle_worker))
            .order_by(SeatingJob.id).with_for_update(skip_locked=True))
        for job in dead:
            log.warning("seating job %s: its runner %s stopped beating (run %s)", job.id, job.worker, job.attempts)
            if job.attempts < MAX_RUNS:
                job.status, job.worker, job.started_at = JobStatus.QUEUED, None, None
                resumed += 1
            else:
                _fail(job, str(PROCESS_ENDED))
                failed += 1
    return Swept(resumed, failed)


def run_queued(worker: str, stop: threading.Event | None = None) -> int:
    """Sweep, then run every queued job, oldest first, as this worker (`flask seating work`); returns how many.
    Once `stop` is set, no further job is claimed."""
    _refuse_inside_write()
    done = 0
    sweep_dead(idle_worker=worker)
    while not (stop and stop.is_set()) and (job_id := claim_next(worker)) is not None:
        _run_claimed(job_id, worker)
        done += 1
    return done


def work(app: Flask, interval: float, echo: Callable[[str], None], loop: bool = True,
         stop: threading.Event | None = None) -> int:
    """`flask seating work [--loop]`: as one beating seating worker, run what is queued and resume what died,
    every `interval` seconds, until `stop` is set (the job at hand is finished first); a database that does not
    answer is waited for, with a growing pause."""
    done, pause, stop = 0, interval, stop or threading.Event()
    with beating(app, WORKER_ROLE) as beat:
        if loop:
            echo(f"seating worker {beat.name}")
        while True:
            try:
                ran = run_queued(beat.name, stop)
            except SQLAlchemyError as error:
                log.warning("seating worker: database unavailable (%s)", type(error).__name__)
                db.session.remove()
                ran, pause = 0, min(pause * 2, 60)
            else:
                pause = interval
            done += ran
            if loop and ran:
                echo(f"{ran} job(s) done")
            if not loop or stop.wait(pause):
                return done


def _run_claimed(job_id: int, worker: str) -> None:
    """Run the solver for a job this worker claimed and store its plan; on failure the previous plan stays and
    the job says why.

    Three transactions by design: the job was marked running, the solver thinks with no transaction open, then
    the plan is stored (and on the day published) together with the job's outcome.
    """
    job = db.session.get_one(SeatingJob, job_id)
    try:
        (_replan if job.kind == "replan" else _generate)(job, worker)
    except JobTakenOver:
        log.warning("seating job %s was resumed elsewhere; worker %s drops its result", job_id, worker)
    except (solver.InputError, solver.PlanError, SeatingError, TimeoutError) as error:
        _finish_failed(job_id, worker, str(error))
    except Exception as error:  # noqa: BLE001 - whatever broke, the organiser must learn it and the plan stays
        log.exception("seating job %s failed", job_id)
        _finish_failed(job_id, worker, f"{type(error).__name__}: {error}")


def _fail(job: SeatingJob, message: str) -> None:
    job.status, job.error, job.finished_at = JobStatus.FAILED, message[:2000], utcnow()


def _owned(job_id: int, worker: str) -> SeatingJob:
    """The job, locked, if it still runs as this worker's; a sweep may have given it to another worker."""
    job = lock_one(SeatingJob, job_id)
    if job.status != JobStatus.RUNNING or job.worker != worker:
        raise JobTakenOver(job_id)
    return job


def _finish_failed(job_id: int, worker: str, message: str) -> None:
    try:
        with write():
            _fail(_owned(job_id, worker), message)
    except JobTakenOver:
        log.warning("seating job %s was resumed elsewhere; worker %s drops its failure", job_id, worker)


def _finish_done(job: SeatingJob, plan_id: int) -> None:
    """Inside the unit of work that stored the plan: the plan and the job's outcome are kept together."""
    job.status, job.plan_id, job.finished_at = JobStatus.DONE, plan_id, utcnow()


def _options(job: SeatingJob) -> solver.Options:
    return solver.Options(time_limit=job.time_limit, seed=job.id)


def _check_time(job: SeatingJob, plan: solver.Plan) -> None:
    if plan.seconds > job.time_limit * 1.5 + 5:
        raise TimeoutError(str(_l("The solver took %(seconds)d s, more than its limit.", seconds=plan.seconds)))


def _generate(job: SeatingJob, worker: str) -> None:
    """A draft for the confirmed people. With a plan published, people keep the seat they know unless a move is
    worth it (the re-plan with fewest moves); a "fresh" job ignores it and plans from scratch."""
    event = db.session.get_one(Event, job.event_id)
    people = confirmed_registrations(event.id)
    instance = network.with_network(event, seats.instance_for(event.id, people, settings_of(event)), people)
    ids = [r.id for r in people]
    published = seats.published_plan(event.id)
    previous = seats.plan_of(published) if published is not None and job.kind == "generate" else None
    db.session.rollback()  # end the read: no transaction open while the solver thinks
    plan = (solver.solve(instance, _options(job)) if previous is None
            else solver.replan(instance, previous.circles, _options(job)))
    _check_time(job, plan)
    with write():
        owned = _owned(job.id, worker)  # first: a job taken over stores no plan
        keep = seats.published_plan(job.event_id)
        _finish_done(owned, store_plan(job.event_id, plan, ids, moved=moved.moved_ids(keep, plan)).id)


def _replan(job: SeatingJob, worker: str) -> None:
    event = db.session.get_one(Event, job.event_id)
    previous = seats.published_plan(event.id)
    if previous is None:
        raise SeatingError(str(_l("Publish a plan first: re-planning starts from the published plan.")))
    present = [r for r in confirmed_registrations(event.id) if r.attended]
    if len(present) < 2:
        raise SeatingError(str(_l("Check at least two people in before re-planning.")))
    instance = network.with_network(event, seats.instance_for(event.id, present, settings_of(event)), present)
    old, previous_id, ids = seats.plan_of(previous), previous.id, [r.id for r in present]
    db.session.rollback()  # end the read: no transaction open while the solver thinks
    plan = solver.replan(instance, old.circles, _options(job))
    _check_time(job, plan)
    with write():
        owned = _owned(job.id, worker)
        _finish_done(owned, replace_published(job.event_id, plan, ids, previous_id).id)
