"""A throw-away PostgreSQL server for the tests that depend on its locking and DDL (Debian's packages)."""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg


@dataclass
class PostgresServer:
    directory: Path
    port: int
    bin_dir: Path
    run_as: list[str]

    def url(self, database: str) -> str:
        """SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg://speeddate@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=speeddate dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(sql)

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.directory, ignore_errors=True)

    def halt(self) -> None:
        """Stop the server as a crash would, keeping its data directory for `restart`."""
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.directory / "data"),
                        "-m", "immediate", "stop"], check=False, capture_output=True)

    def restart(self) -> None:
        """Start a halted server again, on the same port with the same data (after crash recovery)."""
        _pg_ctl_start(self)
        _wait_until_ready(self)


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin directory, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def start(port: int) -> PostgresServer:
    """initdb a cluster in a temporary directory and start it on loopback (as user postgres when root)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: run `make system-deps` (apt-get install postgresql)")
    directory = Path(tempfile.mkdtemp(prefix="speeddate-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        user = pwd.getpwnam("postgres")
        os.chown(directory, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    server = PostgresServer(directory, port, bin_dir, run_as)
    subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(directory / "data"), "-U", "speeddate",
                    "-A", "trust", "-E", "UTF8", "--locale", "C.UTF-8"], check=True, capture_output=True)
    _pg_ctl_start(server)
    _wait_until_ready(server)
    return server


def _pg_ctl_start(server: PostgresServer) -> None:
    options = f"-h 127.0.0.1 -p {server.port} -k {server.directory} -c fsync=off -c max_connections=200"
    subprocess.run([*server.run_as, str(server.bin_dir / "pg_ctl"), "-D", str(server.directory / "data"),
                    "-o", options, "-l", str(server.directory / "log"), "-w", "start"], check=True,
                   capture_output=True)


def _wait_until_ready(server: PostgresServer) -> None:
    for _ in range(100):
        try:
            server.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not start; see {server.directory / 'log'}")
