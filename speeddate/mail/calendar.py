"""iCalendar files: a partner's invitation (REQUEST / CANCEL) and the public feed of published events."""

from datetime import UTC
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import get_locale
from icalendar import Calendar, Timezone, vCalAddress, vText
from icalendar import Event as CalendarEvent

from speeddate.i18n import to_local
from speeddate.models import Event, Registration
from speeddate.models.base import utcnow
from speeddate.urls import personal_url, registration_url
from speeddate.zone.settings import zone_settings

PRODUCT_ID = "-//speeddate//speeddate//NL"


def _host() -> str:
    return urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "speeddate.invalid"


def registration_uid(registration: Registration) -> str:
    """Stable per registration, so that updates and cancellations replace the partner's calendar entry."""
    return f"registration-{registration.id}@{_host()}"


def _calendar(method: str | None) -> Calendar:
    """A calendar without its VTIMEZONE: _serialised adds it."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


@lru_cache(maxsize=4)
def _timezone_lines(tzid: str) -> str:
    """The zone's VTIMEZONE as text, built once per process: icalendar derives it from every transition in the tz
    database, which took about half of a registration's time when done for each calendar entry."""
    return Timezone.from_tzid(tzid).to_ical().decode()


def _serialised(calendar: Calendar) -> str:
    """The calendar's text with the zone's VTIMEZONE where icalendar puts it, before the first event (or at the
    end when there is none)."""
    text, timezone = calendar.to_ical().decode(), _timezone_lines(current_app.config["TIMEZONE"])
    at = text.find("BEGIN:VEVENT\r\n")
    at = at if at >= 0 else text.rindex("END:VCALENDAR")
    return text[:at] + timezone + text[at:]


def _event_component(event: Event, uid: str, link: str, with_online_link: bool, language: str) -> CalendarEvent:
    component = CalendarEvent()
    component.add("uid", uid)
    component.add("sequence", event.ics_sequence)
    component.add("dtstamp", utcnow().replace(tzinfo=UTC))
    component.add("dtstart", to_local(event.starts_at))
    component.add("dtend", to_local(event.ends_at))
    component.add("summary", event.text("title", language))
    online_link = event.online_url if with_online_link else ""
    texts = (event.text("description", language), event.text("practical_note", language), online_link,
             event.organised_by, link)
    component.add("description", "\n\n".join(part for part in texts if part))
    location = event.text("location", language)
    if location or online_link:
        component.add("location", location or online_link)
    component.add("url", link)
    if event.elsewhere:  # the zone does not organise it: no ORGANIZER, whose replies would come to the zone
        return component
    zone = zone_settings()
    if zone.contact_email:
        organizer = vCalAddress(f"mailto:{zone.contact_email}")
        organizer.params["cn"] = vText(zone.name)
        component.add("organizer", organizer)
    return component


def registration_ics(registration: Registration, method: str = "REQUEST") -> str:
    """The partner's own calendar entry, in their language: REQUEST to add or update, CANCEL to remove it."""
    event = registration.event
    calendar = _calendar(method)
    component = _event_component(event, registration_uid(registration), personal_url(registration),
                                 with_online_link=method == "REQUEST", language=registration.partner.language)
    attendee = vCalAddress(f"mailto:{registration.partner.email}")
    attendee.params["cn"] = vText(registration.partner.full_name)
    attendee.params["partstat"] = vText("ACCEPTED" if method == "REQUEST" else "DECLINED")
    component.add("attendee", attendee)
    component.add("status", "CONFIRMED" if method == "REQUEST" else "CANCELLED")
    calendar.add_component(component)
    return _serialised(calendar)


def feed_ics(events: list[Event], language: str | None = None) -> str:
    """A public feed of events in one language (by default the request's: /events.ics?lang=fr), without any
    personal data. An event elsewhere links to its own registration page."""
    language = language or str(get_locale() or "nl")
    calendar = _calendar(None)
    calendar.add("x-wr-calname", zone_settings().name)
    for event in events:
        link = event.external_url or registration_url(event)
        component = _event_component(event, f"event-{event.id}@{_host()}", link, with_online_link=False,
                                     language=language)
        calendar.add_component(component)
    return _serialised(calendar)

