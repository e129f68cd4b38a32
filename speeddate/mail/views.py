"""The outbox for organisers: find mails by event, person, kind and status; read them; act on one, some or all."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from speeddate.auth.guard import organisers_only
from speeddate.extensions import db
from speeddate.forms_common import ActionForm, page_number, parse_id
from speeddate.labels import mail_kind_label
from speeddate.mail import actions
from speeddate.mail.actions import Action, Outcome
from speeddate.mail.forms import ConfirmForm, FilterForm
from speeddate.mail.services import preview_due, without_personal_links
from speeddate.models import MailStatus, OutboxMail
from speeddate.models.base import utcnow

bp = organisers_only(Blueprint("mail", __name__, url_prefix="/admin/outbox"))
PAGE_SIZE = 100


@bp.get("/")
def index():
    form = FilterForm(request.args)
    form.validate()
    wanted = form.wanted()
    page = max(request.args.get("page", 1, type=page_number), 1)
    now, everything = utcnow(), actions.MailFilter()
    counts = actions.counts_by_status(wanted)
    everywhere = counts if wanted.conditions(with_status=False) == [] else actions.counts_by_status(everything)
    total = actions.total(wanted, counts)
    return render_template("mail/index.html", form=form, rows=actions.page(wanted, page, PAGE_SIZE, now), now=now,
                           page=page,
                           total=total, pages=max((total - 1) // PAGE_SIZE + 1, 1), query=form.query(),
                           counts=counts, everywhere=everywhere, statuses=list(MailStatus), Action=Action,
                           kind_label=mail_kind_label)


@bp.get("/confirm")
def confirm():
    """What an action would do to the ticked mails, or to all that match the filter, before anything happens."""
    form = FilterForm(request.args)
    form.validate()
    chosen = request.args.get("all") or request.args.get("action")
    if chosen not in set(Action):
        return render_template("error.html", title=_("Nothing was changed"),
                               message=_("Please choose what to do with the mails from the buttons.")), 400
    action = Action(chosen)
    if "all" in request.args:
        ids = actions.matching_ids(form.wanted())
    else:
        ids = [number for value in request.args.getlist("mail") if (number := parse_id(value)) is not None]
    if not ids:
        flash(_("Please tick the mails first, or choose the action for all mails that match."), "error")
        return redirect(url_for("mail.index", **form.query()))
    planned = actions.plan(action, ids)
    return render_template("mail/confirm.html", plan=planned, query=form.query(), kind_label=mail_kind_label,
                           ids=",".join(map(str, planned.ids)))


@bp.post("/act")
def act():
    """Carry out a confirmed action: one unit of work, mails that changed meanwhile skipped and counted."""
    form = ConfirmForm()
    if not form.validate():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return render_template("error.html", title=_("Nothing was changed"), message=message), 400
    _report(Action(form.action.data), actions.apply(Action(form.action.data), form.chosen_ids()))
    return redirect(url_for("mail.index", **form.query()))


@bp.get("/<int:mail_id>")
def detail(mail_id: int):
    row = db.session.get(OutboxMail, mail_id) or abort(404)
    shown = preview_due(row) if row.render_when_due else row
    return render_template("mail/detail.html", row=row, shown=shown,
                           body_text=without_personal_links(shown.body_text) if shown else "",
                           action=ActionForm(), Action=Action, kind_label=mail_kind_label,
                           possible=[a for a in Action if actions.refusal(a, row, utcnow()) is None],
                           put_back_refused=actions.refusal(Action.PUT_BACK, row, utcnow()))


@bp.get("/<int:mail_id>/html")
def html_part(mail_id: int):
    row = db.session.get(OutboxMail, mail_id) or abort(404)
    shown = (preview_due(row) if row.render_when_due else row) or abort(404)
    # Shown in a sandboxed frame: the mail's HTML can run nothing and reach nothing in the back office.
    return Response(without_personal_links(shown.body_html), mimetype="text/html",
                    headers={"Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'"})


@bp.post("/<int:mail_id>/<any(send_again, mark_sent, withdraw, put_back, release):action>")
def act_on_one(mail_id: int, action: str):
    """One mail, from its own page, which says what the action does (the page is the question)."""
    db.session.get(OutboxMail, mail_id) or abort(404)
    if not ActionForm().validate():
        abort(400)
    _report(Action(action), actions.apply(Action(action), [mail_id]))
    return redirect(url_for("mail.detail", mail_id=mail_id))


DONE = {
    Action.SEND_AGAIN: lambda n: _("Queued to be sent again: %(count)d.", count=n),
    Action.MARK_SENT: lambda n: _("Marked as sent: %(count)d.", count=n),
    Action.WITHDRAW: lambda n: _("Withdrawn, will not be sent: %(count)d.", count=n),
    Action.PUT_BACK: lambda n: _("Put back, will be sent at their time: %(count)d.", count=n),
    Action.RELEASE: lambda n: _("Released, will be sent now: %(count)d.", count=n),
}


def _report(action: Action, outcome: Outcome) -> None:
    """Flash what happened, in counts."""
    if outcome.done:
        flash(DONE[action](outcome.done), "success")
    if outcome.skipped:
        flash(_("Left alone because they changed since you confirmed (or can no longer be acted on): "
                "%(count)d.", count=outcome.skipped), "error")
