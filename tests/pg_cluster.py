"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl in a temporary folder, on
127.0.0.1 and a free port, trust authentication (loopback only), stopped and removed after.

The server binaries come from Debian's `postgresql` package (/usr/lib/postgresql/*/bin);
`.ci/run` installs it. Postgres refuses to run as root, so as root the cluster runs as the
`postgres` user the package creates.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) are missing: .ci/run installs them with "
    "`apt-get install -y postgresql`; on a developer machine run that once"
)


class ClusterError(RuntimeError):
    pass


def server_bin() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise ClusterError(INSTALL_HINT)
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    def __init__(self) -> None:
        self.bin = server_bin()
        self.as_user: list[str] = []
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise ClusterError(
                    f"no `postgres` user to run the server as. {INSTALL_HINT}"
                ) from None
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.root = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))  # /tmp: reachable by postgres
        if owner is not None:
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = 0
        self._names = itertools.count(1)

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, *args], capture_output=True, text=True, timeout=180, check=False
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise ClusterError(
                f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr.strip()}\n{log}"
            )

    def start(self) -> PgCluster:
        self._run(
            str(self.bin / "initdb"),
            "-D", str(self.data),
            "-U", "postgres",
            "--auth=trust",
            "--no-locale",  # C collation: text sorts by code point, as SQLite's does
            "-E", "UTF8",
            "--no-sync",
        )  # fmt: skip
        for _attempt in range(3):  # another process may take the free port first
            self.port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -c port={self.port}"
                f" -c unix_socket_directories={self.root}"
                " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
                " -c max_connections=100"
            )
            try:
                self._run(
                    str(self.bin / "pg_ctl"),
                    "start", "-w", "-t", "120",
                    "-D", str(self.data), "-l", str(self.log), "-o", options,
                )  # fmt: skip
                return self
            except ClusterError:
                if "already in use" not in (
                    self.log.read_text(errors="replace") if self.log.exists() else ""
                ):
                    raise
        raise ClusterError("no free port for the Postgres test cluster after 3 tries")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(
                [*self.as_user, str(self.bin / "pg_ctl"), "stop", "-m", "fast",
                 "-D", str(self.data)],
                capture_output=True, timeout=120, check=False,
            )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)
