"""The partner's own data through their personal link: download it as JSON, or erase it."""

import json

from flask import Blueprint, render_template

from speeddate import exports
from speeddate.partners.links import registration_or_404
from speeddate.privacy import services
from speeddate.privacy.forms import EraseForm

bp = Blueprint("privacy", __name__)


@bp.get("/r/<token>/my-data.json")
def download(token: str):
    registration = registration_or_404(token)
    content = json.dumps(services.personal_data(registration.partner), ensure_ascii=False, indent=2)
    return exports.download(content, "my-data.json", headers={"Cache-Control": "no-store"})


@bp.route("/r/<token>/erase", methods=["GET", "POST"])
def erase(token: str):
    registration = registration_or_404(token)
    form = EraseForm()
    if form.validate_on_submit():
        services.erase_partner(registration.partner_id)
        return render_template("privacy/erased.html")
    return render_template("privacy/erase.html", form=form, token=token,
                           registration=registration), 400 if form.errors else 200
