"""/healthz for monitoring: figures about the database and the outbox, never personal data."""

from datetime import timedelta

from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import OutboxMail
from speeddate.models.base import utcnow
from tests.support import free_port, make_test_app


def test_healthz_reports_the_database_and_the_outbox_backlog_without_personal_data(client, make_event, register):
    register(make_event())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] is True
    assert response.json["outbox_backlog"] == 1
    assert 0 <= response.json["oldest_pending_mail_seconds"] < 60
    assert "example.org" not in response.get_data(as_text=True) and "Peeters" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_shows_how_long_the_oldest_due_mail_has_waited(app, client, make_event, register):
    register(make_event())
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.next_attempt_at <= utcnow())).one()
    mail.due_at = mail.next_attempt_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    assert 7200 <= client.get("/healthz").json["oldest_pending_mail_seconds"] < 7300


def test_healthz_answers_503_when_the_database_cannot_be_reached(smtp_server):
    unreachable = make_test_app(f"postgresql://speeddate@127.0.0.1:{free_port()}/nothing", smtp_server)
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": False, "outbox_backlog": None,
                             "oldest_pending_mail_seconds": None}
