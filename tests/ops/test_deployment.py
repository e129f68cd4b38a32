"""The README's deployment section, run as written: its env file, systemd units, nginx site and backup commands.

The blocks are read from README.md itself. Only what belongs to a host is replaced: /srv/speeddate by this
checkout, ports by free loopback ports, the Let's Encrypt certificate by a self-signed one, the SMTP relay by a
loopback server that requires STARTTLS, /run/postgresql by the test server's socket, and the database role by
one that is free on that server. systemd does not run in the test container: `systemd-analyze verify` checks the
units, and their command lines run with the environment the units give them, as the test's own user.
"""

import configparser
import contextlib
import json
import os
import re
import shutil
import sqlite3
import ssl
import subprocess
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller

from speeddate import create_app
from speeddate.config import DefaultConfig
from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import EventType
from tests.ops.deployment import (
    PROJECT_ROOT,
    PUBLIC_HOST,
    SYSTEMD_PATH,
    Browser,
    Processes,
    Unit,
    code_block_after,
    deployment_section,
    healthy,
    http_get,
    inline_command,
    is_sleeping,
    port_open,
    read_environment_file,
    replaced,
    self_signed_certificate,
    wait_until,
    without_runuser,
)
from tests.postgres import PostgresServer
from tests.support import PARTNER, Mailbox, free_port, local_now

pytestmark = pytest.mark.postgres

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# The README's role is the test server's superuser already; the application's owner role must not be one.
APP_ROLE = "speeddate_app"
ADMIN_PASSWORD = "correct horse battery"
# A partner registering without gemeenten: a fresh deployment has none until an organiser adds them.
REGISTRATION = {key: value for key, value in PARTNER.items() if key != "gemeenten"}
README_DATABASE_URL = "postgresql://speeddate@/speeddate?host=/run/postgresql"


@dataclass
class Deployment:
    directory: Path
    env_file: Path
    units: dict[str, Unit]
    processes: Processes
    postgres: PostgresServer
    mailbox: Mailbox
    cafile: Path
    https_port: int
    http_port: int
    event_slug: str = ""
    registration_url: str = ""
    services: list = field(default_factory=list)

    def start(self, unit: str, name: str | None = None):
        """Run a unit's ExecStart in its working directory with its environment, as systemd would."""
        service = self.units[unit]
        process = self.processes.start(name or unit, service.command("ExecStart"),
                                       Path(service.service["WorkingDirectory"]), service.environment(self.directory))
        self.services.append(process)
        return process

    def run(self, unit: str, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        """A command in a unit's working directory and environment (ExecStartPre, or a flask command)."""
        service = self.units[unit]
        return subprocess.run(argv, cwd=service.service["WorkingDirectory"], env=service.environment(self.directory),
                              capture_output=True, text=True, timeout=120, **kwargs)

    def sql(self, query: str) -> list[tuple]:
        """One statement as the application's role; its rows, if any."""
        with psycopg.connect(host=str(self.postgres.directory), port=self.postgres.port, user=APP_ROLE,
                             dbname="speeddate", autocommit=True) as connection:
            cursor = connection.execute(query)
            return cursor.fetchall() if cursor.description else []

    def stop_services(self) -> None:
        """`systemctl stop speeddate-web speeddate-mail`."""
        for process in self.services:
            self.processes.stop(process)

    def browser(self, source: str = "127.0.0.1") -> Browser:
        return Browser(self.https_port, self.cafile, source)

    def log(self, name: str) -> str:
        path = self.directory / "log" / name
        return path.read_text(errors="replace") if path.exists() else ""

    def psql_environment(self, extra: dict[str, str]) -> dict[str, str]:
        """An administrator's shell on the database host, with the test server's socket as the default one."""
        return {"PATH": SYSTEMD_PATH, "HOME": str(self.directory), "PGHOST": str(self.postgres.directory),
                "PGPORT": str(self.postgres.port), **extra}


# --- Building the deployment from the README --------------------------------------------------------------------

def create_database(postgres, directory: Path) -> None:
    """The README's createuser and createdb lines; its apt-get line must name packages installed here."""
    lines = code_block_after("A deployment on Debian with PostgreSQL").splitlines()
    packages = lines[0].removeprefix("apt-get install ").split()
    installed = subprocess.run(["dpkg-query", "-W", "-f", "${Status}\n", *packages], capture_output=True,
                               text=True, timeout=60)
    assert installed.stdout.split("\n")[:-1] == ["install ok installed"] * len(packages), (lines[0], installed)
    roles = {"postgres": "speeddate"}  # the test server's superuser stands in for Debian's postgres role
    for line in lines[1:]:
        line = replaced(line, {"speeddate": APP_ROLE}) if "createuser" in line else \
            replaced(line, {"-O speeddate": f"-O {APP_ROLE}"})
        command, role = without_runuser(line, roles)
        environment = {"PATH": SYSTEMD_PATH, "PGHOST": str(postgres.directory), "PGPORT": str(postgres.port), **role}
        result = subprocess.run(command, shell=True, cwd=directory, env=environment, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, (line, result.stderr)


def write_environment_file(path: Path, database_url: str, smtp_port: int | None) -> Path:
    """/etc/speeddate.env: the secrets made by the README's own command; database and SMTP of this host."""
    made_secrets: list[str] = []

    def secret(placeholder: re.Match) -> str:
        made = subprocess.run(placeholder.group(1), shell=True, capture_output=True, text=True, check=True,
                              timeout=60).stdout.strip()
        assert re.fullmatch(r"[0-9a-f]{64}", made)
        made_secrets.append(made)
        return made

    text = re.sub(r"<output of: (.+)>", secret, code_block_after("`/etc/speeddate.env`"))
    assert len(made_secrets) == 2 and len(set(made_secrets)) == 2, "a session key and a link key, each its own"
    replacements = {f"SPEEDDATE_DATABASE_URL={README_DATABASE_URL}": f"SPEEDDATE_DATABASE_URL={database_url}"}
    if smtp_port is not None:
        replacements |= {"SPEEDDATE_MAIL_SERVER=smtp.example.org": "SPEEDDATE_MAIL_SERVER=127.0.0.1",
                         "SPEEDDATE_MAIL_PORT=587": f"SPEEDDATE_MAIL_PORT={smtp_port}"}
    path.write_text(replaced(text, replacements))
    path.chmod(0o600)
    return path


def write_units(directory: Path, env_file: Path, web_port: int) -> dict[str, Unit]:
    """Both unit files, pointing at this checkout, this env file and a free port."""
    directory.mkdir(parents=True, exist_ok=True)
    units = {}
    for name in ("speeddate-web", "speeddate-mail"):
        text = replaced(code_block_after(f"`/etc/systemd/system/{name}.service`"),
                        {"/srv/speeddate": str(PROJECT_ROOT), "/etc/speeddate.env": str(env_file)})
        if name == "speeddate-web":
            text = replaced(text, {"--bind 127.0.0.1:8000": f"--bind 127.0.0.1:{web_port}"})
        path = directory / f"{name}.service"
        path.write_text(text)
        units[name] = Unit(path)
    return units


def write_nginx_config(directory: Path, certificate_directory: Path, https_port: int, http_port: int,
                       web_port: int) -> Path:
    """Debian's nginx.conf in miniature (with its full-URL default access log), including the README's site."""
    site = replaced(code_block_after("`/etc/nginx/sites-enabled/speeddate`"), {
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        f"/etc/letsencrypt/live/{PUBLIC_HOST}/": f"{certificate_directory}/",
        "proxy_pass http://127.0.0.1:8000;": f"proxy_pass http://127.0.0.1:{web_port};",
        "/var/log/nginx/": f"{directory}/log/"})
    (directory / "sites-enabled").mkdir()
    (directory / "sites-enabled" / "speeddate").write_text(site)
    (directory / "temp").mkdir()
    temp_paths = "\n".join(f"    {kind}_temp_path {directory}/temp/{kind};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    config = directory / "nginx.conf"
    config.write_text(f"""daemon off;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 2;
pid {directory}/nginx.pid;
error_log {directory}/log/nginx-error.log;
events {{ worker_connections 256; }}
http {{
{temp_paths}
    access_log {directory}/log/access.log;
    include {directory}/sites-enabled/*;
}}
""")
    return config


def start_smtp_relay(certificate: Path, key: Path) -> tuple[Controller, Mailbox]:
    """A loopback SMTP server that, like the README's relay on port 587, accepts mail only after STARTTLS."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), tls_context=context,
                            require_starttls=True)
    controller.start()
    return controller, mailbox


@pytest.fixture(scope="module")
def deployment(postgres, tmp_path_factory):
    """PostgreSQL, gunicorn and nginx set up from the README, a published event; everything stopped afterwards."""
    directory = tmp_path_factory.mktemp("deployment")
    (directory / "log").mkdir()
    processes = Processes(directory / "log")
    certificate, key = self_signed_certificate(directory / "letsencrypt")
    controller, mailbox = start_smtp_relay(certificate, key)
    try:
        create_database(postgres, directory)
        database_url = replaced(README_DATABASE_URL, {"speeddate@/": f"{APP_ROLE}@:{postgres.port}/",
                                                      "/run/postgresql": str(postgres.directory)})
        env_file = write_environment_file(directory / "speeddate.env", database_url, controller.port)
        web_port, https_port, http_port = free_port(), free_port(), free_port()
        units = write_units(directory / "units", env_file, web_port)
        site = Deployment(directory, env_file, units, processes, postgres, mailbox, certificate, https_port,
                          http_port)

        upgrade = site.run("speeddate-web", units["speeddate-web"].command("ExecStartPre"))
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        web = site.start("speeddate-web")
        created = create_event(site)
        site.event_slug, site.registration_url = created["slug"], created["registration_url"]

        config = write_nginx_config(directory, certificate.parent, https_port, http_port, web_port)
        check = subprocess.run([NGINX, "-t", "-c", str(config), "-e", str(directory / "log" / "nginx-error.log")],
                               capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, check.stderr
        nginx = processes.start("nginx", [NGINX, "-c", str(config), "-e", str(directory / "log" / "nginx-error.log")],
                                directory, {"PATH": SYSTEMD_PATH})
        wait_until(lambda: healthy(web_port), "gunicorn to answer /healthz", watch=(web,),
                   log=processes.log("speeddate-web"))
        wait_until(lambda: port_open(https_port) and port_open(http_port), "nginx to listen", watch=(nginx,),
                   log=directory / "log" / "nginx-error.log")
        yield site
    finally:
        processes.stop_all()
        controller.stop()
        postgres.execute("DROP DATABASE IF EXISTS speeddate WITH (FORCE)")
        postgres.execute("DROP DATABASE IF EXISTS speeddate_before WITH (FORCE)")  # left by a failed restore test
        postgres.execute(f"DROP ROLE IF EXISTS {APP_ROLE}")


def create_event(site: Deployment) -> dict:
    """A published speeddate in two weeks, made with `flask events create` as an operator would script it."""
    start = local_now().replace(second=0) + timedelta(days=14)
    flask = site.units["speeddate-web"].command("ExecStartPre")[0]
    result = site.run("speeddate-web", [flask, "events", "create", "--title", "Speeddate Oostkamp",
                                        "--type", "speeddate", "--start", start.isoformat(),
                                        "--end", (start + timedelta(hours=2)).isoformat(), "--capacity", "20",
                                        "--publish", "--json"])
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


# --- The tests --------------------------------------------------------------------------------------------------

def test_the_units_pass_systemd_analyze_verify(tmp_path):
    env_file = write_environment_file(tmp_path / "speeddate.env", "postgresql:///speeddate", None)
    units = write_units(tmp_path / "units", env_file, 8000)
    result = subprocess.run(["systemd-analyze", "verify", *(str(unit.path) for unit in units.values())],
                            capture_output=True, text=True, timeout=60)
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if "speeddate" in line]
    assert result.returncode == 0 and not complaints, result.stdout + result.stderr
    assert units["speeddate-web"].command("ExecStartPre")[1:] == ["db", "upgrade"]
    assert units["speeddate-mail"].command("ExecStart")[1:] == ["mail", "send", "--loop"]


def test_systemd_and_sh_read_the_environment_file_alike(tmp_path):
    env_file = write_environment_file(tmp_path / "speeddate.env", "postgresql:///speeddate", None)
    by_systemd = read_environment_file(env_file)
    shell = subprocess.run(["sh", "-c", f"set -a && . {env_file} && env -0"], env={"PATH": SYSTEMD_PATH},
                           capture_output=True, text=True, check=True, timeout=60)
    by_sh = dict(entry.split("=", 1) for entry in shell.stdout.split("\0") if entry)
    assert by_systemd == {key: by_sh[key] for key in by_systemd}
    assert by_systemd["SPEEDDATE_PROXY_FIX"] == "1" and by_systemd["FLASK_APP"] == "wsgi.py"


def test_the_production_install_brings_the_postgresql_driver():
    """`make install` (no dev extras) must be able to open the README's postgresql:// URL."""
    setup = configparser.ConfigParser()
    setup.read(PROJECT_ROOT / "setup.cfg")
    assert any(line.startswith("psycopg") for line in setup["options"]["install_requires"].split())


def test_healthz_through_nginx_answers_with_the_documented_figures(deployment):
    page = deployment.browser().get("/healthz")
    assert page.status == 200
    health = json.loads(page.text)
    # Until the mail unit runs, mails would wait: /healthz says so ("degraded", still 200 for the web).
    crossed = [] if health["mail_worker_alive"] else ["mail_worker_alive"]
    assert health == {"status": "degraded" if crossed else "ok", "crossed": crossed, "database": True,
                      "outbox_backlog": 0, "oldest_pending_mail_seconds": 0, "failed_mails": 0, "uncertain_mails": 0,
                      "held_mails": 0, "stuck_sending_mails": 0, "stuck_seating_jobs": 0,
                      "mail_worker_alive": health["mail_worker_alive"]}


def test_https_pages_carry_hsts_secure_cookies_and_nginx_request_id(deployment):
    browser = deployment.browser()
    page = browser.get(f"/e/{deployment.event_slug}", headers={"X-Request-ID": "chosen-by-the-client-1"})
    assert page.status == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    session_cookie = next(h for h in browser.set_cookie_headers if h.startswith("session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie

    request_id = page.headers["X-Request-ID"]
    assert request_id != "chosen-by-the-client-1" and re.fullmatch(r"[0-9a-f]{32}", request_id)
    wait_until(lambda: request_id in deployment.log("speeddate.log"), "nginx's access log line", timeout=10)
    app_lines = [line for line in deployment.processes.log("speeddate-web").read_text().splitlines()
                 if f"request_id={request_id}" in line]
    assert len(app_lines) == 1 and "endpoint=partners.event" in app_lines[0], app_lines
    assert deployment.event_slug not in app_lines[0]


def test_plain_http_is_redirected_to_https_on_the_public_host(deployment):
    response = http_get(deployment.http_port, "/e/some-event?lang=fr", headers={"Host": PUBLIC_HOST})
    assert response.status == 301
    assert response.headers["Location"] == f"https://{PUBLIC_HOST}/e/some-event?lang=fr"


def test_a_partner_registers_through_nginx_and_the_mail_worker_sends_the_confirmation_once(deployment):
    assert deployment.registration_url == f"https://{PUBLIC_HOST}/e/{deployment.event_slug}"
    browser = deployment.browser()
    response = browser.submit(f"/e/{deployment.event_slug}", REGISTRATION)
    assert response.status == 200 and "/r/" not in response.text, "the personal link goes to the mailbox only"
    # "Run it on one host or several": two workers started as the unit does, at once.
    workers = [deployment.start("speeddate-mail", f"speeddate-mail-{n}") for n in (1, 2)]
    mailbox = deployment.mailbox
    wait_until(lambda: mailbox.to(REGISTRATION["email"]), "the confirmation mail", watch=tuple(workers),
               log=deployment.processes.log("speeddate-mail-1"))
    wait_until(lambda: all(is_sleeping(worker) for worker in workers), "both workers to finish their round",
               timeout=60, watch=tuple(workers), log=deployment.processes.log("speeddate-mail-2"))
    for worker in workers:
        deployment.processes.stop(worker)
    [mail] = mailbox.to(REGISTRATION["email"])
    [location] = re.findall(rf"https://{re.escape(PUBLIC_HOST)}(/r/[^\s/]+)\s", mail.get_body(("plain",)).get_content())
    assert json.loads(deployment.browser().get("/healthz").text)["outbox_backlog"] == 0
    personal = browser.get(location)
    assert personal.status == 200 and f"https://{PUBLIC_HOST}/r/" in personal.text
    assert "http://" not in personal.text and "127.0.0.1" not in personal.text

    token = location.rsplit("/r/", 1)[1]
    for log in ("speeddate.log", "access.log", "nginx-error.log"):
        assert token not in deployment.log(log) and REGISTRATION["email"] not in deployment.log(log), log
    assert deployment.log("access.log") == "", "Debian's full-URL access log must not see this site"
    web_log = deployment.processes.log("speeddate-web").read_text()
    assert token not in web_log and REGISTRATION["email"] not in web_log and "/r/" not in web_log


def test_the_public_form_limit_counts_per_client_address_behind_nginx(deployment):
    """X-Forwarded-For is honoured exactly one hop: nginx's, not whatever the client sends."""
    flooding, colleague = deployment.browser("127.0.0.2"), deployment.browser("127.0.0.3")
    path = f"/e/{deployment.event_slug}"
    count, _seconds = DefaultConfig.RATE_LIMITS["public_address"]
    assert f"accept {count} posts per address per minute" in " ".join(deployment_section().split())
    token = flooding.csrf_token(path)
    statuses = [flooding.post(path, {}, token, headers={"X-Forwarded-For": f"198.51.100.{n}"}).status
                for n in range(count)]
    assert statuses == [400] * count  # an empty form: refused, but counted
    assert flooding.post(path, {}, token, headers={"X-Forwarded-For": "198.51.100.250"}).status == 429
    assert colleague.submit(path, {}).status == 400


def test_the_documented_admin_command_creates_an_organiser_who_can_log_in(deployment):
    command = replaced(inline_command("runuser -u speeddate -- sh -c "),
                       {"/srv/speeddate": str(PROJECT_ROOT), "/etc/speeddate.env": str(deployment.env_file)})
    command, _ = without_runuser(command, {"speeddate": APP_ROLE})
    # No terminal (a new session), so the password prompt reads stdin; run from anywhere but the checkout.
    result = subprocess.run(command, shell=True, cwd=deployment.directory, input=f"{ADMIN_PASSWORD}\n" * 2,
                            env={"PATH": SYSTEMD_PATH, "HOME": str(deployment.directory)}, capture_output=True,
                            text=True, timeout=120, start_new_session=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Created admin you@elz.example" in result.stdout

    browser = deployment.browser()
    login = browser.submit("/login", {"email": "you@elz.example", "password": ADMIN_PASSWORD})
    assert login.status == 302, login.text
    assert browser.get(login.headers["Location"]).status == 200
    assert all("Secure" in header for header in browser.set_cookie_headers)
    settings = browser.submit("/admin/zone/settings", {"name": "ELZ Deployment Test", "contact_email": "",
                                                       "default_language": "nl"}, form_path="/admin/zone/")
    assert settings.status == 302  # admins only: an organiser would get 403
    assert "ELZ Deployment Test" in browser.get("/admin/zone/").text


def test_pg_dump_and_pg_restore_as_documented_bring_the_data_back(deployment):
    """Runs last of the tests on the deployment: it stops the services, as the README's restore does."""
    lines = code_block_after("the shell, not the owner, opens the dump file").splitlines()
    assert [line.split()[0] for line in lines] == ["runuser", "systemctl", "runuser", "runuser", "runuser",
                                                   "systemctl"], lines
    roles = {"speeddate": APP_ROLE, "postgres": "speeddate"}  # the test server's superuser stands in for postgres
    deployment.browser().submit(f"/e/{deployment.event_slug}", {**REGISTRATION, "email": "before@example.org"})
    before = deployment.sql("SELECT title, (SELECT count(*) FROM registrations) FROM events ORDER BY id")
    version = deployment.sql("SELECT version_num FROM alembic_version")

    dump, role = without_runuser(lines[0], roles)
    result = subprocess.run(dump, shell=True, cwd=deployment.directory, env=deployment.psql_environment(role),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    [written] = deployment.directory.glob("speeddate-*.dump")
    deployment.sql("UPDATE events SET title = 'Changed after the backup'")
    deployment.sql("DELETE FROM alembic_version")

    deployment.stop_services()  # systemctl stop speeddate-web speeddate-mail speeddate-seating
    keep = replaced(lines[2], {"-O speeddate": f"-O {APP_ROLE}"})
    restore = re.sub(r"speeddate-\d{4}-\d{2}-\d{2}\.dump", written.name, lines[3])
    for line in (keep, restore):
        command, role = without_runuser(line, roles)
        result = subprocess.run(command, shell=True, cwd=deployment.directory,
                                env=deployment.psql_environment(role), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0 and not result.stderr, (line, result.stderr)
    assert deployment.sql("SELECT title, (SELECT count(*) FROM registrations) FROM events ORDER BY id") == before
    assert deployment.sql("SELECT version_num FROM alembic_version") == version

    settle, _ = without_runuser(replaced(lines[4], {"/srv/speeddate": str(PROJECT_ROOT),
                                                   "/etc/speeddate.env": str(deployment.env_file)}), roles)
    result = subprocess.run(settle, shell=True, cwd=deployment.directory, input="y\n", capture_output=True,
                            text=True, env={"PATH": SYSTEMD_PATH, "HOME": str(deployment.directory)}, timeout=120,
                            start_new_session=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mails held: release them in the outbox after checking" in result.stdout
    assert deployment.sql("SELECT count(*) FROM outbox WHERE status = 'pending'") == [(0,)]
    drop, role = without_runuser(inline_command("runuser -u postgres -- dropdb "), roles)
    result = subprocess.run(drop, shell=True, cwd=deployment.directory, env=deployment.psql_environment(role),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # New rows after the restore must not collide with restored ones: the sequences came back too.
    [(highest, next_id)] = deployment.sql("SELECT max(id), nextval('registrations_id_seq') FROM registrations")
    assert next_id > highest


def test_sqlite_backup_by_the_cron_line_and_restore_as_documented(migrated_database, tmp_path):
    database = tmp_path / "speeddate.db"
    shutil.copy(migrated_database, database)
    env_file = write_environment_file(tmp_path / "speeddate.env", f"sqlite:///{database}", None)
    add_event(database, "Before the backup")

    schedule_and_command = inline_command("0 3 * * * ")
    command = replaced(schedule_and_command.split(" ", 5)[5],
                       {"/srv/speeddate": str(PROJECT_ROOT), "/etc/speeddate.env": str(env_file)})
    cron = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/sh", "LOGNAME": "speeddate"}
    folder = PROJECT_ROOT / "instance" / "backups"  # the documented place, in this checkout: tidied up below
    folder_existed = folder.exists()
    result = subprocess.run(["sh", "-c", command], cwd=tmp_path, env=cron, capture_output=True, text=True,
                            timeout=120)
    written = re.search(r"Backup written to (\S+)", result.stdout)
    backup = Path(written.group(1)) if written else folder / "missing"
    try:
        assert result.returncode == 0 and written, result.stdout + result.stderr
        assert backup.parent == folder
        assert re.fullmatch(r"speeddate-\d{8}-\d{6}\.db", backup.name)
        add_event(database, "After the backup")

        restore = f"cd {PROJECT_ROOT} && set -a && . {env_file} && .venv/bin/flask restore {backup}"
        result = subprocess.run(["sh", "-c", restore], cwd=tmp_path, env={"PATH": SYSTEMD_PATH}, input="y\n",
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
    finally:
        backup.unlink(missing_ok=True)
        if not folder_existed:
            with contextlib.suppress(OSError):
                folder.rmdir()
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT title FROM events").fetchall() == [("Before the backup",)]
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def add_event(database: Path, title: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "test"})
    with app.app_context():
        start = local_now() + timedelta(days=14)
        events.create_event(events.EventData(type=EventType.SPEEDDATE, title=title, starts_at=start,
                                             ends_at=start + timedelta(hours=2), capacity=20), publish=True)
        db.session.remove()
        db.engine.dispose()
