"""Database URL and engine behaviour: SQLite must serialise writers to keep the capacity lock honest."""

import os
from contextlib import suppress
from contextvars import ContextVar
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from speeddate.extensions import db

# Set while a service opens a write transaction; SQLite then begins with BEGIN IMMEDIATE.
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def database_uri(app: Flask) -> str:
    """SPEEDDATE_DATABASE_URL, or a SQLite file in the instance folder; PostgreSQL goes through psycopg 3."""
    url = app.config.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{private_file(Path(app.instance_path) / 'speeddate.db')}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def private_file(path: Path) -> Path:
    """Create the file (and its folder) for its owner's eyes only, unless it exists: 0700 folder, 0600 file.

    An empty file is a valid empty SQLite database; SQLite gives its -wal and -shm files the database's mode.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def configure_engine(app: Flask) -> None:
    """On SQLite: foreign keys on, WAL, a busy timeout, and BEGIN IMMEDIATE for write transactions."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own transaction handling defers the write lock,
        # so two registrations could both read "one place left" before either writes).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


_WRITING = "speeddate.writing"


def begin_write() -> None:
    """Start the transaction in which a service writes, or join the write transaction already open.

    A read-only transaction open before it is ended first. A write transaction already open is joined, not
    committed, so that a service calling another one (erase calls the capacity lock) stays one transaction.
    On SQLite the write lock is taken at once (BEGIN IMMEDIATE), so that a transaction never reads, then finds
    that another one wrote meanwhile and fails; readers never wait in WAL mode. PostgreSQL needs nothing more:
    services lock the rows they change (SELECT ... FOR UPDATE).
    """
    session = db.session()
    if session.in_transaction():
        if session.info.get(_WRITING):
            return
        session.commit()
    token = _write_intent.set(True)
    try:
        session.connection()
    finally:
        _write_intent.reset(token)
    session.info[_WRITING] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_write(session: Session, transaction: SessionTransaction) -> None:
    """A commit or rollback of the outermost transaction ends the write: the next one begins anew."""
    if transaction.parent is None:
        session.info.pop(_WRITING, None)
