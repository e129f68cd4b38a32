"""SMTP: a connection that cannot hang, the message of an outbox row, and what became of one send."""

import enum
import logging
import smtplib
from dataclasses import dataclass
from hashlib import sha256

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message

from speeddate.models import OutboxMail

log = logging.getLogger(__name__)


class TimedConnection(Connection):
    """Flask-Mail's connection with a timeout, so that a hanging SMTP server cannot block the worker."""

    def configure_host(self) -> smtplib.SMTP:
        timeout = current_app.config["MAIL_TIMEOUT"]
        smtp_class = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp_class(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def connect() -> Connection:
    """An open connection to the SMTP server; raises OSError or SMTPException when it cannot be reached."""
    return TimedConnection(current_app.extensions["mail"]).__enter__()


def close(connection: Connection) -> None:
    """Say goodbye to the server, if it is still there."""
    try:
        connection.__exit__(None, None, None)  # type: ignore[arg-type]
    except (OSError, smtplib.SMTPException):
        log.debug("SMTP connection was already closed")


def build_message(row: OutboxMail) -> Message:
    """The Flask-Mail message for an outbox row, with a Message-ID that stays the same on every attempt."""
    host = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2].strip("> ") or "speeddate.invalid"
    digest = sha256(row.idempotency_key.encode()).hexdigest()[:16]
    headers = {"Auto-Submitted": "auto-generated"}
    if row.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{row.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = Message(subject=row.subject, recipients=[row.recipient], body=row.body_text,
                      html=row.body_html or None, extra_headers=headers)
    message.msgId = f"<outbox.{row.id}.{digest}@{host}>"
    if row.ics:
        message.attach("invite.ics", f"text/calendar; method={row.ics_method}; charset=UTF-8", row.ics.encode())
    return message


# "Service not available, closing transmission channel": smtplib closes its side too, so the mails after it in the
# round must wait for a new connection rather than be charged for "please run connect() first".
CLOSING = 421


class Verdict(enum.Enum):
    """What one send means for the mail."""

    SENT = "sent"
    FAILED = "failed"  # the server refused it for good, or it cannot be sent at all
    RETRY_LATER = "retry_later"  # a passing refusal, or the connection broke off


@dataclass(frozen=True)
class Delivery:
    """The outcome of one send: the verdict, the error to keep, and whether the connection is gone."""

    verdict: Verdict
    error: str = ""
    connection_lost: bool = False


def deliver(connection: Connection, message: Message) -> Delivery:
    """Send one message; SMTP codes of 500 and up fail the mail, lower ones and a lost connection retry it."""
    try:
        connection.send(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        permanent = min(codes) >= 500
        return Delivery(Verdict.FAILED if permanent else Verdict.RETRY_LATER, f"refused: {error.recipients}",
                        connection_lost=CLOSING in codes)
    except (BadHeaderError, UnicodeError, ValueError) as error:
        return Delivery(Verdict.FAILED, f"cannot be sent: {error!r}")
    except smtplib.SMTPResponseException as error:
        permanent = error.smtp_code >= 500
        return Delivery(Verdict.FAILED if permanent else Verdict.RETRY_LATER,
                        f"refused: {error.smtp_code} {error.smtp_error!r}", connection_lost=error.smtp_code == CLOSING)
    except (smtplib.SMTPServerDisconnected, OSError) as error:
        return Delivery(Verdict.RETRY_LATER, f"connection lost: {error}", connection_lost=True)
    return Delivery(Verdict.SENT)
