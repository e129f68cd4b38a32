"""The application factory: configuration, extensions, blueprints and CLI."""

import logging
import secrets
from pathlib import Path

from flask import Flask, current_app, g, request, session
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from speeddate import cli, database, i18n, service_lock, urls, views_common
from speeddate.auth.views import bp as auth_bp
from speeddate.config import DefaultConfig
from speeddate.directory.views import bp as directory_bp
from speeddate.events.calendar import bp as calendar_bp
from speeddate.events.views import bp as events_bp
from speeddate.extensions import babel, csrf, db, login, mail, migrate
from speeddate.mail.views import bp as mail_bp
from speeddate.ops import logs
from speeddate.ops.views import bp as ops_bp
from speeddate.partners.views import bp as partners_bp
from speeddate.privacy.views import bp as privacy_bp
from speeddate.reports.views import bp as reports_bp
from speeddate.seating.views import bp as seating_bp
from speeddate.security import hooks as security
from speeddate.surveys.partner_views import admin_bp as partner_survey_admin_bp
from speeddate.surveys.partner_views import bp as partner_surveys_bp
from speeddate.surveys.views import admin_bp as survey_admin_bp
from speeddate.surveys.views import bp as surveys_bp
from speeddate.zone.views import bp as zone_bp

PROJECT_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)
UNAVAILABLE = (_l("Briefly unavailable"), _l(
    "The service is briefly unavailable. If you were sending a form, it was not saved. Please try again in a minute."))
INTERNAL_ERROR = (_l("Something went wrong"), _l(
    "Something went wrong on our side. If you were sending a form, it may not have been saved: please check, and try "
    "again. If it keeps happening, tell the organisers the reference below."))


def create_app(test_config: dict[str, object] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints and CLI; nothing else."""
    app = Flask(__name__, instance_relative_config=True, template_folder=str(PROJECT_ROOT / "templates"))
    _load_config(app, test_config)
    logs.init_app(app)
    app.before_request(_hold_the_service)
    _register_error_pages(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    mail.init_app(app)
    csrf.init_app(app)
    login.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    database.configure_engine(app)
    for blueprint in (partners_bp, auth_bp, events_bp, reports_bp, zone_bp, mail_bp, surveys_bp,
                      survey_admin_bp, partner_surveys_bp, partner_survey_admin_bp, directory_bp, privacy_bp, ops_bp,
                      seating_bp, calendar_bp):
        app.register_blueprint(blueprint)
    views_common.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    if app.config["PROXY_FIX"]:
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    return app


def _load_config(app: Flask, test_config: dict[str, object] | None) -> None:
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SPEEDDATE")
    if test_config:
        app.config.update(test_config)
    # An instance that sets one engine option keeps the others (pre-ping, parameters hidden from logs).
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**DefaultConfig.SQLALCHEMY_ENGINE_OPTIONS,
                                               **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    app.config["SQLALCHEMY_DATABASE_URI"] = database.database_uri(app)
    _public_base_url(app)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        secure = str(app.config.get("PUBLIC_BASE_URL") or "").startswith("https://")
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = secure
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app)


def _public_base_url(app: Flask) -> None:
    """Links in mails come from PUBLIC_BASE_URL only: required, except in tests (a local default)."""
    base = app.config.get("PUBLIC_BASE_URL")
    if not base:
        if not app.testing:
            raise urls.ConfigurationError(
                "Set SPEEDDATE_PUBLIC_BASE_URL to the service's public address (e.g. https://events.elz.be): "
                "links in mails are built from it, never from a request. For a local try: "
                "SPEEDDATE_PUBLIC_BASE_URL=http://127.0.0.1:5000")
        base = urls.LOCAL_BASE_URL
    app.config["PUBLIC_BASE_URL"] = urls.checked_base_url(base)
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = urls.trusted_hosts(app.config["PUBLIC_BASE_URL"])


def _instance_secret_key(app: Flask) -> str:
    """Read the key kept in instance/secret_key, creating it once, so that sessions survive restarts."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        database.private_file(path).write_text(secrets.token_hex(32))  # 0600 before the key is in it
    return path.read_text().strip()


def _hold_the_service() -> None:
    """Each web process holds the database from its first request on, so that no restore replaces it while it
    serves; during a restore, requests answer 503 (speeddate.service_lock)."""
    service_lock.hold_shared(current_app)


def _register_error_pages(app: Flask) -> None:
    """503 while the database does not answer or a restore runs, and 500: pages that need no database."""
    app.register_error_handler(service_lock.ServiceLocked, _unavailable)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(InternalServerError, _internal_error)


def _database_error(error: DBAPIError):
    # A server that is down, restarting or unreachable, or SQLite busy past its timeout, passes in a minute;
    # any other database error is a fault of ours.
    if isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated:
        return _unavailable(error)
    log.error("database error", exc_info=error, extra={"endpoint": request.endpoint or "-"})
    return _internal_error(error)


def _unavailable(error: Exception):
    # The class only: a database's message may quote a statement or a file path.
    log.error("service unavailable", extra={"endpoint": request.endpoint or "-", "error": type(error).__name__})
    seconds = int(current_app.config["UNAVAILABLE_RETRY_SECONDS"])
    return _plain_page(*UNAVAILABLE), 503, {"Retry-After": str(seconds)}


def _internal_error(error: Exception):
    return _plain_page(*INTERNAL_ERROR), 500


def _plain_page(title: str, message: str) -> str:
    """errors/plain.html in the visitor's language without touching the database: the language from the link,
    the session cookie or Accept-Language only, and no context processors (they read the zone and the user)."""
    language = _cookie_language()
    with force_locale(language):
        return current_app.jinja_env.get_template("errors/plain.html").render(
            title=str(title), message=str(message), request_id=g.get("request_id"), get_locale=lambda: language)


def _cookie_language() -> str:
    languages = current_app.config["LANGUAGES"]
    for asked in (request.args.get("lang"), session.get("lang")):
        if asked in languages:
            return asked
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
