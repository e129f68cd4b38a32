"""Database URL and engine behaviour: SQLite must serialise writers to keep the capacity lock honest."""

from pathlib import Path

from flask import Flask
from sqlalchemy import event

from speeddate.extensions import db


def database_uri(app: Flask) -> str:
    """SPEEDDATE_DATABASE_URL, or a SQLite file in the instance folder; PostgreSQL goes through psycopg 3."""
    url = app.config.get("DATABASE_URL")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(app.instance_path) / 'speeddate.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def configure_engine(app: Flask) -> None:
    """On SQLite: foreign keys on, WAL, a busy timeout, and BEGIN IMMEDIATE for every transaction."""
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
        connection.exec_driver_sql("BEGIN IMMEDIATE")
