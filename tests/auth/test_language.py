"""The organiser's interface language is a choice kept on their account, before the browser's; partners' pages keep
the partner's own language."""

import html

import pytest
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import User
from tests.support import ORGANISER_EMAIL, ORGANISER_PASSWORD, csrf_token, log_in_organiser, post_form

FRENCH_BROWSER = {"Accept-Language": "fr-BE,fr;q=0.9"}


def choose(client, language: str, next_page: str = "/admin/events"):
    return client.post("/admin/account/language", data={"language": language, "next": next_page,
                                                   "csrf_token": csrf_token(client, "/admin/events")})


def account_language() -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(User.language).where(User.email == ORGANISER_EMAIL))


def test_the_chosen_language_is_kept_on_the_account_and_wins_over_the_browser(organiser):
    response = choose(organiser, "en")
    assert (response.status_code, response.location) == (302, "/admin/events")
    assert account_language() == "en"
    page = organiser.get("/admin/events", headers=FRENCH_BROWSER).get_data(as_text=True)
    assert "Upcoming events" in page and '<html lang="en"' in page


def test_the_choice_follows_the_organiser_to_the_next_login(app, organiser):
    choose(organiser, "fr")
    organiser.post("/logout", data={"csrf_token": csrf_token(organiser, "/admin/events")})
    again = app.test_client()
    post_form(again, "/login", {"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD},
              headers={"Accept-Language": "nl"})
    assert '<html lang="fr"' in again.get("/admin/", headers={"Accept-Language": "nl"}).get_data(as_text=True)


def test_the_message_after_choosing_speaks_the_new_language(organiser):
    choose(organiser, "en")
    page = organiser.get("/admin/events").get_data(as_text=True)
    assert "The language is saved for your account." in page


@pytest.mark.parametrize("language", ["de", "", "english", "nl\nfr"])
def test_a_language_the_service_does_not_have_changes_nothing(organiser, language):
    choose(organiser, "fr")
    response = choose(organiser, language)
    assert response.status_code == 302
    assert account_language() == "fr"
    # In the organiser's language, which stays French.
    assert "Cette langue n'est pas disponible. Rien n'a été modifié." in \
        html.unescape(organiser.get(response.location).get_data(as_text=True))


def test_choosing_a_language_needs_a_csrf_token(organiser):
    response = organiser.post("/admin/account/language", data={"language": "en"})
    assert response.status_code == 400
    assert account_language() is None


def test_choosing_a_language_needs_a_login(client):
    response = client.post("/admin/account/language", data={"language": "en"})
    assert response.status_code in (302, 400)
    assert account_language() is None


def test_a_next_page_elsewhere_is_not_followed(organiser):
    assert choose(organiser, "en", "//evil.example/").location == "/admin/"


def test_a_partners_page_keeps_the_partners_language_for_an_organiser_who_opens_it(organiser, register_link,
                                                                                   make_event):
    link = register_link(make_event(), language="nl")
    choose(organiser, "en")
    assert '<html lang="nl"' in organiser.get(link).get_data(as_text=True)


def test_the_navigation_offers_the_languages_as_a_form_to_a_logged_in_organiser(client):
    assert 'action="/admin/account/language"' not in client.get("/").get_data(as_text=True)
    log_in_organiser(client)
    page = client.get("/admin/").get_data(as_text=True)
    assert 'action="/admin/account/language"' in page and 'name="language" value="fr"' in page
