"""Fault injection for the mail worker, used by tests/mail/test_faults.py and bench/faults.py: an SMTP server on
loopback that misbehaves on request, and `flask mail send --loop` in a process of its own, to kill.

The SMTP server keeps every message it accepts (counted by Message-ID, so that a mail delivered twice shows) and
can: answer the end of DATA slowly (the message is kept at once, as a real server that writes it to disk first),
vanish right after taking a message (close the connection without answering), vanish at RCPT (before any message
went out), or refuse messages with a given reply (421, 451...). Counted faults apply to the next N transactions,
then the server behaves again.
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.support import free_port

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Faults:
    """What the server does wrong; the counts go down as faults happen."""

    final_reply_delay: float = 0.0  # seconds before answering the end of DATA, every time
    slow_replies: int = 0  # next N messages: the end of DATA answered after slow_reply_delay
    slow_reply_delay: float = 0.0
    vanish_after_data: int = 0  # next N messages: kept, then the connection closes without a reply
    vanish_at_rcpt: int = 0  # next N recipients: the connection closes without a reply, nothing kept
    refuse: int = 0  # next N messages: answered with `refusal`, not kept
    refusal: str = "451 4.3.0 try again later"


@dataclass
class FaultySMTP:
    """The handler: what arrived, and the faults still to play."""

    faults: Faults = field(default_factory=Faults)
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None
    last_fault_at: float | None = None  # time.monotonic() of the last counted fault played

    @property
    def port(self) -> int:
        assert self.controller is not None, "not serving"
        return self.controller.port

    def _take(self, name: str) -> bool:
        with self.lock:
            left = getattr(self.faults, name)
            if left:
                setattr(self.faults, name, left - 1)
                self.last_fault_at = time.monotonic()
            return bool(left)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's hook)
        if self._take("vanish_at_rcpt"):
            server.transport.abort()
            return "421 4.3.2 gone"  # never reaches the client: the connection is closed already
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook)
        if self._take("refuse"):
            return self.faults.refusal
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        if self._take("vanish_after_data"):
            server.transport.abort()
            return "250 OK"  # never reaches the client
        delay = self.faults.slow_reply_delay if self._take("slow_replies") else self.faults.final_reply_delay
        if delay:
            await asyncio.sleep(delay)
        return "250 OK"

    def deliveries(self) -> Counter[str]:
        """How many times each Message-ID arrived."""
        with self.lock:
            return Counter(str(message["Message-ID"]) for message in self.messages)

    def received(self) -> int:
        with self.lock:
            return len(self.messages)

    def start(self) -> "FaultySMTP":
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()


def outbox_id(message_id: str) -> int:
    """The outbox row a Message-ID belongs to (speeddate.mail.transport.build_message: <outbox.ID.digest@host>)."""
    return int(message_id.split(".")[1])


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> None:
    """Poll until the condition holds; fail with `what` after a generous deadline (a limit, not a measurement)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.05)


class WorkerProcess:
    """`flask mail send --loop` in a process of its own, its output collected line by line."""

    def __init__(self, database_url: str, smtp: FaultySMTP, interval: float = 0.2, **settings: object) -> None:
        environment = {**os.environ, "FLASK_APP": "wsgi.py", "SPEEDDATE_SECRET_KEY": "test-secret",
                       "SPEEDDATE_DATABASE_URL": database_url, "SPEEDDATE_MAIL_SERVER": "127.0.0.1",
                       "SPEEDDATE_MAIL_PORT": str(smtp.port), "SPEEDDATE_PUBLIC_BASE_URL": "http://speeddate.test",
                       **{f"SPEEDDATE_{key}": str(value) for key, value in settings.items()}}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "flask"), "mail", "send", "--loop", "--interval", str(interval)],
            cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def said(self, text: str) -> int:
        """How many lines of its output contain the text."""
        return sum(text in line for line in list(self.lines))

    def kill(self) -> None:
        """SIGKILL, as `kill -9` or the OOM killer: no cleanup of any kind."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        """Ctrl+C, as systemd's stop; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return self.process.returncode
