"""Fixtures: an app on a fresh migrated SQLite database per test, a real SMTP server, factories, an organiser, a clock.

The helpers they use (and that tests import) live in tests/support.py.
"""

import shutil
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade

from speeddate import create_app
from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import EventType
from speeddate.seating import jobs
from tests.support import (
    PARTNER,
    Clock,
    Mailbox,
    RequestClient,
    add_gemeenten,
    free_port,
    local_now,
    log_in_organiser,
    made_apps,
    make_test_app,
    personal_link,
    post_form,
    postgres_with_template,
    serving,
)


def pytest_addoption(parser):
    parser.addoption("--database", choices=("sqlite", "postgresql"), default="sqlite",
                     help="the database behind the `app` fixture (make test runs the privacy tests on both)")


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


@pytest.fixture(autouse=True)
def _close_the_apps_a_test_made():
    """Close the database connections of every app a test made, so none is left open for a later test to find."""
    yield
    jobs.wait_for_threads()
    while made_apps:
        made = made_apps.pop()
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(request, tmp_path, migrated_database, smtp_server, mailbox):
    if request.config.getoption("--database") == "postgresql":
        yield request.getfixturevalue("postgres_app")
        return
    path = tmp_path / "test.db"
    shutil.copy(migrated_database, path)
    app = make_test_app(f"sqlite:///{path}", smtp_server)
    with app.app_context():
        add_gemeenten()
        yield app
        jobs.wait_for_threads()  # a seating job a request started must not outlive its database
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    app.test_client_class = RequestClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def organiser(client):
    """The test client, logged in as an organiser with the admin role (ORGANISER_EMAIL, ORGANISER_PASSWORD)."""
    return log_in_organiser(client)


@pytest.fixture
def clock():
    """The service's clock, frozen by `clock.set(at)` and moved on by `clock.advance(by)`; real again afterwards."""
    frozen = Clock()
    yield frozen
    frozen.thaw()


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


@pytest.fixture
def register_link(register):
    """Factory: register through the public form and return the personal link that the mail carries."""

    def do(event, number: int | None = None, **overrides) -> str:
        response = register(event, number, **overrides)
        assert response.status_code == 200, response.get_data(as_text=True)
        email = overrides.get("email") or (f"partner{number}@example.org" if number is not None else PARTNER["email"])
        return personal_link(email, event)

    return do


@pytest.fixture
def live_server(app):
    """The test app over real HTTP until the test ends."""
    with serving(app) as server:
        yield server


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the whole test session, with a migrated template database."""
    server = postgres_with_template()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_app(request):
    """The app on SQLite, then on PostgreSQL: for behaviour that depends on the database (locks, transactions)."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "postgres_app")


@pytest.fixture
def postgres_app(postgres, smtp_server, mailbox, request):
    """An app on a fresh PostgreSQL database copied from the migrated template."""
    name = f"speeddate_{request.node.name.lower()}"[:60].replace("[", "_").replace("]", "").replace("-", "_")
    postgres.execute(f'CREATE DATABASE "{name}" TEMPLATE speeddate_template')
    app = make_test_app(postgres.url(name), smtp_server)
    with app.app_context():
        add_gemeenten()
        yield app
        # A seating job a request started must not outlive its database, nor find the next test's of that name.
        jobs.wait_for_threads()
        db.session.remove()
        db.engine.dispose()
    postgres.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
