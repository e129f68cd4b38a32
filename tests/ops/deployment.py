"""Helpers for the deployment test: the README's blocks, the processes the units start, HTTPS through nginx."""

import configparser
import contextlib
import http.client
import os
import pwd
import re
import shlex
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support import CSRF_FIELD

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PUBLIC_HOST = "events.elz.example"
# What systemd gives every service before EnvironmentFile= (systemd.exec(5), "Environment variables").
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"
RUNUSER = re.compile(r"runuser -u (\S+) -- ")


# --- The README -------------------------------------------------------------------------------------------------

def deployment_section() -> str:
    """The README's "## Deployment" section."""
    text = (PROJECT_ROOT / "README.md").read_text()
    start = text.index("## Deployment\n")
    return text[start:text.index("\n## ", start)]


def code_block_after(marker: str) -> str:
    """The first indented code block after the line of the deployment section that contains `marker`."""
    lines = deployment_section().splitlines()
    at = next((i for i, line in enumerate(lines) if marker in line), None)
    assert at is not None, f"the README's deployment section no longer mentions {marker!r}"
    start = next(i for i in range(at + 1, len(lines)) if lines[i].startswith("    ") and not lines[i - 1].strip())
    block = []
    for line in lines[start:]:
        if line.strip() and not line.startswith("    "):
            break
        block.append(line[4:])
    return "\n".join(block).strip("\n") + "\n"


def inline_command(start: str) -> str:
    """The `code span` of the deployment section that begins with `start` (a wrapped span reads as one line)."""
    text = " ".join(deployment_section().splitlines())
    match = re.search(r"`(" + re.escape(start) + r"[^`]*)`", text)
    assert match, f"the README's deployment section no longer has a command starting with {start!r}"
    return match.group(1)


def replaced(text: str, replacements: dict[str, str]) -> str:
    """`text` with host-specific parts replaced; a part the README no longer has fails instead of passing silently."""
    for old, new in replacements.items():
        assert old in text, f"the README's text no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def without_runuser(command: str, roles: dict[str, str]) -> tuple[str, dict[str, str]]:
    """`runuser -u USER -- ...` as this test runs it: as the test's own user, with USER's database role (PGUSER).

    There is no system user speeddate here and the test server trusts every local connection, so who runs a
    command matters only for the database role it connects as (peer authentication on a real host).
    """
    match = RUNUSER.match(command)
    if match is None:
        return command, {}
    return command[match.end():], {"PGUSER": roles[match.group(1)]}


def read_environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them.

    Quotes, backslashes and `$` would be read differently by systemd and by `sh` (which sources the same file for
    `flask users create` and the backup cron line), so the README's file must not need them.
    """
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, equals, value = line.partition("=")
        assert equals and re.fullmatch(r"[A-Z_][A-Z0-9_]*", key), f"not a KEY=VALUE line: {line!r}"
        assert not set(value) & set("\"'\\$`"), f"{key}: quoting or expansion, which systemd and sh read differently"
        values[key] = value
    return values


@dataclass(frozen=True)
class Unit:
    """A systemd service unit as written to disk."""

    path: Path

    @property
    def service(self) -> configparser.SectionProxy:
        parser = configparser.ConfigParser(interpolation=None, strict=True)
        parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
        parser.read(self.path)
        return parser["Service"]

    def command(self, key: str) -> list[str]:
        """ExecStart= or ExecStartPre= split into argv; systemd would expand `$` and `%`, so there must be none."""
        line = self.service[key]
        assert "$" not in line and "%" not in line, line
        return shlex.split(line)

    def environment(self, home: Path) -> dict[str, str]:
        """The environment systemd gives the service: its PATH, the user's basics, then the EnvironmentFile."""
        user = pwd.getpwuid(os.getuid()).pw_name
        return {"PATH": SYSTEMD_PATH, "HOME": str(home), "USER": user, "LOGNAME": user, "SHELL": "/bin/sh",
                **read_environment_file(Path(self.service["EnvironmentFile"]))}


# --- Processes ----------------------------------------------------------------------------------------------------

class Processes:
    """Long-running processes of one test module, each in its own session, all stopped at the end."""

    def __init__(self, log_directory: Path) -> None:
        self.log_directory = log_directory
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen:
        """Start a process with its output in `<name>.log`."""
        with open(self.log(name), "ab") as log:
            process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.running.append(process)
        return process

    def log(self, name: str) -> Path:
        return self.log_directory / f"{name}.log"

    def stop(self, process: subprocess.Popen, timeout: float = 20) -> None:
        """SIGTERM to the process's group, as `systemctl stop` does to a unit's cgroup; SIGKILL if it lingers."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for process in reversed(self.running):
            self.stop(process)


def wait_until(condition: Callable[[], object], what: str, timeout: float = 60,
               watch: tuple[subprocess.Popen, ...] = (), log: Path | None = None) -> object:
    """Poll `condition` until it is true; fail early when a watched process has exited."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        exited = [p for p in watch if p.poll() is not None]
        if exited or time.monotonic() > deadline:
            output = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
            problem = f"exited with {exited[0].returncode}" if exited else f"not within {timeout} s"
            pytest.fail(f"waiting for {what}: {problem}\n{output}")
        time.sleep(0.1)


def is_sleeping(process: subprocess.Popen) -> bool:
    """The process waits in sleep() (the mail worker between rounds), per the kernel."""
    try:
        return "nanosleep" in Path(f"/proc/{process.pid}/wchan").read_text()
    except OSError:
        return False


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """A plain HTTP GET on loopback; the body is read, the response returned."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def healthy(port: int) -> bool:
    try:
        return http_get(port, "/healthz").status == 200
    except OSError:
        return False


# --- HTTPS through nginx ------------------------------------------------------------------------------------------

def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """fullchain.pem and privkey.pem for the public host name, as certbot would leave them."""
    directory.mkdir(parents=True, exist_ok=True)
    chain, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(chain), "-days", "2", "-subj", f"/CN={PUBLIC_HOST}",
                    "-addext", f"subjectAltName=DNS:{PUBLIC_HOST}"], check=True, capture_output=True, timeout=60)
    return chain, key


class LoopbackHTTPS(http.client.HTTPConnection):
    """HTTPS to nginx on 127.0.0.1, from a chosen loopback address, as if to the public host (SNI, certificate)."""

    def __init__(self, port: int, context: ssl.SSLContext, source: str) -> None:
        super().__init__(PUBLIC_HOST, port, timeout=30, source_address=(source, 0))
        self.tls = context

    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout, self.source_address)
        self.sock = self.tls.wrap_socket(raw, server_hostname=PUBLIC_HOST)


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    text: str


class Browser:
    """What a browser at one client address does over HTTPS: Host, cookies, Referer on forms; no redirects followed."""

    def __init__(self, port: int, cafile: Path, source: str = "127.0.0.1") -> None:
        self.port, self.source = port, source
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, form: dict | None = None,
                headers: dict[str, str] | None = None) -> Page:
        sent = {"Host": PUBLIC_HOST, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = LoopbackHTTPS(self.port, self.context, self.source)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            page = Page(response.status, response.headers, response.read().decode())
        finally:
            connection.close()
        self._keep_cookies(page.headers.get_all("Set-Cookie") or [])
        return page

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str, **kwargs) -> Page:
        return self.request("GET", path, **kwargs)

    def csrf_token(self, path: str) -> str:
        """The CSRF token of the form on a page (the session's, so it serves for every form)."""
        page = self.get(path)
        match = CSRF_FIELD.search(page.text)
        assert match, f"no CSRF token on {path} ({page.status})"
        return match.group(1) or match.group(2)

    def post(self, path: str, data: dict, token: str, form_path: str | None = None,
             headers: dict[str, str] | None = None) -> Page:
        """Post a form from its page, as a browser on port 443 would: with the Referer that Flask-WTF checks."""
        referer = f"https://{PUBLIC_HOST}{form_path or path}"
        return self.request("POST", path, form={**data, "csrf_token": token},
                            headers={"Referer": referer, **(headers or {})})

    def submit(self, path: str, data: dict, form_path: str | None = None,
               headers: dict[str, str] | None = None) -> Page:
        """Fetch the form for its CSRF token, then post it."""
        return self.post(path, data, self.csrf_token(form_path or path), form_path, headers)
