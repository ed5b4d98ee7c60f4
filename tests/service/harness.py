"""Real parts for the service tests: a redis-server, `nianbao serve` and `nianbao worker`
processes on loopback, each with a log file, each stopped by its own process id."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from nianbao.store.location import resolve

DEADLINE = 180.0  # generous: a loaded 2-core CI machine is slow, never asserted on
TERMINAL = ("done", "failed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    """A child process with its log; `stop` ends it (and only it) by pid."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def text(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=30)

    def kill(self) -> None:
        self.popen.kill()  # SIGKILL: no cleanup, no goodbye
        self.popen.wait(timeout=30)


def spawn(name: str, args: list[str], log: Path, env: dict[str, str] | None = None) -> Proc:
    with log.open("wb") as out:
        popen = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL
        )
    return Proc(name, popen, log)


def wait_for(what: str, ready: Any, procs: Iterable[Proc] = (), deadline: float = DEADLINE) -> Any:
    """Poll `ready()` until it returns something truthy; fail with the logs otherwise."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        for p in procs:
            if not p.alive():
                pytest.fail(f"{p.name} exited ({p.popen.returncode}) before {what}:\n{p.text()}")
        value = ready()
        if value:
            return value
        time.sleep(0.2)
    logs = "\n".join(f"--- {p.name}\n{p.text()[-3000:]}" for p in procs)
    pytest.fail(f"gave up waiting {deadline:.0f}s for {what}\n{logs}")


def start_redis(tmp: Path) -> tuple[str, Proc]:
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail(
            "redis-server not found: the service tests need a real Redis; "
            "`.ci/run` installs it (apt-get install -y redis-server)"
        )
    port = free_port()
    proc = spawn(
        "redis-server",
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        tmp / f"redis-{port}.log",
    )

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    wait_for("redis-server to answer PING", answers, [proc])
    return f"redis://127.0.0.1:{port}/0", proc


def nianbao(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@dataclass
class Stack:
    """A store, a Redis, the API and any number of workers, with tokens for each role."""

    tmp: Path
    env: dict[str, str]
    redis: Proc
    api: Proc | None = None
    url: str = ""
    workers: list[Proc] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def db(self) -> str | Path:
        """The store: a SQLite file, or a postgresql:// URL (the deployment's store)."""
        return resolve(self.env["NIANBAO_DB"])

    def token(self, role: str, name: str) -> str:
        done = nianbao("token", "create", "--role", role, "--name", name, env=self.env)
        assert done.returncode == 0, done.stderr
        secret = done.stdout.splitlines()[0]
        self.tokens[name] = secret
        return secret

    def start_api(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.api = spawn(
            "nianbao serve",
            [sys.executable, "-m", "nianbao", "serve", "--port", str(port)],
            self.tmp / f"api-{port}.log",
            self.env,
        )

        def healthy() -> bool:
            try:
                return httpx.get(self.url + "/health", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for("the API's /health", healthy, [self.api])

    def start_worker(self, *extra: str) -> Proc:
        n = len(self.workers)
        proc = spawn(
            f"nianbao worker {n}",
            [sys.executable, "-m", "nianbao", "worker", *extra],
            self.tmp / f"worker-{n}.log",
            self.env,
        )
        wait_for(f"worker {n} to start", lambda: "thread(s), backend" in proc.text(), [proc])
        self.workers.append(proc)
        return proc

    def client(self, who: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def wait_jobs(self, ids: Iterable[int], who: str) -> dict[int, dict[str, Any]]:
        """Poll each job until it is done or failed; {job id: its last status}."""
        wanted = sorted(set(ids))
        seen: dict[int, dict[str, Any]] = {}
        with self.client(who) as c:

            def finished() -> bool:
                for job_id in wanted:
                    if seen.get(job_id, {}).get("status") not in TERMINAL:
                        r = c.get(f"/jobs/{job_id}")
                        assert r.status_code == 200, r.text
                        seen[job_id] = r.json()
                return all(seen[j]["status"] in TERMINAL for j in wanted)

            wait_for(f"jobs {wanted} to finish", finished, [p for p in self.procs if p.alive()])
        return seen

    @property
    def procs(self) -> list[Proc]:
        return [p for p in (self.api, *self.workers) if p is not None]

    def stop(self) -> None:
        for proc in [*self.workers, *([self.api] if self.api else []), self.redis]:
            proc.stop()


def make_stack(tmp: Path, **env: str) -> Stack:
    redis_url, redis = start_redis(tmp)
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NIANBAO_", "OPENAI_"))  # no developer settings leak in
    }
    full = {
        **base,
        "NIANBAO_DB": str(tmp / "service.db"),
        "NIANBAO_REDIS_URL": redis_url,
        "NIANBAO_CACHE_DIR": str(tmp / "llm-cache"),
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    return Stack(tmp, full, redis)
