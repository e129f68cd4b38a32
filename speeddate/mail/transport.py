"""SMTP: a connection that cannot hang, the message of an outbox row, and what became of one send.

What a broken dialogue means depends on where it broke. Before the message body is handed over (connect, MAIL,
RCPT, the DATA command and its 354) nothing can have arrived, so the mail is tried again later. From the moment
the body starts going out until the server's final reply, the server may have kept the message: the outcome is
unknown, and a retry could deliver it twice, so the mail is marked uncertain for an organiser instead.
"""

import enum
import logging
import smtplib
from dataclasses import dataclass
from hashlib import sha256

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message

from speeddate.models import OutboxMail

log = logging.getLogger(__name__)


class PhasedSMTP(smtplib.SMTP):
    """smtplib's client that knows whether the message body has started going out (`handing_over`), and that
    waits `data_timeout` rather than its ordinary timeout for the reply to the body, as RFC 5321 §4.5.3.2.6 allows
    the server (10 minutes): a slow server is then merely slow, not an unknown outcome."""

    handing_over = False
    data_timeout: float | None = None

    def sendmail(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.handing_over = False
        return super().sendmail(*args, **kwargs)

    def getreply(self) -> tuple[int, bytes]:
        reply = super().getreply()
        if reply[0] == 354 and self.sock is not None:  # the next bytes out are the message (smtplib's data())
            self.handing_over = True
            self.sock.settimeout(self.data_timeout or self.timeout)
        elif self.handing_over:  # the server's answer to the message: the outcome is known again
            self.handing_over = False
            if self.sock is not None:
                self.sock.settimeout(self.timeout)
        return reply


class PhasedSMTPSSL(PhasedSMTP, smtplib.SMTP_SSL):
    """The same over implicit TLS."""


class TimedConnection(Connection):
    """Flask-Mail's connection with timeouts, so that a hanging SMTP server cannot block the worker."""

    def configure_host(self) -> smtplib.SMTP:
        config = current_app.config
        smtp_class = PhasedSMTPSSL if self.mail.use_ssl else PhasedSMTP
        host = smtp_class(self.mail.server, self.mail.port, timeout=config["MAIL_TIMEOUT"])
        host.data_timeout = config["MAIL_DATA_TIMEOUT"]
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
    RETRY_LATER = "retry_later"  # a passing refusal, or the connection broke off before the message went out
    UNCERTAIN = "uncertain"  # the connection broke off (or timed out) after the message went out: never retried


@dataclass(frozen=True)
class Delivery:
    """The outcome of one send: the verdict, the error to keep, and whether the connection is gone."""

    verdict: Verdict
    error: str = ""
    connection_lost: bool = False


def deliver(connection: Connection, message: Message) -> Delivery:
    """Send one message; SMTP codes of 500 and up fail the mail, lower ones retry it, and a lost connection retries
    it only when the message had not started going out (otherwise it is uncertain)."""
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
        if getattr(connection.host, "handing_over", False):
            return Delivery(Verdict.UNCERTAIN, f"the connection broke off after the message went out, before the "
                            f"server confirmed it ({error}): it may have arrived", connection_lost=True)
        return Delivery(Verdict.RETRY_LATER, f"connection lost: {error}", connection_lost=True)
    return Delivery(Verdict.SENT)
