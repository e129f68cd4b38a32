"""Evaluation results per question: how many answered, and how the answers are spread."""

from datetime import timedelta

import pytest

from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import EventType, Question, QuestionKind
from speeddate.partners.services import PartnerDetails, register
from speeddate.surveys.answers import save_evaluation
from speeddate.surveys.results import evaluation_results
from speeddate.zone.services import sectors_by_cluster


@pytest.fixture
def several_choices(make_event, clock):
    """A speeddate of four that ended, with a several-choices question; returns event, question, registrations."""
    event = make_event(title="Speeddate Beernem", capacity=4, evaluation_anonymous=False)
    sector = sectors_by_cluster()[0].sectors[0]
    people = [register(event.id, f"p{n}@example.org", PartnerDetails(f"P{n}", "X", "Org", sector)).registration
              for n in range(4)]
    with write():
        question = Question(event_type=EventType.SPEEDDATE, kind=QuestionKind.MULTIPLE, text_nl="Wat nam je mee?",
                            options=[{"nl": "Contacten"}, {"nl": "Ideeën"}, {"nl": "Folders"}], position=99)
        db.session.add(question)
    clock.set(event.ends_at + timedelta(hours=1))
    return event, question, people


def test_the_count_of_a_several_choices_question_is_its_respondents_not_its_options(several_choices):
    event, question, people = several_choices
    for registration, chosen in zip(people, ([0, 1], [0], [1], [0, 1]), strict=True):
        save_evaluation(registration.id, {question.id: chosen})
    result = next(r for r in evaluation_results(event, "nl").questions if r.question.id == question.id)
    assert result.n == 4
    assert result.distribution == [("Contacten", 3), ("Ideeën", 3), ("Folders", 0)]


def test_several_choices_show_shares_of_the_respondents_not_of_the_choices(several_choices, organiser):
    event, question, people = several_choices
    for registration, chosen in zip(people, ([0, 1], [0], [1], [0, 1]), strict=True):
        save_evaluation(registration.id, {question.id: chosen})
    page = organiser.get(f"/admin/events/{event.id}/evaluation?lang=en").get_data(as_text=True)
    chart = page[page.index(f'id="chart-q{question.id}-title"'):]
    chart = chart[:chart.index("</svg>")]
    # 3 of the 4 people chose each of the first two options: 75 % each, not 50 % of 6 choices.
    assert chart.count(">3 (75%)</text>") == 2 and "50%" not in chart
    assert "shares are of the 4 people who answered" in page


@pytest.fixture
def yes_no(make_event, clock):
    event = make_event(title="Speeddate Beernem", capacity=7, evaluation_anonymous=False)
    sector = sectors_by_cluster()[0].sectors[0]
    people = [register(event.id, f"p{n}@example.org", PartnerDetails(f"P{n}", "X", "Org", sector)).registration
              for n in range(7)]
    with write():
        question = Question(event_type=EventType.SPEEDDATE, kind=QuestionKind.YES_NO, text_nl="Ga je terug?",
                            text_en="Will you come again?", position=98)
        db.session.add(question)
    clock.set(event.ends_at + timedelta(hours=1))
    for registration, answer in zip(people, (1, 1, 1, 1, 1, 0, 0), strict=True):
        save_evaluation(registration.id, {question.id: [answer]})
    return event, question


@pytest.mark.parametrize("language, line", [("en", "71% yes (n = 7)"), ("nl", "71% ja (n = 7)"),
                                            ("fr", "71\xa0% oui (n = 7)")])
def test_a_yes_no_question_shows_the_share_of_yes_and_its_n_not_a_mean(yes_no, organiser, language, line):
    event, question = yes_no
    result = next(r for r in evaluation_results(event, "nl").questions if r.question.id == question.id)
    assert result.yes_share == pytest.approx(5 / 7) and result.n == 7
    page = organiser.get(f"/admin/events/{event.id}/evaluation?lang={language}").get_data(as_text=True)
    section = page[page.index(question.text(language)):]
    section = section[:section.index("</section>")]
    assert line in section
    assert "0.71" not in section and "mean" not in section
