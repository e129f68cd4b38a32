"""The directory pages and the import command: organisers only, search, history, edit, merge, import."""

import io

import pytest
from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.models import Partner, Registration
from tests.support import post_form

CSV = b"email;voornaam;achternaam;sector\nels@example.org;Els;Peeters;Huisartsen\n"


@pytest.mark.parametrize("url", ["/admin/directory/", "/admin/directory/import", "/admin/directory/organisations",
                                 "/admin/directory/export.csv", "/admin/directory/partners/1", "/admin/report",
                                 "/admin/report.json"])
def test_directory_and_report_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.location.startswith("/login")


def test_search_finds_a_registered_partner_by_organisation_and_filters_by_gemeente(organiser, make_event, register):
    register(make_event())
    page = organiser.get("/admin/directory/?q=huisartsenpraktijk&gemeente=1").get_data(as_text=True)
    assert "Els Peeters" in page
    assert "Els Peeters" not in organiser.get("/admin/directory/?gemeente=2").get_data(as_text=True)
    assert "Els Peeters" not in organiser.get("/admin/directory/?activity=inactive-1y").get_data(as_text=True)


def test_partner_page_shows_the_history(organiser, make_event, register):
    register(make_event(title="Speeddate Beernem"))
    partner = db.session.scalar(select(Partner))
    page = organiser.get(f"/admin/directory/partners/{partner.id}?lang=en").get_data(as_text=True)
    assert "Speeddate Beernem" in page and "confirmed" in page


def test_organiser_edits_a_partner_and_cannot_take_another_partners_email(organiser, make_event, register):
    event = make_event()
    register(event)
    register(event, number=2)
    partner = db.session.scalar(select(Partner).where(Partner.email == "els.peeters@example.org"))
    url = f"/admin/directory/partners/{partner.id}/edit"
    form = {"email": "ELS@example.org", "first_name": "Els", "last_name": "Peeters-Maes", "organisation": "CAW",
            "sector": "1", "language": "nl", "gemeenten": ["2"]}
    assert post_form(organiser, url, form).status_code == 302
    db.session.refresh(partner)
    assert (partner.email, partner.last_name, [g.name for g in partner.gemeenten]) == (
        "els@example.org", "Peeters-Maes", ["Beernem"])
    assert post_form(organiser, url, {**form, "email": "partner2@example.org"}).status_code == 400


def test_merging_moves_registrations_and_frees_a_doubled_place(organiser, make_event, register):
    event = make_event(capacity=2)
    register(event)
    register(event, number=2)
    register(event, number=3)  # waiting
    keep = db.session.scalar(select(Partner).where(Partner.email == "els.peeters@example.org"))
    url = f"/admin/directory/partners/{keep.id}/merge"
    post_form(organiser, url, {"other_email": "partner2@example.org", "confirm": "y"},
              form_url=f"/admin/directory/partners/{keep.id}")
    assert db.session.scalar(select(func.count()).select_from(Partner)) == 2
    statuses = sorted(r.status.value for r in db.session.scalars(select(Registration)))
    assert statuses == ["cancelled", "confirmed", "confirmed"]
    assert {r.partner.email for r in db.session.scalars(select(Registration))} == {
        "els.peeters@example.org", "partner3@example.org"}


def test_upload_preview_then_confirm_imports_in_one_go(organiser):
    token_page = "/admin/directory/import"
    response = post_form(organiser, token_page, {"file": (io.BytesIO(CSV), "p.csv")},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    preview = organiser.get(response.location + "?lang=en").get_data(as_text=True)
    assert "els@example.org" in preview and "create" in preview
    assert db.session.scalar(select(func.count()).select_from(Partner)) == 0
    assert post_form(organiser, response.location, {}).status_code == 302
    assert db.session.scalar(select(Partner.email)) == "els@example.org"


def test_a_made_up_import_key_is_not_found(organiser):
    assert organiser.get("/admin/directory/import/..%2F..%2Fsecret_key").status_code == 404


def test_import_command_reports_and_dry_run_writes_nothing(runner, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(CSV)
    result = runner.invoke(args=["partners", "import", str(path), "--dry-run"])
    assert result.exit_code == 0 and "1 created" in result.output
    assert db.session.scalar(select(func.count()).select_from(Partner)) == 0
    assert runner.invoke(args=["partners", "import", str(path)]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Partner)) == 1


def test_import_command_exits_with_2_and_writes_nothing_on_a_bad_row(runner, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(CSV + b"bad;=1+1;X;\n")
    result = runner.invoke(args=["partners", "import", str(path)])
    assert result.exit_code == 2 and "error" in result.output
    assert db.session.scalar(select(func.count()).select_from(Partner)) == 0
