"""A question that has answers keeps its kind: its past results must stay readable."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import Question, QuestionKind
from speeddate.surveys.questions import questions_for
from tests.support import personal_link, post_form


@pytest.fixture
def link(answered):
    """The personal link of the partner who answered."""
    return personal_link(event=answered)


@pytest.fixture
def answered(client, organiser, make_event, register_link, clock):
    """A speeddate that ended, one partner's answers to every question, and an organiser logged in."""
    event = make_event(title="Speeddate Beernem")
    link = register_link(event)
    db.session.refresh(event)
    clock.set(event.ends_at + timedelta(hours=1))
    answers = {f"q{q.id}": {"scale": "4", "yes_no": "1", "text": "Fijne gesprekken"}.get(q.kind.value, "0")
               for q in questions_for(event.type)}
    assert post_form(client, f"{link}/evaluation", answers).status_code in (200, 302)
    return event


def form_of(question: Question, **changes) -> dict:
    return {"kind": question.kind.value, "text_nl": question.text_nl, "text_fr": question.text_fr,
            "text_en": question.text_en, "options": "", "required": "y" if question.required else "", **changes}


@pytest.mark.parametrize("new_kind", ["scale", "yes_no", "text"])
def test_the_kind_of_an_answered_question_cannot_change(client, answered, new_kind):
    questions = questions_for(answered.type)
    question = next(q for q in questions if q.kind.value != new_kind and q.kind != QuestionKind.SINGLE)
    url = f"/admin/questions/{question.id}"
    response = post_form(client, f"{url}?lang=en", form_of(question, kind=new_kind), form_url=url)
    assert response.status_code == 400
    assert "This question already has answers, so its kind cannot change." in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Question, question.id).kind == question.kind
    assert client.get(f"/admin/events/{answered.id}/evaluation").status_code == 200
    assert client.get(f"/admin/events/{answered.id}/evaluation.xlsx").status_code == 200


def test_an_answered_question_can_still_be_reworded(client, answered):
    question = questions_for(answered.type)[0]
    url = f"/admin/questions/{question.id}"
    assert post_form(client, url, form_of(question, text_nl="Nieuwe tekst")).status_code == 302
    db.session.rollback()
    assert db.session.get(Question, question.id).text_nl == "Nieuwe tekst"


def test_a_question_without_answers_can_change_kind(client, answered):
    new = {"kind": "text", "text_nl": "Nog iets?", "text_fr": "", "text_en": "", "options": ""}
    assert post_form(client, "/admin/questions/new?type=speeddate", new).status_code == 302
    added = db.session.scalar(select(Question).where(Question.text_nl == "Nog iets?"))
    url = f"/admin/questions/{added.id}"
    assert post_form(client, url, form_of(added, kind="yes_no")).status_code == 302
    db.session.rollback()
    assert db.session.get(Question, added.id).kind == QuestionKind.YES_NO


def test_an_answered_choice_question_keeps_its_options(client, answered, link):
    new = {"kind": "single", "text_nl": "Hoe hoorde je ervan?", "text_fr": "", "text_en": "",
           "options": "Nieuwsbrief\nCollega\nWebsite"}
    assert post_form(client, "/admin/questions/new?type=speeddate", new).status_code == 302
    choice = db.session.scalar(select(Question).where(Question.text_nl == "Hoe hoorde je ervan?"))
    answers = {f"q{q.id}": {"scale": "4", "yes_no": "1", "text": "Goed"}.get(q.kind.value, "2")
               for q in questions_for(answered.type)}
    assert post_form(client, f"{link}/evaluation", answers).status_code in (200, 302)
    url = f"/admin/questions/{choice.id}"
    fewer = post_form(client, f"{url}?lang=en", form_of(choice, options="Nieuwsbrief\nCollega"), form_url=url)
    assert fewer.status_code == 400
    assert "This question already has answers: keep its 3 options" in fewer.get_data(as_text=True)
    reworded = form_of(choice, options="Nieuwsbrief\nEen collega\nOnze website")
    assert post_form(client, url, reworded).status_code == 302
