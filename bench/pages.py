"""Page benchmark: the organisers' pages on a zone as big as a large ELZ after five years, next to /healthz.

    python bench/pages.py --db sqlite|postgresql [--repeat 20] [--rounds 3] [--cache DIR] [--workers 4]

Builds (with bulk inserts, in about a minute) 15,000 partners in 3,000 organisations, 1,000 events over five
years, 60,000 registrations, 100,000 outbox rows, 20 speeddates of 150 people with a seating plan made by the
solver, evaluations with answers and follow-up responses; an upcoming event has 400 registrations. The SQLite
file is kept in --cache (default: bench/.cache) and reused while this script and the migrations are unchanged.
Then the service runs under gunicorn (4 sync workers) on 127.0.0.1 and each page is measured:
- single user: one logged-in organiser requests the page --repeat times in a row;
- 5 organisers at once: five logged-in organisers request every page in turn, --rounds times each.
Prints p50/p95 per page for both, next to /healthz (the floor: gunicorn, WSGI and HTTP with none of our work)
measured in the same run, and the target (p95 <= 200 ms single user). Its last line is one JSON object.
"""

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import CSRF, ORGANISER, Client, Timings, free_port, start_gunicorn  # noqa: E402

SIZES = {"partners": 15_000, "organisations": 3_000, "events": 1_000, "registrations": 60_000, "outbox": 100_000,
         "speeddates": 20, "speeddate_people": 150, "big_event": 400, "invited": 5_000}
TARGET_P95_MS = 200.0
FIRST_NAMES = ["Els", "Jan", "An", "Pieter", "Sofie", "Tom", "Marie", "Luc", "Nathalie", "Koen", "Lies", "Bart",
               "Sarah", "Wim", "Julie", "Dirk", "Camille", "Thomas", "Inge", "Yves"]
LAST_NAMES = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters",
              "De Smet", "Dubois", "Lambert", "Vermeulen", "Hermans", "Desmet", "Lemmens", "Vos", "Martens"]
GEMEENTEN = ["Oostkamp", "Beernem", "Zedelgem", "Brugge", "Jabbeke", "Damme", "Torhout", "Zuienkerke"]


def fingerprint() -> str:
    """Changes whenever this script or the schema does: a cached zone is rebuilt then."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for migration in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(migration.read_bytes())
    return digest.hexdigest()[:16]


def make_app(database_url: str):
    from speeddate import create_app

    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "pages-bench", "LOG_LEVEL": "WARNING",
                       "PUBLIC_BASE_URL": "http://127.0.0.1:5000"})


def build(database_url: str) -> dict[str, int]:
    """The zone, with bulk inserts; returns the ids the pages need."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from speeddate.auth.services import create_user
    from speeddate.extensions import db
    from speeddate.mail.services import Kind
    from speeddate.models import (
        Answer,
        EvaluationResponse,
        Event,
        EventStatus,
        EventType,
        FollowupResponse,
        Gemeente,
        MailStatus,
        Organisation,
        OutboxMail,
        Partner,
        Question,
        QuestionKind,
        Registration,
        RegistrationStatus,
        Sector,
        partner_gemeenten,
    )
    from speeddate.models.base import utcnow
    from speeddate.seating import jobs

    rng = random.Random(20)
    app = make_app(database_url)
    with app.app_context():
        upgrade()
        create_user(*ORGANISER)
        db.session.execute(insert(Gemeente), [{"name": name} for name in GEMEENTEN])
        db.session.execute(insert(Organisation), [{"name": f"Organisatie {n}"} for n in range(SIZES["organisations"])])
        db.session.commit()
        sectors = list(db.session.scalars(select(Sector.id)))
        gemeenten = list(db.session.scalars(select(Gemeente.id)))
        organisations = list(db.session.scalars(select(Organisation.id)))
        now = utcnow().replace(microsecond=0)
        partners = []
        for n in range(SIZES["partners"]):
            consent = now - timedelta(days=rng.randint(1, 1800))
            invited = n < SIZES["invited"]
            partners.append({
                "email": f"partner{n}@example.org", "first_name": rng.choice(FIRST_NAMES),
                "last_name": f"{rng.choice(LAST_NAMES)} {n}", "language": rng.choice(["nl"] * 6 + ["fr"] * 2 + ["en"]),
                "function": "Medewerker", "phone": "050 12 34 56", "organisation_id": rng.choice(organisations),
                "sector_id": rng.choice(sectors), "consent_share_contacts_at": consent,
                "consent_followup_at": consent if rng.random() < 0.7 else None,
                "consent_invitations_at": consent if invited else None,
                "email_confirmed_at": consent if invited or rng.random() < 0.5 else None,
                "created_at": consent, "updated_at": consent})
        db.session.execute(insert(Partner), partners)
        partner_ids = list(db.session.scalars(select(Partner.id).order_by(Partner.id)))
        db.session.execute(insert(partner_gemeenten), [{"partner_id": p, "gemeente_id": rng.choice(gemeenten)}
                                                       for p in partner_ids])
        db.session.commit()

        # 1,000 events over five years, most of them past; 20 speeddates of 150, one upcoming event of 400.
        events = []
        first_day = now - timedelta(days=5 * 365)
        for n in range(SIZES["events"]):
            starts = first_day + timedelta(days=n * 5 * 365 // SIZES["events"], hours=rng.choice((9, 12, 14, 18)))
            if n < SIZES["speeddates"]:
                kind = EventType.SPEEDDATE
                starts = now + timedelta(days=10 + n) if n < 2 else first_day + timedelta(days=80 * n + 3)
            else:
                kind = rng.choice([EventType.ELP, EventType.LUNCHWEBINAR, EventType.OTHER])
            events.append({"slug": f"event-{n}", "type": kind, "title": f"{kind.value.title()} {n}",
                           "status": EventStatus.PUBLISHED if starts > now else EventStatus.CLOSED,
                           "starts_at": starts, "ends_at": starts + timedelta(hours=2), "capacity": 400,
                           "location": "Zaal De Schakel", "gemeente_id": rng.choice(gemeenten),
                           "created_at": starts - timedelta(days=40), "updated_at": starts - timedelta(days=40)})
        big = {"slug": "the-big-one", "type": EventType.ELP, "title": "Netwerkdag", "status": EventStatus.PUBLISHED,
               "starts_at": now + timedelta(days=30), "ends_at": now + timedelta(days=30, hours=6),
               "capacity": SIZES["big_event"], "location": "Zaal De Schakel", "gemeente_id": gemeenten[0]}
        db.session.execute(insert(Event), [*events, big])
        db.session.commit()
        event_rows = db.session.execute(select(Event.id, Event.type, Event.starts_at, Event.slug)
                                        .order_by(Event.id)).all()
        by_slug = {row.slug: row for row in event_rows}
        big_id = by_slug["the-big-one"].id
        speeddates = [by_slug[f"event-{n}"].id for n in range(SIZES["speeddates"])]

        # Registrations: 150 per speeddate, 400 for the big one, the rest spread over the other events.
        registrations, counts = [], {}
        others = [row for row in event_rows if row.id not in speeddates and row.id != big_id]
        plan = dict.fromkeys(speeddates, SIZES["speeddate_people"]) | {big_id: SIZES["big_event"]}
        left = SIZES["registrations"] - sum(plan.values())
        for index, row in enumerate(others):
            plan[row.id] = left // len(others) + (1 if index < left % len(others) else 0)
        starts_of = {row.id: row.starts_at for row in event_rows}
        token = 0
        for event_id, count in plan.items():
            people = rng.sample(partner_ids, count)
            for person in people:
                token += 1
                at = min(starts_of[event_id] - timedelta(days=rng.randint(2, 30)), now - timedelta(hours=1))
                registrations.append({
                    "event_id": event_id, "partner_id": person, "status": RegistrationStatus.CONFIRMED,
                    "attended": starts_of[event_id] < now and rng.random() < 0.9, "token": f"token-{token:08d}",
                    "created_at": at, "updated_at": at, "confirmed_at": at})
            counts[event_id] = count
        for start in range(0, len(registrations), 5000):
            db.session.execute(insert(Registration), registrations[start:start + 5000])
        for event_id, count in counts.items():
            db.session.execute(Event.__table__.update().where(Event.id == event_id).values(confirmed_count=count))
        db.session.commit()
        registration_rows = db.session.execute(select(Registration.id, Registration.event_id, Registration.partner_id,
                                                      Registration.token)).all()

        # Evaluations with answers (a third of the past registrations) and follow-up responses.
        questions: dict[str, list] = {}
        for question in db.session.scalars(select(Question).where(Question.active.is_(True))):
            questions.setdefault(question.event_type.value, []).append(question)
        types = {row.id: row.type.value for row in event_rows}
        past = [r for r in registration_rows if starts_of[r.event_id] < now and rng.random() < 0.33]
        responses = [{"event_id": r.event_id, "respondent": hashlib.sha256(r.token.encode()).hexdigest(),
                      "registration_id": None, "submitted_at": starts_of[r.event_id] + timedelta(days=1)}
                     for r in past]
        for start in range(0, len(responses), 5000):
            db.session.execute(insert(EvaluationResponse), responses[start:start + 5000])
        response_rows = db.session.execute(select(EvaluationResponse.id, EvaluationResponse.event_id)).all()
        answers = []
        for response in response_rows:
            for question in questions.get(types[response.event_id], []):
                if question.kind == QuestionKind.TEXT:
                    answers.append({"response_id": response.id, "question_id": question.id, "number": None,
                                    "text": "Goed georganiseerd, nuttige contacten."})
                elif question.kind in (QuestionKind.SCALE, QuestionKind.YES_NO):
                    number = rng.randint(1, 5) if question.kind == QuestionKind.SCALE else rng.randint(0, 1)
                    answers.append({"response_id": response.id, "question_id": question.id, "number": number,
                                    "text": None})
        for start in range(0, len(answers), 10000):
            db.session.execute(insert(Answer), answers[start:start + 10000])
        followups = [{"registration_id": r.id, "event_id": r.event_id, "used_contacts": rng.random() < 0.6,
                      "submitted_at": starts_of[r.event_id] + timedelta(days=100)} for r in past[::4]]
        db.session.execute(insert(FollowupResponse), followups)
        db.session.commit()

        # 100,000 outbox rows: what five years of registrations, reminders, evaluations and invitations leave.
        kinds = [Kind.CONFIRMED, Kind.REMINDER, "evaluation", "evaluation_reminder", "followup", Kind.INVITATION]
        body = "Beste Els,\n\nU bent ingeschreven voor het evenement hieronder.\n" * 6
        mails = []
        for n in range(SIZES["outbox"]):
            r = registration_rows[n % len(registration_rows)]
            kind = kinds[n // len(registration_rows) % len(kinds)] if n >= len(registration_rows) else Kind.CONFIRMED
            due = starts_of[r.event_id] + timedelta(days=rng.randint(-20, 90))
            pending = due > now
            mails.append({"idempotency_key": f"{kind}:{r.id}:{n}", "kind": str(kind), "recipient":
                          f"partner{r.partner_id}@example.org", "language": "nl",
                          "subject": f"{kind}: Evenement {r.event_id}",
                          "status": MailStatus.PENDING if pending else MailStatus.SENT,
                          "body_text": "" if pending else body, "body_html": "" if pending else f"<p>{body}</p>",
                          "render_when_due": pending, "due_at": due, "next_attempt_at": due,
                          "attempts": 0 if pending else 1, "last_error": "", "sent_at": None if pending else due,
                          "created_at": due - timedelta(days=10), "registration_id": r.id, "event_id": r.event_id,
                          "partner_id": r.partner_id})
        for start in range(0, len(mails), 5000):
            db.session.execute(insert(OutboxMail), mails[start:start + 5000])
        db.session.commit()

        # A seating plan per speeddate, made by the solver (0.3 s each).
        for event_id in speeddates:
            job = jobs.run_job(jobs.request_job(event_id, "generate", 0.3, background=False).id)
            assert job.plan_id is not None, job.error
        ids = {"big_event": big_id, "speeddate": speeddates[0], "sector": sectors[0],
               "year": (now - timedelta(days=365)).year}
        db.session.remove()
        db.engine.dispose()
    return ids


PAGES = [
    ("event list", "/admin/events"),
    ("event list, past", "/admin/events?past=1"),
    ("event page, 400 registrations", "/admin/events/{big_event}"),
    ("seating page, 150 people", "/admin/events/{speeddate}/seating/"),
    ("directory, filter + search", "/admin/directory/?sector={sector}&q=peeters"),
    ("outbox, first page", "/admin/outbox/"),
    ("outbox, search", "/admin/outbox/?person=Janssens"),
    ("year report", "/admin/report?year={year}"),
    ("invitation preview, 5,000", "/admin/events/{big_event}/invite?everyone=y"),
    ("export, 400 registrations", "/admin/events/{big_event}/registrations.csv"),
    ("healthz (floor)", "/healthz"),
]


def logged_in(port: int) -> Client:
    organiser = Client(port)
    token = CSRF.search(organiser.request("GET", "/login")[1])
    status = organiser.request("POST", "/login", {"email": ORGANISER[0], "password": ORGANISER[1],
                                                  "csrf_token": token.group(1) or token.group(2)})[0]
    if status != 302:
        raise RuntimeError(f"organiser login: {status}")
    return organiser


def measure(port: int, paths: dict[str, str], repeat: int, rounds: int, organisers: int) -> dict[str, dict]:
    single = {name: Timings() for name in paths}
    client = logged_in(port)
    for name, path in paths.items():
        client.timed(single[name], "GET", path, 200)  # warm the worker's caches once, not counted
        single[name] = Timings()
        for _ in range(repeat):
            client.timed(single[name], "GET", path, 200)
    together = {name: Timings() for name in paths}
    clients = [logged_in(port) for _ in range(organisers)]

    def walk(number: int) -> None:
        order = list(paths.items())
        random.Random(number).shuffle(order)
        for _ in range(rounds):
            for name, path in order:
                clients[number].timed(together[name], "GET", path, 200)

    with ThreadPoolExecutor(organisers) as pool:
        list(pool.map(walk, range(organisers)))
    return {name: {"single": single[name].figures(1.0), "five": together[name].figures(1.0),
                   "errors": single[name].errors[:3] + together[name].errors[:3]} for name in paths}


def report(figures: dict, db_name: str, build_seconds: float, cached: bool) -> None:
    print(f"pages benchmark, {db_name}: {SIZES['partners']} partners, {SIZES['events']} events, "
          f"{SIZES['registrations']} registrations, {SIZES['outbox']} outbox rows "
          f"({'cached zone' if cached else f'built in {build_seconds:.0f} s'})")
    print(f"{'page':<32} {'1 p50':>7} {'1 p95':>7} {'5 p50':>7} {'5 p95':>7}  single-user p95 <= "
          f"{TARGET_P95_MS:.0f} ms")
    for name, row in figures["pages"].items():
        one, five = row["single"], row["five"]
        verdict = "floor" if name.startswith("healthz") else ("yes" if one["p95_ms"] <= TARGET_P95_MS else "NO")
        print(f"{name:<32} {one['p50_ms']:>7.1f} {one['p95_ms']:>7.1f} {five['p50_ms']:>7.1f} "
              f"{five['p95_ms']:>7.1f}  {verdict}")
        for error in row["errors"]:
            print(f"  error: {error}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--organisers", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="speeddate-pages-"))
    server, started, cached = None, time.perf_counter(), False
    if args.db == "postgresql":
        from tests import postgres

        server = postgres.start(free_port())
        server.execute("CREATE DATABASE pages")
        url = server.url("pages")
        ids = build(url)
    else:
        args.cache.mkdir(parents=True, exist_ok=True)
        stored, stored_ids = args.cache / f"zone-{fingerprint()}.db", args.cache / f"zone-{fingerprint()}.json"
        if not stored.exists():
            ids = build(f"sqlite:///{folder / 'build.db'}")
            shutil.copy(folder / "build.db", stored)
            stored_ids.write_text(json.dumps(ids))
        else:
            cached = True
        ids = json.loads(stored_ids.read_text())
        shutil.copy(stored, folder / "pages.db")
        url = f"sqlite:///{folder / 'pages.db'}"
    build_seconds = time.perf_counter() - started
    try:
        process, port = start_gunicorn(url, args.workers, folder / "gunicorn.log")
        try:
            paths = {name: path.format(**ids) for name, path in PAGES}
            pages = measure(port, paths, args.repeat, args.rounds, args.organisers)
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        if server is not None:
            server.stop()
    slow = [name for name, row in pages.items()
            if not name.startswith("healthz") and row["single"]["p95_ms"] > TARGET_P95_MS]
    figures = {"db": args.db, "sizes": SIZES, "build_seconds": round(build_seconds, 1), "cached": cached,
               "pages": {name: {"single": {k: round(v, 1) for k, v in row["single"].items() if k != "rps"},
                                "five": {k: round(v, 1) for k, v in row["five"].items() if k != "rps"},
                                "errors": row["errors"]} for name, row in pages.items()},
               "over_target": slow}
    report(figures, args.db, build_seconds, cached)
    print(json.dumps({**figures, "pages": {name: {"single_p50": row["single"]["p50_ms"],
                                                  "single_p95": row["single"]["p95_ms"],
                                                  "five_p50": row["five"]["p50_ms"], "five_p95": row["five"]["p95_ms"],
                                                  "errors": len(row["errors"])}
                                           for name, row in figures["pages"].items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
