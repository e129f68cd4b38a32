"""Who reaches what: every organiser route needs a login, every personal route its own intact token.

The routes come from the app's URL map, so a route added later is checked too (or fails the inventory test).
"""

import re

import pytest
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from speeddate import create_app
from speeddate.extensions import db
from speeddate.models import Partner
from speeddate.privacy.services import erase_partner
from speeddate.tokens import unsubscribe_token
from tests.support import PARTNER, csrf_token, personal_link, post_form

PUBLIC = {"partners.index", "partners.event", "partners.calendar_feed", "auth.login", "auth.logout", "static",
          "ops.healthz", "calendar.page", "calendar.feed"}
OTHER = {**PARTNER, "first_name": "Bart", "last_name": "Vermeulen", "email": "bart.vermeulen@example.org"}


def routes(predicate) -> list[tuple[Rule, str]]:
    """(rule, method) for every route of a fresh app that the predicate selects."""
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "routes"})
    return [(rule, method) for rule in app.url_map.iter_rules() if predicate(rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def is_organiser(rule: Rule) -> bool:
    return rule.rule.startswith("/admin")


def is_personal(rule: Rule) -> bool:
    return "token" in rule.arguments


def url_for_rule(rule: Rule, **values) -> str:
    """A URL for the rule with made-up but well-formed values for the arguments not given."""
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values.setdefault(name, 1)
        elif isinstance(converter, AnyConverter):
            values.setdefault(name, sorted(converter.items)[0])
        else:
            values.setdefault(name, "x")
    return re.sub(r"<(?:[^<>]+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule.rule)


def test_every_route_is_public_organiser_only_or_personal():
    unclassified = [rule.rule for rule, _ in routes(lambda rule: True)
                    if not (is_organiser(rule) or is_personal(rule) or rule.endpoint in PUBLIC)]
    assert unclassified == []


def request(client, rule: Rule, method: str):
    url = url_for_rule(rule)
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(client, "/login")})


@pytest.mark.parametrize(("rule", "method"), routes(is_organiser), ids=lambda v: getattr(v, "rule", v))
def test_anonymous_visitors_are_sent_to_the_login_for_every_organiser_route(app, client, make_event, rule, method):
    make_event()
    response = request(client, rule, method)
    assert response.status_code == 302 and response.location.startswith("/login?next="), response.status_code


@pytest.mark.parametrize(("rule", "method"), routes(is_organiser), ids=lambda v: getattr(v, "rule", v))
def test_a_partner_with_a_valid_personal_link_gets_nothing_from_organiser_routes(
        app, client, make_event, rule, method):
    post_form(client, f"/e/{make_event().slug}", PARTNER)
    link = personal_link()
    assert client.get(link).status_code == 200
    token = link.rsplit("/", 1)[1]
    response = request(client, rule, method)
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    with_token = client.get(url_for_rule(rule) + f"?token={token}")
    assert with_token.status_code in (302, 405)


@pytest.fixture
def two_partners(client, make_event):
    """Personal tokens of two partners registered for one event."""
    event = make_event()
    post_form(client, f"/e/{event.slug}", PARTNER)
    post_form(client, f"/e/{event.slug}", OTHER)
    first = personal_link(PARTNER["email"]).rsplit("/", 1)[1]
    second = personal_link(OTHER["email"]).rsplit("/", 1)[1]
    return first, second


def tampered(token: str) -> list[str]:
    """The link with one character of its random part, or of its signature, changed.

    Not the last character: base64 leaves bits unused there, so some changes decode to the same signature.
    """
    body, signature = token.rsplit(".", 1)
    swap = {"A": "B"}.get
    return [f"{swap(body[0], 'A')}{body[1:]}.{signature}", f"{body}.{swap(signature[0], 'A')}{signature[1:]}"]


@pytest.mark.parametrize(("rule", "method"), routes(is_personal), ids=lambda v: getattr(v, "rule", v))
def test_a_tampered_or_made_up_token_reaches_no_personal_route(app, client, two_partners, rule, method):
    first, _ = two_partners
    for token in (*tampered(first), "made-up", first.split(".")[0]):
        url = url_for_rule(rule, token=token)
        response = client.get(url) if method == "GET" else client.post(
            url, data={**PARTNER, "csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 404, (token, response.status_code)


def is_personal_page(rule: Rule) -> bool:
    return rule.rule.startswith("/r/")


@pytest.mark.parametrize(("rule", "method"), [(rule, method) for rule, method in routes(is_personal_page)
                                              if method == "GET"], ids=lambda v: getattr(v, "rule", v))
def test_a_personal_link_shows_its_own_partner_and_never_another(app, client, two_partners, rule, method):
    first, second = two_partners
    for mine, theirs in ((first, OTHER), (second, PARTNER)):
        page = client.get(url_for_rule(rule, token=mine)).get_data(as_text=True)
        assert theirs["email"] not in page and theirs["last_name"] not in page


def test_link_kinds_are_not_interchangeable(app, client, two_partners):
    first, _ = two_partners
    assert client.get(f"/u/{first}").status_code == 404
    partner_id = db.session.scalar(select(Partner.id).where(Partner.email == PARTNER["email"]))
    assert client.get(f"/r/{unsubscribe_token(partner_id)}").status_code == 404
    assert client.get(f"/u/{unsubscribe_token(partner_id)}").status_code == 200


def test_an_erased_partners_old_link_no_longer_works(app, client, two_partners):
    first, second = two_partners
    erase_partner(db.session.scalar(select(Partner.id).where(Partner.email == PARTNER["email"])))
    assert client.get(f"/r/{first}").status_code == 404
    assert client.get(f"/r/{first}/my-data.json").status_code == 404
    assert client.get(f"/r/{second}").status_code == 200
