"""The evaluation export in the organiser's language: `;` CSV for Belgian Excel, typed XLSX cells, and the
machine form for scripts."""

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import pytest

from speeddate.database import write
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.models import EventType, Question, QuestionKind
from speeddate.partners.services import PartnerDetails, register
from speeddate.surveys.answers import save_evaluation
from speeddate.zone.services import sectors_by_cluster

WORDS = {"nl": ("Naam", "E-mail", "ja", "nee"), "fr": ("Nom", "E-mail", "oui", "non"),
         "en": ("Name", "Email", "yes", "no")}


@pytest.fixture
def named(make_event, clock):
    event = make_event(title="Speeddate Beernem", capacity=2, evaluation_anonymous=False)
    sector = sectors_by_cluster()[0].sectors[0]
    people = [register(event.id, f"p{n}@example.org", PartnerDetails(f"P{n}", "X", "Org", sector)).registration
              for n in range(2)]
    with write():
        question = Question(event_type=EventType.SPEEDDATE, kind=QuestionKind.YES_NO, text_nl="Ga je terug?",
                            text_fr="Reviendrez-vous ?", text_en="Will you come again?", position=98)
        db.session.add(question)
    clock.set(event.ends_at + timedelta(hours=1))
    for registration, answer in zip(people, (1, 0), strict=True):
        save_evaluation(registration.id, {question.id: [answer]})
    return event, question


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_evaluation_csv_is_split_on_semicolons_with_words_in_the_organisers_language(named, organiser,
                                                                                         language):
    event, question = named
    data = organiser.get(f"/admin/events/{event.id}/evaluation.csv?lang={language}").data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    name, email, yes, no = WORDS[language]
    assert {name, email, question.text(language)} <= set(rows[0])
    assert sorted(row[question.text(language)] for row in rows) == sorted([yes, no])
    assert {row[email] for row in rows} == {"p0@example.org", "p1@example.org"}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_evaluation_xlsx_has_a_date_cell_and_words(named, organiser, language):
    event, question = named
    data = organiser.get(f"/admin/events/{event.id}/evaluation.xlsx?lang={language}").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[1]]
    name, email, yes, no = WORDS[language]
    assert header[:2] == [name, email]
    submitted = sheet.cell(row=2, column=3)
    assert isinstance(submitted.value, datetime) and submitted.is_date
    assert submitted.value.date() == to_local(event.ends_at + timedelta(hours=1)).date(), "answered then"
    assert {sheet.cell(row=r, column=header.index(question.text(language)) + 1).value for r in (2, 3)} == {yes, no}
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def test_the_machine_form_keeps_codes(named, organiser, runner):
    event, question = named
    data = organiser.get(f"/admin/events/{event.id}/evaluation.csv?raw=1").data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert list(rows[0])[:3] == ["name", "email", "submitted_at"]
    assert sorted(row[question.text("nl")] for row in rows) == ["no", "yes"]
    output = runner.invoke(args=["evaluations", "export", str(event.id), "--language", "fr"]).stdout_bytes
    header = output.decode("utf-8-sig").splitlines()[0].split(";")
    assert header[:2] == ["Nom", "E-mail"] and "Reviendrez-vous ?" in header
