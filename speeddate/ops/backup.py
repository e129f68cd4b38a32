"""Backups of the embedded SQLite database with sqlite3's online backup API (PostgreSQL: pg_dump), and restores
that neither lose what the service did since the backup nor send its mail again."""

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import ColumnElement, Engine, create_engine, inspect, select, text, update
from sqlalchemy.exc import OperationalError

from speeddate import service_lock
from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import MailStatus, OutboxMail

# The systemd units of the README's deployment section: every process that uses the database.
STOP_THE_SERVICE = "systemctl stop speeddate-web speeddate-mail speeddate-seating"
# Statuses of mail that left, or may have left, for the SMTP server.
MAY_HAVE_GONE = (MailStatus.SENDING, MailStatus.UNCERTAIN)


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


@dataclass
class MailFates:
    """What the database being replaced knew about its mail: sent (with when), and perhaps sent."""

    sent: dict[str, datetime | None] = field(default_factory=dict)
    in_doubt: set[str] = field(default_factory=set)


@dataclass
class Restored:
    """What a restore did to the restored database's mail, and where the replaced database was kept."""

    marked_sent: int = 0
    uncertain: int = 0
    held: int = 0
    kept: Path | None = None


def restore(backup_file: Path) -> Restored:
    """Replace the live database by a backup, while no web process or worker uses it, so that nothing done in
    the meantime is silently lost; keep a copy of the replaced one, and settle the restored mail before anything
    can send it (`settle_restored_mail`)."""
    target_path = sqlite_path()
    _check_backup(backup_file)
    try:
        with service_lock.exclusive(current_app):
            kept = backup(_before_restore_path(target_path))
            db.session.remove()
            fates = mail_fates()
            with service_lock.unfinished(current_app):
                _copy_over(backup_file, target_path)
                restored = settle_restored_mail(fates)
    except service_lock.ServiceInUse:
        raise BackupError(f"the service is running (a web process or a worker uses the database): stop it with "
                          f"`{STOP_THE_SERVICE}`, restore, then start it again. Nothing was changed.") from None
    restored.kept = kept
    return restored


def after_pg_restore(before: str | None) -> Restored:
    """PostgreSQL, after pg_restore: settle the restored mail as `restore` does, with what the database named
    `before` (a copy of the replaced one on the same server) had sent; without it, every pending mail is held."""
    if db.engine.dialect.name == "sqlite":
        raise BackupError("on SQLite, `flask restore FILE` settles the mail itself")
    others = _other_connections()
    if others:
        raise BackupError(f"{others} other connections use the database, so the service is running: stop it with "
                          f"`{STOP_THE_SERVICE}` first. Nothing was changed.")
    fates = MailFates()
    if before:
        engine = create_engine(db.engine.url.set(database=before))
        try:
            fates = mail_fates(engine)
        except OperationalError as error:
            raise BackupError(f"cannot read the database {before}: {type(error).__name__}") from None
        finally:
            engine.dispose()
    return settle_restored_mail(fates)


def _other_connections() -> int:
    """Client connections to this PostgreSQL database other than ours (a web process or worker of the service)."""
    db.session.remove()
    db.engine.dispose()
    return db.session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"))


def mail_fates(engine: Engine | None = None) -> MailFates:
    """Which mails a database (the current one unless told) records as sent, or as perhaps sent: read before it
    is replaced."""
    engine = engine or db.engine
    if not inspect(engine).has_table(OutboxMail.__tablename__):
        return MailFates()
    key, status = OutboxMail.idempotency_key, OutboxMail.status
    with engine.connect() as connection:
        sent = connection.execute(select(key, OutboxMail.sent_at).where(status == MailStatus.SENT)).all()
        in_doubt = connection.scalars(select(key).where(status.in_(MAY_HAVE_GONE))).all()
    return MailFates(sent=dict(sent), in_doubt=set(in_doubt))


def settle_restored_mail(fates: MailFates) -> Restored:
    """In a restored database, before any worker runs: what went out since the backup is sent, what may have gone
    (there or then) is uncertain, every other pending mail is held until an organiser releases it."""
    settled = Restored()
    status = OutboxMail.status
    with write():
        settled.marked_sent = _mark_sent(fates.sent)
        for keys in _chunks(sorted(fates.in_doubt - fates.sent.keys())):
            settled.uncertain += _set_status(MailStatus.UNCERTAIN, OutboxMail.idempotency_key.in_(keys),
                                             status.not_in((MailStatus.SENT, MailStatus.UNCERTAIN)))
        settled.uncertain += _set_status(MailStatus.UNCERTAIN, status == MailStatus.SENDING)
        settled.held = _set_status(MailStatus.HELD, status == MailStatus.PENDING)
    return settled


def _mark_sent(sent: dict[str, datetime | None]) -> int:
    marked = 0
    for keys in _chunks(list(sent)):
        rows = db.session.execute(select(OutboxMail.id, OutboxMail.idempotency_key).where(
            OutboxMail.idempotency_key.in_(keys), OutboxMail.status != MailStatus.SENT)).all()
        if rows:
            db.session.execute(update(OutboxMail), [
                {"id": ident, "status": MailStatus.SENT, "sent_at": sent[key]} for ident, key in rows])
        marked += len(rows)
    return marked


def _set_status(status: MailStatus, *conditions: ColumnElement[bool]) -> int:
    statement = update(OutboxMail).where(*conditions).values(status=status)
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


def _chunks(keys: list[str], size: int = 500) -> Iterator[list[str]]:
    """SQLite takes a limited number of parameters per statement."""
    for start in range(0, len(keys), size):
        yield keys[start:start + size]


def _before_restore_path(database: Path) -> Path:
    """backups/before-restore-YYYYMMDD-HHMMSS.db next to the database (instance/backups in production)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = database.parent / "backups"
    path, number = folder / f"before-restore-{stamp}.db", 1
    while path.exists():
        number += 1
        path = folder / f"before-restore-{stamp}-{number}.db"
    return path


def _copy_over(backup_file: Path, target_path: Path) -> None:
    """Copy the backup into the live file, then bring it to the code's schema (a backup may be older)."""
    db.session.remove()
    db.engine.dispose()
    with closing(_connect(backup_file)) as source, closing(_connect(target_path)) as target:
        source.backup(target)
    upgrade()


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
    if version[0] not in _known_revisions():
        raise BackupError(f"{path} comes from a newer version of speeddate (schema {version[0]}): restore it with "
                          "that version's code. Nothing was changed.")


def _known_revisions() -> set[str]:
    """The schema versions this code can upgrade from (its migrations)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return sqlite3.connect(path)
