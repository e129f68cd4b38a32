"""Absolute links for mails and exports, also outside a request (CLI, worker)."""

from flask import current_app, has_request_context, url_for

from speeddate import tokens
from speeddate.models import Event, Registration


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL: PUBLIC_BASE_URL when configured, else the request's own host."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        with current_app.test_request_context(base_url=base):
            return url_for(endpoint, _external=True, **values)
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url="http://127.0.0.1:5000"):
        return url_for(endpoint, _external=True, **values)


def personal_url(registration: Registration) -> str:
    """The partner's personal link to their registration."""
    return external_url("partners.personal", token=tokens.sign(registration.token))


def registration_url(event: Event) -> str:
    """The public registration link of an event."""
    return external_url("partners.event", slug=event.slug)
