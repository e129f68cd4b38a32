"""Backups of the embedded SQLite database with sqlite3's online backup API (PostgreSQL: pg_dump)."""

import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from flask import current_app

from speeddate.extensions import db


class BackupError(Exception):
    """A backup or restore that cannot be done as asked."""


def sqlite_path() -> Path:
    """The file of the app's SQLite database; other databases have their own tools."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise BackupError(f"the database is {url.get_backend_name()}, not a SQLite file: use pg_dump "
                          "(see the README's deployment section)")
    return Path(url.database)


def default_backup_path() -> Path:
    """instance/backups/speeddate-YYYYMMDD-HHMMSS.db"""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(current_app.instance_path) / "backups" / f"speeddate-{stamp}.db"


def backup(out: Path) -> Path:
    """Copy the live database to `out`, consistent even while workers write (the online backup API)."""
    source_path = sqlite_path()
    if out.exists():
        raise BackupError(f"{out} exists already")
    out.parent.mkdir(parents=True, exist_ok=True)
    db.session.rollback()
    with closing(_connect(source_path)) as source, closing(_connect(out)) as target:
        source.backup(target)
    return out


def restore(backup_file: Path) -> None:
    """Replace the live database's content by a backup's, after checking that the backup is sound."""
    target_path = sqlite_path()
    _check_backup(backup_file)
    db.session.rollback()
    db.engine.dispose()
    with closing(_connect(backup_file)) as source, closing(_connect(target_path)) as target:
        source.backup(target)


def _check_backup(path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    try:
        with closing(_connect(path, read_only=True)) as connection:
            integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
            version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a speeddate backup: {error}") from None
    if integrity != "ok" or version is None:
        raise BackupError(f"{path} is damaged or not a speeddate backup ({integrity})")


def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return sqlite3.connect(path)
