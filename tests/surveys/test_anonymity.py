"""Anonymous evaluations stay anonymous: below a minimum of respondents only counts, and exports that keep
neither ids, times nor the order in which people answered."""

import csv
import io
from datetime import timedelta

import pytest

from speeddate.extensions import db
from speeddate.models import EventType, Registration
from speeddate.partners.services import PartnerDetails, register
from speeddate.reports import indicators
from speeddate.surveys.answers import save_evaluation
from speeddate.surveys.questions import questions_for
from speeddate.surveys.results import evaluation_results
from speeddate.zone.services import sectors_by_cluster


@pytest.fixture
def held(make_event, clock):
    """A speeddate of five that ended an hour ago; returns the event and its registrations."""
    event = make_event(title="Speeddate Beernem", capacity=5)
    sector = sectors_by_cluster()[0].sectors[0]
    people = [register(event.id, f"p{n}@example.org", PartnerDetails(f"P{n}", "X", "Org", sector)).registration
              for n in range(5)]
    clock.set(event.ends_at + timedelta(hours=1))
    return event, people


def answer(registration: Registration, score: int, text: str = "") -> None:
    values: dict[int, list[int] | str] = {}
    for question in questions_for(EventType.SPEEDDATE):
        if question.kind.value == "scale":
            values[question.id] = [score]
        elif question.kind.value == "text" and text:
            values[question.id] = text
    save_evaluation(registration.id, values)


def export(client, event, file_format: str = "csv") -> list[dict]:
    body = client.get(f"/admin/events/{event.id}/evaluation.{file_format}?raw=1").get_data()
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_below_the_minimum_the_results_show_counts_only(organiser, held):  # noqa: F811
    event, people = held
    answer(people[0], 1, "Ik vond het niets")
    answer(people[1], 5)
    results = evaluation_results(event, "nl")
    assert results.responded == 2 and results.counts_only
    assert all(r.mean is None and r.distribution == [] and r.texts == [] for r in results.questions)
    page = organiser.get(f"/admin/events/{event.id}/evaluation?lang=en").get_data(as_text=True)
    assert "2 of 5 people answered" in page and "only counts" in page
    assert "Ik vond het niets" not in page and "Headline score" not in page and "mean" not in page
    rows = export(organiser, event)
    assert rows and set(rows[0]) == {"question", "answers"} and "Ik vond het niets" not in str(rows)


def test_from_the_minimum_on_the_results_show_means_and_answers(organiser, held):  # noqa: F811
    event, people = held
    for registration, score in zip(people, (1, 5, 3), strict=False):
        answer(registration, score, "Goed")
    results = evaluation_results(event, "nl")
    assert not results.counts_only and results.headline.mean == 3
    assert "Goed" in organiser.get(f"/admin/events/{event.id}/evaluation").get_data(as_text=True)


def test_the_minimum_is_a_setting(app, held):
    event, people = held
    app.config["EVALUATION_MIN_RESPONDENTS"] = 2
    answer(people[0], 4)
    answer(people[1], 2)
    assert evaluation_results(event, "nl").headline.mean == 3


def test_an_anonymous_export_keeps_no_ids_times_or_order_of_answering(organiser, held):  # noqa: F811
    event, people = held
    for registration, score in zip(people, (4, 1, 5, 2, 3), strict=True):
        answer(registration, score)
    for file_format in ("csv", "xlsx"):
        assert organiser.get(f"/admin/events/{event.id}/evaluation.{file_format}").status_code == 200
    rows = export(organiser, event)
    assert "response" not in rows[0] and "submitted_at" not in rows[0]
    headline = next(q for q in questions_for(EventType.SPEEDDATE) if q.headline).text("nl")
    assert [row[headline] for row in rows] == ["1", "2", "3", "4", "5"], "ordered by the answers, not by time"


def test_the_year_report_shows_no_mean_of_fewer_anonymous_answers_than_the_minimum(held):
    event, people = held
    answer(people[0], 1)
    answer(people[1], 2)
    figures = indicators.evaluation_figures([event])
    assert figures["evaluation_mean"] is None and figures["evaluation_per_event"] == []
    answer(people[2], 3)
    figures = indicators.evaluation_figures([event])
    assert figures["evaluation_mean"] == 2 and figures["evaluation_per_event"][0]["responses"] == 3


def test_named_evaluations_show_every_answer_with_its_name(organiser, held):  # noqa: F811
    event, people = held
    event.evaluation_anonymous = False
    db.session.commit()
    answer(people[1], 4)
    assert evaluation_results(event, "nl").headline.mean == 4
    assert export(organiser, event)[0]["email"] == "p1@example.org"
