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
    options: str = ""

    def url(self, database: str) -> str:
        """SQLAlchemy URL of a database on this server."""
        return f"postgresql+psycopg://speeddate@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=speeddate dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(sql)

    def halt(self) -> None:
        """Stop the server as an outage does (every connection ends at once), keeping its data."""
        self._pg_ctl("-m", "immediate", "stop")

    def resume(self) -> None:
        """Start the halted server again on the same data and port; return once it answers."""
        self._pg_ctl("-o", self.options, "-l", str(self.directory / "log"), "-w", "start")
        _wait_until_ready(self)

    def resume_if_halted(self) -> None:
        """Start the server again if a test left it halted."""
        try:
            self.execute("SELECT 1")
        except psycopg.OperationalError:
            self.resume()

    def restart(self) -> None:
        """A database restart: connections that clients keep in their pools are dead afterwards."""
        self.halt()
        self.resume()

    def _pg_ctl(self, *arguments: str) -> None:
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.directory / "data"), *arguments],
                       check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.directory / "data"),
                        "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(self.directory, ignore_errors=True)


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
    options = f"-h 127.0.0.1 -p {port} -k {directory} -c fsync=off -c max_connections=200"
    server = PostgresServer(directory, port, bin_dir, run_as, options)
    subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(directory / "data"), "-U", "speeddate",
                    "-A", "trust", "-E", "UTF8", "--locale", "C.UTF-8"], check=True, capture_output=True)
    server.resume()
    return server


def _wait_until_ready(server: PostgresServer) -> None:
    for _ in range(100):
        try:
            server.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not start; see {server.directory / 'log'}")
