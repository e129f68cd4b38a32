"""Input that once cost a server error, minutes of work or an undeliverable mail is refused with a clear message.

The fuzz tests (test_fuzz.py) throw each class of bad input at every route; these tests pin down the messages and
that nothing changed.
"""

from datetime import timedelta

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.forms_common import MAX_ID, page_number, parse_id
from speeddate.models import EvaluationResponse, Event, Partner, QuestionKind, Registration
from speeddate.surveys.questions import questions_for
from tests.support import PARTNER, local_now, post_form


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("value", "expected"), [
    ("12", 12), (" 7 ", 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("99999999999999999999999", None),
    ("²", None), ("٣", None), ("0", None), ("-1", None), ("1.0", None), ("0x1", None), ("", None), (None, None),
    ("1" * 5000, None), (42, 42)])
def test_ids_are_ascii_digits_within_the_database_range(value, expected):
    assert parse_id(value) == expected


def test_a_page_number_that_is_not_one_means_the_first_page():
    assert [page_number(v) for v in ("3", "²", "99999999999999999999999", "-2", None)] == [3, 1, 1, 1, 1]


# Item 6: one visitor cannot keep a worker busy.

class QueryCounter:
    """Counts the SQL statements the app runs while it is active (those naming `table`, if given)."""

    def __init__(self, table: str = ""):
        self.table, self.statements = table, 0

    def __call__(self, connection, cursor, statement, *args):
        self.statements += f"FROM {self.table}" in statement

    def __enter__(self):
        sqlalchemy_event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", self)


def test_a_registration_with_a_hundred_thousand_gemeenten_is_refused_without_resolving_them(app, client, make_event):
    """Under the 2 MB request limit (larger requests get a 413): each value took its own query, 20-40 s in all."""
    event = make_event()
    with QueryCounter() as queries:
        response = post_form(client, f"/e/{event.slug}?lang=en",
                             {**PARTNER, "gemeenten": ["1"] * 100_000, "sector": ["1"] * 10_000})
    assert response.status_code == 400
    assert "Please choose at most 100 gemeenten from the list." in response.get_data(as_text=True)
    assert queries.statements < 30
    assert count(Registration) == 0


def test_the_gemeenten_of_a_registration_are_resolved_in_one_query(app, client, make_event):
    event = make_event()
    values = ["Oostkamp", "beernem", "3", "Zedelgem", "1", "oostkamp"] * 16  # 96 values naming 3 gemeenten
    client.get(f"/e/{event.slug}")  # the form's choices are built once per process: not part of the count
    with QueryCounter("gemeenten") as one:
        post_form(client, f"/e/{event.slug}", {**PARTNER, "email": "a@example.org", "gemeenten": values[:6]})
    with QueryCounter("gemeenten") as many:
        response = post_form(client, f"/e/{event.slug}", {**PARTNER, "email": "b@example.org", "gemeenten": values})
    assert response.status_code in (200, 302)
    assert many.statements == one.statements
    partner = db.session.scalar(select(Partner).where(Partner.email == "b@example.org"))
    assert sorted(g.name for g in partner.gemeenten) == ["Beernem", "Oostkamp", "Zedelgem"]


@pytest.mark.parametrize("value", ["Atlantis", "99", "²", "٣", "99999999999999999999999", "x" * 300])
def test_an_unknown_gemeente_or_sector_is_refused_with_a_message(app, client, make_event, value):
    event = make_event()
    for field, message in (("gemeenten", "Please choose gemeenten from the list."),
                           ("sector", "Please choose a sector from the list.")):
        response = post_form(client, f"/e/{event.slug}?lang=en", {**PARTNER, field: value})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert count(Registration) == 0


# Item 8: dates at the ends of the calendar.

FAR_DATES = ["0001-01-01T10:00", "1999-12-31T10:00", "2101-01-01T10:00", "9999-12-31T22:00"]


def event_form(start: str, end: str | None = None) -> dict:
    return {"type": "elp", "title": "Eerstelijnsplatform", "description": "", "starts_at": start,
            "ends_at": end or start.replace("T10:", "T12:").replace("T22:", "T23:"), "registration_deadline": "",
            "location": "", "online_url": "", "gemeente": "", "capacity": "50",
            "evaluation_reminder_days": "7", "evaluation_close_days": "21", "followup_months": "0"}


@pytest.mark.parametrize("start", FAR_DATES)
def test_an_event_far_in_the_past_or_future_is_refused(organiser, start):
    response = post_form(organiser, "/admin/events/new?lang=en", event_form(start), form_url="/admin/events/new")
    assert response.status_code < 500
    assert "Please give dates between 2000 and 2100." in response.get_data(as_text=True)
    assert count(Event) == 0


@pytest.mark.parametrize("start", FAR_DATES)
def test_an_event_cannot_be_moved_far_into_the_past_or_future(organiser, make_event, start):
    event = make_event()
    before = (event.starts_at, event.ends_at)
    response = post_form(organiser, f"/admin/events/{event.id}/edit?lang=en", event_form(start),
                         form_url=f"/admin/events/{event.id}/edit")
    assert "Please give dates between 2000 and 2100." in response.get_data(as_text=True)
    db.session.rollback()
    assert (db.session.get(Event, event.id).starts_at, db.session.get(Event, event.id).ends_at) == before


@pytest.mark.parametrize("start", FAR_DATES)
def test_the_cli_refuses_an_event_far_in_the_past_or_future(runner, start):
    end = start.replace("T10:", "T12:").replace("T22:", "T23:")
    result = runner.invoke(args=["events", "create", "--title", "T", "--type", "elp", "--capacity", "10",
                                 "--start", start, "--end", end])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Geef datums tussen 2000 en 2100." in result.output  # in the zone's language
    assert count(Event) == 0


def test_a_deadline_far_in_the_past_is_refused(organiser):
    start = (local_now() + timedelta(days=10)).strftime("%Y-%m-%dT10:00")
    response = post_form(organiser, "/admin/events/new?lang=en",
                         {**event_form(start), "registration_deadline": "0001-01-01T00:00"},
                         form_url="/admin/events/new")
    assert "Please give dates between 2000 and 2100." in response.get_data(as_text=True)
    assert count(Event) == 0


# Item 11: names hide nothing; every address given can be mailed.

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
             "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u00ad"]
C1_CONTROLS = ["\x80", "\x85", "\x9b", "\x9f"]


@pytest.mark.parametrize("character", INVISIBLE + C1_CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_and_control_characters_are_refused_in_names(app, client, make_event, character):
    event = make_event()
    for field, value in (("first_name", f"El{character}s"), ("last_name", character * 3),
                         ("organisation", f"{character}CAW"), ("function", f"Arts{character}")):
        response = post_form(client, f"/e/{event.slug}?lang=en", {**PARTNER, field: value})
        assert response.status_code == 400, field
        page = response.get_data(as_text=True)
        assert ("Please leave out invisible characters" in page  # C1 controls are refused in any field
                if character in INVISIBLE else "contains control characters that no field can hold" in page), field
    assert count(Partner) == 0


def test_a_name_made_only_of_zero_width_characters_is_refused(app, client, make_event):
    response = post_form(client, f"/e/{make_event().slug}?lang=nl", {**PARTNER, "first_name": "\u200b\u200d\ufeff"})
    assert response.status_code == 400
    assert "Laat onzichtbare tekens weg" in response.get_data(as_text=True)
    assert count(Partner) == 0


def test_ordinary_names_from_many_languages_are_accepted(app, client, make_event):
    event = make_event()
    for number, name in enumerate(["Zoë", "Jean-François", "Ångström", "D'Hondt", "Łukasz", "Çelik", "محمد"]):
        response = post_form(client, f"/e/{event.slug}",
                             {**PARTNER, "first_name": name, "email": f"p{number}@example.org"})
        assert response.status_code in (200, 302), name
    assert count(Partner) == 7


@pytest.mark.parametrize(("language", "message"), [
    ("nl", "Gebruik een adres met alleen Latijnse letters"),
    ("fr", "Utilisez une adresse composée uniquement de lettres latines"),
    ("en", "Please use an address with only Latin letters")])
def test_an_address_with_a_non_ascii_local_part_is_refused_at_registration(app, client, make_event, language,
                                                                          message):
    response = post_form(client, f"/e/{make_event().slug}?lang={language}", {**PARTNER, "email": "jürgen@example.org"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(Partner) == 0


def test_an_address_whose_domain_the_worker_would_spell_differently_is_refused(app, client, make_event):
    """Python's IDNA 2003 codec, which the mail worker uses, turns faß.example into fass.example: another domain,
    which would get the partner's personal link."""
    response = post_form(client, f"/e/{make_event().slug}?lang=en", {**PARTNER, "email": "els@faß.example"})
    assert response.status_code == 400
    assert "Our mail server cannot reach this address's domain as written" in response.get_data(as_text=True)
    assert count(Partner) == 0


def test_an_address_at_an_international_domain_is_mailed_in_punycode(app, client, make_event, mailbox):
    post_form(client, f"/e/{make_event().slug}", {**PARTNER, "email": "els@bücher.example"})
    assert count(Partner) == 1
    mailbox.deliver()
    assert [m["To"] for m in mailbox.messages] == ["els@xn--bcher-kva.example"]


# The command line: ids, capacities and ages beyond what the database or the calendar holds are usage errors.

@pytest.mark.parametrize("args", [
    ["events", "export", "99999999999999999999999"], ["events", "export", "2147483648"],
    ["evaluations", "export", "99999999999999999999999"], ["seating", "generate", "99999999999999999999999"],
    ["seating", "export", "99999999999999999999999"],
    ["events", "create", "--title", "T", "--type", "elp", "--start", "2027-01-01T10:00", "--end",
     "2027-01-01T12:00", "--capacity", "99999999999999999999999"],
    ["privacy", "purge", "--older-than", "99999999999999999999y", "--dry-run"],
    ["privacy", "purge", "--older-than", "٣y", "--dry-run"]])
def test_the_cli_refuses_numbers_beyond_the_database_as_a_usage_error(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert count(Event) == 0


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999999", "1" * 5000])
def test_an_evaluation_answer_in_odd_digits_gets_the_forms_message_not_pythons(client, make_event, register_link,
                                                                              clock, value):
    event = make_event()
    link = register_link(event)
    db.session.refresh(event)
    clock.set(event.ends_at + timedelta(hours=1))
    scale = next(q for q in questions_for(event.type) if q.kind == QuestionKind.SCALE)
    response = post_form(client, f"{link}/evaluation?lang=en", {f"q{scale.id}": value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please choose one of the answers given." in page
    assert "invalid literal" not in page and "int()" not in page
    assert count(EvaluationResponse) == 0
