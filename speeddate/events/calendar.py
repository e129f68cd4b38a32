"""The zone's public calendar, for its website to frame (/calendar) or pull (/calendar.json): upcoming events of
the zone and those it spreads from elsewhere, in every language, without any personal data."""

from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Response, jsonify, render_template, request
from flask_babel import force_locale

from speeddate.events import services
from speeddate.events.state import availability, takes_registrations
from speeddate.events.texts import LANGUAGES, TEXT_FIELDS
from speeddate.i18n import to_local
from speeddate.labels import TYPE_LABELS
from speeddate.models import Event, EventType
from speeddate.models.base import utcnow
from speeddate.urls import external_url, registration_url
from speeddate.zone.services import all_gemeenten
from speeddate.zone.settings import zone_settings

bp = Blueprint("calendar", __name__)

# Like the .ics feed: a website pulling the calendar often is served from caches in between.
CACHE = "public, max-age=600"


def _chosen() -> dict:
    """The filters in the query string, ignoring values that name nothing (a site's stale link still shows all)."""
    types = tuple(EventType(value) for value in request.args.getlist("type") if value in set(EventType))
    language = request.args.get("language")
    return {"gemeente": request.args.get("gemeente") or None, "types": types,
            "language": language if language in LANGUAGES else None}


@bp.get("/calendar")
def page():
    """The calendar as a page without scripts, to link to or to frame where SPEEDDATE_FRAME_ANCESTORS allows."""
    chosen = _chosen()
    response = Response(render_template(
        "events/calendar.html", events=services.calendar_events(**chosen), chosen=chosen,
        gemeenten=all_gemeenten(), types=TYPE_LABELS, availability=availability,
        json_url=external_url("calendar.feed"), ics_url=external_url("partners.calendar_feed")))
    response.headers["Cache-Control"] = CACHE
    return response


@bp.get("/calendar.json")
def feed():
    """The same events as data: texts per language, links on the public address (documented in the README)."""
    response = jsonify({"zone": zone_settings().name, "generated_at": _iso(utcnow()),
                        "events": [event_json(event) for event in services.calendar_events(**_chosen())]})
    response.headers["Cache-Control"] = CACHE
    # Any website may read it from a browser script: it holds only what the public page shows.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def event_json(event: Event) -> dict:
    """One event for the feed: what its public page shows, in each language (falling back to Dutch)."""
    return {
        "id": event.slug,
        "type": event.type.value,
        "type_label": _per_language(lambda: str(TYPE_LABELS[event.type])),
        "starts_at": _iso(event.starts_at),
        "ends_at": _iso(event.ends_at),
        **{field: {language: event.text(field, language) for language in LANGUAGES} for field in TEXT_FIELDS},
        "languages": [language for language in LANGUAGES
                      if language == "nl" or getattr(event, f"title_{language}")],
        "gemeente": event.gemeente.name if event.gemeente else None,
        "online": bool(event.online_url),
        "elsewhere": event.elsewhere,
        "organised_by": event.organised_by or zone_settings().name,
        "co_organisers": event.co_organisers,
        "registration_open": takes_registrations(event),
        "full": not event.elsewhere and event.free_places <= 0,
        "url": event.external_url or registration_url(event),
        "event_page": registration_url(event),
    }


def _per_language(text: Callable[[], str]) -> dict[str, str]:
    """A label as the interface says it in each language."""
    values = {}
    for language in LANGUAGES:
        with force_locale(language):
            values[language] = text()
    return values


def _iso(stored: datetime) -> str:
    """A stored UTC time as ISO 8601 in the zone's time, with its offset."""
    return to_local(stored).isoformat()
