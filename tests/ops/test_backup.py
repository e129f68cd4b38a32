"""flask backup and flask restore on the embedded SQLite database."""

import sqlite3
from pathlib import Path

from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.models import Registration


def registrations() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Registration))


def test_restore_brings_back_exactly_what_the_backup_held(runner, make_event, register, tmp_path):
    event = make_event()
    for number in range(3):
        assert register(event, number).status_code == 200
    out = tmp_path / "nightly.db"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    register(event, 99)
    assert registrations() == 4

    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert registrations() == 3
    with sqlite3.connect(out) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_backup_without_out_goes_to_the_instance_backups_folder(runner, app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    written = list((Path(app.instance_path) / "backups").glob("*.db"))
    assert len(written) == 1 and written[0].name.startswith("speeddate-")


def test_backup_refuses_to_overwrite_a_file(runner, tmp_path):
    out = tmp_path / "taken.db"
    out.write_text("keep me")
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code != 0 and "exists already" in result.output
    assert out.read_text() == "keep me"


def test_restore_refuses_a_file_that_is_no_backup_and_changes_nothing(runner, make_event, register, tmp_path):
    register(make_event(), 1)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    for path in (junk, empty, tmp_path / "missing.db"):
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code != 0, path
    assert registrations() == 1


def test_restore_asks_before_replacing_the_database(runner, tmp_path, make_event, register):
    out = tmp_path / "b.db"
    runner.invoke(args=["backup", "--out", str(out)])
    register(make_event(), 1)
    result = runner.invoke(args=["restore", str(out)], input="n\n")
    assert result.exit_code != 0
    assert registrations() == 1


def test_backup_on_postgresql_points_to_pg_dump(postgres_app):
    result = postgres_app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code != 0 and "pg_dump" in result.output
