"""Hostile uploads to the partner import: zip bombs, giant cells, addresses that cannot be mailed; kept files go."""

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from speeddate.directory import import_file, imports
from speeddate.extensions import db
from speeddate.mail import worker
from speeddate.models import Partner
from speeddate.uploads import UPLOAD_KEPT_SECONDS
from tests.directory.test_imports import xlsx
from tests.support import post_form


def with_member(content: bytes, name: str, data: bytes) -> bytes:
    """The XLSX with one more member, deflated (so that a huge member still makes a small file)."""
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def own_instance_folder(app, tmp_path):
    """Uploads go to this test's folder, never the checkout's instance/."""
    real = app.instance_path
    app.instance_path = str(tmp_path / "instance")
    yield
    app.instance_path = real


def uploads(app) -> list[Path]:
    folder = Path(app.instance_path) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def partner_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Partner))


GOOD = [["email", "first_name", "last_name"], ["els@example.org", "Els", "Peeters"]]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(app):
    bomb = with_member(xlsx(GOOD), "xl/padding.xml", b"a" * (import_file.MAX_UNPACKED_BYTES + 1))
    assert len(bomb) < import_file.MAX_BYTES
    with force_locale("en"), pytest.raises(import_file.ImportFileError, match="unpacks to more than 30 MB"):
        import_file.read_rows(bomb, "partners.xlsx")


def test_a_zip_of_many_members_is_refused(app):
    content = xlsx(GOOD)
    for number in range(import_file.MAX_MEMBERS):
        content = with_member(content, f"xl/m{number}.xml", b"")
    with pytest.raises(import_file.ImportFileError):
        import_file.read_rows(content, "partners.xlsx")


def test_a_giant_cell_is_refused(app):
    content = xlsx([*GOOD, ["an@example.org", "x" * (import_file.MAX_CELL_CHARACTERS + 1), "Aerts"]])
    with force_locale("en"), pytest.raises(import_file.ImportFileError, match="row 3 holds more than 1000 characters"):
        import_file.read_rows(content, "partners.xlsx")


def test_a_hundred_megabyte_cell_is_refused_without_reading_it(app):
    """The 5 kB XLSX with one 100 MB cell that took 15 s and 440 MB to preview: its sheet unpacks too big."""
    content = xlsx(GOOD)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<t>Els</t>", b"<t>" + b"E" * 100_000_000 + b"</t>")
            bomb.writestr(member.filename, data)
    assert len(buffer.getvalue()) < import_file.MAX_BYTES
    started = time.monotonic()
    with pytest.raises(import_file.ImportFileError):
        import_file.read_rows(buffer.getvalue(), "partners.xlsx")
    assert time.monotonic() - started < 5, "refused from the zip's directory, not after reading the cell"


@pytest.mark.parametrize(("language", "message"), [
    ("nl", "Het bestand is uitgepakt groter dan 30 MB"), ("fr", "Le fichier décompressé dépasse 30 Mo"),
    ("en", "The file unpacks to more than 30 MB")])
def test_an_uploaded_bomb_gets_a_message_in_the_organisers_language_and_nothing_is_kept(app, organiser, language,
                                                                                     message):
    bomb = with_member(xlsx(GOOD), "xl/padding.xml", b"a" * (import_file.MAX_UNPACKED_BYTES + 1))
    response = post_form(organiser, f"/admin/directory/import?lang={language}",
                         {"file": (io.BytesIO(bomb), "p.xlsx")}, form_url="/admin/directory/import",
                         content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert partner_count() == 0 and uploads(app) == []


@pytest.mark.parametrize("address", ["jürgen@example.org", "a\u200bb@example.org", "els@faß.example"])
def test_an_address_that_cannot_be_mailed_blocks_its_row(app, address):
    content = xlsx([*GOOD, [address, "Jürgen", "Maes"]])
    with pytest.raises(imports.ImportBlocked) as blocked:
        imports.apply_import(import_file.read_rows(content, "partners.xlsx"))
    assert [row.action for row in blocked.value.plan.rows] == [imports.Action.CREATE, imports.Action.ERROR]
    assert partner_count() == 0


def test_invisible_characters_in_a_name_block_its_row(app):
    content = xlsx([*GOOD, ["an@example.org", "\u200b\u200b", "Aerts"], ["bo@example.org", "Bo", "\u202eBos"]])
    with pytest.raises(imports.ImportBlocked) as blocked:
        imports.apply_import(import_file.read_rows(content, "partners.xlsx"))
    assert [row.action for row in blocked.value.plan.rows][1:] == [imports.Action.ERROR, imports.Action.ERROR]


def test_the_uploaded_file_is_readable_by_the_service_only_and_removed_after_the_import(app, organiser):
    response = post_form(organiser, "/admin/directory/import", {"file": (io.BytesIO(xlsx(GOOD)), "p.xlsx")},
                         content_type="multipart/form-data")
    assert response.status_code == 302
    [kept] = uploads(app)
    assert kept.stat().st_mode & 0o777 == 0o600
    assert post_form(organiser, response.location, {}).status_code == 302
    assert partner_count() == 1 and uploads(app) == []


def test_an_upload_never_imported_is_removed_after_a_day(app, organiser):
    response = post_form(organiser, "/admin/directory/import", {"file": (io.BytesIO(xlsx(GOOD)), "p.xlsx")},
                         content_type="multipart/form-data")
    [kept] = uploads(app)
    a_day_ago = time.time() - UPLOAD_KEPT_SECONDS - 1
    os.utime(kept, (a_day_ago, a_day_ago))
    assert organiser.get(response.location).status_code == 404, "no preview of a file kept too long"
    assert uploads(app) == []


class Stop(Exception):
    """Ends the mail worker's endless loop after its first round."""


def test_the_mail_worker_loop_removes_uploads_kept_for_more_than_a_day(app, organiser, monkeypatch):
    post_form(organiser, "/admin/directory/import", {"file": (io.BytesIO(xlsx(GOOD)), "p.xlsx")},
              content_type="multipart/form-data")
    post_form(organiser, "/admin/directory/import", {"file": (io.BytesIO(xlsx(GOOD)), "q.xlsx")},
              content_type="multipart/form-data")
    stale, fresh = uploads(app)
    a_day_ago = time.time() - UPLOAD_KEPT_SECONDS - 1
    os.utime(stale, (a_day_ago, a_day_ago))

    def stop(seconds):
        raise Stop

    monkeypatch.setattr(worker.time, "sleep", stop)
    with pytest.raises(Stop):
        worker.run_forever(30, lambda text: None)
    assert uploads(app) == [fresh]
