"""Which processes use the embedded database: every web process and worker holds a shared lock on a file next to
the SQLite database, for as long as it lives; a restore takes it alone.

A restore that replaced the database under a running web server would silently drop what was registered
meanwhile, and a running mail worker would send again what the backup still had as due. `fcntl.flock` locks
belong to the process's open file and the kernel drops them when the process ends in any way, kill -9 included,
so a lock left behind by a dead process is impossible. PostgreSQL has its own tools (pg_restore) and no file.
"""

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from speeddate.database import private_file

log = logging.getLogger(__name__)

# The lock file's descriptor this process holds, per lock file, with the process id that opened it: a forked
# child (a gunicorn worker) takes a hold of its own rather than sharing its parent's.
_held: dict[Path, tuple[int, int]] = {}


class ServiceLocked(Exception):
    """A restore holds the database: the service is briefly unavailable."""


class ServiceInUse(Exception):
    """A web process or a worker holds the database: it cannot be restored now."""


def lock_file(app: Flask) -> Path | None:
    """The lock file next to the app's SQLite database file; None for other databases (and SQLite in memory)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    database = Path(url.database).resolve()
    return database.with_name(database.name + ".lock")


def hold_shared(app: Flask, wait: bool = False) -> None:
    """Hold this process's share of the service (once per process); while a restore runs, raise ServiceLocked,
    or with `wait` (a worker starting) wait until the restore is done. After a restore that did not finish,
    raise ServiceLocked in any case: the database may hold mail that nobody settled."""
    path = lock_file(app)
    if path is None or _own_descriptor(path) is not None:
        return
    descriptor = os.open(private_file(path), os.O_RDWR)
    try:
        _flock(descriptor, fcntl.LOCK_SH, wait)
        if path.read_bytes():
            log.error("a restore of the database did not finish: run `flask restore` again")
            raise ServiceLocked()
    except BaseException:
        os.close(descriptor)
        raise
    _held[path] = (os.getpid(), descriptor)


@contextmanager
def exclusive(app: Flask) -> Iterator[None]:
    """Hold the database alone while the block runs; ServiceInUse at once when any other process holds it.

    This process's own share, if it has one (a command run in a process that served requests, as in tests),
    is turned into the exclusive lock and back, so that a restore never waits for itself.
    """
    path = lock_file(app)
    if path is None:
        yield
        return
    own = _own_descriptor(path)
    descriptor = own if own is not None else os.open(private_file(path), os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if own is None:
            os.close(descriptor)
        raise ServiceInUse(str(path)) from None
    try:
        yield
    finally:
        if own is None:
            os.close(descriptor)
        else:
            fcntl.flock(descriptor, fcntl.LOCK_SH)


@contextmanager
def unfinished(app: Flask) -> Iterator[None]:
    """Mark the database as being replaced while the block runs (inside `exclusive`): if the restore dies before
    the end of the block, no process of the service will use the database until a restore finishes."""
    path = lock_file(app)
    if path is None:
        yield
        return
    path.write_bytes(b"a restore began and did not finish: run `flask restore` again\n")
    yield
    path.write_bytes(b"")


def _own_descriptor(path: Path) -> int | None:
    pid, descriptor = _held.get(path, (None, None))
    return descriptor if pid == os.getpid() else None


def _flock(descriptor: int, operation: int, wait: bool) -> None:
    try:
        fcntl.flock(descriptor, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        if not wait:
            raise ServiceLocked() from None
        log.warning("a restore of the database is running: waiting until it is done")
        fcntl.flock(descriptor, operation)
