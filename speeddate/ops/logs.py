"""Request ids and structured log lines (key=value, or JSON with LOG_FORMAT = "json").

Every request gets an id (the proxy's X-Request-ID when it looks like one, else a new one), echoed in the
response and added to every log line written while the request runs. Log lines carry ids, endpoints and
counts, never emails, names or personal links: the path is not logged, only the endpoint. The development
server's access log (werkzeug's) does write paths: a filter replaces the token of each personal link there.
"""

import json
import logging
import re
import time
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
_HANDLER_NAME = "speeddate"
# Attributes every LogRecord has; anything else was passed with `extra=` and is written as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}
log = logging.getLogger("speeddate.requests")
# The token part of personal (/r/...) and unsubscribe (/u/...) links, wherever a path is written.
_PERSONAL_LINK = re.compile(r"(/[ru]/)[^/\s?#\"']+")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or "-" outside a request) on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class PersonalLinkFilter(logging.Filter):
    """Writes /r/<token> for every personal link in a record: the development server's access log (werkzeug's)
    prints each request's path, and a link in a log is a key to someone's data for whoever reads the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_links(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(redact_links(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def redact_links(text: str) -> str:
    """The text with the token of every personal or unsubscribe link replaced by <token>."""
    return _PERSONAL_LINK.sub(r"\1<token>", text)


class KeyValueFormatter(logging.Formatter):
    """time=... level=... logger=... request_id=... msg="..." key=value..."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record, self.formatTime(record))
        return " ".join(f"{key}={_quoted(value)}" for key, value in fields.items())


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_fields(record, self.formatTime(record)), default=str)


def _fields(record: logging.LogRecord, when: str) -> dict[str, object]:
    fields: dict[str, object] = {"time": when, "level": record.levelname, "logger": record.name,
                                 "request_id": getattr(record, "request_id", "-"), "msg": record.getMessage()}
    fields.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
    if record.exc_info:
        fields["exc"] = logging.Formatter().formatException(record.exc_info)
    return fields


def _quoted(value: object) -> str:
    text = str(value)
    return json.dumps(text) if not text or any(c in text for c in ' "=\n') else text


def configure_logging(app: Flask) -> None:
    """One handler on the `speeddate` logger (replaced, not added, when the factory runs again)."""
    logger = logging.getLogger("speeddate")
    for handler in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    formatter = JsonFormatter if app.config["LOG_FORMAT"] == "json" else KeyValueFormatter
    handler.setFormatter(formatter(datefmt="%Y-%m-%dT%H:%M:%S%z"))
    logger.addHandler(handler)
    logger.setLevel(app.config["LOG_LEVEL"])


def init_app(app: Flask) -> None:
    """Configure logging, keep personal links out of the access log, give every request an id and a summary line."""
    configure_logging(app)
    _redact_access_log()
    app.before_request(_start_request)
    app.after_request(_finish_request)


def _redact_access_log() -> None:
    """Put the filter on werkzeug's logger (once, however often the factory runs)."""
    access_log = logging.getLogger("werkzeug")
    if not any(isinstance(existing, PersonalLinkFilter) for existing in access_log.filters):
        access_log.addFilter(PersonalLinkFilter())


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "-")
    if request.endpoint != "static":
        took = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        log.info("request", extra={"method": request.method, "endpoint": request.endpoint or "-",
                                   "status": response.status_code, "ms": round(took, 1)})
    return response
