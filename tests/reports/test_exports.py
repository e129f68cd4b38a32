"""CSV and XLSX exports of registrations and catering counts."""

import csv
import io

import openpyxl
import pytest

from speeddate.reports.services import REGISTRATION_COLUMNS


@pytest.fixture
def full_event(make_event, register):
    event = make_event(capacity=3)
    register(event, 1, dietary="Vegetarisch")
    register(event, 2, dietary="vegetarisch ")
    register(event, 3, dietary="", organisation="=HYPERLINK(\"http://evil.example\")")
    register(event, 4, dietary="halal")
    register(event, 5)
    return event


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode()), "a BOM, so that Excel shows accents"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("file_format, reader", [("csv", read_csv), ("xlsx", read_xlsx)])
def test_registration_export_lists_everyone_with_status_and_waiting_position(organiser, full_event, file_format,
                                                                             reader):
    response = organiser.get(f"/admin/events/{full_event.id}/registrations.{file_format}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = reader(response.data)
    assert tuple(rows[0]) == REGISTRATION_COLUMNS
    assert [(r["email"], r["status"], str(r["waitlist_position"] or "")) for r in rows] == [
        ("partner1@example.org", "confirmed", ""), ("partner2@example.org", "confirmed", ""),
        ("partner3@example.org", "confirmed", ""), ("partner4@example.org", "waitlisted", "1"),
        ("partner5@example.org", "waitlisted", "2")]
    assert {r["sector"] for r in rows} == {"Huisartsen"}
    assert rows[0]["attended"] == "no"


def test_text_from_the_public_form_never_becomes_a_spreadsheet_formula(organiser, full_event):
    csv_rows = read_csv(organiser.get(f"/admin/events/{full_event.id}/registrations.csv").data)
    assert csv_rows[2]["organisation"].startswith("'=")
    workbook = openpyxl.load_workbook(io.BytesIO(organiser.get(
        f"/admin/events/{full_event.id}/registrations.xlsx").data))
    cell = workbook.active.cell(row=4, column=REGISTRATION_COLUMNS.index("organisation") + 1)
    assert cell.data_type == "s"


@pytest.mark.parametrize("file_format, reader", [("csv", read_csv), ("xlsx", read_xlsx)])
def test_catering_counts_sum_the_confirmed_dietary_needs(organiser, full_event, file_format, reader):
    rows = reader(organiser.get(f"/admin/events/{full_event.id}/catering.{file_format}").data)
    counts = {r["dietary"]: int(r["count"]) for r in rows}
    assert counts == {"none": 1, "Vegetarisch": 2, "total": 3}, "waiting people eat nothing; case and spaces ignored"
