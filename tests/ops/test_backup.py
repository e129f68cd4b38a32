"""flask backup and flask restore on the embedded SQLite database: never while the service runs, and never sending
again what went out after the backup."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import downgrade
from sqlalchemy import func, select, text, update

from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import MailStatus, OutboxMail, Registration
from speeddate.models.base import utcnow
from speeddate.workers import Beat
from tests.support import make_test_app, registered, upcoming_event

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The README's systemd units: every process of the service.
STOP_THE_SERVICE = "systemctl stop speeddate-web speeddate-mail speeddate-seating"
# What a process of the service does that makes it hold the database, and a restore holding it alone.
HOLDS = {
    "web": "assert app.test_client().get('/').status_code == 200",
    "worker": "from speeddate.workers import Beat; beat = Beat(app, 'mail'); beat.__enter__()",
    "restore": "from speeddate import service_lock; held = service_lock.exclusive(app); held.__enter__()",
}
PROCESS = """
import sys
import threading
import time
from speeddate import create_app
app = create_app({{"TESTING": True, "DATABASE_URL": sys.argv[1], "SECRET_KEY": "other-process"}})
with app.app_context():
    {hold}
    print("holding", flush=True)
    sys.stdin.read()
"""


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


@contextmanager
def another_process(app, what: str):
    """A real process of the service on the app's database, holding it until the block ends, then killed -9."""
    command = [sys.executable, "-c", PROCESS.format(hold=HOLDS[what]), app.config["SQLALCHEMY_DATABASE_URI"]]
    with subprocess.Popen(command, cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          text=True) as process:
        try:
            assert process.stdout.readline() == "holding\n"
            yield process
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)


def statuses() -> dict[str, MailStatus]:
    db.session.rollback()
    return dict(db.session.execute(select(OutboxMail.idempotency_key, OutboxMail.status)).all())


@pytest.mark.parametrize("running", ["web", "worker"])
def test_restore_is_refused_while_a_process_of_the_service_runs_and_says_how_to_stop_it(
        app, runner, make_event, register, tmp_path, running):
    event = make_event()
    register(event, 1)
    out = tmp_path / "nightly.db"
    runner.invoke(args=["backup", "--out", str(out)])
    register(event, 2)

    with another_process(app, running):
        result = runner.invoke(args=["restore", str(out), "--yes"])
        assert result.exit_code != 0
        assert STOP_THE_SERVICE in result.output and "Nothing was changed" in result.output
        assert registrations() == 2
    # Killed with -9, the process holds nothing any more: the kernel dropped its lock.
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert registrations() == 1


def test_requests_during_a_restore_answer_503_and_are_served_again_afterwards(app, client):
    with another_process(app, "restore"):
        response = client.get("/", headers={"Accept-Language": "en"})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "60" and "Briefly unavailable" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_a_worker_started_during_a_restore_waits_for_it_then_runs(app):
    beat, started = Beat(app, "mail"), threading.Event()
    starting = threading.Thread(target=lambda: (beat.__enter__(), started.set()), daemon=True)
    with another_process(app, "restore"):
        starting.start()
        _wait_until(lambda: _waits_for_a_lock(os.getpid()))
        assert not started.is_set()
    assert started.wait(timeout=30)
    beat.__exit__(None, None, None)


def _waits_for_a_lock(pid: int) -> bool:
    """The kernel lists a process blocked in flock() as a waiter ("->") in /proc/locks."""
    return any(line.split()[1] == "->" and line.split()[5] == str(pid)
               for line in Path("/proc/locks").read_text().splitlines())


def _wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


KILLED_RESTORE = """
import os, signal, sys
from pathlib import Path
from speeddate import create_app
from speeddate.ops import backup
app = create_app({"TESTING": True, "DATABASE_URL": sys.argv[1], "SECRET_KEY": "other-process"})
backup.settle_restored_mail = lambda fates: os.kill(os.getpid(), signal.SIGKILL)  # dies after the copy
with app.app_context():
    backup.restore(Path(sys.argv[2]))
"""


def test_a_restore_killed_half_way_keeps_the_service_away_until_a_restore_finishes(
        app, client, runner, mailbox, tmp_path):
    from speeddate.service_lock import ServiceLocked

    registered("els@example.org", upcoming_event("Platform Oostkamp"))
    out = tmp_path / "nightly.db"
    runner.invoke(args=["backup", "--out", str(out)])
    killed = subprocess.run([sys.executable, "-c", KILLED_RESTORE, app.config["SQLALCHEMY_DATABASE_URI"], str(out)],
                            cwd=PROJECT_ROOT, timeout=120)
    assert killed.returncode == -signal.SIGKILL

    assert client.get("/").status_code == 503
    with pytest.raises(ServiceLocked):
        Beat(app, "mail").__enter__()
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 200
    runner.invoke(args=["mail", "send"])
    assert mailbox.messages == []


def test_after_a_restore_mail_sent_since_the_backup_is_not_sent_again_and_the_rest_is_held(
        app, runner, make_event, register, mailbox, clock, tmp_path):
    event = make_event()
    for number in range(3):
        register(event, number)
    out = tmp_path / "nightly.db"
    runner.invoke(args=["backup", "--out", str(out)])
    mailbox.deliver()
    register(event, 99)
    mailbox.deliver()
    assert len(mailbox.messages) == 4  # four confirmations; reminders and evaluations are due later

    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    clock.set(utcnow() + timedelta(days=60))  # everything is long due
    sending = runner.invoke(args=["mail", "send"])
    assert sending.exit_code == 0, sending.output
    assert len(mailbox.messages) == 4

    after = statuses()
    assert [after[f"confirmed:{n}"] for n in (1, 2, 3)] == [MailStatus.SENT] * 3
    assert sorted(after.values()).count(MailStatus.HELD) == 9 and MailStatus.PENDING not in after.values()
    # Three confirmations went out after the backup; each registration's reminder, evaluation and its reminder wait.
    assert "3 mails had gone out after the backup" in result.output
    assert "9 mails held: release them in the outbox after checking" in result.output


def test_a_mail_being_sent_in_the_backup_or_perhaps_sent_since_becomes_uncertain(
        app, runner, make_event, register, mailbox, tmp_path):
    event = make_event()
    register(event, 1)
    register(event, 2)
    _set(MailStatus.SENDING, "confirmed:1")
    out = tmp_path / "nightly.db"
    runner.invoke(args=["backup", "--out", str(out)])
    _set(MailStatus.UNCERTAIN, "confirmed:2")

    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["mail", "send"])
    assert mailbox.messages == []
    after = statuses()
    assert after["confirmed:1"] == after["confirmed:2"] == MailStatus.UNCERTAIN
    assert "2 mails may have been sent" in result.output


def test_restore_keeps_the_database_it_replaces(runner, make_event, register, tmp_path):
    event = make_event()
    register(event, 1)
    out = tmp_path / "nightly.db"
    runner.invoke(args=["backup", "--out", str(out)])
    register(event, 2)
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    kept = Path(result.output.split("kept in ")[1].split(".db")[0] + ".db")
    with sqlite3.connect(kept) as replaced:
        assert replaced.execute("SELECT count(*) FROM registrations").fetchone() == (2,)


def _set(status: MailStatus, key: str) -> None:
    with write():
        db.session.execute(update(OutboxMail).where(OutboxMail.idempotency_key == key).values(status=status))


@pytest.mark.postgres
def test_after_pg_restore_mail_sent_since_the_dump_is_not_sent_again_and_the_rest_is_held(
        postgres_app, postgres, mailbox, clock):
    live = db.engine.url.database
    event_id = upcoming_event("Platform Oostkamp")
    registered("els@example.org", event_id)
    registered("jan@example.org", event_id)
    dumped = statuses()
    _copy_database(postgres, live, f"{live}_dump")
    mailbox.deliver()
    delivered = len(mailbox.messages)
    assert delivered == 2
    # What the README says to do: keep a copy of the live database, then pg_restore the dump over it.
    _copy_database(postgres, live, f"{live}_before")
    postgres.execute(f'DROP DATABASE "{live}" WITH (FORCE)')
    _copy_database(postgres, f"{live}_dump", live)

    try:
        result = postgres_app.test_cli_runner().invoke(
            args=["restore", "--after-pg-restore", "--sent-from", f"{live}_before", "--yes"])
        assert result.exit_code == 0, result.output
        clock.set(utcnow() + timedelta(days=60))
        postgres_app.test_cli_runner().invoke(args=["mail", "send"])
        assert len(mailbox.messages) == delivered
        assert "2 mails had gone out after the backup" in result.output
        assert f"{len(dumped) - 2} mails held" in result.output
        assert MailStatus.PENDING not in statuses().values()
    finally:
        for copy in ("dump", "before"):
            postgres.execute(f'DROP DATABASE "{live}_{copy}" WITH (FORCE)')


@pytest.mark.postgres
def test_after_pg_restore_is_refused_while_a_process_of_the_service_uses_the_database(postgres_app):
    with another_process(postgres_app, "web"):
        result = postgres_app.test_cli_runner().invoke(args=["restore", "--after-pg-restore", "--yes"])
        assert result.exit_code != 0 and STOP_THE_SERVICE in result.output


def _copy_database(postgres, source: str, copy: str) -> None:
    db.session.remove()
    db.engine.dispose()
    postgres.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')


def test_restore_upgrades_an_older_backup_and_holds_its_mail(app, runner, make_event, register, smtp_server, tmp_path):
    register(make_event(), 1)
    head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    out = tmp_path / "before-0011.db"
    runner.invoke(args=["backup", "--out", str(out)])
    older = make_test_app(f"sqlite:///{out}", smtp_server)
    with older.app_context():
        downgrade(revision="0010")
        db.engine.dispose()

    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == head
    assert statuses()["confirmed:1"] == MailStatus.HELD


def test_restore_refuses_a_backup_of_a_newer_version_and_changes_nothing(runner, make_event, register, tmp_path):
    register(make_event(), 1)
    out = tmp_path / "newer.db"
    runner.invoke(args=["backup", "--out", str(out)])
    with closing(sqlite3.connect(out)) as newer, newer:
        newer.execute("UPDATE alembic_version SET version_num = '9999'")
    register(make_event(), 2)
    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code != 0 and "newer version" in result.output
    assert registrations() == 2
