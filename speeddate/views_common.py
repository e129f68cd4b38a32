"""What every page shares: error pages, template helpers, the login loader."""

from flask import Flask, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from speeddate import i18n
from speeddate.extensions import db, login
from speeddate.forms_common import MAX_ID, has_stray_control
from speeddate.labels import mail_status_label, registration_status_label, status_label, type_label
from speeddate.models import User
from speeddate.zone.settings import zone_settings


def init_app(app: Flask) -> None:
    """Register error handlers, template globals and the user loader."""
    login.login_view = "auth.login"
    login.login_message = None
    login.user_loader(_load_user)
    app.jinja_env.filters["when"] = i18n.format_when
    app.context_processor(_template_helpers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(413, _too_large)
    app.url_value_preprocessor(_refuse_unstorable_path_values)
    app.before_request(_refuse_control_characters)
    app.after_request(_security_headers)


def _template_helpers() -> dict:
    return {"zone": zone_settings(), "get_locale": get_locale, "type_label": type_label,
            "status_label": status_label, "registration_status_label": registration_status_label,
            "mail_status_label": mail_status_label}


def _load_user(session_token: str) -> User | None:
    """The active organiser whose current session token the cookie names; an ended session's token names no one."""
    user = db.session.scalar(select(User).where(User.session_token == session_token[:64]))
    return user if user is not None and user.active else None


def _refuse_unstorable_path_values(endpoint: str | None, values: dict | None) -> None:
    """An id in the path beyond the database's integers, or in non-ASCII digits (Werkzeug's int converter takes
    them), or a slug or token with a control character (PostgreSQL refuses NUL), names nothing: a 404, before a
    query would fail."""
    numbers = [value for value in (values or {}).values() if isinstance(value, int)]
    if numbers and (max(numbers) > MAX_ID or not request.path.isascii()):
        abort(404)
    if any(isinstance(value, str) and has_stray_control(value) for value in (values or {}).values()):
        abort(404)


def _refuse_control_characters():
    """No field or query parameter may hold NUL or other control characters (PostgreSQL refuses NUL outright)."""
    sent = [*request.args.items(multi=True), *(request.form.items(multi=True) if request.method == "POST" else ())]
    if any(has_stray_control(name) or has_stray_control(value) for name, value in sent):
        message = _("What you sent contains control characters that no field can hold. Nothing was changed. "
                    "Please type the text again and retry.")
        return render_template("error.html", title=_("Invalid characters"), message=message), 400
    return None


def _csrf_error(error: CSRFError):
    message = _("The form could not be accepted because it expired or did not come from this site. "
                "Nothing was changed. Please go back, reload the page and try again.")
    return render_template("error.html", title=_("Form expired"), message=message), 400


def _not_found(error):
    message = _("This page does not exist. Check the link you received, or ask the organisers for a new one.")
    return render_template("error.html", title=_("Page not found"), message=message), 404


def _too_large(error):
    return render_template("error.html", title=_("Too much data"),
                           message=_("What you sent is too large. Nothing was changed.")), 413


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # FRAME_ANCESTORS lets the zone's own website embed the registration form in a frame.
    ancestors = current_app.config["FRAME_ANCESTORS"]
    response.headers.setdefault("Content-Security-Policy", f"{CONTENT_SECURITY_POLICY}; frame-ancestors {ancestors}")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=63072000")
    return response


# No inline scripts or styles anywhere (templates use style.css only); forms post to this site only.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'self'; form-action 'self'")
