"""Hypothesis throws arbitrary input at the public registration form and the CSV/XLSX import, and every route,
public and organiser, gets each class of input that once gave a server error; all on SQLite and PostgreSQL.

Whatever comes in: never a server error, and nothing stored that a valid form or file could not have produced
(addresses that validate, names stripped and free of control and format characters, lengths within the columns).
"""

import csv
import io
import re
import unicodedata
from datetime import timedelta

import pytest
from email_validator import validate_email
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter, IntegerConverter, Rule
from wtforms.fields.core import UnboundField

from speeddate import tokens
from speeddate.auth.services import create_user
from speeddate.directory import import_file, imports
from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import Event, EventType, Organisation, Partner, Registration
from tests.support import PARTNER, RequestClient, local_now

FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Text as people and attackers send it: any unicode (control characters, RTL marks, surrogates excluded by
# UTF-8), markup, formulas, very long values, and now and then the valid value.
nasty = st.one_of(st.text(max_size=300), st.sampled_from(["", " ", "<script>alert(1)</script>", "=HYPERLINK(\"x\")",
                                                          "\x00", "\u202e", "a" * 5000, "Robert'); DROP TABLE--"]))


def field(valid: str) -> st.SearchStrategy:
    """Mostly the valid value, so that whole forms often pass and the odd field's effect on storage shows."""
    return st.one_of(st.just(valid), st.just(valid), st.just(valid), nasty)


registration_forms = st.fixed_dictionaries(
    {name: field(str(value)) for name, value in PARTNER.items() if name not in ("gemeenten", "email", "language")}
    | {"email": st.one_of(field(PARTNER["email"]), st.emails()), "language": st.one_of(field("fr"), field("nl"))},
    optional={"gemeenten": st.lists(field("Oostkamp"), max_size=3), "consent_followup": field("y")})


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def clean(text: str, limit: int) -> bool:
    """Stored text is stripped, within its column, and has no control or format characters."""
    return (text == text.strip() and len(text) <= limit
            and not any(unicodedata.category(c) in ("Cc", "Cs", "Cf") for c in text))


def assert_no_stored_garbage() -> None:
    for partner in db.session.scalars(select(Partner)):
        validate_email(partner.email, check_deliverability=False)
        assert partner.email == partner.email.lower().strip()
        assert clean(partner.first_name, 100) and partner.first_name and clean(partner.last_name, 100)
        assert clean(partner.function, 150) and clean(partner.phone, 40) and partner.language in ("nl", "fr", "en")
    for organisation in db.session.scalars(select(Organisation)):
        assert clean(organisation.name, 200) and organisation.name


def test_the_registration_form_never_fails_and_stores_only_clean_data(any_app):
    any_app.test_client_class = RequestClient
    client, event = any_app.test_client(), upcoming_event(capacity=1000)

    @FUZZ
    @given(form=registration_forms)
    def post(form):
        db.session.rollback()
        before = count(Registration), count(Partner)
        response = client.post(f"/e/{event.slug}", data=form)
        assert response.status_code in (200, 302, 400), response.status_code
        db.session.rollback()
        if response.status_code == 400:  # refused: the form, or a NUL anywhere; a registration answers 200
            assert (count(Registration), count(Partner)) == before
        assert_no_stored_garbage()

    post()


header_cells = st.lists(st.one_of(st.sampled_from([*import_file.COLUMNS, "voornaam", "e-mail", "gemeente", "taal"]),
                                  st.text(max_size=20)), min_size=1, max_size=12)
cells = st.one_of(nasty, st.emails(), st.sampled_from(["Oostkamp", "Huisartsen", "nl", "050 12 34 56"]))


@st.composite
def tables(draw) -> list[list[str]]:
    header = draw(header_cells)
    if draw(st.booleans()):
        header[0] = "email"
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=len(header) + 2), max_size=8))
    return [header, *rows]


def as_csv(table: list[list[str]], delimiter: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(table)
    return buffer.getvalue().encode("utf-8", errors="surrogatepass")


def as_xlsx(table: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in table:
        workbook.active.append([_xlsx_safe(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_safe(cell: str) -> str:
    """openpyxl refuses control characters in cells (a real file cannot hold them either)."""
    return "".join(c for c in cell if ord(c) >= 32 or c in "\t\n\r")


files = st.one_of(
    st.tuples(tables(), st.sampled_from([";", ","])).map(lambda t: (as_csv(*t), "partners.csv")),
    tables().map(lambda t: (as_xlsx(t), "partners.xlsx")),
    st.binary(max_size=2000).map(lambda b: (b, "partners.csv")),
    st.binary(max_size=2000).map(lambda b: (b"PK\x03\x04" + b, "partners.xlsx")),
)


def test_the_import_never_fails_and_imports_all_or_nothing_and_only_clean_rows(any_app):
    @FUZZ
    @given(upload=files)
    def import_a_file(upload):
        content, name = upload
        db.session.rollback()
        before = count(Partner)
        try:
            rows = import_file.read_rows(content, name)
            plan = imports.apply_import(rows)
        except import_file.ImportFileError:
            assert count(Partner) == before
            return
        except imports.ImportBlocked as blocked:
            assert blocked.plan.blocked
            db.session.rollback()
            assert count(Partner) == before, "nothing half-imported"
            return
        db.session.rollback()
        assert count(Partner) <= before + len(plan.rows)
        assert_no_stored_garbage()

    import_a_file()


# Classes of input that gave HTTP 500 somewhere, thrown at every route (public and organiser) on both databases:
# digits that are not ASCII (str.isdigit() is True for them), integers beyond the database's, NUL bytes, and
# dates at the ends of the calendar. Every field name of every form and every query parameter read gets the value.
BAD_NUMBERS = ["²", "٣", "99999999999999999999999", "2147483648", "-1", "0", "1.5", "0x1"]
BAD_TEXTS = ["a\x00b", "\x00", "0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01", "9999-12-31"]
BAD_PATH_TEXTS = ["²", "%00", "a%00b", "%C2%85", "%E2%80%AE", "a" * 3000, "..%2F..%2Fsecret_key", "%FF%FE", "x.y"]
QUERY_PARAMETERS = ["page", "gemeente", "sector", "cluster", "organisation", "type", "status", "year", "start", "end",
                    "past", "q", "part", "next", "lang", "activity", "attended", "used_contacts", "comment",
                    "round", "circle", "person", "swap", "swap-first", "swap-second", "level"]


def form_field_names() -> set[str]:
    """The field names of every form of the app, so that a form added later is covered too."""
    forms, todo = set(), [FlaskForm]
    while todo:
        form = todo.pop()
        forms.add(form)
        todo.extend(form.__subclasses__())
    return {name for form in forms for name, _ in getattr(form, "_unbound_fields", None) or []
            } | {name for form in forms for name in vars(form) if isinstance(vars(form)[name], UnboundField)}


@pytest.fixture
def any_app(any_app):
    app = any_app
    app.config.update(WTF_CSRF_ENABLED=False, RATE_LIMIT_ENABLED=False)
    return app


def upcoming_event(capacity: int = 20) -> Event:
    """A published speeddate tomorrow, made through the service (the make_event fixture is SQLite's)."""
    start = local_now().replace(second=0) + timedelta(days=1)
    return events.create_event(events.EventData(
        type=EventType.SPEEDDATE, title="Speeddate", starts_at=start, ends_at=start + timedelta(hours=2),
        capacity=capacity, catering=True), publish=True)


@pytest.fixture
def world(any_app) -> dict[str, str]:
    """An organiser logged in, an event with a registration and answers; the values for each URL argument."""
    client = any_app.test_client()
    create_user("fuzz@elz.example", "a-long-password", admin=True)
    event = upcoming_event()
    assert client.post(f"/e/{event.slug}", data=PARTNER).status_code in (200, 302)
    db.session.rollback()
    token = tokens.sign(db.session.scalar(select(Registration)).token)
    event = db.session.get(Event, event.id)
    event.starts_at, event.ends_at = event.starts_at - timedelta(days=2), event.ends_at - timedelta(days=2)
    db.session.commit()  # ended, so that its evaluation takes answers
    partner = db.session.scalar(select(Partner))
    assert client.post("/login", data={"email": "fuzz@elz.example", "password": "a-long-password"}).status_code == 302
    return {"client": client, "token": token, "slug": event.slug, "key": "x", "status": "published",
            "action": "start", "file_format": "csv", "unsubscribe": tokens.unsubscribe_token(partner.id)}


def fuzzed_routes(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in ("static", "auth.logout")]


def url_of(rule: Rule, world: dict, number: str | None, text: str | None = None) -> str:
    """The rule's URL: integer arguments `number` (or 1, which exists for every kind), text arguments (tokens,
    slugs, keys) `text` or else from the world."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = number or "1"
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif text is not None:
            values[name] = text
        elif name == "token" and rule.endpoint == "partners.unsubscribe":
            values[name] = world["unsubscribe"]
        else:
            values[name] = world.get(name, "x")
    return re.sub(r"<(?:[^<>]+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule.rule)


def assert_no_server_error(any_app, world, value: str, in_path: str = "") -> None:
    """Every route with `value` in every field and query parameter, and in its path's integer (in_path="number")
    or text (in_path="text") arguments."""
    client, names = world["client"], sorted(form_field_names() | set(QUERY_PARAMETERS))
    failures = []
    for rule in fuzzed_routes(any_app):
        url = url_of(rule, world, value if in_path == "number" else None, value if in_path == "text" else None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = dict.fromkeys(names, value) | {f"q{n}": value for n in range(1, 30)}
            db.session.rollback()
            try:
                with any_app.app_context():
                    response = client.open(url, method=method, query_string=data,
                                           data=data if method == "POST" else None)
            except Exception as error:  # the test app propagates what would be a 500  # noqa: BLE001
                failures.append(f"{method} {rule.rule}: {error!r}"[:300])
                continue
            if response.status_code >= 500:
                failures.append(f"{method} {rule.rule}: {response.status_code}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("number", BAD_NUMBERS)
def test_no_route_fails_on_a_malformed_or_huge_id_in_its_path(any_app, world, number):
    assert_no_server_error(any_app, world, number, in_path="number")


@pytest.mark.parametrize("text", BAD_PATH_TEXTS, ids=repr)
def test_no_route_fails_on_a_malformed_token_slug_or_key_in_its_path(any_app, world, text):
    assert_no_server_error(any_app, world, text, in_path="text")


@pytest.mark.parametrize("value", BAD_NUMBERS + BAD_TEXTS)
def test_no_route_fails_on_malformed_numbers_nul_bytes_or_far_dates_in_any_field(any_app, world, value):
    assert_no_server_error(any_app, world, value)
