"""The mail worker under faults: a slow or vanishing SMTP server, a worker killed with SIGKILL, the database gone.

Each mail must arrive exactly once or be marked uncertain (it may have arrived): never lost, never doubled, and
at most one uncertain mail per killed worker. The SMTP server is tests/smtp_faults.py on loopback; the killed and
outlasting workers are real `flask mail send --loop` processes.
"""

import os
import random
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.mail import worker
from speeddate.models import MailStatus, OutboxMail
from speeddate.models.base import utcnow
from tests import postgres as pg
from tests.faults import FaultySMTP, WorkerProcess, outbox_id, wait_until
from tests.support import free_port, make_test_app


@pytest.fixture
def smtp():
    server = FaultySMTP().start()
    yield server
    server.stop()


def send_to(app, server: FaultySMTP) -> None:
    app.extensions["mail"].port = server.port


def enqueue(count: int) -> list[int]:
    """Mails due now, as rows (the kind of mail does not matter to the worker)."""
    rows = [OutboxMail(idempotency_key=f"fault:{utcnow().timestamp()}:{n}", kind="fault", recipient=f"p{n}@example.org",
                       subject=f"Mail {n}", body_text=f"Mail number {n}.") for n in range(count)]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def statuses() -> dict[int, MailStatus]:
    db.session.rollback()
    return dict(db.session.execute(select(OutboxMail.id, OutboxMail.status)).all())


def count(status: MailStatus) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.status == status)) or 0


def assert_none_lost_none_doubled(server: FaultySMTP, uncertain_at_most: int) -> None:
    """Every mail sent arrived exactly once; the others are uncertain (arrived once at most); nothing else left."""
    deliveries = server.deliveries()
    assert max(deliveries.values(), default=1) == 1, f"doubled: {deliveries.most_common(3)}"
    arrived = {outbox_id(message_id) for message_id in deliveries}
    by_status = statuses()
    sent = {mail for mail, status in by_status.items() if status == MailStatus.SENT}
    uncertain = {mail for mail, status in by_status.items() if status == MailStatus.UNCERTAIN}
    assert sent | uncertain == set(by_status), "lost: neither sent nor uncertain"
    assert sent <= arrived, "recorded as sent but never arrived"
    assert arrived <= sent | uncertain
    assert len(uncertain) <= uncertain_at_most


# (a) The server keeps the message but answers the end of DATA late.

def test_a_final_reply_later_than_the_data_timeout_leaves_the_mail_uncertain_never_retried(app, smtp):
    app.config.update(MAIL_TIMEOUT=5, MAIL_DATA_TIMEOUT=0.3)
    send_to(app, smtp)
    smtp.faults.final_reply_delay = 1.5
    [mail] = enqueue(1)
    report = worker.send_due()
    assert report.uncertain == 1 and report.retry_later == 0
    row = db.session.get(OutboxMail, mail)
    assert row.status == MailStatus.UNCERTAIN and "may have arrived" in row.last_error
    smtp.faults.final_reply_delay = 0
    for days in (1, 2, 30):  # long after any back-off
        assert worker.send_due(now=utcnow() + timedelta(days=days)).sent == 0
    assert list(smtp.deliveries().values()) == [1]
    assert statuses() == {mail: MailStatus.UNCERTAIN}


def test_a_slow_final_reply_within_the_data_timeout_is_sent_once(app, smtp):
    """MAIL_TIMEOUT is shorter than the server's delay: the reply to the body gets MAIL_DATA_TIMEOUT instead."""
    app.config.update(MAIL_TIMEOUT=0.3, MAIL_DATA_TIMEOUT=10)
    send_to(app, smtp)
    smtp.faults.final_reply_delay = 1
    mails = enqueue(2)
    assert worker.send_due().sent == 2
    assert worker.send_due(now=utcnow() + timedelta(days=1)).sent == 0
    assert statuses() == dict.fromkeys(mails, MailStatus.SENT)
    assert sorted(smtp.deliveries().values()) == [1, 1]


# (b) The server vanishes: after taking the message, or before any message went out.

def test_a_server_vanishing_after_the_data_leaves_that_mail_uncertain_and_the_others_go_later(app, smtp):
    send_to(app, smtp)
    smtp.faults.vanish_after_data = 1
    first, second = enqueue(2)
    report = worker.send_due()
    assert report.uncertain == 1 and report.sent == 0
    row = db.session.get(OutboxMail, first)
    assert row.status == MailStatus.UNCERTAIN and "connection broke off" in row.last_error
    assert statuses()[second] == MailStatus.PENDING and db.session.get(OutboxMail, second).attempts == 0
    assert worker.send_due().sent == 1
    assert worker.send_due(now=utcnow() + timedelta(days=30)).sent == 0
    assert statuses() == {first: MailStatus.UNCERTAIN, second: MailStatus.SENT}
    assert sorted(smtp.deliveries().values()) == [1, 1]


def test_a_server_vanishing_at_rcpt_retries_the_mail_which_then_arrives_once(app, smtp):
    send_to(app, smtp)
    smtp.faults.vanish_at_rcpt = 1
    [mail] = enqueue(1)
    assert worker.send_due().retry_later == 1
    row = db.session.get(OutboxMail, mail)
    assert row.status == MailStatus.PENDING and row.attempts == 1 and smtp.received() == 0
    assert worker.send_due(now=row.next_attempt_at).sent == 1
    assert statuses() == {mail: MailStatus.SENT}
    assert list(smtp.deliveries().values()) == [1]


# (c), (d), (e): real worker processes.

def worker_process(database_url: str, smtp: FaultySMTP, **settings: object) -> WorkerProcess:
    """A worker that beats often and is given up for dead after a second, unless told otherwise."""
    return WorkerProcess(database_url, smtp, **{"WORKER_BEAT_SECONDS": 0.2, "WORKER_DEAD_SECONDS": 1, **settings})


@pytest.mark.parametrize("seed", [int(os.environ.get("SPEEDDATE_FAULT_SEED") or random.randrange(10**6))])
def test_a_worker_killed_mid_run_leaves_at_most_one_mail_uncertain_and_the_next_sends_the_rest_once(
        any_app, smtp, seed):
    """SIGKILL after a random number of deliveries: SPEEDDATE_FAULT_SEED=<the seed in the test id> replays it."""
    smtp.faults.final_reply_delay = 0.02  # spreads the run so that the kill can land anywhere in it
    enqueue(100)
    url = any_app.config["SQLALCHEMY_DATABASE_URI"]
    first = worker_process(url, smtp)
    try:
        kill_after = random.Random(seed).randrange(1, 95)
        wait_until(lambda: smtp.received() >= kill_after, 60, f"{kill_after} mails delivered")
        first.kill()
    finally:
        first.stop()
    assert count(MailStatus.SENDING) <= 1, "only the mail being sent may be in doubt"
    second = worker_process(url, smtp)
    try:
        wait_until(lambda: count(MailStatus.PENDING) + count(MailStatus.SENDING) == 0, 60, "every mail settled")
    finally:
        assert second.stop() == 0
    assert_none_lost_none_doubled(smtp, uncertain_at_most=1)


@pytest.fixture(scope="module")
def own_postgres():
    """A PostgreSQL cluster of this module's own, to stop and start under a worker."""
    server = pg.start(free_port())
    server.execute("CREATE DATABASE faults")
    yield server
    server.stop()


@pytest.fixture
def outage_app(own_postgres, smtp):
    own_postgres.resume_if_halted()  # a test that failed with the server halted
    own_postgres.execute("DROP DATABASE IF EXISTS faults WITH (FORCE)")
    own_postgres.execute("CREATE DATABASE faults")
    app = make_test_app(own_postgres.url("faults"), (smtp.controller, smtp))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def let_go() -> None:
    """Close this test's connections before the server goes away (a dead one cannot even be rolled back)."""
    db.session.remove()
    db.engine.dispose()


@pytest.mark.postgres
def test_the_worker_outlives_a_database_outage_and_sends_the_rest_once(outage_app, own_postgres, smtp):
    smtp.faults.final_reply_delay = 0.05
    enqueue(60)
    running = worker_process(own_postgres.url("faults"), smtp, WORKER_DEAD_SECONDS=60)
    try:
        wait_until(lambda: smtp.received() >= 10, 60, "10 mails delivered")
        let_go()
        own_postgres.halt()
        # Down until the worker has noticed and backed off twice (1 s, then 2 s): a few seconds.
        wait_until(lambda: running.said("trying again in 4 s"), 60, "the worker backing off")
        own_postgres.resume()
        wait_until(lambda: count(MailStatus.SENT) == 60, 90, "every mail sent")
        assert running.process.poll() is None, "the worker is still running"
    finally:
        assert running.stop() == 0, "".join(running.lines)
    assert running.said("database unreachable (OperationalError)")
    assert not [line for line in running.lines if "@example.org" in line], "no personal data in the log"
    assert_none_lost_none_doubled(smtp, uncertain_at_most=0)


@pytest.mark.postgres
def test_a_worker_started_while_the_database_is_down_waits_then_works(outage_app, own_postgres, smtp):
    let_go()
    own_postgres.halt()
    running = worker_process(own_postgres.url("faults"), smtp)
    try:
        wait_until(lambda: running.said("database unreachable"), 60, "the worker waiting for the database")
        own_postgres.resume()
        enqueue(5)
        wait_until(lambda: count(MailStatus.SENT) == 5, 90, "every mail sent")
        assert running.process.poll() is None
    finally:
        assert running.stop() == 0, "".join(running.lines)
    assert_none_lost_none_doubled(smtp, uncertain_at_most=0)
