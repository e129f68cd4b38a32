"""Partner surveys: the form each partner reaches through their personal link, and the organiser's pages (list,
texts, questions, whom to send it to, reminders, results and export)."""

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from speeddate.auth.guard import organisers_only
from speeddate.exports import download, export_table
from speeddate.extensions import db
from speeddate.forms_common import ActionForm
from speeddate.models import PartnerSurvey, PartnerSurveyQuestion
from speeddate.models.base import utcnow
from speeddate.security import hooks, ratelimit
from speeddate.surveys import partner_survey as surveys
from speeddate.surveys.forms import TokenForm, parse_answers
from speeddate.surveys.partner_forms import AudienceForm, PartnerQuestionForm, SurveyForm

bp = Blueprint("partner_surveys", __name__)
admin_bp = organisers_only(Blueprint("partner_survey_admin", __name__, url_prefix="/admin/partner-surveys"))


@bp.before_request
def _limit_posts():
    """The same limits as every public form (security.hooks counts the blueprints it knows by name): per address,
    and per personal link."""
    if request.method != "POST" or not current_app.config["RATE_LIMIT_ENABLED"]:
        return None
    wait = ratelimit.hit(hooks.public_post_keys())
    return hooks.too_many_requests(wait) if wait is not None else None


def _language() -> str:
    return str(get_locale() or "nl")


@bp.route("/r/<token>/survey", methods=["GET", "POST"])
def answer(token: str):
    """The partner's own form; closed after the closing time, with a word saying so and nothing changed."""
    recipient = surveys.recipient_for(token) or abort(404)
    g.partner_language = recipient.partner.language
    survey = recipient.survey
    if not surveys.is_open(survey):
        return render_template("surveys/partner/closed.html", survey=survey, language=_language()), \
            409 if request.method == "POST" else 200
    questions = surveys.questions_of(survey)
    form, parsed = TokenForm(), None
    if form.validate_on_submit():
        parsed = parse_answers(questions, request.form)  # type: ignore[arg-type]  # the same kinds of question
        if not parsed.errors:
            try:
                surveys.save_answers(recipient.id, parsed.values)
            except surveys.SurveyClosed:
                return render_template("surveys/partner/closed.html", survey=survey, language=_language()), 409
            flash(_("Thank you! Your answers are saved. You can change them until the survey closes."), "success")
            return redirect(url_for("partner_surveys.answer", token=token))
    values = parsed.values if parsed else surveys.saved_values(recipient)
    return render_template("surveys/partner/answer.html", survey=survey, questions=questions, form=form,
                           values=values, errors=parsed.errors if parsed else {}, language=_language(),
                           answered=surveys.response_of(recipient) is not None), \
        400 if parsed and parsed.errors else 200


def _survey_or_404(survey_id: int) -> PartnerSurvey:
    return db.session.get(PartnerSurvey, survey_id) or abort(404)


@admin_bp.get("/")
def index():
    listed = surveys.all_surveys()
    return render_template("surveys/partner/index.html", surveys=listed, now=utcnow(),
                           counts={s.id: (surveys.recipients_count(s), surveys.respondents(s)) for s in listed})


@admin_bp.route("/new", methods=["GET", "POST"], defaults={"survey_id": None})
@admin_bp.route("/<int:survey_id>/edit", methods=["GET", "POST"])
def edit(survey_id: int | None):
    survey = _survey_or_404(survey_id) if survey_id else None
    if request.method == "GET":
        # A new survey starts anonymous: the safer choice for a broad opinion survey.
        form = SurveyForm.of(survey) if survey else SurveyForm(data={"anonymous": True})
    else:
        form = SurveyForm(survey=survey)
    if form.validate_on_submit():
        saved = surveys.save_survey(survey_id, form.texts())
        flash(_("The survey is saved."), "success")
        return redirect(url_for("partner_survey_admin.detail", survey_id=saved.id))
    return render_template("surveys/partner/edit.html", form=form, survey=survey), 400 if form.errors else 200


@admin_bp.get("/<int:survey_id>")
def detail(survey_id: int):
    survey = _survey_or_404(survey_id)
    return render_template("surveys/partner/detail.html", survey=survey, action=ActionForm(), language=_language(),
                           questions=surveys.questions_of(survey, include_retired=True),
                           asked=surveys.questions_of(survey),
                           answered=surveys.answered_ids(survey), is_open=surveys.is_open(survey), now=utcnow(),
                           recipients=surveys.recipients_count(survey), responded=surveys.respondents(survey))


@admin_bp.route("/<int:survey_id>/delete", methods=["GET", "POST"])
def delete(survey_id: int):
    """GET: what deleting the draft does; POST: the organiser's yes."""
    survey = _survey_or_404(survey_id)
    if survey.sent_at is not None:
        flash(_("This survey was sent: it stays, with its answers."), "error")
        return redirect(url_for("partner_survey_admin.detail", survey_id=survey.id))
    form = ActionForm()
    if request.method == "POST":
        if not form.validate():
            abort(400)
        surveys.delete_draft(survey.id)
        flash(_("The draft is deleted."), "success")
        return redirect(url_for("partner_survey_admin.index"))
    return render_template("surveys/partner/delete.html", survey=survey, form=form)


@admin_bp.route("/<int:survey_id>/close", methods=["GET", "POST"])
def close(survey_id: int):
    """GET: what closing now does; POST: the organiser's yes."""
    survey = _survey_or_404(survey_id)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate():
            abort(400)
        if surveys.close_now(survey.id):
            flash(_("The survey is closed: no more answers are taken."), "success")
        else:
            flash(_("The survey was not open: nothing was changed."), "error")
        return redirect(url_for("partner_survey_admin.detail", survey_id=survey.id))
    return render_template("surveys/partner/close.html", survey=survey, form=form, is_open=surveys.is_open(survey),
                           responded=surveys.respondents(survey))


@admin_bp.route("/<int:survey_id>/questions/new", methods=["GET", "POST"], defaults={"question_id": None})
@admin_bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
def question(survey_id: int, question_id: int | None):
    survey = _survey_or_404(survey_id)
    existing = db.session.get(PartnerSurveyQuestion, question_id) if question_id else None
    if question_id and (existing is None or existing.survey_id != survey.id):
        abort(404)
    form = PartnerQuestionForm(data=_question_values(existing), question=existing) if request.method == "GET" \
        else PartnerQuestionForm(question=existing)
    if form.validate_on_submit():
        surveys.save_question(survey.id, form, question_id)
        flash(_("The question is saved."), "success")
        return redirect(url_for("partner_survey_admin.detail", survey_id=survey.id))
    return render_template("surveys/partner/question.html", form=form, question=existing, survey=survey), \
        400 if form.errors else 200


def _question_values(question: PartnerSurveyQuestion | None) -> dict[str, object]:
    if question is None:
        return {"kind": "scale"}
    options = "\n".join(" | ".join(o.get(lang, "") for lang in ("nl", "fr", "en")) for o in question.options)
    return {"kind": question.kind.value, "text_nl": question.text_nl, "text_fr": question.text_fr,
            "text_en": question.text_en, "options": options, "required": question.required}


@admin_bp.post("/<int:survey_id>/questions/<int:question_id>/<any(up, down, remove, restore):action>")
def question_action(survey_id: int, question_id: int, action: str):
    existing = db.session.get(PartnerSurveyQuestion, question_id)
    if existing is None or existing.survey_id != survey_id:
        abort(404)
    if not ActionForm().validate():
        abort(400)
    retired = surveys.question_action(question_id, action)
    if action == "remove":
        flash(_("The question has answers: it is retired from the form, and its results stay.") if retired
              else _("The question is removed."), "success")
    return redirect(url_for("partner_survey_admin.detail", survey_id=survey_id))


@admin_bp.route("/<int:survey_id>/send", methods=["GET", "POST"])
def send(survey_id: int):
    """GET: whom the ticked filters would reach, who is left out and why, and one mail, before anything is sent;
    POST: the coordinator's yes."""
    survey = _survey_or_404(survey_id)
    closed = utcnow() >= survey.closes_at
    if request.method == "GET":
        form = AudienceForm(formdata=request.args or None, meta={"csrf": False})
        chosen = form.audience() if request.args and form.validate() else None
        asked = surveys.questions_of(survey)
        plan = surveys.plan(survey, chosen) if chosen is not None and asked and not closed else None
        return render_template("surveys/partner/send.html", survey=survey, form=form, plan=plan, closed=closed,
                               asked=asked), 400 if form.errors else 200
    form = AudienceForm()
    chosen = form.audience() if form.validate() else None
    if form.errors:
        return render_template("surveys/partner/send.html", survey=survey, form=form, plan=None, closed=closed,
                               asked=surveys.questions_of(survey)), 400
    if chosen is None:
        flash(_("Nothing was sent: please tick whom to send the survey to first."), "error")
        return redirect(url_for("partner_survey_admin.send", survey_id=survey.id))
    try:
        count = surveys.send(survey.id, chosen)
    except surveys.SurveyClosed:
        flash(_("Nothing was sent: the survey has no questions yet, or it is closed."), "error")
        return redirect(url_for("partner_survey_admin.detail", survey_id=survey.id))
    flash(_("%(count)d mails with a personal link are in the outbox.", count=count), "success")
    return redirect(url_for("partner_survey_admin.detail", survey_id=survey.id))


@admin_bp.route("/<int:survey_id>/remind", methods=["GET", "POST"])
def remind(survey_id: int):
    """GET: how many get the next reminder and one of them; POST: the coordinator's yes to that round."""
    survey = _survey_or_404(survey_id)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate():
            abort(400)
        round_number = request.form.get("round", type=int) or 0
        try:
            count = surveys.remind(survey.id, round_number)
        except surveys.SurveyClosed:
            flash(_("Nothing was sent: the survey is closed."), "error")
        except surveys.AlreadyDone:
            flash(_("Nothing was sent: this reminder was sent meanwhile."), "error")
        else:
            flash(_("%(count)d reminders are in the outbox.", count=count), "success")
        return redirect(url_for("partner_survey_admin.detail", survey_id=survey.id))
    recipients, preview, preview_text = surveys.reminder_preview(survey) if surveys.is_open(survey) \
        else ([], None, "")
    return render_template("surveys/partner/remind.html", survey=survey, form=form, recipients=recipients,
                           preview=preview, preview_text=preview_text, is_open=surveys.is_open(survey),
                           round_number=survey.reminders_sent + 1)


@admin_bp.get("/<int:survey_id>/results")
def results(survey_id: int):
    survey = _survey_or_404(survey_id)
    return render_template("surveys/partner/results.html", survey=survey,
                           results=surveys.results(survey, _language()), now=utcnow())


@admin_bp.get("/<int:survey_id>/results.<any(csv, xlsx):file_format>")
def export(survey_id: int, file_format: str):
    survey = _survey_or_404(survey_id)
    columns, rows = surveys.result_rows(survey, _language())
    return download(export_table(columns, rows, "survey", file_format), f"partner-survey-{survey.id}.{file_format}")
