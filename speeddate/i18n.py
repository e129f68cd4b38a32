"""Language and time zone: ?lang=, then the partner's own choice, then the logged-in organiser's, then the session,
then Accept-Language."""

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, request, session
from flask_babel import format_datetime
from flask_login import current_user

from speeddate.zone.settings import zone_settings


def select_locale() -> str:
    """The interface language for this request."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    # A partner's page speaks the partner's language even to an organiser who looks at it.
    for chosen in (g.get("partner_language"), _organiser_language(), session.get("lang")):
        if chosen in languages:
            return chosen
    return request.accept_languages.best_match(languages) or zone_settings().default_language


def _organiser_language() -> str | None:
    """The language the logged-in organiser chose for the back office (kept on their account)."""
    return current_user.language if current_user and current_user.is_authenticated else None


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


def shift_local(stored: datetime, days: int = 0, hours: int = 0, months: int = 0) -> datetime:
    """A stored UTC time moved by calendar days, hours or months at the same Brussels wall-clock time.

    "Two days before 12:00" stays 12:00 across a daylight-saving change, which plain UTC arithmetic would not.
    """
    local = to_local(stored).replace(tzinfo=None)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    moved = local.replace(year=year, month=month, day=day) + timedelta(days=days, hours=hours)
    return to_utc(moved)
