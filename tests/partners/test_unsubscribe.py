"""An unsubscribe link works only for the person it was made for, also when their row's id is given to another."""

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import delete

from speeddate import tokens
from speeddate.extensions import db
from speeddate.models import Partner
from speeddate.models.base import utcnow


def add_partner(email: str) -> Partner:
    partner = Partner(email=email, first_name="An", last_name="Claes", consent_invitations_at=utcnow())
    db.session.add(partner)
    db.session.commit()
    return partner


def test_a_link_made_for_a_merged_away_partner_does_not_reach_whoever_gets_their_id(client, request):
    if request.config.getoption("--database") != "sqlite":
        pytest.skip("PostgreSQL never gives an id again")
    first = add_partner("an.claes@example.org")
    link, reused_id = f"/u/{tokens.unsubscribe_token(first.id)}", first.id
    db.session.execute(delete(Partner).where(Partner.id == first.id))
    db.session.commit()
    newcomer = add_partner("bart.claes@example.org")
    assert newcomer.id == reused_id, "SQLite gives the highest id again"
    assert client.get(link).status_code == 404 and client.post(link).status_code == 404
    db.session.refresh(newcomer)
    assert newcomer.consent_invitations_at is not None


def test_a_link_made_for_a_partner_still_unsubscribes_them(client):
    partner = add_partner("an.claes@example.org")
    link = f"/u/{tokens.unsubscribe_token(partner.id)}"
    assert client.get(link).status_code == 200 and client.post(link).status_code == 200
    db.session.refresh(partner)
    assert partner.consent_invitations_at is None


def test_an_altered_or_id_only_link_is_refused(client):
    partner = add_partner("an.claes@example.org")
    id_only = URLSafeSerializer("test-secret", salt="speeddate.unsubscribe").dumps(partner.id)
    forged = URLSafeSerializer("test-secret", salt="speeddate.unsubscribe").dumps([partner.id, "0" * 32])
    for token in (id_only, forged, tokens.unsubscribe_token(partner.id)[:-2] + "xx"):
        assert client.post(f"/u/{token}").status_code == 404
    db.session.refresh(partner)
    assert partner.consent_invitations_at is not None
