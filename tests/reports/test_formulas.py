"""No exported cell starts a formula: not in CSV split on `,` or `;` (Belgian Excel), not in XLSX, not in headers."""

import csv
import io
import re

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from speeddate.exports import to_csv, to_xlsx
from speeddate.spreadsheet import neutralise_formulas, starts_a_formula

NASTY = ["=2+3", "Org;=2+3;x", "Org,=2+3,x", "a; =1+1", 'a;"=1+1"', "+32 50 12 34 56", "-1+1", "@SUM(A1)",
         "\t=cmd", "\r=cmd", "x\n=1+1", "x\r\n@A1", '=HYPERLINK("http://evil.example","klik")', "a\t-2", "Org;;=1",
         "'=already", "Huis-arts, Brugge", "gewoon tekst"]


def fragments(data: bytes) -> list[str]:
    """Every cell a spreadsheet could make of the file: CSV-parsed on `,` and `;`, and split naively on lines,
    separators and tabs (as a program that ignores CSV quoting would)."""
    text = data.decode("utf-8-sig")
    cells = [cell for delimiter in ",;" for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
             for cell in row]
    return cells + re.split(r"[,;\t\r\n]", text)


def test_the_csv_of_nasty_values_has_no_formula_however_it_is_split():
    data = to_csv(["=header", "Vraag;=1+1", "plain"], [NASTY[i:i + 3] for i in range(0, len(NASTY), 3)])
    assert [cell for cell in fragments(data) if starts_a_formula(cell)] == []
    # A reader that splits on `,` gets each value back, behind a `'` wherever a formula could start.
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1][:2] == ["'=2+3", "Org;'=2+3;x"]
    assert [value for row in rows[1:] for value in row if value.endswith("tekst")] == ["gewoon tekst"]


@given(st.lists(st.lists(st.text(alphabet="=+-@;,\t\r\n \"'ab1", max_size=12), min_size=1, max_size=4),
                min_size=1, max_size=5))
@settings(max_examples=300, deadline=None, database=None)
def test_no_text_whatever_becomes_a_formula_in_a_csv(rows):
    data = to_csv([f"c{n}" for n in range(max(map(len, rows)))], rows)
    assert [cell for cell in fragments(data) if starts_a_formula(cell)] == []


def test_an_xlsx_has_no_formula_in_its_values_or_headers():
    data = to_xlsx(["=cmd|' /C calc'!A0", "ok"], [[value, 1] for value in NASTY], "export")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    texts = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert texts and not [text for text in texts if starts_a_formula(text)]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.cell(row=2, column=2).value == 1, "numbers stay numbers"


def test_values_that_start_no_formula_are_kept_as_they_are():
    assert [neutralise_formulas(v) for v in ("Huis-arts, Brugge", "gewoon tekst", 5, None, "a|b")] == [
        "Huis-arts, Brugge", "gewoon tekst", 5, None, "a|b"]


@pytest.mark.parametrize("path", ["/admin/events/{id}/registrations.{format}", "/admin/directory/export.{format}"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_registration_with_formulas_exports_none(organiser, make_event, register, path, file_format):
    event = make_event()
    register(event, 1, organisation="Org;=2+3;x", function="@SUM(1)", dietary="-2+3")
    data = organiser.get(path.format(id=event.id, format=file_format)).data
    if file_format == "csv":
        cells = fragments(data)
        assert "'=2+3" in cells, "the value was split as a reader ignoring the quotes would, and defused"
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        cells = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
        assert "Org;'=2+3;x" in cells
    assert [cell for cell in cells if starts_a_formula(cell)] == []
