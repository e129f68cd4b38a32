"""Seating jobs survive a dead process: runners beat, a dead job is resumed or failed within seconds, and the
database allows one queued or running job per event."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from flask_babel import gettext
from sqlalchemy import func, select, update

from speeddate import solver
from speeddate.auth.services import create_user
from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import EventType, JobStatus, SeatingJob, SeatingPlan, WorkerBeat
from speeddate.models.base import utcnow
from speeddate.seating import jobs
from speeddate.seating.errors import SeatingError
from tests.seating.test_services import generated
from tests.support import CSRF_FIELD, ORGANISER_EMAIL, ORGANISER_PASSWORD, local_now, make_test_app, serving
from tests.test_concurrency import Browser

ROOT = Path(__file__).resolve().parents[2]
ALREADY_WORKING = "The solver is already working on this event."
BEAT, DEAD = 0.3, 1.5  # seconds: small, so that a killed runner is noticed quickly


@pytest.fixture
def quick_beats(app):
    # The rate limits have their own tests; here forty people register from one address.
    app.config.update(WORKER_BEAT_SECONDS=BEAT, WORKER_DEAD_SECONDS=DEAD, RATE_LIMIT_ENABLED=False)
    return app


@pytest.fixture
def hard_speeddate(make_event, register):
    """Forty people of two organisations and two sectors: colleagues must meet, so no plan reaches the bound and
    the solver thinks until its time limit."""
    event = make_event(capacity=40)
    for number in range(40):
        response = register(event, number, organisation=f"Organisatie {number % 2}",
                            sector="Huisartsen" if number % 3 else "Apothekers")
        assert response.status_code == 200
    return event


def fresh(job_id: int) -> SeatingJob:
    db.session.rollback()
    return db.session.get_one(SeatingJob, job_id)


def running_as(job_id: int, worker: str, beat_age: timedelta, attempts: int = 1) -> SeatingJob:
    """Make a job look claimed by `worker`, whose last beat was `beat_age` ago (a worker row is what a Beat writes)."""
    now = utcnow()
    db.session.add(WorkerBeat(name=worker, role=jobs.ONE_JOB_ROLE, started_at=now - beat_age, beat_at=now - beat_age))
    db.session.execute(update(SeatingJob).where(SeatingJob.id == job_id).values(
        status=JobStatus.RUNNING, worker=worker, attempts=attempts, started_at=now))
    db.session.commit()
    return fresh(job_id)


# One running job per event ------------------------------------------------------------------------------------

def plain_event(title: str = "Speeddate Brugge") -> int:
    start = local_now().replace(second=0) + timedelta(days=14)
    return events.create_event(events.EventData(type=EventType.SPEEDDATE, title=title, starts_at=start,
                                                ends_at=start + timedelta(hours=2), capacity=20), publish=True).id


def at_once(*actions) -> list:
    """Run the actions in threads released at the same moment; their results, in order."""
    barrier, results = threading.Barrier(len(actions)), [None] * len(actions)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = actions[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def job_count(event_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(SeatingJob).where(SeatingJob.event_id == event_id))


def request_in_own_context(app, event_id: int) -> str:
    """One organiser's "generate", as the view calls it, in an app context (and session) of its own."""
    with app.app_context():
        try:
            return f"job {jobs.request_job(event_id, 'generate', background=False).id}"
        except SeatingError as error:
            return str(error)
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome as a failure
            return f"{type(error).__name__}: {error}"
        finally:
            db.session.remove()


@pytest.mark.postgres
def test_two_simultaneous_generate_requests_on_postgresql_start_one_job(postgres_app):
    for attempt in range(8):
        event_id = plain_event(f"Speeddate {attempt}")
        outcomes = at_once(*[partial(request_in_own_context, postgres_app, event_id)] * 2)
        assert sorted(o.startswith("job ") for o in outcomes) == [False, True], outcomes
        assert gettext(ALREADY_WORKING) in outcomes
        assert job_count(event_id) == 1


def work_once_in_own_context(app) -> int:
    with app.app_context():
        try:
            return jobs.work(app, 0.1, lambda _line: None, loop=False)
        finally:
            db.session.remove()


@pytest.mark.postgres
def test_two_seating_workers_on_postgresql_run_each_queued_job_once(postgres_app):
    queued = [jobs.request_job(plain_event(f"Speeddate {n}"), "generate", background=False).id for n in range(6)]
    assert sum(at_once(*[partial(work_once_in_own_context, postgres_app)] * 2)) == len(queued)
    runs = [(fresh(job_id).status, fresh(job_id).attempts) for job_id in queued]
    assert runs == [(JobStatus.FAILED, 1)] * len(queued)  # nobody to seat: each fails, once


@pytest.mark.postgres
def test_a_seating_worker_outlives_the_database_cutting_its_connections(postgres_app, postgres, smtp_server):
    worker_app, stop = make_test_app(postgres_app.config["DATABASE_URL"], smtp_server), threading.Event()

    def work_until_stopped() -> None:
        with worker_app.app_context():
            jobs.work(worker_app, 0.1, lambda _line: None, loop=True, stop=stop)

    worker = threading.Thread(target=work_until_stopped, daemon=True)
    worker.start()
    try:
        before = jobs.request_job(plain_event("Voor"), "generate", background=False).id
        wait_for(lambda: fresh(before).status == JobStatus.FAILED)  # nobody to seat: done with, at once
        db.session.remove()
        postgres.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         f"WHERE datname = '{db.engine.url.database}'")
        db.engine.dispose()  # the test's own connections died too; the worker must find out about its own
        after = jobs.request_job(plain_event("Na"), "generate", background=False).id
        wait_for(lambda: fresh(after).status == JobStatus.FAILED)
        assert worker.is_alive()
    finally:
        stop.set()
        worker.join(timeout=30)


def logged_in_browser(base_url: str) -> Browser:
    browser = Browser(base_url)
    token = CSRF_FIELD.search(browser.get("/login"))
    status, _ = browser.post("/login", {"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD,
                                        "csrf_token": token.group(1) or token.group(2)})
    assert status == 302
    return browser


def pressing_generate(browser: Browser, event_id: int):
    """A browser on the seating page, ready to press "generate": call the result to press it."""
    path = f"/admin/events/{event_id}/seating/"
    token = CSRF_FIELD.search(browser.get(path))
    return lambda: browser.post(path + "generate", {"csrf_token": token.group(1) or token.group(2)})[0]


@pytest.mark.postgres
def test_two_organisers_pressing_generate_together_on_postgresql_start_one_job(postgres_app):
    # No thread: a job that ended at once (no one to seat) would let the second press start a job, rightly.
    postgres_app.config.update(RATE_LIMIT_ENABLED=False, SEATING_WORKER_THREAD=False)
    create_user(ORGANISER_EMAIL, ORGANISER_PASSWORD, admin=True)
    with serving(postgres_app) as server:
        browsers = [logged_in_browser(server.url), logged_in_browser(server.url)]
        for attempt in range(8):
            event_id = plain_event(f"Speeddate {attempt}")
            assert at_once(*[pressing_generate(b, event_id) for b in browsers]) == [302, 302]
            assert job_count(event_id) == 1, attempt


def test_a_second_job_that_slips_past_the_check_is_refused_by_the_database_with_the_usual_message(
        speeddate, monkeypatch):
    event = speeddate(4)
    first = jobs.request_job(event.id, "generate", background=False)
    monkeypatch.setattr(jobs, "current_job", lambda event_id: None)  # as if the check ran before the first commit
    with pytest.raises(SeatingError, match=gettext(ALREADY_WORKING)):
        jobs.request_job(event.id, "generate", background=False)
    db.session.rollback()
    assert db.session.scalars(select(SeatingJob.id).where(SeatingJob.event_id == event.id)).all() == [first.id]


# A dead job, seen by the page and by a new request -------------------------------------------------------------

def test_a_job_whose_runner_stopped_beating_is_dead_for_the_page_and_for_a_new_request(organiser, speeddate):
    event = speeddate(4)
    old = jobs.request_job(event.id, "generate", background=False)
    running_as(old.id, "seating-job:web1:4242:gone", beat_age=timedelta(minutes=1))
    html = organiser.get(f"/admin/events/{event.id}/seating/?lang=en").get_data(as_text=True)
    assert "The solver stopped without an answer" in html
    new = jobs.request_job(event.id, "generate", background=False)
    assert fresh(old.id).status == JobStatus.FAILED
    assert fresh(old.id).error == str(jobs.PROCESS_ENDED)
    assert fresh(new.id).status == JobStatus.QUEUED


def test_a_job_whose_runner_beats_still_runs_for_the_page_and_refuses_a_new_request(organiser, speeddate):
    event = speeddate(4)
    old = jobs.request_job(event.id, "generate", background=False)
    running_as(old.id, "seating-job:web1:4242:alive", beat_age=timedelta(seconds=1))
    html = organiser.get(f"/admin/events/{event.id}/seating/?lang=en").get_data(as_text=True)
    assert "The solver is working" in html and "stopped without an answer" not in html
    with pytest.raises(SeatingError, match=gettext(ALREADY_WORKING)):
        jobs.request_job(event.id, "generate", background=False)
    assert fresh(old.id).status == JobStatus.RUNNING


def test_with_threads_off_the_page_says_the_job_waits_for_the_seating_worker_until_one_runs(app, organiser,
                                                                                            speeddate):
    app.config["SEATING_WORKER_THREAD"] = False
    event = speeddate(4)
    jobs.request_job(event.id, "generate")
    html = organiser.get(f"/admin/events/{event.id}/seating/?lang=en").get_data(as_text=True)
    assert "waits for the seating worker" in html and "The solver is working" not in html
    db.session.add(WorkerBeat(name="seating:host:1:ab", role=jobs.WORKER_ROLE, started_at=utcnow(), beat_at=utcnow()))
    db.session.commit()
    html = organiser.get(f"/admin/events/{event.id}/seating/?lang=en").get_data(as_text=True)
    assert "The solver is working" in html and "waits for the seating worker" not in html


def test_a_job_whose_thread_never_started_is_dead_once_the_runners_would_have_beaten(organiser, speeddate, clock):
    event = speeddate(4)
    clock.set(utcnow() - timedelta(minutes=1))  # queued a minute ago; its web process died before the thread ran
    old = jobs.request_job(event.id, "generate", background=False)
    clock.thaw()
    html = organiser.get(f"/admin/events/{event.id}/seating/?lang=en").get_data(as_text=True)
    assert "The solver stopped without an answer" in html
    jobs.request_job(event.id, "generate", background=False)
    assert fresh(old.id).status == JobStatus.FAILED


# Sweeping dead jobs ---------------------------------------------------------------------------------------------

def test_a_dead_job_is_resumed_once_then_failed_and_a_living_one_is_left_alone(speeddate):
    first, second, third = speeddate(4), speeddate(4), speeddate(4)
    once = running_as(jobs.request_job(first.id, "generate", background=False).id, "a", timedelta(minutes=1), 1)
    twice = running_as(jobs.request_job(second.id, "generate", background=False).id, "b", timedelta(minutes=1), 2)
    living = running_as(jobs.request_job(third.id, "generate", background=False).id, "c", timedelta(seconds=1), 1)
    assert jobs.sweep_dead() == jobs.Swept(resumed=1, failed=1)
    assert (fresh(once.id).status, fresh(once.id).worker) == (JobStatus.QUEUED, None)
    assert fresh(twice.id).status == JobStatus.FAILED and fresh(twice.id).error == str(jobs.PROCESS_ENDED)
    assert (fresh(living.id).status, fresh(living.id).worker) == (JobStatus.RUNNING, "c")


def test_a_job_left_running_by_an_idle_worker_is_resumed_although_the_worker_beats(speeddate):
    event = speeddate(4)
    job = running_as(jobs.request_job(event.id, "generate", background=False).id, "w", timedelta(seconds=1))
    assert jobs.sweep_dead() == jobs.Swept()
    assert jobs.sweep_dead(idle_worker="w") == jobs.Swept(resumed=1)
    assert fresh(job.id).status == JobStatus.QUEUED


def test_a_long_solve_keeps_its_runner_beating_so_that_sweeps_leave_it_alone(quick_beats, hard_speeddate):
    job = jobs.request_job(hard_speeddate.id, "generate", 4 * DEAD)
    while fresh(job.id).status in jobs.ACTIVE:
        assert jobs.sweep_dead() == jobs.Swept(), fresh(job.id).worker
        time.sleep(BEAT)
    assert (fresh(job.id).status, fresh(job.id).attempts) == (JobStatus.DONE, 1)


def test_a_runner_thought_dead_stores_no_plan_when_its_job_was_resumed_meanwhile(speeddate, monkeypatch):
    event = speeddate(6)
    job = jobs.request_job(event.id, "generate", 1.0, background=False)
    real_solve = solver.solve

    def solve_while_declared_dead(*args, **kwargs):
        db.session.execute(update(WorkerBeat).values(beat_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        assert jobs.sweep_dead().resumed == 1  # another worker would now take the job
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(solver, "solve", solve_while_declared_dead)
    assert jobs.run_job(job.id).status == JobStatus.QUEUED
    assert db.session.scalar(select(func.count()).select_from(SeatingPlan)) == 0


def test_seating_work_runs_the_queue_as_a_beating_worker_and_unregisters(runner, speeddate):
    event = speeddate(6)
    job = jobs.request_job(event.id, "generate", 1.0, background=False)
    result = runner.invoke(args=["seating", "work"])
    assert result.exit_code == 0 and "1 job(s) done" in result.output, result.output
    done = fresh(job.id)
    assert (done.status, done.attempts) == (JobStatus.DONE, 1) and done.worker.startswith("seating:")
    assert db.session.scalar(select(func.count()).select_from(WorkerBeat)) == 0


def test_seating_generate_runs_a_job_that_is_its_own_from_the_start(runner, speeddate, monkeypatch):
    event = speeddate(6)
    real_solve, taken = solver.solve, []

    def solve_while_a_worker_looks(*args, **kwargs):
        taken.append(jobs.claim_next("seating:another"))
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(solver, "solve", solve_while_a_worker_looks)
    result = runner.invoke(args=["seating", "generate", str(event.id), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    job = jobs.current_job(event.id)
    assert (job.status, job.attempts, taken) == (JobStatus.DONE, 1, [None])
    assert job.worker.startswith(jobs.ONE_JOB_ROLE + ":")
    assert db.session.scalar(select(func.count()).select_from(WorkerBeat)) == 0


# A seating worker killed with SIGKILL ---------------------------------------------------------------------------

def start_worker(app) -> subprocess.Popen:
    env = {**os.environ, "FLASK_APP": "wsgi.py", "SPEEDDATE_DATABASE_URL": app.config["DATABASE_URL"],
           "SPEEDDATE_SECRET_KEY": "test-secret", "SPEEDDATE_PUBLIC_BASE_URL": "http://speeddate.test",
           "SPEEDDATE_WORKER_BEAT_SECONDS": str(BEAT),
           "SPEEDDATE_WORKER_DEAD_SECONDS": str(DEAD)}
    return subprocess.Popen([sys.executable, "-m", "flask", "seating", "work", "--loop", "--interval", "0.3"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(condition, limit: float = 30.0):
    """Poll the database until `condition()` gives something truthy; fail after `limit` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        db.session.rollback()
        if found := condition():
            return found
        time.sleep(0.05)
    raise AssertionError(f"not within {limit} s")


def plan_rows(event_id: int) -> list[tuple[int, str]]:
    db.session.rollback()
    return [(row.id, row.status.value) for row in db.session.scalars(
        select(SeatingPlan).where(SeatingPlan.event_id == event_id).order_by(SeatingPlan.id))]


def killed_while_solving(app, event, attempts_before: int) -> tuple[SeatingJob, float, list]:
    """Generate a plan, queue a long run, let a worker process claim it and kill it with SIGKILL; a second worker
    takes over. Returns the job once it is no longer the killed worker's, the seconds that took, and the plans
    from before."""
    generated(event)
    before = plan_rows(event.id)
    job = jobs.request_job(event.id, "generate", 6.0, background=False)
    db.session.execute(update(SeatingJob).where(SeatingJob.id == job.id).values(attempts=attempts_before))
    db.session.commit()
    first = start_worker(app)
    try:
        victim = wait_for(lambda: fresh(job.id).worker if fresh(job.id).status == JobStatus.RUNNING else None)
        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(timeout=10)
        assert fresh(job.id).status == JobStatus.RUNNING  # killed while solving
    finally:
        first.kill()
    second = start_worker(app)
    try:
        wait_for(lambda: (j := fresh(job.id)).worker != victim or j.status == JobStatus.FAILED)
        recovery, taken = time.monotonic() - killed_at, fresh(job.id)
        wait_for(lambda: fresh(job.id).status in (JobStatus.DONE, JobStatus.FAILED))
    finally:
        second.kill()
        second.wait(timeout=10)
    assert recovery < 30, recovery
    return taken, recovery, before


def test_a_seating_worker_killed_while_solving_has_its_job_resumed_by_another_worker(app, quick_beats,
                                                                                     hard_speeddate):
    event = hard_speeddate
    job, _seconds, before = killed_while_solving(app, event, attempts_before=0)
    done = fresh(job.id)
    assert (done.status, done.attempts) == (JobStatus.DONE, 2), done.error
    after = plan_rows(event.id)
    assert after[:-1] == [(plan_id, "superseded") for plan_id, _ in before] and after[-1][0] == done.plan_id


def test_a_seating_worker_killed_on_the_last_run_has_its_job_failed_and_the_plan_untouched(app, quick_beats,
                                                                                            hard_speeddate):
    event = hard_speeddate
    job, _seconds, before = killed_while_solving(app, event, attempts_before=jobs.MAX_RUNS - 1)
    failed = fresh(job.id)
    assert failed.status == JobStatus.FAILED and failed.error == str(jobs.PROCESS_ENDED)
    assert plan_rows(event.id) == before


def test_a_seating_worker_told_to_stop_finishes_its_job_first(app, quick_beats, hard_speeddate):
    job = jobs.request_job(hard_speeddate.id, "generate", 4.0, background=False)
    worker = start_worker(app)
    try:
        wait_for(lambda: fresh(job.id).status == JobStatus.RUNNING)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        worker.kill()
    done = fresh(job.id)
    assert (done.status, done.attempts) == (JobStatus.DONE, 1)
    assert db.session.scalar(select(func.count()).select_from(WorkerBeat)) == 0
