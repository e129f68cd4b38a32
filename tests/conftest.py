"""Fixtures: an app on a fresh migrated SQLite database per test, a real SMTP server, factories."""

import re
import shutil
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.serving import make_server

from speeddate import create_app
from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.mail import worker
from speeddate.models import EventType, Gemeente
from tests import postgres as pg

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@dataclass
class Mailbox:
    """Messages received by the loopback SMTP server."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's hook)
        """Refuse addresses that ask for it: reject@... permanently (550), busy@... for now (451)."""
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        if address.startswith("busy"):
            return "451 4.3.0 try again later"
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


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    _, box = smtp_server
    with box.lock:
        box.messages.clear()
    return box


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """One database built by the real migrations; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "template"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


_made_apps: list = []


@pytest.fixture(autouse=True)
def _close_the_apps_a_test_made():
    """Close the database connections of every app a test made, so none is left open for a later test to find."""
    yield
    while _made_apps:
        made = _made_apps.pop()
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


def make_test_app(database_url: str, smtp_server, **overrides):
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
    _made_apps.append(made)
    return made


def pytest_addoption(parser):
    parser.addoption("--database", choices=("sqlite", "postgresql"), default="sqlite",
                     help="the database behind the `app` fixture (make test runs the privacy tests on both)")


@pytest.fixture
def app(request, tmp_path, migrated_database, smtp_server, mailbox):
    if request.config.getoption("--database") == "postgresql":
        yield request.getfixturevalue("postgres_app")
        return
    path = tmp_path / "test.db"
    shutil.copy(migrated_database, path)
    app = make_test_app(f"sqlite:///{path}", smtp_server)
    with app.app_context():
        _add_gemeenten()
        yield app
        db.session.remove()
        db.engine.dispose()


def _add_gemeenten() -> None:
    for name in ("Oostkamp", "Beernem", "Zedelgem", "Jabbeke"):
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


@pytest.fixture
def client(app):
    app.test_client_class = RequestClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on a page (also starts the session that it belongs to)."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    """Post a form the way a browser does: fetch the page for its CSRF token first."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)}, **kwargs)


@pytest.fixture
def make_event(app):
    """Factory: a published event starting in two weeks, with any field overridden."""

    def make(publish: bool = True, **overrides):
        start = local_now().replace(second=0) + timedelta(days=14)
        values = {"type": EventType.SPEEDDATE, "title": "Speeddate Oostkamp", "starts_at": start,
                  "ends_at": start + timedelta(hours=2), "capacity": 20, "catering": True}
        values.update(overrides)
        return events.create_event(events.EventData(**values), publish=publish)

    return make


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


@pytest.fixture
def register(client):
    """Factory: register a partner through the public form; returns the response (not followed)."""

    def do(event, number: int | None = None, **overrides):
        data = dict(PARTNER)
        if number is not None:
            data.update(first_name=f"Partner{number}", email=f"partner{number}@example.org",
                        organisation=f"Organisatie {number}")
        data.update(overrides)
        return post_form(client, f"/e/{event.slug}", {k: v for k, v in data.items() if v is not None})

    return do


def personal_link(email: str = PARTNER["email"], event=None) -> str:
    """The path of a partner's personal page, as their mail gives it (the registration page never shows it)."""
    from sqlalchemy import select

    from speeddate import tokens
    from speeddate.models import Partner, Registration

    query = select(Registration).join(Partner).where(Partner.email == email.lower())
    if event is not None:
        query = query.where(Registration.event_id == event.id)
    registration = db.session.scalars(query.order_by(Registration.id.desc())).first()
    assert registration is not None, f"no registration for {email}"
    return f"/r/{tokens.sign(registration.token)}"


@pytest.fixture
def register_link(register):
    """Factory: register through the public form and return the personal link that the mail carries."""

    def do(event, number: int | None = None, **overrides) -> str:
        response = register(event, number, **overrides)
        assert response.status_code == 200, response.get_data(as_text=True)
        email = overrides.get("email") or (f"partner{number}@example.org" if number is not None else PARTNER["email"])
        return personal_link(email, event)

    return do


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


@pytest.fixture
def live_server(app):
    """The test app over real HTTP until the test ends."""
    with serving(app) as server:
        yield server


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the whole test session, with a migrated template database."""
    server = pg.start(free_port())
    server.execute("CREATE DATABASE speeddate_template")
    app = create_app({"TESTING": True, "DATABASE_URL": server.url("speeddate_template"), "SECRET_KEY": "template"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield server
    server.stop()


@pytest.fixture
def postgres_app(postgres, smtp_server, mailbox, request):
    """An app on a fresh PostgreSQL database copied from the migrated template."""
    name = f"speeddate_{request.node.name.lower()}"[:60].replace("[", "_").replace("]", "").replace("-", "_")
    postgres.execute(f'CREATE DATABASE "{name}" TEMPLATE speeddate_template')
    app = make_test_app(postgres.url(name), smtp_server)
    with app.app_context():
        _add_gemeenten()
        yield app
        db.session.remove()
        db.engine.dispose()
    postgres.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
