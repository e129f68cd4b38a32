"""The partner field rules that the registration form, the directory's edit form and the import share."""

import pytest
from sqlalchemy import select

from speeddate.directory import import_file, imports
from speeddate.extensions import db
from speeddate.models import Gemeente, Partner, Sector
from speeddate.models.partners import normalise_email
from speeddate.partners import fields
from tests.support import PARTNER, post_form


@pytest.mark.parametrize(("value", "expected"), [
    ("050 12 34 56", True), ("+32 (0)50/12.34-56", True), ("", True), ("050 12 34 56 ext. 3", False),
    ("٠٥٠", False), ("050\n123", False), ("<script>", False)])
def test_a_phone_number_uses_digits_spaces_and_a_few_signs(value, expected):
    assert fields.is_phone_number(value) is expected


@pytest.mark.parametrize(("value", "markup", "hidden"), [
    ("Els Peeters", False, False), ("<b>Els</b>", True, False), ("Els\nPeeters", False, True),
    ("Els\u200bPeeters", False, True), ("Els\u202ePeeters", False, True), ("Zoë Ðặng", False, False)])
def test_markup_and_hidden_characters_are_recognised(value, markup, hidden):
    assert (fields.has_markup(value), fields.has_hidden_characters(value)) == (markup, hidden)


@pytest.mark.parametrize(("code", "expected"), [("nl", True), ("fr", True), ("en", True), ("de", False),
                                                ("NL", False), ("", False)])
def test_the_languages_are_dutch_french_and_english(code, expected):
    assert fields.is_language(code) is expected


def test_emails_are_stored_stripped_and_lower_cased():
    assert normalise_email("  Els.Peeters@Example.ORG ") == "els.peeters@example.org"


def test_the_limits_are_the_columns_lengths():
    for name, limit in fields.MAX_LENGTH.items():
        if name in Partner.__table__.columns:
            assert Partner.__table__.columns[name].type.length == limit, name


@pytest.mark.parametrize("value", ["Huisartsen", "huisartsen", " HUISARTSEN ", "Médecins généralistes",
                                   "MÉDECINS GÉNÉRALISTES", "general practitioners"])
def test_a_sector_is_found_by_any_of_its_names_in_any_letter_case(app, value):
    huisartsen = db.session.scalar(select(Sector).where(Sector.name == "Huisartsen"))
    assert fields.Lookup.load().sector(value) == huisartsen


def test_ids_name_sectors_and_gemeenten_only_where_asked(app):
    lookup = fields.Lookup.load()
    oostkamp = db.session.scalar(select(Gemeente).where(Gemeente.name == "Oostkamp"))
    assert lookup.gemeente(str(oostkamp.id)) == oostkamp
    assert lookup.gemeente("oostkamp") == lookup.gemeente(" OOSTKAMP", by_id=False) == oostkamp
    assert lookup.gemeente(str(oostkamp.id), by_id=False) is None
    assert lookup.sector("99999") is None and lookup.sector("Atlantis") is None and lookup.sector("") is None


@pytest.mark.parametrize(("sector", "known"), [("Médecins généralistes", True), ("MÉDECINS GÉNÉRALISTES", True),
                                               ("Pharmacists", True), ("Atlantis", False)])
def test_the_registration_form_and_the_import_know_the_same_sectors(client, make_event, sector, known):
    event = make_event()
    response = post_form(client, f"/e/{event.slug}", {**PARTNER, "sector": sector})
    assert (response.status_code == 200) is known
    rows = import_file.read_rows(f"email;voornaam;achternaam;sector\nx@example.org;X;Y;{sector}\n".encode(), "p.csv")
    assert (imports.plan_import(rows).rows[0].action == imports.Action.CREATE) is known



@pytest.mark.parametrize("name", ["first_name", "last_name", "organisation"])
def test_a_required_name_of_only_spaces_is_refused_and_nothing_is_stored(client, make_event, register, name):
    """Found by the registration fuzz test (seed 37): "   " passed as filled in and stored an empty name."""
    response = register(make_event(), **{name: "   "})
    assert response.status_code == 400
    assert "Vul dit veld in." in response.get_data(as_text=True), "the message, in Dutch, next to the field"
    assert db.session.scalars(select(Partner)).all() == []


def test_the_directory_refuses_a_partner_name_of_only_spaces(organiser, make_event, register):
    register(make_event())
    partner = db.session.scalar(select(Partner))
    url = f"/admin/directory/partners/{partner.id}/edit"
    values = {"email": partner.email, "first_name": "  ", "last_name": "Peeters", "organisation": "Praktijk",
              "sector": str(partner.sector_id), "language": "nl"}
    assert post_form(organiser, url, values).status_code == 400
    db.session.expire_all()
    assert db.session.get(Partner, partner.id).first_name == "Els"
