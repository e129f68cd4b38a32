"""Language and time zone: ?lang=, then the partner's own choice, then the session, then Accept-Language."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, request, session
from flask_babel import format_datetime

from speeddate.zone.services import zone_settings


def select_locale() -> str:
    """The interface language for this request."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    for chosen in (g.get("partner_language"), session.get("lang")):
        if chosen in languages:
            return chosen
    return request.accept_languages.best_match(languages) or zone_settings().default_language


def select_timezone() -> str:
    """Every date is shown in the zone's own time."""
    return current_app.config["TIMEZONE"]


def local_zone() -> ZoneInfo:
    """The zone's time zone (Europe/Brussels)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_utc(local: datetime) -> datetime:
    """A Brussels wall-clock time (naive or aware) as naive UTC for storage."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=local_zone())
    return local.astimezone(UTC).replace(tzinfo=None)


def to_local(stored: datetime) -> datetime:
    """A stored naive UTC time as an aware Brussels time."""
    return stored.replace(tzinfo=UTC).astimezone(local_zone())


def format_when(stored: datetime | None, fmt: str = "full") -> str:
    """A stored time formatted in the current language (Babel converts UTC to Brussels itself)."""
    if stored is None:
        return ""
    return format_datetime(stored.replace(tzinfo=UTC), {"full": "EEEE d MMMM y, HH:mm"}.get(fmt, fmt))
