"""One key per purpose: a new session key logs organisers out but keeps every link that partners hold."""

import pytest
from itsdangerous import Signer

from speeddate import tokens
from speeddate.auth.services import create_user
from speeddate.extensions import db
from speeddate.models import Registration
from speeddate.security import ratelimit
from speeddate.surveys.answers import respondent_key
from tests.support import RequestClient, make_test_app, personal_link, post_form

OLD, NEW = "test-secret", "a-brand-new-session-key"
EMAIL, PASSWORD = "organisator@elz.example", "correct horse battery"


def todays_link(registration: Registration, key: str = OLD) -> str:
    """A personal link signed the way every link was signed before the keys were separated."""
    return f"/r/{Signer(key, salt='speeddate.registration').sign(registration.token).decode()}"


def rotated(app, smtp_server, **settings):
    """The same database served with other keys, as after a deployment that changed them."""
    other = make_test_app(app.config["DATABASE_URL"], smtp_server, **settings)
    other.test_client_class = RequestClient
    return other


@pytest.fixture
def registration(register, make_event) -> Registration:
    assert register(make_event()).status_code == 200
    return db.session.scalar(db.select(Registration))


@pytest.mark.parametrize("settings", [{}, {"LINK_SECRET_KEY": OLD}, {"SECRET_KEY": NEW, "LINK_SECRET_KEY": OLD}])
def test_personal_links_sent_before_the_keys_were_separated_keep_working(app, smtp_server, registration, settings):
    served = rotated(app, smtp_server, **settings)
    with served.app_context():
        assert served.test_client().get(todays_link(registration)).status_code == 200


def test_a_new_session_key_logs_organisers_out_and_keeps_every_partner_link(app, client, smtp_server, registration):
    create_user(EMAIL, PASSWORD)
    assert post_form(client, "/login", {"email": EMAIL, "password": PASSWORD, "remember": "y"}).status_code == 302
    link, unsubscribe = personal_link(), tokens.unsubscribe_token(registration.partner_id)
    answers_of, bucket = respondent_key(registration), ratelimit.bucket("public_address", "192.0.2.1")
    served = rotated(app, smtp_server, SECRET_KEY=NEW, LINK_SECRET_KEY=OLD)
    with served.app_context():
        organiser = served.test_client()
        for name in ("session", "remember_token"):
            organiser.set_cookie(name, client.get_cookie(name).value)
        assert organiser.get("/admin/events").status_code == 302, "logged out"
        partner = served.test_client()
        assert partner.get(link).status_code == 200 and partner.get(f"/u/{unsubscribe}").status_code == 200
        assert respondent_key(db.session.get(Registration, registration.id)) == answers_of, "answers still found"
        assert ratelimit.bucket("public_address", "192.0.2.1") == bucket


def test_a_new_link_key_ends_links_but_not_sessions(app, client, smtp_server, registration):
    create_user(EMAIL, PASSWORD)
    post_form(client, "/login", {"email": EMAIL, "password": PASSWORD})
    served = rotated(app, smtp_server, LINK_SECRET_KEY="a-new-link-key")
    with served.app_context():
        organiser = served.test_client()
        organiser.set_cookie("session", client.get_cookie("session").value)
        assert organiser.get("/admin/events").status_code == 200
        assert served.test_client().get(todays_link(registration)).status_code == 404


def test_every_purpose_has_a_key_of_its_own(app):
    keys = {tokens.purpose_key("rate-limit"), tokens.purpose_key("unsubscribe"), OLD.encode()}
    assert len(keys) == 3
    app.config["LINK_SECRET_KEY"] = "separate"
    assert tokens.purpose_key("rate-limit") not in keys, "derived from the link key, not the session key"
