"""Fault: a seating worker killed with SIGKILL while it solves; a second worker must take the job over.

    python bench/faults_seating.py [--runs 3] [--beat 5] [--dead 20] [--db URL]

Per run: queue a seating job on an event the solver cannot finish early (forty people of two organisations),
start worker A (`flask seating work --loop`), wait until it claims the job, start worker B, kill A with SIGKILL
at a random moment of its solve, and time how long until the job is resumed (back in the queue or claimed by B)
and until it is done. Defaults are the production beat (5 s) and death (20 s) settings. `seating_job_killed()`
returns the figures as a dict for bench/faults.py; run alone, this prints them.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_migrate import upgrade
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from speeddate import create_app  # noqa: E402
from speeddate.events import services as events  # noqa: E402
from speeddate.extensions import db  # noqa: E402
from speeddate.models import EventType, JobStatus, SeatingJob, SeatingPlan, Sector  # noqa: E402
from speeddate.partners.services import PartnerDetails, register  # noqa: E402
from speeddate.seating import jobs  # noqa: E402
from speeddate.seating.constraints import confirmed_registrations  # noqa: E402

TIME_LIMIT = 6.0
DEADLINE = 120.0  # seconds: a job not resumed and finished by then counts as lost


def hard_event(number: int) -> int:
    """Forty confirmed people of two organisations and two sectors: colleagues must meet, so no plan reaches the
    solver's bound and it thinks until its time limit."""
    start = datetime.now(ZoneInfo("Europe/Brussels")).replace(tzinfo=None, second=0, microsecond=0) + timedelta(days=14)
    event_id = events.create_event(events.EventData(
        type=EventType.SPEEDDATE, title=f"Speeddate {number}", starts_at=start, ends_at=start + timedelta(hours=2),
        capacity=40), publish=True).id
    sectors = list(db.session.scalars(select(Sector).order_by(Sector.id).limit(2)))
    for person in range(40):
        sector = sectors[0] if person % 3 else sectors[1]
        details = PartnerDetails(f"Partner{person}", "Bench", f"Organisatie {person % 2}", sector)
        register(event_id, f"run{number}.p{person}@example.org", details)
    assert len(confirmed_registrations(event_id)) == 40
    return event_id


def start_worker(url: str, beat: float, dead: float) -> subprocess.Popen:
    env = {**os.environ, "FLASK_APP": "wsgi.py", "SPEEDDATE_DATABASE_URL": url, "SPEEDDATE_SECRET_KEY": "bench",
           "SPEEDDATE_PUBLIC_BASE_URL": "http://speeddate.bench", "SPEEDDATE_WORKER_BEAT_SECONDS": str(beat),
           "SPEEDDATE_WORKER_DEAD_SECONDS": str(dead), "SPEEDDATE_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "flask", "seating", "work", "--loop"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def job_now(job_id: int) -> SeatingJob:
    db.session.rollback()
    return db.session.get_one(SeatingJob, job_id)


def until(condition, limit: float) -> float | None:
    """Seconds until `condition()` holds (polled every 50 ms), or None after `limit` seconds."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if condition():
            return time.monotonic() - start
        time.sleep(0.05)
    return None


def killed_run(url: str, event_id: int, beat: float, dead: float, rng: random.Random) -> dict:
    """One job, its worker killed mid-solve: seconds to resumed and to done (None: not within DEADLINE)."""
    job_id = jobs.request_job(event_id, "generate", TIME_LIMIT, background=False).id
    first = start_worker(url, beat, dead)
    second = None
    try:
        until(lambda: job_now(job_id).status == JobStatus.RUNNING, DEADLINE)
        victim = job_now(job_id).worker
        second = start_worker(url, beat, dead)
        time.sleep(rng.uniform(0, TIME_LIMIT / 2))  # a random moment of the solve, not a synchronisation
        first.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        resumed = until(lambda: job_now(job_id).worker != victim or job_now(job_id).status == JobStatus.FAILED,
                        DEADLINE)
        until(lambda: job_now(job_id).status in (JobStatus.DONE, JobStatus.FAILED), DEADLINE)
        ended = time.monotonic() - killed
    finally:
        for worker in (first, second):
            if worker is not None:
                worker.kill()
                worker.wait(timeout=10)
    return {"resumed_seconds": None if resumed is None else round(resumed, 1), "ended_seconds": round(ended, 1)}


def seating_job_killed(runs: int = 3, beat: float = 5.0, dead: float = 20.0, url: str | None = None) -> dict:
    """Figures for the fault "seating worker killed while solving": jobs enqueued, finished, failed, lost
    (neither done nor failed at the end), doubled (plans stored beyond one per finished job), recovery seconds
    (kill to job resumed: each run, and the worst)."""
    folder = tempfile.TemporaryDirectory()
    url = url or f"sqlite:///{folder.name}/faults-seating.db"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PUBLIC_BASE_URL": "http://speeddate.bench",
                      "RATE_LIMIT_ENABLED": False, "SEATING_WORKER_THREAD": False,
                      "WORKER_BEAT_SECONDS": beat, "WORKER_DEAD_SECONDS": dead})
    rng = random.Random(15)
    with app.app_context():
        upgrade()
        timings = [killed_run(url, hard_event(number), beat, dead, rng) for number in range(runs)]
        db.session.rollback()
        statuses = list(db.session.scalars(select(SeatingJob.status)))
        finished = statuses.count(JobStatus.DONE)
        plans = db.session.scalar(select(func.count()).select_from(SeatingPlan))
        db.session.remove()
        db.engine.dispose()
    folder.cleanup()
    recovery = [t["resumed_seconds"] for t in timings]
    return {"fault": "seating worker killed while solving", "enqueued": runs, "finished": finished,
            "failed": statuses.count(JobStatus.FAILED), "lost": runs - finished - statuses.count(JobStatus.FAILED),
            "doubled": plans - finished, "recovery_seconds": recovery,
            "recovery_seconds_max": max((r for r in recovery if r is not None), default=None),
            "done_seconds_after_kill": [t["ended_seconds"] for t in timings],
            "beat_seconds": beat, "dead_seconds": dead}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--beat", type=float, default=5.0, help="WORKER_BEAT_SECONDS")
    parser.add_argument("--dead", type=float, default=20.0, help="WORKER_DEAD_SECONDS")
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    print(json.dumps(seating_job_killed(args.runs, args.beat, args.dead, args.db), indent=2))


if __name__ == "__main__":
    main()
