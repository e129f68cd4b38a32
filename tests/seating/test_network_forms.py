"""The languages question for seating: the zone turns it on; the registration form and the personal page ask it,
with the preferred language ticked by default; a page that does not ask never changes what is stored."""

import re

import pytest
from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.models import Partner, ZoneSettings
from speeddate.zone import services as zone
from tests.support import PARTNER, assert_valid_html, post_form

QUESTION = "Languages you can hold a conversation in"


def ticked(page: str) -> list[str]:
    """The language codes whose checkbox is ticked on a page."""
    return re.findall(r'name="languages" id="languages-(\w+)" value="\w+"\s+checked', page)


@pytest.fixture
def asking():
    zone.save_settings("ELZ Brussel", "", "nl", ask_languages=True)


def test_the_zone_settings_turn_the_question_on_and_off(organiser, tmp_path):
    page = organiser.get("/admin/zone/?lang=en").get_data(as_text=True)
    assert "Ask partners which languages they can hold a conversation in" in page
    post_form(organiser, "/admin/zone/settings", {"name": "ELZ", "contact_email": "", "default_language": "nl",
                                                  "ask_languages": "y"}, form_url="/admin/zone/")
    assert db.session.scalar(select(ZoneSettings)).ask_languages is True
    page = organiser.get("/admin/zone/?lang=en").get_data(as_text=True)
    assert re.search(r'<input [^>]*\bchecked\b[^>]*id="ask_languages"', page)
    post_form(organiser, "/admin/zone/settings", {"name": "ELZ", "contact_email": "", "default_language": "nl"},
              form_url="/admin/zone/")
    db.session.expire_all()
    assert db.session.scalar(select(ZoneSettings)).ask_languages is False
    assert_valid_html({"zone": page}, tmp_path)


def test_the_form_asks_only_where_the_zone_does(client, make_event):
    event = make_event()
    assert QUESTION not in client.get(f"/e/{event.slug}?lang=en").get_data(as_text=True)
    zone.save_settings("ELZ Brussel", "", "nl", ask_languages=True)
    assert QUESTION in client.get(f"/e/{event.slug}?lang=en").get_data(as_text=True)


def test_the_preferred_language_is_ticked_by_default(client, make_event, asking, tmp_path):
    event = make_event()
    page = client.get(f"/e/{event.slug}?lang=fr").get_data(as_text=True)
    assert ticked(page) == ["fr"]
    assert ticked(client.get(f"/e/{event.slug}?lang=nl").get_data(as_text=True)) == ["nl"]
    assert_valid_html({"register": page}, tmp_path)


def test_the_languages_ticked_are_stored(register, make_event, asking):
    response = register(make_event(), languages=["fr", "nl"])
    assert response.status_code == 200
    assert db.session.scalar(select(Partner.languages)) == "nl|fr"


@pytest.mark.parametrize("languages", [None, [], ["de"], ["nl", "xx"]])
def test_no_or_an_unknown_language_is_refused_and_nothing_stored(register, make_event, asking, languages):
    response = register(make_event(), languages=languages)
    assert response.status_code == 400
    assert "Vink minstens één taal aan waarin je een gesprek kunt voeren." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Partner)) == 0


def test_the_personal_page_shows_and_changes_the_languages(client, register_link, make_event, asking):
    link = register_link(make_event(), languages=["nl", "fr"])
    page = client.get(f"{link}?lang=en").get_data(as_text=True)
    assert ticked(page) == ["nl", "fr"]
    details = {key: value for key, value in PARTNER.items() if key != "email"}
    post_form(client, link, {**details, "language": "fr", "languages": ["fr"]})
    assert db.session.scalar(select(Partner.languages)) == "fr"


def test_a_page_that_does_not_ask_keeps_the_stored_languages(client, register_link, make_event, asking):
    link = register_link(make_event(), languages=["nl", "fr"])
    zone.save_settings("ELZ Brussel", "", "nl", ask_languages=False)
    page = client.get(f"{link}?lang=en").get_data(as_text=True)
    assert QUESTION not in page
    details = {key: value for key, value in PARTNER.items() if key != "email"}
    response = post_form(client, link, {**details, "language": "nl", "function": "Apotheker"})
    assert response.status_code == 302
    partner = db.session.scalar(select(Partner))
    assert (partner.function, partner.languages) == ("Apotheker", "nl|fr")
