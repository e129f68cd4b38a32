"""An event's texts in the reader's language: written in Dutch, optionally in French and English."""

from flask_babel import get_locale

from speeddate.models import Event

# The texts an organiser writes per language; the Dutch one is required, the others fall back to it.
TEXT_FIELDS = ("title", "description", "location", "practical_note")
LANGUAGES = ("nl", "fr", "en")
TRANSLATIONS = ("fr", "en")


def current_language() -> str:
    """The language pages and mails are rendered in right now (a mail forces its recipient's)."""
    language = str(get_locale() or "nl")
    return language if language in LANGUAGES else "nl"


def event_text(event: Event, field: str, language: str | None = None) -> str:
    """The event's `field` in `language` (default: the current one), in Dutch where it has no translation."""
    return event.text(field, language or current_language())


def written_languages(event: Event) -> list[str]:
    """The languages the event's title is written in, Dutch first."""
    return ["nl", *(language for language in TRANSLATIONS if getattr(event, f"title_{language}"))]
