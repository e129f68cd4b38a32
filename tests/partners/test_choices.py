"""The registration form's sector and gemeente choices are built once per process and rebuilt when the zone's
reference data changes, whichever process changed it (gunicorn runs several)."""

import subprocess
import sys
import textwrap

from sqlalchemy import select

from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import CacheVersion, Gemeente, Sector
from speeddate.partners import choices
from tests.support import post_form


def version() -> int:
    db.session.rollback()
    return db.session.scalar(select(CacheVersion.version).where(CacheVersion.name == choices.REFERENCE)) or 0


def in_another_process(app, code: str) -> None:
    """Run code in a fresh Python process on the same database, as another gunicorn worker would."""
    script = textwrap.dedent(f"""
        from speeddate import create_app
        app = create_app({{"DATABASE_URL": {app.config["DATABASE_URL"]!r}, "SECRET_KEY": "x", "TESTING": True}})
        with app.app_context():
            from speeddate.extensions import db
            from speeddate.models import Gemeente, Sector
            from speeddate.zone import services as zone
        """) + textwrap.indent(textwrap.dedent(code), "    ")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_sector_renamed_in_another_process_shows_on_the_next_form(app, client, make_event):
    event = make_event()
    assert "Huisartsen" in client.get(f"/e/{event.slug}").get_data(as_text=True)
    built = choices.current()
    assert choices.current() is built, "read from memory while nothing changed"
    before = version()
    sector = db.session.scalar(select(Sector).where(Sector.name == "Huisartsen"))
    in_another_process(app, f"""
        sector = db.session.get(Sector, {sector.id})
        zone.save_sector(sector.cluster_id, "Huisartsenpraktijken", "Médecins généralistes", "GP practices",
                         sector_id=sector.id)
        zone.save_gemeente("Ruddervoorde")
        """)
    assert version() > before
    page = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "Huisartsenpraktijken" in page and "Ruddervoorde" in page
    assert "GP practices" in client.get(f"/e/{event.slug}?lang=en").get_data(as_text=True)


def test_a_removed_gemeente_is_refused_even_by_a_process_that_built_its_choices_before(app, client, make_event,
                                                                                        monkeypatch):
    from tests.support import PARTNER

    event = make_event()
    gone = db.session.scalar(select(Gemeente).where(Gemeente.name == "Oostkamp"))
    offered = choices.current()
    with write():
        db.session.delete(db.session.get(Gemeente, gone.id))
    # Another process's copy may still offer it: the form finds it in the database before using it.
    monkeypatch.setattr(choices, "current", lambda: offered)
    response = post_form(client, f"/e/{event.slug}?lang=en", {**PARTNER, "gemeenten": [str(gone.id)]})
    assert response.status_code == 400 and "Please choose gemeenten from the list." in response.get_data(as_text=True)


def test_registering_does_not_bump_the_stamp_but_an_edit_does_and_a_rollback_does_not(app, make_event, register):
    before = version()
    register(make_event())
    assert version() == before, "a partner pointing at a sector is no change to the sector"
    try:
        with write():
            db.session.scalar(select(Sector).limit(1)).name_en = "Changed"
            db.session.flush()
            raise RuntimeError
    except RuntimeError:
        pass
    assert version() == before
    with write():
        db.session.scalar(select(Sector).limit(1)).name_en = "Changed"
    assert version() == before + 1


def test_sectors_and_gemeenten_by_name_still_prefill_the_form(client, make_event):
    """The zone's website links to the form with names, not ids."""
    from tests.support import PARTNER

    event = make_event()
    response = post_form(client, f"/e/{event.slug}", {**PARTNER, "sector": "médecins généralistes",
                                                       "gemeenten": ["OOSTKAMP"]})
    assert response.status_code == 200, response.get_data(as_text=True)
