"""Directory benchmark: import 10,000 partners from XLSX, and build a year's report over 200 events.

    python bench/directory.py [--partners 10000] [--events 200] [--registrations 10000] [--db sqlite|postgresql]

Prints seconds and the process's peak memory (RSS) after each step, side by side with a floor measured in the
same run on the same data (the floor runs first, so the RSS growth of our step is its own):
- import: read_rows + apply_import (parse, check every row, match emails, one transaction) against openpyxl
  merely reading the same workbook;
- report: indicators.report() for the year (every figure) against one SQL query counting the year's registrations
  per event type.
"""

import argparse
import io
import json
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from speeddate import create_app  # noqa: E402
from speeddate.directory import import_file, imports  # noqa: E402
from speeddate.extensions import db  # noqa: E402
from speeddate.models import Event, Gemeente, Partner, Registration, Sector  # noqa: E402
from speeddate.reports import indicators  # noqa: E402

YEAR = 2025  # a year that is over: every event of it has been held


def workbook(partners: int, sectors: list[str], gemeenten: list[str]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("partners")
    sheet.append(["email", "first_name", "last_name", "organisation", "sector", "gemeenten", "function", "phone",
                  "language"])
    rng = random.Random(1)
    for n in range(partners):
        sheet.append([f"partner{n}@bench.example", f"Voornaam{n}", "Achternaam", f"Organisatie {n % 1500}",
                      sectors[n % len(sectors)], rng.choice(gemeenten), "Medewerker", "050 12 34 56",
                      rng.choice(("nl", "fr", "en"))])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def measured(action) -> tuple[object, float, float]:
    """Result, seconds, and the process's peak RSS in MB after the action."""
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    return result, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def a_year_of_events(count: int, registrations: int) -> None:
    partner_ids = list(db.session.scalars(select(Partner.id)))
    gemeente_ids = list(db.session.scalars(select(Gemeente.id)))
    rng = random.Random(2)
    kinds = ("speeddate", "elp", "lunchwebinar", "other")
    start = datetime(YEAR, 1, 5, 11)
    rows = [{"slug": f"bench-{n}", "type": kinds[n % 4], "status": "published", "title": f"Event {n}",
             "description": "", "starts_at": start + timedelta(days=n * 360 // count),
             "ends_at": start + timedelta(days=n * 360 // count, hours=2), "location": "", "online_url": "",
             "gemeente_id": rng.choice(gemeente_ids), "capacity": 1000, "catering": False,
             "confirmed_count": 0, "waitlist_counter": 0, "evaluation_anonymous": True,
             "evaluation_reminder_days": 7, "evaluation_close_days": 21, "ics_sequence": 0,
             "created_at": start, "updated_at": start} for n in range(count)]
    db.session.execute(insert(Event), rows)
    event_ids = list(db.session.scalars(select(Event.id)))
    per_event = registrations // count
    seats = []
    for event_id in event_ids:
        for partner_id in rng.sample(partner_ids, per_event):
            seats.append({"event_id": event_id, "partner_id": partner_id, "status": "confirmed",
                          "attended": rng.random() < 0.85, "dietary": "", "token": f"t{event_id}-{partner_id}",
                          "created_at": start, "updated_at": start})
    db.session.execute(insert(Registration), seats)
    db.session.commit()


def run(args, database_url: str) -> dict:
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench",
                      "PUBLIC_BASE_URL": "http://127.0.0.1:5000", "BABEL_DEFAULT_LOCALE": "en"})
    with app.app_context(), app.test_request_context():
        upgrade()
        for name in ("Oostkamp", "Beernem", "Zedelgem", "Jabbeke"):
            db.session.add(Gemeente(name=name))
        db.session.commit()
        sectors = list(db.session.scalars(select(Sector.name)))
        content = workbook(args.partners, sectors, ["Oostkamp", "Beernem", "Zedelgem", "Jabbeke"])
        _, floor_read, floor_read_mb = measured(lambda: sum(1 for _ in load_workbook(
            io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)))
        plan, import_seconds, import_mb = measured(
            lambda: imports.apply_import(import_file.read_rows(content, "p.xlsx")))
        created = db.session.scalar(select(func.count()).select_from(Partner))
        a_year_of_events(args.events, args.registrations)
        period = indicators.Period.year(YEAR)
        _, floor_count, floor_count_mb = measured(lambda: db.session.execute(
            select(Event.type, func.count(Registration.id)).join(Registration).group_by(Event.type)).all())
        figures, report_seconds, report_mb = measured(lambda: indicators.report(period))
    return {"partners": args.partners, "file_kb": len(content) // 1024, "created": created,
            "import_seconds": import_seconds, "import_peak_mb": import_mb, "floor_read_seconds": floor_read,
            "floor_read_peak_mb": floor_read_mb, "events": args.events, "registrations": figures["registrations"],
            "report_seconds": report_seconds, "report_peak_mb": report_mb, "floor_count_seconds": floor_count,
            "floor_count_peak_mb": floor_count_mb, "events_held": figures["events_held"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    server = None
    if args.db == "postgresql":
        from tests import postgres
        from tests.support import free_port

        server = postgres.start(free_port())
        server.execute("CREATE DATABASE bench")
        url = server.url("bench")
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='speeddate-bench-')}/bench.db"
    try:
        f = run(args, url)
    finally:
        if server is not None:
            server.stop()
    print(f"directory benchmark, {args.db}: {f['partners']} partners ({f['file_kb']} kB XLSX), "
          f"{f['events']} events, {f['registrations']} registrations")
    print(f"{'step':<8} {'ours s':>8} {'RSS MB':>8} {'floor s':>8} {'RSS MB':>9} {'ratio':>6}   floor")
    print(f"{'import':<8} {f['import_seconds']:>8.2f} {f['import_peak_mb']:>8.1f} {f['floor_read_seconds']:>8.2f} "
          f"{f['floor_read_peak_mb']:>9.1f} {f['import_seconds'] / f['floor_read_seconds']:>6.1f}   openpyxl read only")
    print(f"{'report':<8} {f['report_seconds']:>8.2f} {f['report_peak_mb']:>8.1f} {f['floor_count_seconds']:>8.3f} "
          f"{f['floor_count_peak_mb']:>9.1f} {f['report_seconds'] / f['floor_count_seconds']:>6.0f}   "
          "one GROUP BY query")
    print(f"created {f['created']} partners; report counted {f['registrations']} registrations, "
          f"{f['events_held']} events held")
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in f.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
