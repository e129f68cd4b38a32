"""The rules for a partner's fields, in one place: the registration form, the directory's edit form and the import
all check a partner's details with these, each saying what is wrong in its own words.

The lengths are the columns' (models/partners.py); a value that breaks a rule is refused, never cut or changed,
except the email, which is stored in one normal form.
"""

from dataclasses import dataclass

from sqlalchemy import select

from speeddate.extensions import db
from speeddate.forms_common import MARKUP_CHARACTERS, is_control, is_invisible, parse_id
from speeddate.models import Gemeente, Sector

MAX_LENGTH = {"email": 254, "first_name": 100, "last_name": 100, "organisation": 200, "function": 150,
              "phone": 40, "dietary": 300}
PHONE_CHARACTERS = frozenset("+0123456789 ()/.-")
LANGUAGES = {"nl": "Nederlands", "fr": "Français", "en": "English"}
# A zone has a few dozen gemeenten at most; a longer list is a script.
MAX_GEMEENTEN = 100


def is_phone_number(value: str) -> bool:
    """Whether a phone number uses only digits, spaces and + ( ) / . - (an empty one does)."""
    return set(value) <= PHONE_CHARACTERS


def has_markup(value: str) -> bool:
    """Whether a text holds < or >, which no name needs and pasted HTML or script does."""
    return bool(MARKUP_CHARACTERS & set(value))


def has_hidden_characters(value: str) -> bool:
    """Whether a text holds a line break, a control character or an invisible (format) character."""
    return any(is_control(character) or is_invisible(character) for character in value)


def is_language(code: str) -> bool:
    """Whether a code names a language the service speaks to partners in."""
    return code in LANGUAGES


def join_languages(codes: list[str]) -> str:
    """Conversation languages as stored on the partner: known codes in LANGUAGES order, joined by "|"."""
    return "|".join(code for code in LANGUAGES if code in codes)


def split_languages(stored: str) -> list[str]:
    """The codes of a stored "nl|fr"; none for "" (any language)."""
    return [code for code in stored.split("|") if code]


def are_conversation_languages(codes: list[str]) -> bool:
    """Whether a partner named at least one language to talk in, each one the service knows."""
    return bool(codes) and all(is_language(code) for code in codes)


@dataclass(frozen=True)
class Lookup:
    """The zone's sectors and gemeenten as people name them: by id (the forms' values), or by name in any letter
    case (a sector by its Dutch, French or English name). Loaded once, in two queries, however many values."""

    sectors_by_id: dict[int, Sector]
    sectors_by_name: dict[str, Sector]
    gemeenten_by_id: dict[int, Gemeente]
    gemeenten_by_name: dict[str, Gemeente]

    @classmethod
    def load(cls) -> "Lookup":
        """Read every sector and gemeente."""
        sectors = list(db.session.scalars(select(Sector).order_by(Sector.id)))
        gemeenten = list(db.session.scalars(select(Gemeente).order_by(Gemeente.id)))
        by_name: dict[str, Sector] = {}
        for sector in sectors:
            for name in (sector.name, sector.name_fr, sector.name_en):
                if name:
                    by_name.setdefault(_key(name), sector)
        return cls({s.id: s for s in sectors}, by_name, {g.id: g for g in gemeenten},
                   {_key(g.name): g for g in gemeenten})

    def sector(self, value: str, by_id: bool = True) -> Sector | None:
        """The sector a value names (an id only when `by_id`), or None."""
        number = parse_id(value) if by_id else None
        return self.sectors_by_id.get(number) if number else self.sectors_by_name.get(_key(value))

    def gemeente(self, value: str, by_id: bool = True) -> Gemeente | None:
        """The gemeente a value names (an id only when `by_id`), or None."""
        number = parse_id(value) if by_id else None
        return self.gemeenten_by_id.get(number) if number else self.gemeenten_by_name.get(_key(value))


def _key(name: str) -> str:
    return (name or "").strip().lower()
