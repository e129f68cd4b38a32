"""What someone who only knows a partner's email address can do with the public form: nothing of theirs.

A registration in someone else's name takes a place (or a waiting-list position) at most; the owner of the
address is told by mail, with a one-click way to cancel, and the stored details stay as they were.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import Organisation, Partner, Registration, RegistrationStatus
from tests.support import PARTNER, personal_link, post_form

STRANGER = {**PARTNER, "first_name": "Mallory", "last_name": "Stranger", "organisation": "Evil Corp",
            "phone": "0499 99 99 99", "function": "Spy", "gemeenten": ["Jabbeke"], "language": "en",
            "consent_share_contacts": None, "consent_invitations": "y"}


@pytest.fixture
def known_partner(make_event, register):
    """Els registered for one event, with her own details and consents."""
    register(make_event(title="Platform Beernem"), consent_followup="y")
    return db.session.scalar(select(Partner).where(Partner.email == PARTNER["email"]))


def stored_details(partner: Partner) -> tuple:
    db.session.refresh(partner)
    return (partner.first_name, partner.last_name, partner.phone, partner.function, partner.language,
            partner.organisation.name, partner.sector.name, [g.name for g in partner.gemeenten],
            partner.consent_share_contacts_at, partner.consent_followup_at, partner.consent_invitations_at)


def test_a_known_email_on_the_form_shows_nothing_of_its_owner_and_changes_nothing(
        client, make_event, register, known_partner, mailbox):
    before = stored_details(known_partner)
    event = make_event(title="Speeddate Jabbeke")
    response = register(event, **STRANGER)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Location" not in response.headers
    for secret in ("/r/", "050 12 34 56", "Huisartsenpraktijk", "Huisarts", "Els"):
        assert secret not in page, secret
    assert stored_details(known_partner) == before, "typed-in details never overwrite the stored ones"
    [registration] = db.session.scalars(select(Registration).where(Registration.event_id == event.id))
    assert registration.partner_id == known_partner.id and registration.status == RegistrationStatus.CONFIRMED


def test_the_owner_of_the_address_is_told_by_mail_and_cancels_with_one_click(
        client, make_event, register, known_partner, mailbox):
    event = make_event(title="Speeddate Jabbeke")
    register(event, **STRANGER)
    [mail] = [m for m in mailbox.deliver().to(PARTNER["email"]) if "Jabbeke" in m["Subject"]]
    text = mail.get_body(("plain",)).get_content()
    assert "Dit e-mailadres was al bij ons bekend" in text, "the owner learns their stored details were kept"
    [cancel_link] = re.findall(r"http://speeddate\.test(/r/[^\s]+/cancel)", text)
    page = client.get(cancel_link)
    assert page.status_code == 200, "the link opens the confirmation; a mail scanner's GET cancels nothing"
    assert post_form(client, cancel_link, {}).status_code == 302
    [registration] = db.session.scalars(select(Registration).where(Registration.event_id == event.id))
    assert registration.status == RegistrationStatus.CANCELLED


def test_new_known_and_already_registered_addresses_get_the_same_page(client, make_event, register, known_partner):
    event = make_event(title="Speeddate Jabbeke")

    def page_for(email: str) -> str:
        response = register(event, **{**STRANGER, "email": email})
        assert response.status_code == 200
        return response.get_data(as_text=True).replace(email, "EMAIL")

    def without_tokens(page: str) -> str:
        return re.sub(r'value="[^"]+"', "", page)

    new, known, again = page_for("new.person@example.org"), page_for(PARTNER["email"]), page_for(PARTNER["email"])
    assert without_tokens(new) == without_tokens(known) == without_tokens(again)


def test_repeating_the_form_does_not_flood_the_owners_mailbox(client, make_event, register, known_partner, mailbox):
    event = make_event(title="Speeddate Jabbeke")
    for _ in range(5):
        register(event, **STRANGER)
    subjects = [m["Subject"] for m in mailbox.deliver().to(PARTNER["email"]) if "Jabbeke" in m["Subject"]]
    assert len(subjects) == 2, subjects  # the confirmation and one link-again mail per quarter hour


def test_a_link_never_prefills_a_consent(client, make_event):
    event = make_event()
    page = client.get(f"/e/{event.slug}?first_name=Els&consent_share_contacts=y&consent_followup=y"
                      "&consent_invitations=y").get_data(as_text=True)
    assert 'value="Els"' in page, "other details may still be prefilled"
    assert "checked" not in page


def test_a_partner_cannot_cancel_once_the_event_has_started(client, make_event, register, clock):
    event = make_event(capacity=1)
    register(event)
    register(event, 2)  # waiting
    link = personal_link(event=event)
    clock.set(event.starts_at + timedelta(minutes=5))  # starts_at is naive UTC, like the clock
    assert "Ja, annuleer" not in client.get(f"{link}/cancel").get_data(as_text=True)
    post_form(client, f"{link}/cancel", {}, form_url=link)
    statuses = [r.status for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                                      .order_by(Registration.id))]
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED], "attendance untouched"


def test_the_form_suggests_only_organisations_an_organiser_vouched_for(client, make_event, register):
    event = make_event()
    register(event, 1, organisation="Visit evil.example for prizes")
    register(event, 2, organisation="Thuisverpleging De Zorg")
    db.session.rollback()
    attended = db.session.scalar(select(Registration).join(Partner).where(Partner.email == "partner2@example.org"))
    attended.attended = True
    db.session.add(Partner(email="imported@example.org", first_name="In", last_name="Port",
                           organisation=Organisation(name="CAW Brugge")))
    db.session.commit()
    page = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert '<option value="Thuisverpleging De Zorg">' in page, "checked in at an event"
    assert '<option value="CAW Brugge">' in page, "added by an organiser"
    assert "evil.example" not in page, "a stranger cannot publish text on everyone's form"


def test_a_consent_typed_for_someone_elses_address_invites_no_one_until_they_open_their_link(
        client, make_event, register):
    from speeddate.mail import invitations

    register(make_event(), **{**STRANGER, "email": "victim@example.org"})
    next_event = make_event(title="Platform Beernem")
    assert invitations.audience(next_event, invitations.Audience()) == []
    client.get(personal_link("victim@example.org"))  # the owner opens the link from their mail
    assert [p.email for p in invitations.audience(next_event, invitations.Audience())] == ["victim@example.org"]
