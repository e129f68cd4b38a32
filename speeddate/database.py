"""Database URL and engine behaviour: SQLite must serialise writers to keep the capacity lock honest."""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from speeddate.extensions import db

M = TypeVar("M")

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


_UNIT = "speeddate.unit_of_work"
_ENDING = "speeddate.ending"


class UnitOfWorkError(RuntimeError):
    """A programming error: a lock outside a unit of work, or a commit or rollback inside one."""


@contextmanager
def write() -> Iterator[Session]:
    """The unit of work: everything inside is one transaction, committed once on a clean exit, rolled back on any
    exception. The outermost `with write():` begins it; an inner one (a service calling a service) joins it.

    A read-only transaction open before it is ended first. On SQLite the write lock is taken at once
    (BEGIN IMMEDIATE), so that a transaction never reads, then finds that another one wrote meanwhile and fails;
    readers never wait in WAL mode. PostgreSQL needs nothing more: services lock the rows they change
    (`lock_one`, SELECT ... FOR UPDATE). Services inside never commit or roll back; they raise.
    """
    session = db.session()
    if session.info.get(_UNIT):
        yield session
        return
    if session.in_transaction():
        session.commit()
    token = _write_intent.set(True)
    try:
        session.connection()
    finally:
        _write_intent.reset(token)
    session.info[_UNIT] = True
    transaction = session.get_transaction()
    try:
        yield session
    except BaseException:
        _end(session, session.rollback)
        raise
    if session.get_transaction() is not transaction:
        _end(session, session.rollback)
        raise UnitOfWorkError("the transaction was ended inside `with write():`; services raise, never commit")
    _end(session, session.commit)


def _end(session: Session, end: Callable[[], None]) -> None:
    session.info[_ENDING] = True
    try:
        end()
    finally:
        for key in (_ENDING, _UNIT):
            session.info.pop(key, None)


def in_write() -> bool:
    """Whether a unit of work is open in this session."""
    return bool(db.session().info.get(_UNIT))


def require_write(what: str) -> None:
    """Refuse to take a lock outside a unit of work: the lock would end with the statement, protecting nothing."""
    if not in_write():
        raise UnitOfWorkError(f"{what} locks rows, so it needs an open unit of work: call it inside `with write():`")


def lock_one(model: type[M], ident: int) -> M:
    """Load one row and hold its lock until the unit of work ends (FOR UPDATE; SQLite holds the database lock)."""
    require_write(f"locking {model.__name__} {ident}")
    statement = select(model).where(model.id == ident).with_for_update()  # type: ignore[attr-defined]
    return db.session.execute(statement.execution_options(populate_existing=True)).scalar_one()


@event.listens_for(Session, "before_commit")
def _no_commit_inside(session: Session) -> None:
    """A service that commits inside a unit of work would split it: refuse (only `write()` itself ends it)."""
    if session.info.get(_UNIT) and not session.info.get(_ENDING):
        raise UnitOfWorkError("commit inside `with write():`: services raise, the unit of work commits")


@event.listens_for(Session, "after_transaction_end")
def _forget_write(session: Session, transaction: SessionTransaction) -> None:
    """A commit or rollback of the outermost transaction ends the unit of work: the next one begins anew (a
    rollback by a service inside it is then caught by `write()`, which finds its transaction gone)."""
    if transaction.parent is None:
        session.info.pop(_UNIT, None)
