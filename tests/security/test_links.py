"""Links in mails, calendars and CLI output come from configuration, never from the request's Host header."""

import re
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select

from speeddate import create_app, tokens
from speeddate.extensions import db
from speeddate.models import Registration, RegistrationStatus
from speeddate.urls import ConfigurationError
from tests.support import PARTNER, make_test_app, serving

EVIL = "evil.example"
FORM = {key: value for key, value in PARTNER.items() if value is not None}


def test_production_refuses_to_start_without_a_public_address(monkeypatch, tmp_path):
    monkeypatch.setenv("SPEEDDATE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("SPEEDDATE_SECRET_KEY", "x")
    monkeypatch.delenv("SPEEDDATE_PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="SPEEDDATE_PUBLIC_BASE_URL"):
        create_app()


@pytest.mark.parametrize("value", ["events.elz.be", "ftp://events.elz.be", "https://", "https://x.be/?a=b"])
def test_a_malformed_public_address_is_refused_at_start(monkeypatch, tmp_path, value):
    monkeypatch.setenv("SPEEDDATE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("SPEEDDATE_SECRET_KEY", "x")
    monkeypatch.setenv("SPEEDDATE_PUBLIC_BASE_URL", value)
    with pytest.raises(ConfigurationError):
        create_app()


def _app_without_csrf(app, smtp_server, **overrides):
    return make_test_app(app.config["DATABASE_URL"], smtp_server, WTF_CSRF_ENABLED=False, **overrides)


def _registrations() -> list[Registration]:
    db.session.rollback()  # another app wrote: read afresh
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


def test_a_forged_host_is_refused_before_anything_changes(app, smtp_server, make_event, mailbox):
    event = make_event()
    client = _app_without_csrf(app, smtp_server).test_client()
    response = client.post(f"/e/{event.slug}", data=FORM, headers={"Host": EVIL})
    assert response.status_code == 400
    assert _registrations() == [] and mailbox.deliver().messages == []


def test_mail_links_never_follow_the_host_the_request_named(app, smtp_server, make_event, mailbox):
    """Even where a deployment accepts a host, links start with the setting (here the local default)."""
    lenient = _app_without_csrf(app, smtp_server, PUBLIC_BASE_URL=None, TRUSTED_HOSTS=[EVIL, "localhost"])
    assert lenient.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    event = make_event(capacity=1)
    client = lenient.test_client()
    for email in ("first@example.org", "second@example.org"):
        assert client.post(f"/e/{event.slug}", data={**FORM, "email": email},
                           headers={"Host": EVIL}).status_code == 200
    first = _registrations()[0]
    client.post(f"/r/{tokens.sign(first.token)}/cancel", headers={"Host": EVIL})
    assert [r.status for r in _registrations()] == [RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED]
    messages = mailbox.deliver().messages
    assert len(messages) == 4, "confirmation, waiting list, cancellation, promotion"
    for message in messages:
        content = message.as_string()
        assert EVIL not in content
        assert set(re.findall(r"https?://[^\s/\"<>]+", message.get_body(("plain",)).get_content())) == {
            "http://127.0.0.1:5000"}


def test_over_http_a_forged_host_gets_400_and_no_mail(app, make_event, mailbox):
    event = make_event()
    with serving(app) as server:
        request = urllib.request.Request(f"{server.url}/e/{event.slug}", headers={"Host": EVIL})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        refused.value.close()
        assert refused.value.code == 400
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as health:
            assert health.status == 200, "loopback (monitoring) is always served"
    assert mailbox.deliver().messages == []


def test_cli_output_uses_the_public_address(runner):
    result = runner.invoke(args=["events", "create", "--title", "Platform", "--type", "elp", "--start",
                                 "2030-03-01T12:00", "--end", "2030-03-01T14:00", "--capacity", "30", "--json"])
    assert result.exit_code == 0, result.output
    assert '"registration_url": "http://speeddate.test/e/' in result.output
