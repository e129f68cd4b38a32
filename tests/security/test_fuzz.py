"""Hypothesis throws arbitrary input at the public registration form and the CSV/XLSX import.

Whatever comes in: never a server error, and nothing stored that a valid form or file could not have produced
(addresses that validate, names stripped and free of control characters, lengths within the columns).
"""

import csv
import io
import unicodedata

from email_validator import validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from speeddate.directory import imports
from speeddate.extensions import db
from speeddate.models import Organisation, Partner, Registration
from tests.conftest import PARTNER

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
            and not any(unicodedata.category(c) in ("Cc", "Cs") for c in text))


def assert_no_stored_garbage() -> None:
    for partner in db.session.scalars(select(Partner)):
        validate_email(partner.email, check_deliverability=False)
        assert partner.email == partner.email.lower().strip()
        assert clean(partner.first_name, 100) and partner.first_name and clean(partner.last_name, 100)
        assert clean(partner.function, 150) and clean(partner.phone, 40) and partner.language in ("nl", "fr", "en")
    for organisation in db.session.scalars(select(Organisation)):
        assert clean(organisation.name, 200) and organisation.name


def test_the_registration_form_never_fails_and_stores_only_clean_data(app, client, make_event):
    app.config.update(WTF_CSRF_ENABLED=False, RATE_LIMIT_ENABLED=False)
    event = make_event(capacity=1000)

    @FUZZ
    @given(form=registration_forms)
    def post(form):
        db.session.rollback()
        before = count(Registration), count(Partner)
        data = {key: [v.replace("\x00", "") for v in value] if isinstance(value, list) else value
                for key, value in form.items()}
        response = client.post(f"/e/{event.slug}", data=data)
        assert response.status_code in (200, 302, 400), response.status_code
        db.session.rollback()
        if response.status_code != 302:
            assert (count(Registration), count(Partner)) == before
        assert_no_stored_garbage()

    post()


header_cells = st.lists(st.one_of(st.sampled_from([*imports.COLUMNS, "voornaam", "e-mail", "gemeente", "taal"]),
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


def test_the_import_never_fails_and_imports_all_or_nothing_and_only_clean_rows(app):
    @FUZZ
    @given(upload=files)
    def import_file(upload):
        content, name = upload
        db.session.rollback()
        before = count(Partner)
        try:
            rows = imports.read_rows(content, name)
            plan = imports.apply_import(rows)
        except imports.ImportFileError:
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

    import_file()
