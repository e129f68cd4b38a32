"""Default configuration; overridden by instance/config.py, then SPEEDDATE_* environment variables."""

from datetime import timedelta


class DefaultConfig:
    """Settings that hold unless the instance or the environment says otherwise."""

    # SECRET_KEY signs session and remember cookies and CSRF tokens: a new one logs every organiser out, nothing
    # else. LINK_SECRET_KEY is behind personal and unsubscribe links, evaluation respondents and rate-limit
    # counters, which must outlive that (speeddate.tokens); unset, it is SECRET_KEY, as it was before the two were
    # separated. Production sets both; to separate an existing installation, set LINK_SECRET_KEY to the current
    # SECRET_KEY once, then SECRET_KEY may change whenever sessions must end.
    LINK_SECRET_KEY: str | None = None
    # SQLALCHEMY_DATABASE_URI is derived from DATABASE_URL (or the instance folder) in create_app.
    DATABASE_URL: str | None = None
    # Query parameters (emails, names) must never reach a log line through an error message. Pre-ping: a pooled
    # connection that a database restart ended is replaced on checkout, not handed to a request that then fails.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True, "pool_pre_ping": True}
    # Retry-After of the 503 page, answered while the database does not answer or a restore runs.
    UNAVAILABLE_RETRY_SECONDS = 60
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
    LANGUAGES = ("nl", "fr", "en")
    TIMEZONE = "Europe/Brussels"
    WTF_CSRF_TIME_LIMIT = None  # a registration form left open over lunch must still post
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # "Keep me logged in" lasts a month, not Flask-Login's year; logging out ends it at once (User.session_token).
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
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
    # Seconds to wait for the server's reply to a message body: RFC 5321 §4.5.3.2.6 gives it 10 minutes, and a
    # timeout there leaves the mail uncertain (it may have arrived), so a slow server must not reach it.
    MAIL_DATA_TIMEOUT = 600
    # The outbox worker: attempts before a mail is marked failed, and the first retry delay (doubling).
    MAIL_MAX_ATTEMPTS = 8
    MAIL_RETRY_SECONDS = 60
    # Due mails the worker reads ahead (without claiming them); it claims one at a time.
    MAIL_READ_AHEAD = 200
    # Seating jobs: the solver's time per job, and whether the web process runs each job in a thread of its own
    # (the embedded default, so that `make run` needs no second process). Production sets it to False and runs
    # `flask seating work --loop` (README), where a restart of the web server loses no job.
    SEATING_TIME_LIMIT = 10.0
    SEATING_WORKER_THREAD = True
    # Background workers beat this often; one silent for WORKER_DEAD_SECONDS died (speeddate.workers).
    WORKER_BEAT_SECONDS = 5.0
    WORKER_DEAD_SECONDS = 20.0
    MAIL_REMINDER_HOURS_BEFORE = 48
    MAIL_WEBINAR_LINK_MINUTES_BEFORE = 60
    MAIL_EVALUATION_MINUTES_AFTER = 30
    FOLLOWUP_MONTHS = 3
    # An anonymous evaluation answered by fewer people shows counts only (results page, exports, year report).
    EVALUATION_MIN_RESPONDENTS = 3
    FRAME_ANCESTORS = "'self'"
    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/-Host/-Prefix (0: none, trust nothing).
    PROXY_FIX = 0
    # None: secure cookies exactly when PUBLIC_BASE_URL is https; True/False to force.
    SESSION_COOKIE_SECURE: bool | None = None
    # (count, seconds) per bucket, shared by all workers through the database (speeddate.security.ratelimit).
    # An office behind one address may send many registrations at once; one email or link cannot flood.
    # A rule missing from an instance's RATE_LIMITS keeps its default here.
    RATE_LIMIT_ENABLED = True
    RATE_LIMITS: dict = {
        "public_address": (60, 60),  # every public POST, per address
        "public_link": (20, 3600),  # posts through one personal or unsubscribe link
        # Valid registrations only (a malformed post naming someone's email never uses up their budget):
        "public_email": (20, 3600),  # naming one email, from anywhere: the owner's inbox is not flooded
        "event_address": (20, 3600),  # for one event from one address: an office registers ten, a script not all
        # Failed logins for one account from one address: a stranger elsewhere never locks the organiser out.
        "login_account_address": (5, 900),
        "login_address": (20, 900),  # failed logins from one address, for any account
    }
    # /healthz answers "degraded" when a figure passes its limit here (speeddate/ops/services.py): mails failed,
    # in doubt or held (each waits for an organiser), mails or seating jobs a dead worker left, the oldest due
    # mail's wait, a seating job queued this long, and no mail worker beating (where one should run: a cron
    # installation that runs `flask mail send` now and then sets HEALTH_MAIL_WORKER_REQUIRED to False).
    HEALTH_MAX_FAILED_MAILS = 5
    HEALTH_MAX_UNCERTAIN_MAILS = 0
    HEALTH_MAX_HELD_MAILS = 0
    HEALTH_MAX_STUCK_MAILS = 0
    HEALTH_MAX_STUCK_JOBS = 0
    HEALTH_MAX_MAIL_WAIT_SECONDS = 1800
    HEALTH_JOB_QUEUED_SECONDS = 120
    HEALTH_MAIL_WORKER_REQUIRED = True
    LOG_LEVEL = "INFO"
    LOG_FORMAT = "keyvalue"  # or "json"
    # Public URLs in mails and exports; request host when unset.
    PUBLIC_BASE_URL: str | None = None
