"""/healthz for monitoring: figures about the database, the outbox and background work, never personal data;
"degraded" with the figures past their limits."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from speeddate.extensions import db
from speeddate.models import JobStatus, MailStatus, OutboxMail, SeatingJob, WorkerBeat
from speeddate.models.base import utcnow
from tests.support import free_port, make_test_app

FIGURES = {"outbox_backlog", "oldest_pending_mail_seconds", "failed_mails", "uncertain_mails", "held_mails",
           "stuck_sending_mails", "stuck_seating_jobs", "mail_worker_alive"}


@pytest.fixture
def mail_worker(app):
    """A mail worker that beat just now, as `flask mail send --loop` does every few seconds."""
    db.session.add(WorkerBeat(name="mail:host:1:live", role="mail", beat_at=utcnow()))
    db.session.commit()
    return "mail:host:1:live"


def add_mails(number: int, status: MailStatus, **fields) -> None:
    for _ in range(number):
        db.session.add(OutboxMail(idempotency_key=f"test:{uuid.uuid4().hex}", kind="confirmed", status=status,
                                  recipient="someone@example.org", subject="Secret subject", body_text="Hello",
                                  **fields))
    db.session.commit()


def test_healthz_reports_the_database_and_the_outbox_backlog_without_personal_data(client, make_event, register,
                                                                                    mail_worker):
    register(make_event())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] is True
    assert response.json["crossed"] == [] and set(response.json) >= FIGURES
    assert response.json["outbox_backlog"] == 1 and response.json["mail_worker_alive"] is True
    assert 0 <= response.json["oldest_pending_mail_seconds"] < 60
    assert "example.org" not in response.get_data(as_text=True) and "Peeters" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_shows_how_long_the_oldest_due_mail_has_waited(app, client, make_event, register, mail_worker):
    register(make_event())
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.next_attempt_at <= utcnow())).one()
    mail.due_at = mail.next_attempt_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    response = client.get("/healthz")
    assert 7200 <= response.json["oldest_pending_mail_seconds"] < 7300
    assert (response.json["status"], response.json["crossed"]) == ("degraded", ["oldest_pending_mail_seconds"])


def test_twenty_failed_mails_make_the_service_degraded_and_say_so(client, mail_worker):
    add_mails(20, MailStatus.FAILED)
    response = client.get("/healthz")
    assert response.status_code == 200, "the site still serves: a load balancer must not take it out"
    assert response.json["status"] == "degraded"
    assert response.json["failed_mails"] == 20 and response.json["crossed"] == ["failed_mails"]
    assert "someone@example.org" not in response.get_data(as_text=True)
    assert "Secret subject" not in response.get_data(as_text=True)
    assert client.get("/healthz?strict=1").status_code == 503, "monitors that read only the code ask strictly"


def test_failed_mails_under_the_limit_leave_the_service_ok(app, client, mail_worker):
    add_mails(app.config["HEALTH_MAX_FAILED_MAILS"], MailStatus.FAILED)
    assert client.get("/healthz").json["status"] == "ok"
    app.config["HEALTH_MAX_FAILED_MAILS"] = 2
    assert client.get("/healthz").json["crossed"] == ["failed_mails"]


def test_a_mail_in_doubt_or_held_needs_an_organiser_so_the_service_is_degraded(client, mail_worker):
    add_mails(1, MailStatus.UNCERTAIN)
    add_mails(3, MailStatus.HELD)
    health = client.get("/healthz").json
    assert (health["uncertain_mails"], health["held_mails"]) == (1, 3)
    assert health["status"] == "degraded" and health["crossed"] == ["uncertain_mails", "held_mails"]


def test_mails_left_sending_by_a_dead_worker_are_stuck_and_a_live_workers_are_not(client, mail_worker):
    long_ago = utcnow() - timedelta(minutes=5)
    add_mails(2, MailStatus.SENDING, claimed_by="mail:host:2:killed", claimed_at=long_ago)
    add_mails(3, MailStatus.SENDING, claimed_by=mail_worker, claimed_at=long_ago)
    add_mails(1, MailStatus.SENDING, claimed_by="mail:host:3:just-started", claimed_at=utcnow())
    health = client.get("/healthz").json
    assert health["stuck_sending_mails"] == 2
    assert health["status"] == "degraded" and health["crossed"] == ["stuck_sending_mails"]


def test_a_seating_job_whose_worker_died_or_that_waits_too_long_is_stuck(client, make_event, mail_worker):
    first, second, third = make_event(), make_event(), make_event()
    long_ago = utcnow() - timedelta(minutes=10)
    db.session.add_all([
        WorkerBeat(name="seating:host:4:live", role="seating", beat_at=utcnow()),
        SeatingJob(event_id=first.id, kind="generate", status=JobStatus.RUNNING, time_limit=30,
                   worker="seating:host:5:killed", started_at=long_ago, created_at=long_ago),
        SeatingJob(event_id=second.id, kind="generate", status=JobStatus.QUEUED, time_limit=30,
                   created_at=long_ago),
        SeatingJob(event_id=third.id, kind="generate", status=JobStatus.RUNNING, time_limit=30,
                   worker="seating:host:4:live", started_at=long_ago, created_at=long_ago),
    ])
    db.session.commit()
    health = client.get("/healthz").json
    assert health["stuck_seating_jobs"] == 2
    assert health["status"] == "degraded" and health["crossed"] == ["stuck_seating_jobs"]


def test_no_mail_worker_alive_is_degraded_where_one_should_run(app, client):
    db.session.add(WorkerBeat(name="mail:host:6:gone", role="mail", beat_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    health = client.get("/healthz").json
    assert health["mail_worker_alive"] is False and health["crossed"] == ["mail_worker_alive"]
    app.config["HEALTH_MAIL_WORKER_REQUIRED"] = False  # mail sent from cron now and then
    assert client.get("/healthz").json["status"] == "ok"


def test_healthz_stays_a_handful_of_queries_however_many_mails_there_are(app, client, mail_worker):
    add_mails(30, MailStatus.FAILED)
    add_mails(30, MailStatus.SENDING, claimed_by="mail:host:2:killed", claimed_at=utcnow() - timedelta(minutes=5))
    statements = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/healthz").json["status"] == "degraded"
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) <= 7, queries


def test_healthz_answers_503_when_the_database_cannot_be_reached(smtp_server):
    unreachable = make_test_app(f"postgresql://speeddate@127.0.0.1:{free_port()}/nothing", smtp_server)
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": False, "crossed": ["database"],
                             **dict.fromkeys(FIGURES)}
