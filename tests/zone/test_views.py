"""Organisers maintain the zone's settings, gemeenten, clusters and sectors."""

import pytest
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import Cluster, Gemeente, Sector, ZoneSettings
from tests.support import log_in_organiser, post_form


def test_admin_sets_the_zone_name_shown_to_partners(organiser):
    post_form(organiser, "/admin/zone/settings",
              {"name": "ELZ Houtland", "contact_email": "info@houtland.example", "default_language": "fr"},
              form_url="/admin/zone/")
    settings = db.session.scalar(select(ZoneSettings))
    assert (settings.name, settings.contact_email, settings.default_language) == (
        "ELZ Houtland", "info@houtland.example", "fr")
    page = organiser.get("/").get_data(as_text=True)
    assert "ELZ Houtland" in page and "info@houtland.example" in page


def test_zone_default_language_is_used_when_the_browser_states_none(organiser):
    post_form(organiser, "/admin/zone/settings", {"name": "ELZ", "contact_email": "", "default_language": "fr"},
              form_url="/admin/zone/")
    anonymous = organiser.application.test_client()
    assert '<html lang="fr">' in anonymous.get("/").get_data(as_text=True)


def test_plain_organisers_cannot_change_the_zone_settings(client):
    log_in_organiser(client, admin=False)
    response = post_form(client, "/admin/zone/settings", {"name": "Hacked", "default_language": "nl"},
                         form_url="/admin/zone/")
    assert response.status_code == 403
    assert db.session.scalar(select(ZoneSettings)) is None


def test_gemeenten_are_added_renamed_and_removed_only_when_unused(client, make_event, register):
    log_in_organiser(client, admin=False)  # these pages are not for admins only
    post_form(client, "/admin/zone/gemeenten", {"new-name": "Brugge"}, form_url="/admin/zone/")
    brugge = db.session.scalar(select(Gemeente).where(Gemeente.name == "Brugge"))
    post_form(client, "/admin/zone/gemeenten", {"new-name": "brugge"}, form_url="/admin/zone/")
    assert len(db.session.scalars(select(Gemeente).where(Gemeente.name.ilike("brugge"))).all()) == 1
    post_form(client, f"/admin/zone/gemeenten/{brugge.id}", {f"g{brugge.id}-name": "Brugge-Centrum"},
              form_url="/admin/zone/")
    db.session.refresh(brugge)
    assert brugge.name == "Brugge-Centrum"
    oostkamp = db.session.scalar(select(Gemeente).where(Gemeente.name == "Oostkamp"))
    register(make_event())  # a partner active in Oostkamp
    post_form(client, f"/admin/zone/gemeenten/{oostkamp.id}/delete", {}, form_url="/admin/zone/")
    post_form(client, f"/admin/zone/gemeenten/{brugge.id}/delete", {}, form_url="/admin/zone/")
    names = set(db.session.scalars(select(Gemeente.name)))
    assert "Oostkamp" in names and "Brugge-Centrum" not in names


def test_sectors_are_added_with_translations_and_appear_on_the_form(client, make_event):
    log_in_organiser(client, admin=False)  # these pages are not for admins only
    post_form(client, "/admin/zone/clusters", {"cluster-name": "Onderzoek"}, form_url="/admin/zone/")
    cluster = db.session.scalar(select(Cluster).where(Cluster.name == "Onderzoek"))
    response = post_form(client, "/admin/zone/sectors/new", {"name": "Universiteiten", "name_fr": "Universités",
                                                             "name_en": "Universities", "cluster": cluster.id})
    assert response.status_code == 302
    event = make_event()
    assert "Universités" in client.get(f"/e/{event.slug}?lang=fr").get_data(as_text=True)


@pytest.mark.parametrize("data", [{"name": "", "cluster": "1"}, {"name": "<b>x</b>", "cluster": "1"},
                                  {"name": "Huisartsen", "cluster": "1"}, {"name": "Nieuw", "cluster": "999"}])
def test_bad_sectors_are_refused(client, data):
    log_in_organiser(client, admin=False)  # these pages are not for admins only
    before = db.session.scalars(select(Sector.name)).all()
    response = post_form(client, "/admin/zone/sectors/new", data)
    assert response.status_code in (200, 400)
    assert db.session.scalars(select(Sector.name)).all() == before


def test_a_sector_with_partners_is_not_removed(client, make_event, register):
    log_in_organiser(client, admin=False)  # these pages are not for admins only
    register(make_event())
    huisartsen = db.session.scalar(select(Sector).where(Sector.name == "Huisartsen"))
    tandartsen = db.session.scalar(select(Sector).where(Sector.name == "Tandartsen"))
    for sector in (huisartsen, tandartsen):
        post_form(client, f"/admin/zone/sectors/{sector.id}/delete", {}, form_url=f"/admin/zone/sectors/{sector.id}")
    names = set(db.session.scalars(select(Sector.name)))
    assert "Huisartsen" in names and "Tandartsen" not in names
