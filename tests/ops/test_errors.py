"""A database restart or outage under a running app: no 500 after the restart, a translated 503 page while the
database is away, and service again as soon as it is back, without restarting the app."""

import io
import logging
import re

import pytest

from speeddate.extensions import db
from tests.support import RequestClient, add_gemeenten, make_test_app, postgres_with_template

UNAVAILABLE = [("nl", "Even niet beschikbaar"), ("fr", "Momentanément indisponible"), ("en", "Briefly unavailable")]


@pytest.fixture(scope="module")
def own_postgres():
    """A PostgreSQL server of its own, since these tests stop and restart it, with a migrated template."""
    server = postgres_with_template()
    yield server
    server.stop()


@pytest.fixture
def served(own_postgres, smtp_server):
    """A client of an app on that server, answering as in production (errors become pages), its pool in use."""
    own_postgres.execute("CREATE DATABASE speeddate TEMPLATE speeddate_template")
    app = make_test_app(own_postgres.url("speeddate"), smtp_server, PROPAGATE_EXCEPTIONS=False)
    app.test_client_class = RequestClient
    with app.app_context():
        add_gemeenten()
        client = app.test_client()
        assert client.get("/").status_code == 200
        yield client
        db.session.remove()
        db.engine.dispose()
    own_postgres.resume_if_halted()
    own_postgres.execute("DROP DATABASE speeddate WITH (FORCE)")


@pytest.fixture
def log_output():
    handler = next(h for h in logging.getLogger("speeddate").handlers if h.get_name() == "speeddate")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.postgres
def test_the_first_request_after_a_database_restart_is_served(served, own_postgres):
    own_postgres.restart()
    response = served.get("/")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


@pytest.mark.postgres
@pytest.mark.parametrize(("language", "title"), UNAVAILABLE)
def test_a_database_that_does_not_answer_gives_a_translated_503_page_until_it_is_back(
        served, own_postgres, log_output, language, title):
    own_postgres.halt()
    response = served.get("/", headers={"Accept-Language": f"{language};q=1, de;q=0.5"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert f'<html lang="{language}">' in page
    assert title in page
    request_id = response.headers["X-Request-ID"]
    assert re.search(rf"request_id={request_id} msg=\"service unavailable\".*error=OperationalError",
                     log_output.getvalue())

    own_postgres.resume()
    assert served.get("/").status_code == 200


@pytest.mark.postgres
def test_a_form_posted_while_the_database_is_away_gets_the_503_page_not_a_500(served, own_postgres):
    page = served.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    own_postgres.halt()
    response = served.post("/login", data={"email": "organisator@elz.example", "password": "whatever-long",
                                           "csrf_token": token})
    assert response.status_code == 503


def test_an_unexpected_error_shows_a_page_in_the_visitors_language_with_its_reference(app, log_output):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken", "broken", broken)
    app.test_client_class = RequestClient
    response = app.test_client().get("/broken", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page and "Internal Server Error" not in page
    assert response.headers["X-Request-ID"] in page
    assert f"request_id={response.headers['X-Request-ID']}" in log_output.getvalue()
