"""Absolute links for mails, calendars, exports and CLI output: always from configuration, never from a request.

A link built from the request's Host header would let anyone who sends `Host: evil.example` make the service
mail other people links to evil.example carrying their personal tokens. So every absolute link starts with
PUBLIC_BASE_URL, which the factory requires (or, for `make run` and tests, sets to a local default).
"""

from urllib.parse import urlsplit

from flask import current_app

from speeddate import tokens
from speeddate.models import Event, Registration

LOCAL_BASE_URL = "http://127.0.0.1:5000"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class ConfigurationError(RuntimeError):
    """A setting that production needs is missing or malformed."""


def checked_base_url(value: object) -> str:
    """PUBLIC_BASE_URL as links use it: http(s), a host, no query; without a trailing slash."""
    text = str(value or "").strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationError(
            f"SPEEDDATE_PUBLIC_BASE_URL must be the service's public address, such as https://events.elz.be "
            f"(got {text!r})")
    return text


def trusted_hosts(base_url: str) -> list[str]:
    """The hosts a request may name: the public one, and loopback for health checks and local use."""
    return sorted({urlsplit(base_url).hostname or "", *LOOPBACK_HOSTS})


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL on PUBLIC_BASE_URL, the same inside and outside a request (no request is consulted)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def personal_url(registration: Registration) -> str:
    """The partner's personal link to their registration."""
    return external_url("partners.personal", token=tokens.sign(registration.token))


def registration_url(event: Event) -> str:
    """The public registration link of an event."""
    return external_url("partners.event", slug=event.slug)
