"""The instance folder, its SQLite database (with -wal and -shm) and its secret key are for their owner only."""

import os
import stat

import pytest
from flask import Flask
from flask_migrate import upgrade

from speeddate import create_app
from speeddate.extensions import db


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An instance folder not made yet, under the usual umask of a shell (022: new files readable by all)."""
    folder = tmp_path / "srv" / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(folder))
    previous = os.umask(0o022)
    yield folder
    os.umask(previous)


def test_a_new_instance_folder_and_everything_in_it_are_readable_by_their_owner_only(instance):
    app = create_app({"TESTING": True})
    with app.app_context():
        upgrade()
        names = ("speeddate.db", "speeddate.db-wal", "speeddate.db-shm", "secret_key")
        files = {name: mode(instance / name) for name in names}
        db.engine.dispose()
    assert mode(instance) == 0o700
    assert files == dict.fromkeys(names, 0o600)


def test_an_existing_database_is_left_as_it_is(instance):
    instance.mkdir(parents=True)
    (instance / "speeddate.db").write_bytes(b"")
    os.chmod(instance / "speeddate.db", 0o640)
    create_app({"TESTING": True})
    assert mode(instance / "speeddate.db") == 0o640 and mode(instance) == 0o755
