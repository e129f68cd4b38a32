"""Import partners from CSV or XLSX: read the file, plan every row (create, update, skip or error), apply at once.

Nothing in a file is ever evaluated: XLSX formulas are read as their text (and refused), cells are plain strings
checked like the registration form checks them, and the file's size and row count are limited.
"""

import csv
import enum
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from speeddate.database import write
from speeddate.extensions import db
from speeddate.forms_common import email_is_sendable, email_is_valid
from speeddate.models import Gemeente, Organisation, Partner
from speeddate.models.base import utcnow
from speeddate.models.partners import normalise_email
from speeddate.partners.fields import (
    MAX_LENGTH,
    Lookup,
    has_hidden_characters,
    has_markup,
    is_language,
    is_phone_number,
)

MAX_BYTES = 2 * 1024 * 1024  # the same as the web's request limit (MAX_CONTENT_LENGTH)
MAX_ROWS = 20_000
MAX_COLUMNS = 40
# An XLSX is a zip: 2 MB of it can unpack to gigabytes (a zip bomb), and one cell of 100 MB once took 15 s and
# 440 MB to preview. The sizes the zip declares are checked before openpyxl opens it (zipfile never unpacks more
# than a member declares), and no cell needs more than a few hundred characters.
MAX_UNPACKED_BYTES = 30 * 1024 * 1024
MAX_MEMBERS = 200
MAX_CELL_CHARACTERS = 1000
COLUMNS = ("email", "first_name", "last_name", "organisation", "sector", "gemeenten", "function", "phone",
           "language")
# Headers as people write them in Dutch, French and English spreadsheets.
HEADER_ALIASES = {
    "e-mail": "email", "mail": "email", "emailadres": "email", "e-mailadres": "email", "courriel": "email",
    "voornaam": "first_name", "prénom": "first_name", "prenom": "first_name", "first name": "first_name",
    "achternaam": "last_name", "familienaam": "last_name", "naam": "last_name", "nom": "last_name",
    "last name": "last_name", "organisatie": "organisation", "organization": "organisation",
    "gemeente": "gemeenten", "commune": "gemeenten", "communes": "gemeenten", "municipalities": "gemeenten",
    "functie": "function", "fonction": "function", "telefoon": "phone", "téléphone": "phone",
    "telephone": "phone", "taal": "language", "langue": "language",
}
TEXT_LIMITS = {column: MAX_LENGTH[column] for column in ("first_name", "last_name", "organisation", "function")}
FORMULA_STARTS = ("=", "+", "-", "@")


class ImportFileError(Exception):
    """The file as a whole cannot be read: too large, not CSV/XLSX, no email column, too many rows."""


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    SKIP = "skip"
    ERROR = "error"


@dataclass(frozen=True)
class SourceRow:
    """One data row of the file with its spreadsheet line number and its cells by column name."""

    line: int
    cells: dict[str, str]


@dataclass
class RowPlan:
    """What the import does with one row, and why."""

    line: int
    email: str
    name: str
    action: Action
    reasons: list[str] = field(default_factory=list)
    changes: dict[str, object] = field(default_factory=dict)


@dataclass
class ImportPlan:
    rows: list[RowPlan]

    @property
    def counts(self) -> Counter[Action]:
        """How many rows per action."""
        return Counter(row.action for row in self.rows)

    @property
    def blocked(self) -> bool:
        """Whether a bad row stops the whole import."""
        return any(row.action == Action.ERROR for row in self.rows)


class ImportBlocked(Exception):
    """The file has bad rows that were not skipped; nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("bad rows")
        self.plan = plan


# Reading ---------------------------------------------------------------------------------------------------------

def read_rows(content: bytes, filename: str) -> list[SourceRow]:
    """The data rows of a CSV or XLSX file, keyed by known column names."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than %(size)d MB.", size=MAX_BYTES // (1024 * 1024)))
    is_xlsx = filename.lower().endswith(".xlsx") or content.startswith(b"PK\x03\x04")
    table = _xlsx_table(content) if is_xlsx else _csv_table(content)
    return _rows_by_header(table)


def _decode(content: bytes) -> str:
    if b"\x00" in content:
        raise ImportFileError(_("This is not a CSV or XLSX file."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Belgian Excel saves "CSV (semicolon)" in Windows-1252.
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError(_("The file's characters cannot be read; save it as CSV UTF-8.")) from None


def _csv_table(content: bytes) -> list[list[str]]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return _limited(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise ImportFileError(_("This is not a CSV or XLSX file.")) from None


def _check_unpacked_size(content: bytes) -> None:
    """Refuse a zip whose members would unpack to more than the limit, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError(_("This is not a CSV or XLSX file.")) from None
    if len(members) > MAX_MEMBERS or sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("The file unpacks to more than %(size)d MB. Split it into smaller files.",
                                size=MAX_UNPACKED_BYTES // (1024 * 1024)))


def _xlsx_table(content: bytes) -> list[list[str]]:
    _check_unpacked_size(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFileError(_("This is not a CSV or XLSX file.")) from None
    try:
        sheet = workbook.worksheets[0]
        return _limited([_cell_text(value) for value in row]
                        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFileError(_("This is not a CSV or XLSX file.")) from None
    finally:
        workbook.close()


def _limited(rows) -> list[list[str]]:
    table = []
    for row in rows:
        if len(table) > MAX_ROWS:
            raise ImportFileError(_("The file has more than %(count)d rows.", count=MAX_ROWS))
        cells = list(row)[:MAX_COLUMNS]
        if any(len(cell) > MAX_CELL_CHARACTERS for cell in cells):
            raise ImportFileError(_("A cell in row %(row)d holds more than %(count)d characters.",
                                    row=len(table) + 1, count=MAX_CELL_CHARACTERS))
        table.append(cells)
    return table


def _cell_text(value: object) -> str:
    """A cell as text: formulas stay their text (and are refused later), whole numbers lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _rows_by_header(table: list[list[str]]) -> list[SourceRow]:
    if not table:
        raise ImportFileError(_("The file is empty."))
    names = [_column_name(header) for header in table[0]]
    if "email" not in names:
        raise ImportFileError(_("The first row must name the columns, with at least 'email'."))
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = {name: value for name, value in zip(names, values, strict=False) if name}
        if any(value.strip() for value in cells.values()):
            rows.append(SourceRow(number, cells))
    return rows


def _column_name(header: str) -> str | None:
    key = " ".join(header.replace("_", " ").split()).lower()
    key = HEADER_ALIASES.get(key, key.replace(" ", "_"))
    return key if key in COLUMNS else None


# Planning --------------------------------------------------------------------------------------------------------

@dataclass
class _Lookup:
    """What rows are matched against, loaded once per import."""

    partners: dict[str, Partner]
    zone: Lookup

    @classmethod
    def load(cls) -> "_Lookup":
        return cls(partners={p.email: p for p in db.session.scalars(select(Partner))}, zone=Lookup.load())


def plan_import(rows: list[SourceRow], skip_lines: frozenset[int] = frozenset()) -> ImportPlan:
    """Decide, row by row, what importing would do; writes nothing."""
    lookup = _Lookup.load()
    seen: dict[str, int] = {}
    plans = []
    for row in rows:
        email = normalise_email(row.cells.get("email", ""))
        name = f"{row.cells.get('first_name', '')} {row.cells.get('last_name', '')}".strip()
        if row.line in skip_lines:
            plans.append(RowPlan(row.line, email, name, Action.SKIP, [_("skipped on request")]))
            continue
        plan = _plan_row(row, email, name, lookup)
        if email and email in seen:
            plan = RowPlan(row.line, email, name, Action.ERROR,
                           [_("the same email as row %(line)d", line=seen[email])])
        seen.setdefault(email, row.line)
        plans.append(plan)
    return ImportPlan(plans)


def _plan_row(row: SourceRow, email: str, name: str, lookup: _Lookup) -> RowPlan:
    values, problems = _checked_values(row.cells, email, lookup)
    partner = lookup.partners.get(email)
    if partner is None and not problems:
        problems += [_("a new person needs a %(column)s", column=column)
                     for column in ("first_name", "last_name") if not values.get(column)]
    if problems:
        return RowPlan(row.line, email, name, Action.ERROR, problems)
    if partner is None:
        return RowPlan(row.line, email, name, Action.CREATE, [_("new email")], values)
    changes = {key: value for key, value in values.items() if value and _current(partner, key) != value}
    if not changes:
        return RowPlan(row.line, email, name, Action.SKIP, [_("already in the directory, unchanged")])
    return RowPlan(row.line, email, name, Action.UPDATE,
                   [_("changes %(columns)s", columns=", ".join(changes))], changes)


def _current(partner: Partner, key: str) -> object:
    if key == "organisation":
        return partner.organisation.name if partner.organisation else ""
    if key == "gemeenten":
        return sorted(partner.gemeenten, key=lambda g: g.id)
    return getattr(partner, key)


def _checked_values(cells: dict[str, str], email: str, lookup: _Lookup) -> tuple[dict[str, object], list[str]]:
    problems = _email_problems(email)
    values: dict[str, object] = {}
    for column, limit in TEXT_LIMITS.items():
        value = " ".join(cells.get(column, "").split()) if not has_hidden_characters(cells.get(column, "")) else ""
        problems += _text_problems(column, cells.get(column, ""), limit)
        values[column] = value
    phone = cells.get("phone", "").strip()
    if not is_phone_number(phone) or len(phone) > MAX_LENGTH["phone"]:
        problems.append(_("phone: only digits, spaces and + ( ) / . -, at most 40"))
    values["phone"] = phone
    language = cells.get("language", "").strip().lower()
    if language and not is_language(language):
        problems.append(_("language must be nl, fr or en"))
    values["language"] = language
    sector_name = cells.get("sector", "").strip()
    # Names only: an id means nothing in a spreadsheet.
    values["sector"] = lookup.zone.sector(sector_name, by_id=False) if sector_name else None
    if sector_name and values["sector"] is None:
        problems.append(_("unknown sector %(name)s", name=_shown(sector_name)))
    values["gemeenten"], unknown = _gemeenten(cells.get("gemeenten", ""), lookup)
    problems += [_("unknown gemeente %(name)s", name=_shown(name)) for name in unknown]
    return values, problems


def _email_problems(email: str) -> list[str]:
    if not email:
        return [_("no email")]
    if not email_is_valid(email):
        return [_("%(email)s is not a valid email address", email=_shown(email))]
    if not email_is_sendable(email):
        return [_("%(email)s is an address our mail server cannot send to", email=_shown(email))]
    return [] if len(email) <= MAX_LENGTH["email"] else [_("the email is too long")]


def _text_problems(column: str, value: str, limit: int) -> list[str]:
    problems = []
    if len(value) > limit:
        problems.append(_("%(column)s is longer than %(max)d characters", column=column, max=limit))
    if has_markup(value):
        problems.append(_("%(column)s contains < or >", column=column))
    if has_hidden_characters(value):
        problems.append(_("%(column)s contains a line break, a control character or an invisible character",
                          column=column))
    if value.strip().startswith(FORMULA_STARTS):
        problems.append(_("%(column)s starts like a spreadsheet formula", column=column))
    return problems


def _gemeenten(value: str, lookup: _Lookup) -> tuple[list[Gemeente], list[str]]:
    found: list[Gemeente] = []
    unknown = []
    for name in filter(None, (part.strip() for part in re.split(r"[|,;]", value))):
        gemeente = lookup.zone.gemeente(name, by_id=False)
        if gemeente is None:
            unknown.append(name)
        elif gemeente not in found:
            found.append(gemeente)
    return sorted(found, key=lambda g: g.id), unknown


def _shown(value: str) -> str:
    """A cell value quoted in a message, shortened so that a huge cell does not flood the page."""
    return repr(value if len(value) <= 60 else value[:60] + "…")


# Applying --------------------------------------------------------------------------------------------------------

def apply_import(rows: list[SourceRow], skip_lines: frozenset[int] = frozenset()) -> ImportPlan:
    """Plan again inside one write transaction and apply it all, or nothing when a row is bad."""
    try:
        return _apply_once(rows, skip_lines)
    except IntegrityError:
        # Someone registered with one of these emails meanwhile: plan again, now updating that person.
        return _apply_once(rows, skip_lines)


def _apply_once(rows: list[SourceRow], skip_lines: frozenset[int]) -> ImportPlan:
    with write():
        plan = plan_import(rows, skip_lines)
        if plan.blocked:
            raise ImportBlocked(plan)
        organisations = {o.name.lower(): o for o in db.session.scalars(select(Organisation))}
        partners = {p.email: p for p in db.session.scalars(select(Partner))}
        for row in plan.rows:
            if row.action == Action.CREATE:
                partner = Partner(email=row.email, language="nl", email_confirmed_at=utcnow())  # the organiser's list
                db.session.add(partner)
                _apply_changes(partner, row.changes, organisations)
            elif row.action == Action.UPDATE:
                _apply_changes(partners[row.email], row.changes, organisations)
    return plan


def _apply_changes(partner: Partner, changes: dict[str, object], organisations: dict[str, Organisation]) -> None:
    for key, value in changes.items():
        if not value:
            continue
        if key == "organisation":
            name = str(value)
            if name.lower() not in organisations:
                organisations[name.lower()] = Organisation(name=name)
            partner.organisation = organisations[name.lower()]
        else:
            setattr(partner, key, value)
