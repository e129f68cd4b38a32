"""Files people download: CSV and XLSX writers, the MIME type of each kind of file, and the one download response.

Every text cell goes through `spreadsheet.neutralise_formulas`, headers included (see that module for why). The
formula guard stays a module of its own because the solver's CSV output uses it, and the solver imports no Flask.

A file is written in one of two forms (`FileStyle`): for people, in a language (headings and values in words,
dates as date cells, rates as percentages, a CSV split on `;` with decimal commas as Belgian Excel expects), or for
scripts (`language=None`: the column codes, the stored codes as values, ISO dates, decimal points).
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response, request
from flask_babel import get_locale
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from speeddate.spreadsheet import neutralise_formulas

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
    "ics": "text/calendar",
}
# What a file name in a Content-Disposition header may hold: no quotes, slashes, spaces or line breaks.
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]")
# The separators an organiser can choose for a CSV file, by the name a URL or a command line gives.
SEPARATORS = {"semicolon": ";", "comma": ",", "tab": "\t"}
LANGUAGES = ("nl", "fr", "en")
# Column widths in characters: wide enough for a name or an e-mail address, never a screen wide.
MIN_WIDTH, MAX_WIDTH = 8, 60

Row = Sequence[object]


class Percent(float):
    """A share between 0 and 1 that a spreadsheet shows as a percentage (a percentage cell in XLSX)."""


@dataclass(frozen=True)
class FileStyle:
    """How an export reads: `language` None is the machine form for scripts, else headings and values in words."""

    language: str | None = "nl"
    separator: str = ";"

    @classmethod
    def raw(cls, separator: str = ",") -> "FileStyle":
        """The machine form: codes, ISO dates and decimal points, `,` separated unless told otherwise."""
        return cls(language=None, separator=separator)

    @property
    def decimal_comma(self) -> bool:
        """Whether numbers are written with a decimal comma and dates day first, as in Belgium."""
        return self.language in ("nl", "fr")

    def date_format(self, with_time: bool) -> str:
        """The XLSX number format of a date cell: day first as in Belgium, ISO order in English."""
        day = "dd/mm/yyyy" if self.decimal_comma else "yyyy-mm-dd"
        return f"{day} hh:mm" if with_time else day


MACHINE = FileStyle.raw()


def requested_style() -> FileStyle:
    """The style a download link asks for: the organiser's language and `;` unless the query says
    `raw=1` (the machine form) or `separator=comma|semicolon|tab`."""
    separator = SEPARATORS.get(request.args.get("separator", ""))
    if request.args.get("raw") in ("1", "true", "yes"):
        return FileStyle.raw(separator or ",")
    language = str(get_locale() or "nl")
    return FileStyle(language if language in LANGUAGES else "nl", separator or ";")


def csv_text(value: object, style: FileStyle) -> object:
    """A value as a CSV cell of the style: dates and decimals written as the reading spreadsheet parses them."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M" if style.decimal_comma else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y" if style.decimal_comma else "%Y-%m-%d")
    if isinstance(value, Percent) and style.language is not None:
        text = f"{100 * value:.1f}".removesuffix(".0") + "%"
    elif isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".") if style.language is not None else repr(float(value))
    else:
        return neutralise_formulas(value)
    return text.replace(".", ",") if style.decimal_comma else text


def to_csv(columns: Sequence[str], rows: Iterable[Row], delimiter: str = ",", style: FileStyle = MACHINE) -> bytes:
    """UTF-8 CSV with a BOM (so that Excel shows accents) and a header row, split on `delimiter`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise_formulas(column) for column in columns])
    writer.writerows([csv_text(value, style) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(columns: Sequence[str], rows: Iterable[Row], title: str, style: FileStyle = MACHINE) -> bytes:
    """An XLSX workbook with one sheet; text is always stored as text, never as a formula."""
    return to_xlsx_sheets([(title, columns, rows)], style)


def to_xlsx_sheets(sheets: Iterable[tuple[str, Sequence[str], Iterable[Row]]], style: FileStyle = MACHINE) -> bytes:
    """An XLSX workbook with one sheet per (title, columns, rows): numbers as numbers, dates as date cells, shares
    as percentages, text as text; the heading row frozen and filtered, columns as wide as their content."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, columns, rows in sheets:
        _fill(workbook.create_sheet(_sheet_title(title, workbook.sheetnames)), columns, rows, style)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, taken: list[str]) -> str:
    # Excel refuses these characters and more than 31 characters in a sheet's name, and two sheets of one name.
    name = re.sub(r"[\\/*?:\[\]]", "-", str(title))[:31] or "-"
    number = 2
    while name in taken:
        name, number = f"{name[:28]} {number}", number + 1
    return name


def _fill(sheet: Worksheet, columns: Sequence[str], rows: Iterable[Row], style: FileStyle) -> None:
    widths = [len(str(column)) for column in columns]
    for row in [columns, *rows]:
        sheet.append([neutralise_formulas(value) for value in row])
        for index, cell in enumerate(sheet[sheet.max_row]):
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif isinstance(row[index], Percent):
                cell.number_format = "0.0%"
            elif isinstance(cell.value, datetime):
                cell.number_format = style.date_format(with_time=True)
            elif isinstance(cell.value, date):
                cell.number_format = style.date_format(with_time=False)
            if index < len(widths):
                widths[index] = max(widths[index], _shown_length(cell.value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{sheet.max_row}"


def _shown_length(value: object) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str("" if value is None else value).splitlines()), default=0)


def export_table(columns: Sequence[str], rows: Iterable[Row], title: str, file_format: str,
                 style: FileStyle = MACHINE) -> bytes:
    """Rows as CSV or as a one-sheet XLSX workbook in the style, formulas defused either way."""
    if file_format == "xlsx":
        return to_xlsx(columns, rows, title, style)
    return to_csv(columns, rows, style.separator, style)


def safe_filename(name: str) -> str:
    """The name with every character a header or a file system could misread replaced by `-`."""
    return _UNSAFE_IN_FILENAME.sub("-", name)


def download(content: bytes | str, filename: str, headers: dict[str, str] | None = None) -> Response:
    """A file to save: its MIME type from the name's extension, the name itself made safe for the header."""
    name = safe_filename(filename)
    return Response(content, mimetype=MIMETYPES[name.rpartition(".")[2]],
                    headers={"Content-Disposition": f'attachment; filename="{name}"', **(headers or {})})
