"""Partners download and erase their own data; retention anonymises the inactive; statistics stay right."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from speeddate import tokens
from speeddate.extensions import db
from speeddate.models import OutboxMail, Partner, Registration, RegistrationStatus
from speeddate.models.base import utcnow
from speeddate.privacy import services as privacy
from speeddate.privacy.services import erase_partner
from tests.support import post_form


def personal_link(email: str = "els.peeters@example.org") -> str:
    registration = db.session.scalar(select(Registration).join(Partner).where(Partner.email == email))
    return f"/r/{tokens.sign(registration.token)}"


def test_partner_downloads_their_data_as_json(client, make_event, register):
    register(make_event(title="Speeddate Jabbeke"))
    data = client.get(personal_link() + "/my-data.json").json
    assert data["email"] == "els.peeters@example.org"
    assert data["registrations"][0]["event"] == "Speeddate Jabbeke"
    assert data["consents"]["share_contacts"] is not None


def test_erasing_anonymises_gives_the_place_away_and_kills_the_link(client, make_event, register):
    event = make_event(capacity=1)
    register(event)
    register(event, number=2)  # waiting
    link = personal_link()
    assert post_form(client, link + "/erase", {}).status_code == 400
    assert post_form(client, link + "/erase", {"confirm": "y"}).status_code == 200
    erased = db.session.scalar(select(Partner).where(Partner.erased_at.is_not(None)))
    assert (erased.first_name, erased.phone, erased.email) == ("", "", f"erased-{erased.id}@erased.invalid")
    assert client.get(link).status_code == 404
    waiting = db.session.scalar(select(Registration).join(Partner).where(Partner.email == "partner2@example.org"))
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_purge_anonymises_only_people_inactive_for_that_long(app, runner, make_event, register):
    old = Partner(email="old@example.org", first_name="Oud", last_name="X", created_at=utcnow() - timedelta(days=1200))
    db.session.add(old)
    db.session.commit()
    register(make_event())
    dry = runner.invoke(args=["privacy", "purge", "--older-than", "3y", "--dry-run"])
    assert f"partner {old.id}" in dry.output and "1 partners would be" in dry.output
    assert db.session.scalar(select(func.count()).where(Partner.erased_at.is_not(None))) == 0
    runner.invoke(args=["privacy", "purge", "--older-than", "3y"])
    assert db.session.scalar(select(Partner.id).where(Partner.erased_at.is_not(None))) == old.id
    assert runner.invoke(args=["privacy", "purge", "--older-than", "soon"]).exit_code == 2


def test_erasing_drops_organisation_sector_and_function_from_the_partner(client, make_event, register):
    register(make_event())
    erase_partner(db.session.scalar(select(Partner.id)))
    erased = db.session.scalar(select(Partner))
    assert (erased.organisation, erased.sector, erased.function) == (None, None, "")


def test_erasing_leaves_the_address_in_no_mail_error(client, make_event, register):
    register(make_event())
    mail = db.session.scalar(select(OutboxMail))
    mail.last_error = "550 5.1.1 <els.peeters@example.org>: no such user"
    db.session.commit()
    erase_partner(db.session.scalar(select(Partner.id)))
    assert db.session.scalars(select(OutboxMail.last_error).where(OutboxMail.last_error != "")).all() == []


def test_the_organisation_of_an_erased_person_is_no_longer_suggested_to_the_public(client, make_event, register):
    event = make_event()
    register(event)
    register(event, number=2)
    for registration in db.session.scalars(select(Registration)):
        registration.attended = True  # checked in: an organiser vouches for the organisation
    db.session.commit()
    assert "Huisartsenpraktijk Oostkamp" in client.get(f"/e/{event.slug}").get_data(as_text=True)
    erase_partner(db.session.scalar(select(Partner.id).where(Partner.email == "els.peeters@example.org")))
    page = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "Huisartsenpraktijk Oostkamp" not in page and "Organisatie 2" in page


def test_an_erasure_that_fails_half_way_changes_nothing(any_app, monkeypatch):
    from tests.directory.test_services import registered, upcoming_event

    first, second = upcoming_event("Platform 1"), upcoming_event("Platform 2")
    partner_id = registered("els@example.org", first, second)

    def fail(*_args) -> None:
        raise RuntimeError("a later step fails")

    # Erasing gives up both places, locking each event in turn, before it anonymises.
    monkeypatch.setattr(privacy, "_anonymise", fail)
    with pytest.raises(RuntimeError):
        erase_partner(partner_id)
    db.session.rollback()
    statuses = db.session.scalars(select(Registration.status).where(Registration.partner_id == partner_id)).all()
    assert statuses == [RegistrationStatus.CONFIRMED] * 2


def test_a_mail_an_erasure_emptied_cannot_be_sent_again(client, make_event, register):
    from speeddate.mail import actions
    from speeddate.models import MailStatus, OutboxMail

    register(make_event())
    erase_partner(db.session.scalar(select(Partner.id)))
    emptied = db.session.scalars(select(OutboxMail.id).where(OutboxMail.status == MailStatus.CANCELLED)).all()
    assert emptied, "the erasure withdrew the pending mails"
    assert not any(actions.retry(mail_id) for mail_id in emptied)
    assert set(db.session.scalars(select(OutboxMail.status))) == {MailStatus.CANCELLED}
