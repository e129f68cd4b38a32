"""Fault benchmark: the mail worker under each fault of issue #15, side by side, measured in one run.

    python bench/faults.py [--mails 100] [--slow-seconds 3] [--outage-seconds 30] [--interval 2]

Each fault gets a fresh PostgreSQL database (a throw-away cluster of the run's own, tests/postgres.py) with
`--mails` mails due, real `flask mail send --loop` worker processes and the fault-injecting SMTP server of the
tests (tests/faults.py) on loopback. A fault ends when every mail is settled (sent, or marked uncertain) or after
`--deadline` seconds. Printed per fault: mails enqueued, delivered (distinct Message-IDs at the server), lost
(neither delivered nor marked uncertain), doubled (extra deliveries), left uncertain, and the recovery time: from
the end of the fault (the last refusal or disconnection played, the restart of a killed worker or of the database)
until every mail is settled (none where nothing went wrong); rest_sent_s, from the same moment until no mail
waits any more (the mail a killed worker was sending waits WORKER_DEAD_SECONDS longer to be marked uncertain);
and the whole run's time.

The issue measured a server answering the end of DATA after 12 s against MAIL_TIMEOUT 10 s; to keep the run short
the slow fault answers after `--slow-seconds` with MAIL_TIMEOUT scaled by the same factor (10/12 of it), and with
MAIL_DATA_TIMEOUT at its default (600 s). Other settings are the defaults, except the worker's loop interval
(`--interval`, 30 s in production) and MAIL_RETRY_SECONDS (1 s rather than 60, so that refused mails are retried
within the run). To add a fault, write a function taking a Stage and append it to FAULTS.
"""

import argparse
import json
import signal
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faults_seating import seating_job_killed  # noqa: E402
from speeddate import create_app  # noqa: E402
from speeddate.extensions import db  # noqa: E402
from speeddate.models import MailStatus, OutboxMail  # noqa: E402
from tests import postgres  # noqa: E402
from tests.faults import FaultySMTP, WorkerProcess, outbox_id, wait_until  # noqa: E402
from tests.support import free_port  # noqa: E402


@dataclass
class Stage:
    """One fault's run: its database, its SMTP server, its workers, and when the fault ended."""

    server: postgres.PostgresServer
    database: str
    smtp: FaultySMTP
    options: argparse.Namespace
    settings: dict[str, object] = field(default_factory=dict)
    workers: list[WorkerProcess] = field(default_factory=list)
    fault_over: float | None = None
    app: Flask = field(init=False)

    @property
    def url(self) -> str:
        return self.server.url(self.database)

    def worker(self) -> WorkerProcess:
        """Start one more worker process."""
        started = WorkerProcess(self.url, self.smtp, interval=self.options.interval,
                                **{"MAIL_RETRY_SECONDS": 1, **self.settings})
        self.workers.append(started)
        return started

    def over(self) -> None:
        """The fault ends now (recovery time counts from here)."""
        self.fault_over = time.monotonic()

    def settled(self) -> bool:
        return self.count(MailStatus.PENDING, MailStatus.SENDING) == 0

    def count(self, *statuses: MailStatus) -> int:
        with self.app.app_context():
            try:
                return db.session.scalar(select(func.count()).select_from(OutboxMail)
                                         .where(OutboxMail.status.in_(statuses))) or 0
            finally:
                db.session.remove()

    def statuses(self) -> dict[int, MailStatus]:
        with self.app.app_context():
            try:
                return dict(db.session.execute(select(OutboxMail.id, OutboxMail.status)).all())
            finally:
                db.session.remove()

    def __post_init__(self) -> None:
        self.app = create_app({"DATABASE_URL": self.url, "SECRET_KEY": "bench",
                               "PUBLIC_BASE_URL": "http://speeddate.test"})


def slow_final_reply(stage: Stage) -> None:
    slow = stage.options.slow_seconds
    stage.settings["MAIL_TIMEOUT"] = slow * 10 / 12
    stage.smtp.faults.slow_replies, stage.smtp.faults.slow_reply_delay = 5, slow
    stage.worker()


def vanish_after_data(stage: Stage) -> None:
    stage.smtp.faults.vanish_after_data = 3
    stage.worker()


def refuse_421(stage: Stage) -> None:
    stage.smtp.faults.refuse, stage.smtp.faults.refusal = 5, "421 4.3.2 service not available, closing channel"
    stage.worker()


def refuse_451(stage: Stage) -> None:
    stage.smtp.faults.refuse, stage.smtp.faults.refusal = 5, "451 4.3.0 try again later"
    stage.worker()


def kill_a_worker(stage: Stage) -> None:
    """kill -9 once a third has gone out; a new worker starts at once (systemd waits RestartSec=5 first)."""
    stage.smtp.faults.final_reply_delay = 0.02  # a run long enough to be killed in
    first = stage.worker()
    wait_until(lambda: stage.smtp.received() >= stage.options.mails // 3, 120, "a third delivered")
    first.kill()
    stage.over()
    stage.worker()


def database_outage(stage: Stage) -> None:
    """PostgreSQL stopped (as a crash) under a running worker, started again after --outage-seconds."""
    stage.smtp.faults.final_reply_delay = 0.02
    stage.worker()
    wait_until(lambda: stage.smtp.received() >= stage.options.mails // 3, 120, "a third delivered")
    with stage.app.app_context():
        db.engine.dispose()  # the bench's own pooled connections would not survive the restart
    stage.server.halt()
    time.sleep(stage.options.outage_seconds)  # the fault's duration, not a wait for anything
    stage.server.resume()
    stage.over()


def two_workers(stage: Stage) -> None:
    stage.worker()
    stage.worker()


FAULTS: list[tuple[str, Callable[[Stage], None]]] = [
    ("slow final reply", slow_final_reply),
    ("vanish after data", vanish_after_data),
    ("421 refusals", refuse_421),
    ("451 refusals", refuse_451),
    ("kill -9 of a worker", kill_a_worker),
    ("database down", database_outage),
    ("two workers at once", two_workers),
]


def enqueue(stage: Stage, count: int) -> None:
    with stage.app.app_context():
        upgrade()
        db.session.add_all(OutboxMail(idempotency_key=f"bench:{n}", kind="bench", recipient=f"p{n}@example.org",
                                      subject=f"Mail {n}", body_text=f"Mail number {n}.") for n in range(count))
        db.session.commit()
        db.session.remove()


def run(name: str, fault: Callable[[Stage], None], server: postgres.PostgresServer,
        options: argparse.Namespace) -> dict[str, object]:
    database = "fault_" + "".join(c if c.isalnum() else "_" for c in name)
    server.execute(f'CREATE DATABASE "{database}"')
    smtp = FaultySMTP().start()
    stage = Stage(server, database, smtp, options)
    enqueue(stage, options.mails)
    started, rest_sent, settled = time.monotonic(), None, None
    try:
        fault(stage)
        with suppress(AssertionError):  # not settled by the deadline: the rest is reported as lost
            wait_until(lambda: stage.count(MailStatus.PENDING) == 0, options.deadline, "no mail waiting")
            rest_sent = time.monotonic()
            wait_until(stage.settled, options.deadline, "every mail settled")
            settled = time.monotonic()
        ended = time.monotonic()
    finally:
        exits = [worker.stop() for worker in stage.workers]
        smtp.stop()
    fault_over = stage.fault_over or smtp.last_fault_at
    return {"fault": name, **tally(stage, smtp), "rest_sent_s": since(fault_over, rest_sent),
            "recovery_s": since(fault_over, settled), "run_s": round(ended - started, 1),
            "workers_alive_to_the_end": all(code in (0, -signal.SIGKILL) for code in exits)}


def since(fault_over: float | None, moment: float | None) -> float | str:
    """Seconds from the end of the fault to a moment: "-" where nothing went wrong, "never" within the deadline."""
    if moment is None:
        return "never"
    return "-" if fault_over is None else round(max(moment - fault_over, 0), 1)


def tally(stage: Stage, smtp: FaultySMTP) -> dict[str, int]:
    deliveries = smtp.deliveries()
    arrived = {outbox_id(message_id) for message_id in deliveries}
    statuses = stage.statuses()
    uncertain = {mail for mail, status in statuses.items() if status == MailStatus.UNCERTAIN}
    sent = {mail for mail, status in statuses.items() if status == MailStatus.SENT}
    lost = len(set(statuses) - uncertain - (sent & arrived))
    return {"enqueued": len(statuses), "delivered": len(arrived), "lost": lost,
            "doubled": sum(times - 1 for times in deliveries.values()), "uncertain": len(uncertain)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=100)
    parser.add_argument("--slow-seconds", type=float, default=3.0, help="the slow server's answer (issue: 12)")
    parser.add_argument("--outage-seconds", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=2.0, help="the worker loop's interval (production: 30)")
    parser.add_argument("--deadline", type=float, default=120.0, help="give up waiting for a fault after this")
    parser.add_argument("--only", help="run only the faults whose name contains this")
    parser.add_argument("--seating-runs", type=int, default=2,
                        help="seating workers killed while solving (bench/faults_seating.py; 0: none)")
    options = parser.parse_args()
    server = postgres.start(free_port())
    try:
        results = [run(name, fault, server, options) for name, fault in FAULTS
                   if not options.only or options.only in name]
    finally:
        server.stop()
    seating = None
    if options.seating_runs and (not options.only or options.only in "seating worker killed"):
        seating = seating_job_killed(options.seating_runs)
    print(f"mail worker under faults, {options.mails} mails each, PostgreSQL, loop interval {options.interval} s")
    columns = ["enqueued", "delivered", "lost", "doubled", "uncertain", "rest_sent_s", "recovery_s", "run_s"]
    print(f"{'fault':<20}" + "".join(f"{column:>12}" for column in columns))
    for result in results:
        print(f"{result['fault']:<20}" + "".join(f"{result[column]:>12}" for column in columns))
    if seating is not None:
        print(f"\nseating jobs under faults, SQLite, production beat settings ({seating['beat_seconds']} s beat, "
              f"dead after {seating['dead_seconds']} s)")
        columns = ["enqueued", "finished", "failed", "lost", "doubled", "recovery_seconds_max"]
        print(f"{'fault':<36}" + "".join(f"{column:>12}" for column in columns[:-1]) + f"{'recovery_s':>12}")
        print(f"{seating['fault']:<36}" + "".join(f"{seating[column]!s:>12}" for column in columns))
    for result in [*results, *([seating] if seating else [])]:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
