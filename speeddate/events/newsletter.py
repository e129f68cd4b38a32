"""The newsletter block: a month's events as HTML and as text, in each language, for the coordinator to paste into
the newsletter tool (action plan: "interessante kalenderitems")."""

from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import force_locale, format_date

from speeddate.events.services import month_events
from speeddate.events.texts import LANGUAGES
from speeddate.models import Event
from speeddate.urls import registration_url

LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


@dataclass(frozen=True)
class Block:
    """One language's block: what the newsletter tool takes as HTML, and the same as plain text."""

    language: str
    name: str
    html: str
    text: str


def blocks(month: date) -> tuple[list[Event], list[Block]]:
    """The month's upcoming events (the zone's and those elsewhere) and their block in each language."""
    events = month_events(month.year, month.month)
    links = {event.id: event.external_url or registration_url(event) for event in events}
    made = []
    for language in LANGUAGES:
        with force_locale(language):
            context = {"events": events, "links": links, "month_name": format_date(month, "LLLL y")}
            made.append(Block(language, LANGUAGE_NAMES[language],
                              render_template("events/newsletter_block.html", **context).strip(),
                              render_template("events/newsletter_block.txt", **context).strip()))
    return events, made
