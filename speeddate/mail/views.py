"""The outbox for organisers: what was sent, what waits, what failed, and retrying."""

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from speeddate.auth.guard import organisers_only
from speeddate.extensions import db
from speeddate.forms_common import ActionForm, page_number
from speeddate.mail import outbox
from speeddate.models import MailStatus, OutboxMail

bp = organisers_only(Blueprint("mail", __name__, url_prefix="/admin/outbox"))
PAGE_SIZE = 100
# The token of a personal link (/r/...) or an unsubscribe link (/u/...): whoever reads it can act as the partner,
# and read their answers to an anonymous evaluation. Organisers see mails with it left out; the stored mail,
# which the worker sends, keeps it.
PERSONAL_TOKEN = re.compile(r"(/[ru]/)[^\s\"'<>/?#]+")


def without_personal_links(body: str) -> str:
    """The mail's text or HTML with the token of every personal and unsubscribe link replaced by an ellipsis."""
    return PERSONAL_TOKEN.sub("\\1…", body)


@bp.get("/")
def index():
    status = request.args.get("status", "")
    query = select(OutboxMail)
    if status in set(MailStatus):
        query = query.where(OutboxMail.status == status)
    page = max(request.args.get("page", 1, type=page_number), 1)
    rows = db.session.scalars(query.order_by(OutboxMail.due_at.desc(), OutboxMail.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    counts = dict(db.session.execute(select(OutboxMail.status, func.count()).group_by(OutboxMail.status)).all())
    return render_template("mail/index.html", rows=rows, status=status, counts=counts, page=page,
                           page_size=PAGE_SIZE, statuses=list(MailStatus), action=ActionForm())


@bp.get("/<int:mail_id>")
def detail(mail_id: int):
    row = db.session.get(OutboxMail, mail_id) or abort(404)
    return render_template("mail/detail.html", row=row, body_text=without_personal_links(row.body_text),
                           action=ActionForm())


@bp.get("/<int:mail_id>/html")
def html_part(mail_id: int):
    row = db.session.get(OutboxMail, mail_id) or abort(404)
    # Shown in a sandboxed frame: the mail's HTML can run nothing and reach nothing in the back office.
    return Response(without_personal_links(row.body_html), mimetype="text/html",
                    headers={"Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'"})


@bp.post("/<int:mail_id>/retry")
def retry(mail_id: int):
    db.session.get(OutboxMail, mail_id) or abort(404)
    if not ActionForm().validate():
        abort(400)
    if outbox.retry(mail_id):
        flash(_("The mail is queued again."), "success")
    else:
        flash(_("Only failed or cancelled mails can be retried."), "error")
    return redirect(url_for("mail.detail", mail_id=mail_id))
