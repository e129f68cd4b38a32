"""Mail benchmark: enqueue invitations to N partners, then send them to a local SMTP server.

    python bench/mail.py [--partners 2000] [--db sqlite|postgresql]

Prints, side by side and measured in the same run, our figures and a floor for each step:
- enqueue: `invite()` (query the audience, render every mail in the partner's language, write the rows, one commit)
  against a bare INSERT of the same number of minimal rows in one transaction;
- send: the worker (claim one mail at a time, send over one SMTP connection, commit each outcome with the next
  claim) against plain smtplib sending the same messages over one connection with no database at all.
Also the worker's peak memory (RSS). The SMTP server is aiosmtpd on loopback in this process.
"""

import argparse
import json
import resource
import smtplib
import socket
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from speeddate import create_app  # noqa: E402
from speeddate.events import services as events  # noqa: E402
from speeddate.extensions import db  # noqa: E402
from speeddate.i18n import to_local  # noqa: E402
from speeddate.mail import invitations, worker  # noqa: E402
from speeddate.mail.transport import build_message  # noqa: E402
from speeddate.models import EventType, OutboxMail, Partner, Sector  # noqa: E402
from speeddate.models.base import utcnow  # noqa: E402


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_partners(count: int) -> None:
    sectors = list(db.session.scalars(select(Sector)))
    now = utcnow()
    db.session.execute(insert(Partner), [
        {"email": f"bench{n}@example.org", "first_name": f"Partner{n}", "last_name": "Bench", "phone": "",
         "function": "", "language": ("nl", "fr", "en")[n % 3], "sector_id": sectors[n % len(sectors)].id,
         "consent_invitations_at": now, "email_confirmed_at": now, "created_at": now, "updated_at": now}
        for n in range(count)])
    db.session.commit()


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bare_insert(count: int) -> None:
    now = utcnow()
    db.session.execute(insert(OutboxMail), [
        {"idempotency_key": f"floor:{n}", "kind": "floor", "status": "cancelled", "recipient": f"b{n}@example.org",
         "language": "nl", "subject": "s", "body_text": "t", "body_html": "", "due_at": now,
         "next_attempt_at": now, "attempts": 0, "last_error": "", "created_at": now} for n in range(count)])
    db.session.commit()


def plain_smtp(messages: list, port: int) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as connection:
        for message in messages:
            connection.sendmail("bench@example.org", [message["To"]], message.as_bytes())


def run(partners: int, database_url: str) -> dict:
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "MAIL_SERVER": "127.0.0.1",
                      "MAIL_PORT": controller.port, "MAIL_SUPPRESS_SEND": False,
                      "PUBLIC_BASE_URL": "https://events.elz.example", "MAIL_DEFAULT_SENDER": "elz@elz.example"})
    try:
        with app.app_context():
            upgrade()
            make_partners(partners)
            start = to_local(utcnow()).replace(tzinfo=None, second=0, microsecond=0) + timedelta(days=30)
            event = events.create_event(events.EventData(type=EventType.ELP, title="Eerstelijnsplatform", capacity=100,
                                                         starts_at=start, ends_at=start + timedelta(hours=3)),
                                        publish=True)
            floor_enqueue = timed(lambda: bare_insert(partners))
            enqueue = timed(lambda: invitations.invite(event.id, invitations.Audience()))
            rows = list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "invitation")))
            messages = [build_message(row)._message() for row in rows]
            floor_send = timed(lambda: plain_smtp(messages, controller.port))
            received_by_floor = handler.count
            # The worker is a process of its own: it does not share the bench's session and the 2,000 rows
            # loaded into it, which every one of its commits would otherwise expire.
            db.session.remove()
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            report = None

            def send() -> None:
                nonlocal report
                report = worker.send_due("bench")

            send_seconds = timed(send)
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            received = handler.count - received_by_floor
    finally:
        controller.stop()
    return {"partners": partners, "enqueued": len(rows), "sent": report.sent, "received": received,
            "enqueue_per_s": len(rows) / enqueue, "floor_insert_per_s": partners / floor_enqueue,
            "send_per_s": report.sent / send_seconds, "floor_smtp_per_s": received_by_floor / floor_send,
            "peak_rss_mb": rss_after / 1024, "rss_growth_while_sending_mb": (rss_after - rss_before) / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    if args.db == "postgresql":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests import postgres

        server = postgres.start(free_port())
        server.execute("CREATE DATABASE bench")
        url = server.url("bench")
    else:
        server, url = None, f"sqlite:///{tempfile.mkdtemp(prefix='speeddate-bench-')}/bench.db"
    try:
        figures = run(args.partners, url)
    finally:
        if server is not None:
            server.stop()
    print(f"mail benchmark, {args.partners} partners, {args.db}")
    print(f"{'step':<10} {'ours (mails/s)':>15} {'floor (mails/s)':>16} {'ratio':>7}   floor")
    print(f"{'enqueue':<10} {figures['enqueue_per_s']:>15.0f} {figures['floor_insert_per_s']:>16.0f} "
          f"{figures['floor_insert_per_s'] / figures['enqueue_per_s']:>7.1f}   bare INSERT of minimal rows")
    print(f"{'send':<10} {figures['send_per_s']:>15.0f} {figures['floor_smtp_per_s']:>16.0f} "
          f"{figures['floor_smtp_per_s'] / figures['send_per_s']:>7.1f}   plain smtplib, no database")
    print(f"sent {figures['sent']}, received {figures['received']} (each exactly once: "
          f"{figures['sent'] == figures['received'] == figures['enqueued']}); "
          f"peak RSS {figures['peak_rss_mb']:.0f} MB, "
          f"growth while sending {figures['rss_growth_while_sending_mb']:.1f} MB")
    print(json.dumps({key: round(value, 2) if isinstance(value, float) else value for key, value in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
