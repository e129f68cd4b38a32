"""CSV and XLSX exports of registrations and catering lists: in the organiser's language for people, with `;`
for Belgian Excel and typed XLSX cells, and in a machine form for scripts."""

import csv
import io
from datetime import datetime

import openpyxl
import pytest

from speeddate.reports.services import CATERING_COLUMNS, REGISTRATION_COLUMNS


@pytest.fixture
def full_event(make_event, register):
    event = make_event(capacity=3)
    register(event, 1, dietary="Vegetarisch")
    register(event, 2, dietary="vegetarisch ")
    register(event, 3, dietary="", organisation="=HYPERLINK(\"http://evil.example\")")
    register(event, 4, dietary="halal")
    register(event, 5)
    return event


def read_csv(data: bytes, delimiter: str = ";") -> list[dict]:
    assert data.startswith("\ufeff".encode()), "a BOM, so that Excel shows accents"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def read_xlsx(data: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# Per language: the headings and words an organiser reads (Dutch and French from the compiled catalogues).
WORDS = {
    "nl": {"first_name": "Voornaam", "email": "E-mail", "status": "Status", "confirmed": "bevestigd",
           "waitlisted": "op de wachtlijst", "no": "nee", "sector": "Sector", "dietary": "Voedingswensen"},
    "fr": {"first_name": "Prénom", "email": "E-mail", "status": "Statut", "confirmed": "confirmée",
           "waitlisted": "sur la liste d'attente", "no": "non", "sector": "Secteur", "dietary": "Régime alimentaire"},
    "en": {"first_name": "First name", "email": "Email", "status": "Status", "confirmed": "confirmed",
           "waitlisted": "on the waiting list", "no": "no", "sector": "Sector", "dietary": "Dietary needs"},
}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
@pytest.mark.parametrize("file_format, reader", [("csv", read_csv), ("xlsx", read_xlsx)])
def test_registration_export_speaks_the_organisers_language(organiser, full_event, language, file_format, reader):
    response = organiser.get(f"/admin/events/{full_event.id}/registrations.{file_format}?lang={language}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    words = WORDS[language]
    rows = reader(response.data)
    assert len(rows[0]) == len(REGISTRATION_COLUMNS)
    assert {words["first_name"], words["email"], words["status"], words["sector"]} <= set(rows[0])
    assert [(r[words["email"]], r[words["status"]]) for r in rows] == [
        ("partner1@example.org", words["confirmed"]), ("partner2@example.org", words["confirmed"]),
        ("partner3@example.org", words["confirmed"]), ("partner4@example.org", words["waitlisted"]),
        ("partner5@example.org", words["waitlisted"])]
    assert not set(rows[0]) & {"first_name", "status", "waitlist_position"}, "no codes as headings"
    assert set(rows[0].values()) >= {words["no"]}, "attended: a word, not yes/no codes"


def test_registration_xlsx_has_typed_cells_a_frozen_filtered_heading_and_fitting_columns(organiser, full_event):
    data = organiser.get(f"/admin/events/{full_event.id}/registrations.xlsx?lang=en").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    headings = [cell.value for cell in sheet[1]]
    registered = sheet.cell(row=2, column=headings.index("Registered at") + 1)
    assert isinstance(registered.value, datetime) and registered.is_date, "a date cell, not text"
    assert abs((registered.value - datetime.now()).total_seconds()) < 4 * 3600, "Brussels time, not UTC text"
    assert isinstance(sheet.cell(row=2, column=1).value, int), "numbers stay numbers"
    assert sheet.cell(row=5, column=headings.index("Place on the waiting list") + 1).value == 1
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headings))}{sheet.max_row}"
    email_width = sheet.column_dimensions[openpyxl.utils.get_column_letter(headings.index("Email") + 1)].width
    assert email_width >= len("partner1@example.org"), "the widest address fits"


def test_the_csv_is_split_on_semicolons_unless_the_organiser_asks_otherwise(organiser, full_event):
    url = f"/admin/events/{full_event.id}/registrations.csv?lang=en"
    header = organiser.get(url).data.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Registration number;Status;")
    assert organiser.get(url + "&separator=comma").data.decode("utf-8-sig").startswith("Registration number,Status,")
    assert organiser.get(url + "&separator=tab").data.decode("utf-8-sig").startswith("Registration number\tStatus\t")


@pytest.mark.parametrize("file_format, reader", [("csv", lambda data: read_csv(data, ",")), ("xlsx", read_xlsx)])
def test_the_machine_form_keeps_codes_for_scripts(organiser, full_event, file_format, reader):
    rows = reader(organiser.get(f"/admin/events/{full_event.id}/registrations.{file_format}?raw=1").data)
    assert tuple(rows[0]) == REGISTRATION_COLUMNS
    assert [(r["email"], r["status"], str(r["waitlist_position"] or "")) for r in rows] == [
        ("partner1@example.org", "confirmed", ""), ("partner2@example.org", "confirmed", ""),
        ("partner3@example.org", "confirmed", ""), ("partner4@example.org", "waitlisted", "1"),
        ("partner5@example.org", "waitlisted", "2")]
    assert rows[0]["attended"] == "no" and rows[0]["language"] == "nl"
    assert len(rows[0]["registered_at"]) == 16 and rows[0]["registered_at"][4] == "-", "ISO date and time"


def test_text_from_the_public_form_never_becomes_a_spreadsheet_formula(organiser, full_event):
    csv_rows = read_csv(organiser.get(f"/admin/events/{full_event.id}/registrations.csv?lang=en").data)
    assert csv_rows[2]["Organisation"].startswith("'=")
    workbook = openpyxl.load_workbook(io.BytesIO(organiser.get(
        f"/admin/events/{full_event.id}/registrations.xlsx").data))
    cell = workbook.active.cell(row=4, column=REGISTRATION_COLUMNS.index("organisation") + 1)
    assert cell.data_type == "s"


@pytest.mark.parametrize("file_format, reader", [("csv", read_csv), ("xlsx", read_xlsx)])
def test_catering_list_counts_and_names_the_confirmed_people_per_diet(organiser, full_event, file_format, reader):
    rows = reader(organiser.get(f"/admin/events/{full_event.id}/catering.{file_format}?lang=en").data)
    assert list(rows[0]) == ["Dietary needs", "Number of people", "Names"]
    assert [(r["Dietary needs"], int(r["Number of people"]), r["Names"] or "") for r in rows] == [
        ("no dietary needs", 1, "Partner3 Peeters"), ("Vegetarisch", 2, "Partner1 Peeters, Partner2 Peeters"),
        ("Total", 3, "")], "waiting people eat nothing; case and spaces ignored"


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_catering_list_headings_in_dutch_and_french(organiser, full_event, language):
    rows = read_xlsx(organiser.get(f"/admin/events/{full_event.id}/catering.xlsx?lang={language}").data)
    assert list(rows[0])[0] == WORDS[language]["dietary"]
    assert isinstance(rows[-1][list(rows[0])[1]], int)


def test_catering_machine_form(organiser, full_event):
    rows = read_csv(organiser.get(f"/admin/events/{full_event.id}/catering.csv?raw=1").data, ",")
    assert tuple(rows[0]) == CATERING_COLUMNS
    assert {r["dietary"]: int(r["count"]) for r in rows} == {"none": 1, "Vegetarisch": 2, "total": 3}


def test_the_export_command_writes_the_zones_language_by_default_and_another_on_request(runner, full_event, tmp_path):
    dutch = runner.invoke(args=["events", "export", str(full_event.id), "--format", "csv"])
    assert dutch.exit_code == 0
    rows = read_csv(dutch.stdout_bytes)
    assert rows[0]["Voornaam"] == "Partner1" and rows[0]["Status"] == "bevestigd"
    out = tmp_path / "catering.xlsx"
    assert runner.invoke(args=["events", "export", str(full_event.id), "--what", "catering", "--format", "xlsx",
                               "--language", "fr", "--out", str(out)]).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet["A1"].value == "Régime alimentaire" and isinstance(sheet["B2"].value, int)
    comma = runner.invoke(args=["events", "export", str(full_event.id), "--language", "en", "--separator", "comma"])
    assert comma.stdout_bytes.decode("utf-8-sig").startswith("Registration number,Status,")
