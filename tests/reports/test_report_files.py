"""The year report as people hand it on: the workbook in three languages with typed cells, the action plan's
indicators with their targets, sectors and clusters apart, and the PDF for the board."""

import io
import subprocess
from datetime import date

import openpyxl
import pytest

from speeddate.extensions import db
from speeddate.models import Event
from speeddate.reports import indicators
from tests.reports.test_indicators import YEAR, known_year  # noqa: F401

SHEETS = {"nl": "Samenvatting", "fr": "Résumé", "en": "Summary"}


def workbook(organiser, language: str) -> openpyxl.Workbook:
    response = organiser.get(f"/admin/report.xlsx?year={YEAR}&lang={language}")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_report_workbook_has_one_sheet_per_topic_with_typed_cells(known_year, organiser, language):  # noqa: F811
    book = workbook(organiser, language)
    assert len(book.sheetnames) == 9 and book.sheetnames[0] in (SHEETS[language], "Summary")
    summary = book.worksheets[0]
    values = {row[0].value: row[1] for row in summary.iter_rows(min_row=2)}
    rates = [cell for cell in values.values() if cell.number_format == "0.0%"]
    assert rates and all(isinstance(cell.value, (int, float)) for cell in rates)
    assert any(cell.value == pytest.approx(1 / 3, abs=1e-3) for cell in rates), "the no-show rate, a percentage"
    per_event = book.worksheets[4]
    assert per_event["A2"].is_date, "a date cell, not text"
    assert per_event["A2"].value.date() == date(YEAR, 3, 10)
    assert isinstance(per_event["E2"].value, int)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")


def test_the_workbooks_words_follow_the_language(known_year, organiser):  # noqa: F811
    english = workbook(organiser, "en")
    assert [c.value for c in english["Per event type"][1]] == ["Type", "Events", "Registrations", "Participants",
                                                               "No-show rate"]
    assert {row[0] for row in english["Per event type"].iter_rows(min_row=2, values_only=True)} == {
        "Speeddate", "Lunchwebinar"}, "event types by their names, not their codes"
    dutch = workbook(organiser, "nl")
    assert dutch.worksheets[2]["B1"].value == "Activiteiten" or dutch.worksheets[2]["B1"].value == "Events"
    assert dutch.worksheets[2]["A1"].value == "Type"


def test_the_machine_form_of_the_workbook_keeps_codes(known_year, runner, tmp_path):  # noqa: F811
    out = tmp_path / "report.xlsx"
    assert runner.invoke(args=["report", "--year", str(YEAR), "--format", "xlsx", "--raw", "--out",
                               str(out)]).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert [c.value for c in book.worksheets[2][1]] == ["type", "events", "registrations", "participants",
                                                        "no_show_rate"]
    assert {row[0] for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)} == {
        "speeddate", "lunchwebinar"}


def test_each_plan_indicator_has_its_kind_value_and_target(known_year):  # noqa: F811
    figures = indicators.report(indicators.Period.year(YEAR))
    rows = {row["key"]: row for row in figures["plan_indicators"]}
    assert (rows["speeddates_held"]["level"], rows["speeddates_held"]["value"], rows["speeddates_held"]["target"],
            rows["speeddates_held"]["met"]) == ("output", 1, 2, False)
    assert (rows["elp_held"]["value"], rows["elp_held"]["met"]) == (0, False)
    assert rows["lunchwebinars_held"]["target"] is None and rows["lunchwebinars_held"]["met"] is None
    assert rows["lunchwebinar_participants"]["value"] == 2
    assert rows["evaluation_mean"]["level"] == "output" and rows["evaluation_mean"]["met"] is None, "no answers"
    assert rows["followup_invited"]["level"] == "impact"
    assert "3 ELP" in rows["elp_held"]["plan"]
    quarter = indicators.report(indicators.Period(date(YEAR, 1, 1), date(YEAR, 3, 31)))
    assert all(row["met"] is None for row in quarter["plan_indicators"]), "a yearly target says nothing of a quarter"


def test_the_report_page_shows_indicators_and_sectors_and_clusters_apart(known_year, organiser):  # noqa: F811
    page = organiser.get(f"/admin/report?year={YEAR}&lang=en").get_data(as_text=True)
    assert "Action plan indicators" in page and "Er zijn 2 speeddates georganiseerd." in page
    assert "not met" in page
    clusters = page[page.index('id="chart-clusters-title"'):]
    assert clusters.startswith('id="chart-clusters-title">Participants per cluster<')
    sectors = page[page.index('id="chart-sectors-title"'):]
    assert sectors.startswith('id="chart-sectors-title">Participants per sector<')
    sectors = sectors[:sectors.index("</svg>")]
    assert "General practitioners" in sectors and "Zorg" not in sectors, "sectors, by their English names"
    dutch = organiser.get(f"/admin/report?year={YEAR}&lang=nl").get_data(as_text=True)
    assert "Bereik per sector" not in dutch and "<h3>Deelnemers per cluster</h3>" in dutch


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def test_the_report_pdf_has_the_pages_figures_tables_and_charts(known_year, organiser):  # noqa: F811
    event = db.session.scalar(db.select(Event).where(Event.title == "Webinar"))
    event.title = "Webinar Şükrü Yılmaz en Wojciechowska-Łukasz over een heel lange titel die moet afbreken"
    db.session.commit()
    response = organiser.get(f"/admin/report.pdf?year={YEAR}&lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for words in ("Action plan indicators", "Speeddates held", "Per event type", "Participants per cluster",
                  "Participants per sector", "Participants per event", "General practitioners", "Lokaal bestuur",
                  "Şükrü Yılmaz", "How the figures are counted", "33.3%"):
        assert words in text, words
    assert "?" not in text.replace("How", ""), "no character replaced for want of a glyph"


def test_the_report_command_writes_the_pdf_in_the_chosen_language(known_year, runner, tmp_path):  # noqa: F811
    out = tmp_path / "report.pdf"
    assert runner.invoke(args=["report", "--year", str(YEAR), "--format", "pdf", "--language", "fr", "--out",
                               str(out)]).exit_code == 0
    text = pdf_text(out.read_bytes())
    assert "Par type d" in text or "Per event type" in text
    assert "33,3" in text, "French decimals"


def test_event_titles_follow_the_language_where_the_event_has_one(known_year, organiser):  # noqa: F811
    event = db.session.scalar(db.select(Event).where(Event.title == "Webinar"))
    event.title_fr = "Webinaire de midi"
    db.session.commit()
    french = organiser.get(f"/admin/report?year={YEAR}&lang=fr").get_data(as_text=True)
    assert "Webinaire de midi" in french
    sheet = workbook(organiser, "fr").worksheets[4]
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"Speeddate Oostkamp",
                                                                               "Webinaire de midi"}
    english = organiser.get(f"/admin/report?year={YEAR}&lang=en").get_data(as_text=True)
    assert "Webinaire de midi" not in english, "no English title: the Dutch one"
    assert [row["title"] for row in organiser.get(f"/admin/report.json?year={YEAR}").json["per_event"]] == [
        "Speeddate Oostkamp", "Webinar"]
