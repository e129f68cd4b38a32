"""Event texts in every language: the organiser writes Dutch (and French, English if they like); each partner reads,
on the pages and in every mail and calendar file, their own language, else Dutch."""

from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import select

from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.mail import services as mails
from speeddate.models import Event, OutboxMail, Partner
from tests.events.test_views import event_form, unchanged
from tests.support import PARTNER, assert_valid_html, personal_link, post_form

FRENCH = {"title_fr": "Plateforme de première ligne", "description_fr": "Sur les personnes âgées fragiles",
          "location_fr": "Salle De Schakel (entrée latérale)", "practical_note_fr": "Parking derrière la salle"}
DUTCH = {"title": "Eerstelijnsplatform najaar", "description": "Over kwetsbare ouderen",
         "location": "Zaal De Schakel", "practical_note": "Parking achter de kerk"}


def outbox_for(email: str) -> list[OutboxMail]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMail).join(Partner, Partner.id == OutboxMail.partner_id)
                                   .where(Partner.email == email).order_by(OutboxMail.id)))


def ics_summary(ics: str) -> str:
    return str(next(iter(icalendar.Calendar.from_ical(ics).walk("VEVENT")))["summary"])


@pytest.fixture
def bilingual(make_event):
    """A published platform with Dutch and French texts (no English)."""
    return make_event(**DUTCH, **FRENCH)


def test_the_organiser_writes_the_texts_in_three_languages(organiser):
    response = post_form(organiser, "/admin/events/new", {
        **event_form(), "title_fr": "Plateforme", "title_en": "Platform", "description_en": "On frail older people",
        "location_fr": "Salle", "practical_note": "Parking achter de kerk", "practical_note_en": "Parking behind",
        "co_organisers": "OCMW Oostkamp"})

    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalars(select(Event)).one()
    assert (event.title, event.title_fr, event.title_en) == ("Eerstelijnsplatform najaar", "Plateforme", "Platform")
    assert (event.description_en, event.location_fr, event.practical_note_en) == (
        "On frail older people", "Salle", "Parking behind")
    assert event.co_organisers == "OCMW Oostkamp"
    edit = organiser.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="Plateforme"' in edit and 'lang="fr"' in edit and "On frail older people" in edit


def test_a_dutch_title_is_required_a_translation_is_not(organiser):
    response = post_form(organiser, "/admin/events/new", {**event_form(title="  "), "title_fr": "Plateforme"})

    assert response.status_code == 400
    assert db.session.scalars(select(Event)).first() is None


def test_a_french_partner_reads_french_on_the_public_and_personal_pages(client, bilingual):
    public = client.get(f"/e/{bilingual.slug}?lang=fr").get_data(as_text=True)
    post_form(client, f"/e/{bilingual.slug}?lang=fr", {**PARTNER, "language": "fr"})
    personal = client.get(personal_link()).get_data(as_text=True)

    for page in (public, personal):
        assert all(text in page for text in FRENCH.values()), page
        assert DUTCH["title"] not in page and DUTCH["practical_note"] not in page


def test_an_english_reader_gets_the_dutch_text_where_there_is_no_english_one(client, bilingual):
    page = client.get(f"/e/{bilingual.slug}?lang=en").get_data(as_text=True)

    assert all(text in page for text in DUTCH.values())


def test_every_mail_and_calendar_file_of_a_french_partner_is_in_french(client, bilingual, mailbox):
    post_form(client, f"/e/{bilingual.slug}", {**PARTNER, "language": "fr"})
    rows = outbox_for(PARTNER["email"])

    assert {row.kind for row in rows} >= {"confirmed", "reminder", "evaluation"}
    for row in rows:
        assert FRENCH["title_fr"] in row.subject and DUTCH["title"] not in row.subject, row.kind
        # Scheduled mails are rendered when due: read them as the worker will write them.
        rendered = mails.preview_due(row) if row.render_when_due else row
        assert FRENCH["title_fr"] in rendered.body_text and FRENCH["title_fr"] in rendered.body_html, row.kind
        assert DUTCH["title"] not in rendered.body_text, row.kind
    confirmation = rows[0]
    assert FRENCH["location_fr"] in confirmation.body_text and FRENCH["practical_note_fr"] in confirmation.body_text
    assert ics_summary(confirmation.ics) == FRENCH["title_fr"]
    delivered = mailbox.deliver().to(PARTNER["email"])
    assert [m["Subject"] for m in delivered] == [confirmation.subject]
    ics = client.get(f"{personal_link()}/event.ics").get_data(as_text=True)
    assert ics_summary(ics) == FRENCH["title_fr"]


def test_a_dutch_partner_keeps_reading_dutch(client, bilingual):
    post_form(client, f"/e/{bilingual.slug}", PARTNER)

    confirmation = outbox_for(PARTNER["email"])[0]
    assert DUTCH["title"] in confirmation.subject and FRENCH["title_fr"] not in confirmation.body_text
    assert ics_summary(confirmation.ics) == DUTCH["title"]


def test_an_invitation_speaks_the_partners_language(organiser, bilingual):
    from speeddate.mail import invitations
    from tests.support import registered

    other = events.create_event(events.EventData(
        type=bilingual.type, title="Ander", starts_at=bilingual.starts_at + timedelta(days=30),
        ends_at=bilingual.ends_at + timedelta(days=30), capacity=5), publish=True)
    partner_id = registered("fr@example.org", other.id)
    with db.session.begin_nested():
        partner = db.session.get(Partner, partner_id)
        partner.language, partner.consent_invitations_at = "fr", bilingual.created_at
        partner.email_confirmed_at = bilingual.created_at
    db.session.commit()

    count = invitations.invite(bilingual.id, invitations.Audience(languages=("fr",)), "")

    assert count == 1
    row = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "invitation")).one()
    assert FRENCH["title_fr"] in row.subject and FRENCH["description_fr"] in row.body_text


def test_correcting_the_french_title_updates_only_french_readers(organiser, client, bilingual):
    post_form(client, f"/e/{bilingual.slug}", {**PARTNER, "language": "fr"})
    post_form(client, f"/e/{bilingual.slug}", {**PARTNER, "email": "nl@example.org", "language": "nl"})
    data = unchanged(bilingual, title_fr="Plateforme de première ligne d'automne")

    asked = post_form(organiser, f"/admin/events/{bilingual.id}/edit", data)
    assert 'id="update-mails"' in asked.get_data(as_text=True)
    post_form(organiser, f"/admin/events/{bilingual.id}/edit", {**data, "update_mails": "1"})

    changed = {row.recipient: row for row in
               db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "event_changed"))}
    assert set(changed) == {PARTNER["email"]}
    assert "Plateforme de première ligne d'automne" in changed[PARTNER["email"]].subject


def test_a_new_time_updates_every_reader(organiser, client, bilingual):
    post_form(client, f"/e/{bilingual.slug}", {**PARTNER, "language": "fr"})
    post_form(client, f"/e/{bilingual.slug}", {**PARTNER, "email": "nl@example.org", "language": "nl"})
    later = (bilingual.starts_at + timedelta(hours=3))
    data = unchanged(bilingual)
    data["starts_at"] = to_local(later).strftime("%Y-%m-%dT%H:%M")
    data["ends_at"] = to_local(later + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    post_form(organiser, f"/admin/events/{bilingual.id}/edit", {**data, "update_mails": "2"})

    assert len(list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "event_changed")))) == 2


def test_the_form_and_pages_with_translations_are_valid_html(organiser, client, bilingual, tmp_path):
    pages = {"new": organiser.get("/admin/events/new").get_data(as_text=True),
             "edit": organiser.get(f"/admin/events/{bilingual.id}/edit").get_data(as_text=True),
             "detail": organiser.get(f"/admin/events/{bilingual.id}").get_data(as_text=True),
             "public-fr": client.get(f"/e/{bilingual.slug}?lang=fr").get_data(as_text=True)}
    assert_valid_html(pages, tmp_path)
