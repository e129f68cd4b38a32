"""The question set of each event type: read in order, and edited by organisers (add, reword, reorder, and remove,
or retire once answered)."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import Answer, EventType, Question, QuestionKind


def questions_for(event_type: EventType, include_retired: bool = False) -> list[Question]:
    """The evaluation questions of an event type, in order."""
    query = select(Question).where(Question.event_type == event_type)
    if not include_retired:
        query = query.where(Question.active.is_(True))
    return list(db.session.scalars(query.order_by(Question.position, Question.id)))


def answered_ids() -> set[int]:
    """Questions that have answers: they can be retired, never deleted."""
    return set(db.session.scalars(select(Answer.question_id).distinct()))


def form_values(question: Question | None) -> dict[str, object]:
    """A question as the edit form shows it."""
    if question is None:
        return {"kind": QuestionKind.SCALE.value}
    options = "\n".join(" | ".join(o.get(lang, "") for lang in ("nl", "fr", "en")) for o in question.options)
    return {"kind": question.kind.value, "text_nl": question.text_nl, "text_fr": question.text_fr,
            "text_en": question.text_en, "options": options, "required": question.required,
            "headline": question.headline}


def save(event_type: EventType, form, question_id: int | None) -> Question:
    """Store a new or reworded question; a new headline replaces the previous one of the set."""
    with write():
        question = db.session.get_one(Question, question_id) if question_id else Question(
            event_type=event_type, active=True,
            position=(db.session.scalar(select(func.max(Question.position)).where(
                Question.event_type == event_type)) or 0) + 1)
        db.session.add(question)
        question.kind = QuestionKind(form.kind.data)
        question.text_nl, question.text_fr, question.text_en = form.text_nl.data, form.text_fr.data or "", \
            form.text_en.data or ""
        question.options = form.option_list() if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) \
            else []
        question.required = form.required.data
        if form.headline.data:
            for other in db.session.scalars(select(Question).where(Question.event_type == event_type)):
                other.headline = False
        question.headline = form.headline.data
    return question


def act(question_id: int, action: str) -> str:
    """Move a question up or down, remove it (retire it when answered), or bring it back."""
    with write():
        question = db.session.get_one(Question, question_id)
        if action in ("up", "down"):
            _move(question, -1 if action == "up" else 1)
            return ""
        if action == "restore":
            question.active = True
            return ""
        if question.id in answered_ids():
            question.active = False
            return _("The question has answers: it is retired from the form, and its results stay.")
        db.session.delete(question)
        return _("The question is removed.")


def _move(question: Question, step: int) -> None:
    siblings = list(db.session.scalars(select(Question).where(Question.event_type == question.event_type)
                                       .order_by(Question.position, Question.id)))
    index = siblings.index(question)
    other = index + step
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings):
            sibling.position = position
