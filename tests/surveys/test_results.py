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
