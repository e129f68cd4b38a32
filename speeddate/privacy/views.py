"""The partner's own data through their personal link: download it as JSON, or erase it."""

import json

from flask import Blueprint, Response, abort, g, render_template

from speeddate.models import Registration
from speeddate.partners.services import registration_for_link
from speeddate.privacy import services
from speeddate.privacy.forms import EraseForm

bp = Blueprint("privacy", __name__)


def _registration_or_404(token: str) -> Registration:
    registration = registration_for_link(token)
    if registration is None or registration.partner.erased_at is not None:
        abort(404)
    g.partner_language = registration.partner.language
    return registration


@bp.get("/r/<token>/my-data.json")
def download(token: str):
    registration = _registration_or_404(token)
    content = json.dumps(services.personal_data(registration.partner), ensure_ascii=False, indent=2)
    return Response(content, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="my-data.json"',
                             "Cache-Control": "no-store"})


@bp.route("/r/<token>/erase", methods=["GET", "POST"])
def erase(token: str):
    registration = _registration_or_404(token)
    form = EraseForm()
    if form.validate_on_submit():
        services.erase_partner(registration.partner_id)
        return render_template("privacy/erased.html")
    return render_template("privacy/erase.html", form=form, token=token,
                           registration=registration), 400 if form.errors else 200
