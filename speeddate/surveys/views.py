"""Evaluation and follow-up forms for partners (through their personal link), results and questions for organisers."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from speeddate.auth.guard import organisers_only
from speeddate.exports import download, export_table, requested_style
from speeddate.extensions import db
from speeddate.forms_common import ActionForm
from speeddate.models import ContactOutcome, Event, EventType, Question
from speeddate.participation import people_met
from speeddate.partners.links import registration_or_404
from speeddate.surveys import answers, windows
from speeddate.surveys import questions as question_admin
from speeddate.surveys.followup import followup_of, save_followup
from speeddate.surveys.forms import QuestionForm, TokenForm, parse_answers, parse_followup
from speeddate.surveys.mails import register_mail_kinds
from speeddate.surveys.results import TARGET, evaluation_results, evaluation_rows, followup_figures

bp = Blueprint("surveys", __name__)
bp.record_once(lambda _state: register_mail_kinds())
admin_bp = organisers_only(Blueprint("survey_admin", __name__, url_prefix="/admin"))


def _language() -> str:
    return str(get_locale() or "nl")


@bp.route("/r/<token>/evaluation", methods=["GET", "POST"])
def evaluation(token: str):
    registration = registration_or_404(token)
    window = windows.evaluation_window(registration)
    if window != windows.Window.OPEN:
        return render_template("surveys/unavailable.html", registration=registration, window=window, token=token,
                               closes_at=windows.evaluation_closes_at(registration.event), survey="evaluation")
    questions = question_admin.questions_for(registration.event.type)
    form, parsed = TokenForm(), None
    if form.validate_on_submit():
        parsed = parse_answers(questions, request.form)
        if not parsed.errors:
            answers.save_evaluation(registration.id, parsed.values)
            flash(_("Thank you! Your answers are saved. You can change them until the form closes."), "success")
            return redirect(url_for("surveys.evaluation", token=token))
    values = parsed.values if parsed else answers.current_values(answers.response_of(registration))
    return render_template("surveys/evaluation.html", registration=registration, questions=questions, form=form,
                           values=values, errors=parsed.errors if parsed else {}, token=token,
                           language=_language(), closes_at=windows.evaluation_closes_at(registration.event)), \
        400 if parsed and parsed.errors else 200


@bp.route("/r/<token>/followup", methods=["GET", "POST"])
def followup(token: str):
    registration = registration_or_404(token)
    window = windows.followup_window(registration)
    if window != windows.Window.OPEN:
        return render_template("surveys/unavailable.html", registration=registration, window=window, token=token,
                               closes_at=None, survey="followup")
    met, form, errors = people_met(registration), TokenForm(), {}
    if form.validate_on_submit():
        parsed = parse_followup(request.form, met)
        errors = parsed.errors
        if not errors:
            save_followup(registration.id, parsed.used_contacts, parsed.outcomes, parsed.comment)
            flash(_("Thank you! Your answers are saved."), "success")
            return redirect(url_for("surveys.followup", token=token))
    saved = followup_of(registration)
    return render_template("surveys/followup.html", registration=registration, met=met, form=form, errors=errors,
                           saved=saved, chosen={c.met_registration_id: c.outcome.value for c in saved.contacts}
                           if saved else {}, token=token, Outcome=ContactOutcome), 400 if errors else 200


@admin_bp.get("/events/<int:event_id>/evaluation")
def results(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    return render_template("surveys/results.html", event=event, results=evaluation_results(event, _language()),
                           followup=followup_figures([event]) if event.followup_months else None,
                           target=TARGET, closes_at=windows.evaluation_closes_at(event))


@admin_bp.get("/events/<int:event_id>/evaluation.<any(csv, xlsx):file_format>")
def export(event_id: int, file_format: str):
    event = db.session.get(Event, event_id) or abort(404)
    style = requested_style()
    columns, rows = evaluation_rows(event, _language(), style)
    return download(export_table(columns, rows, _("Evaluation"), file_format, style),
                    f"{event.slug}-evaluation.{file_format}")


@admin_bp.get("/questions")
def questions():
    event_type = EventType(request.args.get("type")) if request.args.get("type") in set(EventType) \
        else EventType.SPEEDDATE
    return render_template("surveys/questions.html", event_type=event_type, action=ActionForm(),
                           questions=question_admin.questions_for(event_type, include_retired=True),
                           answered=question_admin.answered_ids(), language=_language())


@admin_bp.route("/questions/new", methods=["GET", "POST"], defaults={"question_id": None})
@admin_bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
def question(question_id: int | None):
    existing = db.session.get(Question, question_id) if question_id else None
    if question_id and existing is None:
        abort(404)
    event_type = existing.event_type if existing else EventType(request.args.get("type", "speeddate")) \
        if request.args.get("type", "speeddate") in set(EventType) else abort(404)
    form = QuestionForm(data=question_admin.form_values(existing), question=existing) if request.method == "GET" \
        else QuestionForm(question=existing)
    if form.validate_on_submit():
        question_admin.save(event_type, form, question_id)
        flash(_("The question is saved."), "success")
        return redirect(url_for("survey_admin.questions", type=event_type.value))
    return render_template("surveys/question_form.html", form=form, question=existing, event_type=event_type), \
        400 if form.errors else 200


@admin_bp.post("/questions/<int:question_id>/<any(up, down, remove, restore):action>")
def question_action(question_id: int, action: str):
    existing = db.session.get(Question, question_id) or abort(404)
    if not ActionForm().validate():
        abort(400)
    event_type = existing.event_type
    message = question_admin.act(question_id, action)
    if message:
        flash(message, "success")
    return redirect(url_for("survey_admin.questions", type=event_type.value))
