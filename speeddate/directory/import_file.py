"""Read a partner list from CSV or XLSX into rows of cells by column name, within limits.

Nothing in a file is ever evaluated: XLSX formulas are read as their text, cells are plain strings, and the
file's size, its unpacked size, its row count and its cells are limited before anything is parsed.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import load_workbook

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


class ImportFileError(Exception):
    """The file as a whole cannot be read: too large, not CSV/XLSX, no email column, too many rows."""


@dataclass(frozen=True)
class SourceRow:
    """One data row of the file with its spreadsheet line number and its cells by column name."""

    line: int
    cells: dict[str, str]


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
