"""Login, logout and the interface language for organisers."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from speeddate.auth import services
from speeddate.auth.forms import LanguageForm, LoginForm
from speeddate.forms_common import ActionForm
from speeddate.security.hooks import too_many_requests

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("events.home"))
    form = LoginForm()
    if form.validate_on_submit():
        address = request.remote_addr or "-"
        wait = services.locked_for(form.email.data, address)
        if wait is not None:
            return too_many_requests(wait)
        user = services.log_in_attempt(form.email.data, form.password.data, address)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("The email address or password is not correct."), "error")
    return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200


def _safe_next(target: str | None) -> str:
    """Only follow a local path after login, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("events.home")


@bp.post("/logout")
def logout():
    if ActionForm().validate_on_submit():
        if current_user.is_authenticated:
            services.end_sessions(current_user.id)
        logout_user()
        flash(_("You are logged out."), "success")
    return redirect(url_for("partners.index"))


@bp.post("/admin/account/language")
@login_required
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        services.set_language(current_user.id, form.language.data)
        refresh()  # the message below speaks the language just chosen
        flash(_("The language is saved for your account."), "success")
    else:
        flash(_("That language is not available. Nothing was changed."), "error")
    return redirect(_safe_next(form.next.data))
