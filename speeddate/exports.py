"""Files people download: CSV and XLSX writers, the MIME type of each kind of file, and the one download response.

Every cell goes through `spreadsheet.neutralise_formulas`, headers included (see that module for why). The formula
guard stays a module of its own because the solver's CSV output uses it, and the solver imports no Flask.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence

from flask import Response
from openpyxl import Workbook

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

Row = Sequence[object]


def to_csv(columns: Sequence[str], rows: Iterable[Row]) -> bytes:
    """UTF-8 CSV with a BOM (so that Excel shows accents) and a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise_formulas(column) for column in columns])
    writer.writerows([neutralise_formulas(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(columns: Sequence[str], rows: Iterable[Row], title: str) -> bytes:
    """An XLSX workbook with one sheet; text is always stored as text, never as a formula."""
    return to_xlsx_sheets([(title, columns, rows)])


def to_xlsx_sheets(sheets: Iterable[tuple[str, Sequence[str], Iterable[Row]]]) -> bytes:
    """An XLSX workbook with one sheet per (title, columns, rows); numbers stay numbers, text stays text."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        for row in [columns, *rows]:
            sheet.append([neutralise_formulas(value) for value in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_table(columns: Sequence[str], rows: Iterable[Row], title: str, file_format: str) -> bytes:
    """Rows as CSV or as a one-sheet XLSX workbook, formulas defused either way."""
    return to_xlsx(columns, rows, title) if file_format == "xlsx" else to_csv(columns, rows)


def safe_filename(name: str) -> str:
    """The name with every character a header or a file system could misread replaced by `-`."""
    return _UNSAFE_IN_FILENAME.sub("-", name)


def download(content: bytes | str, filename: str, headers: dict[str, str] | None = None) -> Response:
    """A file to save: its MIME type from the name's extension, the name itself made safe for the header."""
    name = safe_filename(filename)
    return Response(content, mimetype=MIMETYPES[name.rpartition(".")[2]],
                    headers={"Content-Disposition": f'attachment; filename="{name}"', **(headers or {})})
