"""Public registration: form, waiting list, duplicates, personal page, bad input, languages."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from speeddate import tokens
from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import EventStatus, Partner, Registration, RegistrationStatus
from tests.support import PARTNER, local_now, personal_link, post_form

STABLE_FIELDS = ("first_name", "last_name", "email", "organisation", "sector", "function", "gemeenten", "phone",
                 "dietary", "language", "consent_share_contacts", "consent_followup", "consent_invitations",
                 "csrf_token")


def registrations(event) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                   .order_by(Registration.id)))


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Partner)),
            db.session.scalar(select(func.count()).select_from(Registration)))


def test_form_has_the_stable_field_names(client, make_event):
    event = make_event()
    page = client.get(f"/e/{event.slug}").get_data(as_text=True)
    for name in STABLE_FIELDS:
        assert f'name="{name}"' in page, name
    assert 'for="first_name"' in page and 'id="first_name"' in page


def test_registration_confirms_and_mails_the_personal_link(client, make_event, register, mailbox):
    event = make_event(capacity=2)
    response = register(event)
    assert response.status_code == 200
    received = response.get_data(as_text=True)
    assert "/r/" not in received and "els.peeters@example.org" in received, "the link goes to the mailbox only"
    page = client.get(personal_link(event=event)).get_data(as_text=True)
    assert "Je inschrijving is bevestigd." in page
    assert "http://speeddate.test/r/" in page
    [registration] = registrations(event)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.partner.email == "els.peeters@example.org"
    assert registration.partner.sector.name == "Huisartsen"
    assert [g.name for g in registration.partner.gemeenten] == ["Oostkamp"]
    assert registration.partner.consent_share_contacts_at is not None
    assert registration.partner.consent_followup_at is None
    assert registration.dietary == "vegetarisch"
    db.session.refresh(event)
    assert event.confirmed_count == 1
    [mail] = mailbox.deliver().to("els.peeters@example.org")
    assert tokens.sign(registration.token) in mail.get_body(("plain",)).get_content()


def test_full_event_puts_people_on_the_waiting_list_in_order(register_link, client, make_event, register):
    event = make_event(capacity=2)
    for number in range(5):
        register(event, number)
    statuses = [(r.status, r.waitlist_position) for r in registrations(event)]
    assert [s for s, _ in statuses] == [RegistrationStatus.CONFIRMED] * 2 + [RegistrationStatus.WAITLISTED] * 3
    page = client.get(register_link(event, 9)).get_data(as_text=True)
    assert re.search(r"(waiting list|wachtlijst)[^<]*4", page), "the fourth person waiting sees position 4"


def test_full_event_page_says_so_before_registering(client, make_event, register):
    event = make_event(capacity=1)
    register(event, 1)
    page = client.get(f"/e/{event.slug}?lang=en").get_data(as_text=True)
    assert "This event is full" in page
    assert "Put me on the waiting list" in page


@pytest.mark.parametrize("email", ["ELS.PEETERS@example.org", "  els.peeters@example.org  ", "Els.Peeters@Example.ORG"])
def test_registering_again_never_makes_a_second_registration(client, make_event, register, mailbox, email):
    event = make_event()
    first = register(event)
    assert first.status_code == 200
    before = counts()
    again = register(event, email=email, first_name="Someone", last_name="Else")
    page = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "/r/" not in page, "the page never shows an existing registration's link"
    assert "Huisartsenpraktijk" not in page and "050 12" not in page
    assert counts() == before
    mails = mailbox.deliver().to("els.peeters@example.org")
    assert len(mails) == 2
    [registration] = registrations(event)
    assert tokens.sign(registration.token) in mails[1].get_body(("plain",)).get_content()


def test_cancelled_person_may_register_again(register_link, client, make_event, register):
    event = make_event()
    link = register_link(event)
    post_form(client, f"{link}/cancel", {})
    response = register(event)
    assert response.status_code == 200
    assert [r.status for r in registrations(event)] == [RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED]


def test_cancelling_a_confirmed_place_promotes_the_first_waiting(register_link, client, make_event, register, mailbox):
    event = make_event(capacity=2)
    links = [register_link(event, number) for number in range(4)]
    response = post_form(client, f"{links[0]}/cancel", {})
    assert response.status_code == 302
    rows = registrations(event)
    assert [r.status for r in rows] == [RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED,
                                        RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    db.session.refresh(event)
    assert event.confirmed_count == 2
    assert len(mailbox.deliver().to("partner2@example.org")) == 2, "waiting-list mail, then the promotion mail"
    page = client.get(links[3]).get_data(as_text=True)
    assert re.search(r"(waiting list|wachtlijst)[^<]*1", page)


def test_cancelling_a_waiting_place_promotes_nobody(register_link, client, make_event, register):
    event = make_event(capacity=1)
    links = [register_link(event, number) for number in range(3)]
    post_form(client, f"{links[1]}/cancel", {})
    assert [r.status for r in registrations(event)] == [RegistrationStatus.CONFIRMED, RegistrationStatus.CANCELLED,
                                                        RegistrationStatus.WAITLISTED]


def test_cancel_needs_a_post_with_csrf(register_link, client, make_event, register):
    event = make_event()
    link = register_link(event)
    assert client.get(f"{link}/cancel").status_code == 200
    assert client.post(f"{link}/cancel", data={}).status_code == 400
    assert registrations(event)[0].status == RegistrationStatus.CONFIRMED


def checked_inputs(page: str) -> set[tuple[str, str]]:
    """(name, value) of every ticked checkbox and selected option on a page."""
    ticked = {(m.group(1), m.group(2)) for m in re.finditer(
        r'<input type="checkbox" name="(\w+)" id="[^"]*" value="([^"]*)"\s+checked>', page)}
    ticked |= {(m.group(1), "y") for m in re.finditer(r'<input checked id="(\w+)"', page)}
    selected = {m.group(1) for m in re.finditer(r'<option selected value="([^"]*)"', page)}
    return ticked | {("option", value) for value in selected}


def test_personal_page_shows_the_current_details(register_link, client, make_event, register):
    link = register_link(make_event(), gemeenten=["Oostkamp", "Jabbeke"], language="fr")
    page = client.get(link).get_data(as_text=True)
    partner = db.session.scalar(select(Registration)).partner
    assert 'value="Huisartsenpraktijk Oostkamp"' in page and 'value="Els"' in page
    assert 'value="vegetarisch"' in page
    assert checked_inputs(page) == {("gemeenten", str(g.id)) for g in partner.gemeenten} | {
        ("consent_share_contacts", "y"), ("option", str(partner.sector_id)), ("option", "fr")}


def test_personal_page_changes_details(register_link, client, make_event, register):
    event = make_event()
    link = register_link(event)
    data = {**PARTNER, "first_name": "Elsje", "sector": "Apothekers", "gemeenten": ["Beernem", "Jabbeke"],
            "dietary": "glutenvrij", "language": "fr"}
    data.pop("email")
    response = post_form(client, link, data)
    assert response.status_code == 302
    [registration] = registrations(event)
    partner = registration.partner
    assert (partner.first_name, partner.sector.name, partner.language) == ("Elsje", "Apothekers", "fr")
    assert sorted(g.name for g in partner.gemeenten) == ["Beernem", "Jabbeke"]
    assert partner.consent_share_contacts_at is not None
    assert registration.dietary == "glutenvrij"


def test_personal_page_rejects_bad_changes_and_keeps_the_old_details(register_link, client, make_event, register):
    event = make_event()
    link = register_link(event)
    data = {**PARTNER, "first_name": "<script>alert(1)</script>"}
    response = post_form(client, link, data)
    assert response.status_code == 400
    assert "&lt;script&gt;" in response.get_data(as_text=True) or "script" not in response.get_data(as_text=True)
    assert registrations(event)[0].partner.first_name == "Els"


@pytest.mark.parametrize("state, make_overrides", [
    ("draft", {"publish": False}),
    ("past", {"starts_at": local_now() - timedelta(days=3), "ends_at": local_now() - timedelta(days=3, hours=-2)}),
    ("deadline", {"registration_deadline": local_now() - timedelta(hours=1)}),
])
def test_unavailable_events_answer_with_a_clear_page(client, make_event, register, state, make_overrides):
    event = make_event(**make_overrides)
    response = client.get(f"/e/{event.slug}?lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="first_name"' not in page
    assert {"draft": "not open yet", "past": "already taken place", "deadline": "deadline"}[state] in page
    before = counts()
    response = post_form(client, f"/e/{event.slug}", PARTNER, form_url="/login")
    assert response.status_code == 200
    assert counts() == before


@pytest.mark.parametrize("status, text", [(EventStatus.CLOSED, "closed"), (EventStatus.CANCELLED, "cancelled")])
def test_closed_and_cancelled_events_answer_with_a_clear_page(client, make_event, status, text):
    event = make_event()
    events.change_status(event.id, status)
    page = client.get(f"/e/{event.slug}?lang=en").get_data(as_text=True)
    assert text in page
    assert 'name="first_name"' not in page


BAD_INPUT = [
    ("missing email", {"email": None}, "email"),
    ("malformed email", {"email": "els.peeters@"}, "email"),
    ("email with spaces inside", {"email": "els peeters@example.org"}, "email"),
    ("unknown sector", {"sector": "Astronauten"}, "sector"),
    ("unknown sector id", {"sector": "99999"}, "sector"),
    ("very long name", {"first_name": "E" * 10_000}, "first_name"),
    ("script in name", {"last_name": "<script>alert('x')</script>"}, "last_name"),
    ("html in organisation", {"organisation": "<b>Huisartsen</b>"}, "organisation"),
    ("newline in name", {"first_name": "Els\r\nBcc: x@example.org"}, "first_name"),
    ("missing organisation", {"organisation": ""}, "organisation"),
    ("unknown gemeente", {"gemeenten": ["Atlantis"]}, "gemeenten"),
    ("unknown language", {"language": "de"}, "language"),
    ("letters in phone", {"phone": "call me maybe"}, "phone"),
]


@pytest.mark.parametrize("label, overrides, field", BAD_INPUT, ids=[case[0] for case in BAD_INPUT])
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, make_event, register, label, overrides, field):
    event = make_event()
    before = counts()
    response = register(event, **overrides)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page
    assert f'id="{field}-error"' in page or f'href="#{field}' in page
    assert "<script>alert" not in page
    assert counts() == before


@pytest.mark.parametrize("lang, message",
                         [("nl", "Vul dit veld in"), ("fr", "Veuillez"), ("en", "Please fill this in")])
def test_bad_input_message_is_in_the_users_language(client, make_event, register, lang, message):
    event = make_event()
    client.get(f"/e/{event.slug}?lang={lang}")
    response = register(event, first_name="")
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_missing_or_wrong_csrf_token_changes_nothing(client, make_event, token):
    event = make_event()
    client.get(f"/e/{event.slug}")
    data = {**PARTNER} if token is None else {**PARTNER, "csrf_token": token}
    before = counts()
    response = client.post(f"/e/{event.slug}?lang=en", data=data)
    assert response.status_code == 400
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert counts() == before


def test_sector_may_be_given_by_id_or_name_in_any_language(client, make_event, register):
    event = make_event()
    register(event, 1, sector="pharmacists")
    sector_id = registrations(event)[0].partner.sector_id
    register(event, 2, sector=str(sector_id))
    register(event, 3, sector="Pharmaciens")
    assert {r.partner.sector.name for r in registrations(event)} == {"Apothekers"}


def test_get_parameters_prefill_the_form(client, make_event):
    event = make_event()
    page = client.get(f"/e/{event.slug}?organisation=CAW+Brugge&email=a%40b.be").get_data(as_text=True)
    assert 'value="CAW Brugge"' in page and 'value="a@b.be"' in page


@pytest.mark.parametrize("url", ["/e/does-not-exist", "/r/nonsense", "/r/abc.def"])
def test_unknown_slugs_and_tokens_get_a_clear_not_found_page(client, url):
    response = client.get(url + "?lang=en")
    assert response.status_code == 404
    assert "This page does not exist" in response.get_data(as_text=True)


def test_tampered_personal_link_is_refused(register_link, client, make_event, register):
    event = make_event()
    link = register_link(event)
    signed = link.removeprefix("/r/")
    token, signature = signed.rsplit(".", 1)
    # Change a first character: the last one of base64 has unused bits, so a change there may decode the same.
    tampered = [f"/r/{'A' if token[0] != 'A' else 'B'}{token[1:]}.{signature}",
                f"/r/{token}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}", f"/r/{token}"]
    for url in tampered:
        assert client.get(url).status_code == 404, url
        assert client.post(f"{url}/cancel", data={}).status_code in (400, 404)
    assert registrations(event)[0].status == RegistrationStatus.CONFIRMED


def test_language_defaults_to_dutch_then_follows_accept_language_and_lang(client, make_event):
    event = make_event()
    url = f"/e/{event.slug}"
    assert '<html lang="nl">' in client.get(url).get_data(as_text=True)
    assert '<html lang="fr">' in client.get(url, headers={"Accept-Language": "fr-BE,fr;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in client.get(f"{url}?lang=en", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_personal_page_speaks_the_partners_language(register_link, app, make_event, register):
    event = make_event()
    link = register_link(event, language="fr")
    fresh = app.test_client()
    assert '<html lang="fr">' in fresh.get(link, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in fresh.get(f"{link}?lang=en").get_data(as_text=True)


def test_confirmation_mail_is_in_the_partners_language(make_event, register, mailbox):
    event = make_event(title="Speeddate Beernem")
    register(event, language="fr")
    [mail] = mailbox.deliver().messages
    assert "Speeddate Beernem" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert "Bonjour" in body or "Cher" in body or "Chère" in body


def test_webinar_link_is_shown_only_to_confirmed_registrants(register_link, client, make_event, register):
    event = make_event(online_url="https://meet.example/secret-room", capacity=1, catering=False)
    assert "secret-room" not in client.get(f"/e/{event.slug}").get_data(as_text=True)
    confirmed = register_link(event, 1)
    waiting = register_link(event, 2)
    assert "secret-room" in client.get(confirmed).get_data(as_text=True)
    assert "secret-room" not in client.get(waiting).get_data(as_text=True)
