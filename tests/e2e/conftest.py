"""The review server for the browser tests: `nianbao review` on a small store, its own port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.sample_store import Built, build_sample_store

REVIEWER = "e2e-reviewer"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"nianbao review exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"nianbao review did not answer on {url} within 60 s:\n{log.read_text()}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, Built]]:
    db = tmp_path / "review.db"
    built = build_sample_store(db)
    port = _free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "NIANBAO_REVIEWER": REVIEWER}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nianbao", "review", "--db", str(db), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group: the streamlit child goes with it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url, db, built
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=10)
