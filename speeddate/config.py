"""Default configuration; overridden by instance/config.py, then SPEEDDATE_* environment variables."""

from datetime import timedelta


class DefaultConfig:
    """Settings that hold unless the instance or the environment says otherwise."""

    # SQLALCHEMY_DATABASE_URI is derived from DATABASE_URL (or the instance folder) in create_app.
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
    LANGUAGES = ("nl", "fr", "en")
    TIMEZONE = "Europe/Brussels"
    WTF_CSRF_TIME_LIMIT = None  # a registration form left open over lunch must still post
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Flask-Mail; with no MAIL_SERVER configured mails are logged and not sent (see speeddate.mail).
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "speeddate@localhost"
    MAIL_TIMEOUT = 10
    FRAME_ANCESTORS = "'self'"
    # Public URLs in mails and exports; request host when unset.
    PUBLIC_BASE_URL: str | None = None
