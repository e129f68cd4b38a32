"""Plan view benchmark: the seating plan of a 150-person speeddate drawn per round, one person's rounds, a swap
preview.

    python bench/plan_view.py [--people 150] [--pairs-per-circle 75] [--repeat 7]

Builds a throw-away SQLite database, registers the people through the service, generates a plan with the solver
(3 s), logs an organiser in and requests each page through the test client. Prints the median and the slowest of
`repeat` requests per page, side by side with the seating page (figures and sector matrix, which existed before
the view) measured in the same run on the same plan.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from speeddate import create_app  # noqa: E402
from speeddate.auth.services import create_user  # noqa: E402
from speeddate.events import services as events  # noqa: E402
from speeddate.extensions import db  # noqa: E402
from speeddate.models import JobStatus, SeatingPlan  # noqa: E402
from speeddate.partners.services import PartnerDetails, register  # noqa: E402
from speeddate.seating import constraints, jobs  # noqa: E402
from speeddate.zone.services import sectors_by_cluster  # noqa: E402
from tests.support import csrf_token  # noqa: E402


def speeddate(people: int, pairs_per_circle: int) -> tuple[int, int, list[int]]:
    """A speeddate with `people` registered (three per organisation, sectors in turn) and a generated plan."""
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=14)
    event = events.create_event(events.EventData(type=events.EventType.SPEEDDATE, title="Bench speeddate",
                                                 starts_at=start, ends_at=start + timedelta(hours=3),
                                                 capacity=people), publish=True)
    sectors = [s for cluster in sectors_by_cluster() for s in cluster.sectors]
    for n in range(people):
        details = PartnerDetails(f"Voornaam{n}", f"Achternaam{n}", f"Organisatie {n // 3}", sectors[n % len(sectors)])
        register(event.id, f"p{n}@bench.example", details)
    constraints.save_settings(event.id, constraints.SettingsData(8, 7, 1, pairs_per_circle, True))
    job = jobs.run_job(jobs.request_job(event.id, "generate", 3.0, background=False).id)
    assert job.status == JobStatus.DONE, job.error
    ids = [r.id for r in constraints.confirmed_registrations(event.id)]
    return event.id, db.session.get_one(SeatingPlan, job.plan_id).id, ids


def timed(client, url: str, repeat: int) -> tuple[float, float]:
    """Median and slowest seconds of `repeat` requests (after one to warm the caches)."""
    assert client.get(url).status_code == 200, url
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200, url
    return statistics.median(seconds), max(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--pairs-per-circle", type=int, default=75)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench",
                          "MAIL_SUPPRESS_SEND": True, "PUBLIC_BASE_URL": "http://bench.test"})
        with app.app_context():
            upgrade()
            event_id, plan_id, ids = speeddate(args.people, args.pairs_per_circle)
            create_user("bench@elz.example", "a-long-password", admin=True)
            db.session.remove()
            client = app.test_client()
            client.post("/login", data={"email": "bench@elz.example", "password": "a-long-password",
                                        "csrf_token": csrf_token(client, "/login")})
            base = f"/admin/events/{event_id}/seating/"
            pages = [("seating page (baseline)", base),
                     ("plan view, round 1", f"{base}plans/{plan_id}/view"),
                     ("plan view, last round + search", f"{base}plans/{plan_id}/view?round=8&q=Voornaam1"),
                     ("one person's rounds", f"{base}plans/{plan_id}/view?person={ids[0]}"),
                     ("swap preview", f"{base}plans/{plan_id}/swap/preview?first={ids[0]}&second={ids[-1]}")]
            print(f"{args.people} people, {args.pairs_per_circle} pairs per circle, 8 rounds, "
                  f"median and slowest of {args.repeat} requests")
            print(f"{'page':34} {'median s':>9} {'slowest s':>10} {'KB':>6}")
            for name, url in pages:
                median, slowest = timed(client, url, args.repeat)
                size = len(client.get(url).data) / 1024
                print(f"{name:34} {median:9.3f} {slowest:10.3f} {size:6.0f}")


if __name__ == "__main__":
    main()
