"""Importing partners from CSV and XLSX: preview, one transaction, hostile files."""

import io

import pytest
from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import func, select

from speeddate import demo
from speeddate.directory import import_file, imports, services
from speeddate.exports import to_csv, to_xlsx
from speeddate.extensions import db
from speeddate.models import Organisation, Partner

HEADER = "email;voornaam;achternaam;organisatie;sector;gemeente;functie;telefoon;taal\n"
GOOD = ("els@example.org;Els;Peeters;Huisartsenpraktijk Oostkamp;Huisartsen;Oostkamp|Beernem;Huisarts;050 12 34 56;nl\n"
        "jerome@example.org;Jérôme;Dupont;Apotheek De Linde;Apothekers;Zedelgem;;;fr\n")


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


def partner_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Partner))


def run(content: bytes, name: str = "partners.csv", skip: frozenset[int] = frozenset()) -> imports.ImportPlan:
    return imports.apply_import(import_file.read_rows(content, name), skip)


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_semicolon_csv_in_any_belgian_encoding_creates_the_partners(app, encoding):
    plan = run((HEADER + GOOD).encode(encoding))
    assert plan.counts[imports.Action.CREATE] == 2
    jerome = db.session.scalar(select(Partner).where(Partner.last_name == "Dupont"))
    assert (jerome.first_name, jerome.language, jerome.sector.name) == ("Jérôme", "fr", "Apothekers")
    els = db.session.scalar(select(Partner).where(Partner.email == "els@example.org"))
    assert [g.name for g in els.gemeenten] == ["Beernem", "Oostkamp"]
    assert els.consent_invitations_at is None


def test_importing_the_same_file_twice_changes_nothing(app):
    run((HEADER + GOOD).encode())
    plan = run((HEADER + GOOD).encode())
    assert plan.counts[imports.Action.SKIP] == 2
    assert partner_count() == 2


def test_email_matches_in_any_letter_case_and_updates_only_filled_cells(app):
    run((HEADER + GOOD).encode())
    plan = run((HEADER + "ELS@Example.ORG;;;;;;Coördinator;;\n").encode())
    assert [row.action for row in plan.rows] == [imports.Action.UPDATE]
    els = db.session.scalar(select(Partner).where(Partner.email == "els@example.org"))
    assert (els.function, els.first_name, partner_count()) == ("Coördinator", "Els", 2)


def test_comma_csv_with_english_headers_works(app):
    content = b"email,first_name,last_name,organisation\nan@example.org,An,Aerts,CAW\n"
    assert run(content).counts[imports.Action.CREATE] == 1


@pytest.mark.parametrize("bad_row, reason", [
    ("x@example.org;=HYPERLINK(\"http://evil\";\"klik\");Peeters;;;;;;", "formula"),
    ("x@example.org;@SUM(A1);Peeters;;;;;;", "formula"),
    ("x@example.org;<script>alert(1)</script>;Peeters;;;;;;", "< or >"),
    ("x@example.org;Els;Peeters;;Astrologen;;;;", "unknown sector"),
    ("x@example.org;Els;Peeters;;;Atlantis;;;", "unknown gemeente"),
    ("geen-email;Els;Peeters;;;;;;", "not a valid email"),
    ("x@example.org;;;;;;;;", "new person needs"),
    ("x@example.org;Els;Peeters;;;;;=1+1;", "phone"),
    ("x@example.org;Els;Peeters;;;;;;de", "language"),
    ("els@example.org;Els;Peeters;;;;;;", "same email as row 2"),
    ("x@example.org;" + "E" * 101 + ";Peeters;;;;;;", "longer than"),
])
def test_a_bad_row_blocks_the_whole_import_and_says_why(app, bad_row, reason):
    content = (HEADER + GOOD + bad_row + "\n").encode()
    with pytest.raises(imports.ImportBlocked) as blocked:
        run(content)
    bad = [row for row in blocked.value.plan.rows if row.action == imports.Action.ERROR]
    assert [row.line for row in bad] == [4]
    assert reason in " ".join(bad[0].reasons)
    assert partner_count() == 0


def test_skipping_the_bad_row_imports_the_others(app):
    content = (HEADER + GOOD + "x@example.org;<b>Els</b>;Peeters;;;;;;\n").encode()
    plan = run(content, skip=frozenset({4}))
    assert plan.counts[imports.Action.CREATE] == 2 and partner_count() == 2


def test_xlsx_formulas_are_read_as_text_and_refused(app):
    content = xlsx([["email", "first_name", "last_name", "phone"],
                    ["a@example.org", "An", "Aerts", 50123456],
                    ["b@example.org", "=HYPERLINK(\"http://evil\",\"x\")", "Bos", None]])
    with pytest.raises(imports.ImportBlocked) as blocked:
        run(content, "partners.xlsx")
    assert [row.action for row in blocked.value.plan.rows] == [imports.Action.CREATE, imports.Action.ERROR]
    plan = run(content, "partners.xlsx", skip=frozenset({3}))
    assert plan.counts[imports.Action.CREATE] == 1
    assert db.session.scalar(select(Partner.phone)) == "50123456"


@pytest.mark.parametrize("content, name", [
    (b"", "empty.csv"),
    (b"naam;adres\nEls;Brugge\n", "no-email.csv"),
    (b"PK\x03\x04 not really a zip", "broken.xlsx"),
    (b"email\x00\x01\x02", "binary.csv"),
    (b"email\n" + b"a@example.org\n" * (import_file.MAX_ROWS + 1), "many.csv"),
    (b"email\n" + b"x" * import_file.MAX_BYTES, "huge.csv"),
])
def test_unreadable_or_oversized_files_are_refused_whole(app, content, name):
    with pytest.raises(import_file.ImportFileError):
        import_file.read_rows(content, name)


def test_organisations_are_matched_in_any_letter_case_without_duplicates(app):
    run((HEADER + GOOD).encode())
    run((HEADER + "nieuw@example.org;Nina;Maes;HUISARTSENPRAKTIJK OOSTKAMP;;;;;\n").encode())
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2


def test_the_directory_export_imports_back_without_duplicates(app, client):
    demo.load()
    before = partner_count()
    rows = services.export_rows(services.matching_partners(services.PartnerFilter()))
    plan = run(to_xlsx(services.EXPORT_COLUMNS, rows, "partners"), "partners.xlsx")
    assert plan.counts[imports.Action.SKIP] == before and partner_count() == before


def test_export_defuses_formulas_that_came_in_through_registration(app):
    db.session.add(Partner(email="f@example.org", first_name="=cmd|' /C calc'!A0", last_name="X"))
    db.session.commit()
    rows = services.export_rows(services.matching_partners(services.PartnerFilter()))
    assert "'=cmd" in to_csv(services.EXPORT_COLUMNS, rows).decode("utf-8-sig")
