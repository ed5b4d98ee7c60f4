"""`nianbao review` stopped by SIGTERM (a service manager, `kill`) stops its Streamlit too.

Before, the Streamlit server it starts kept serving the store as an orphan.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.sample_store import build_sample_store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has stopped


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_review_stops_the_streamlit_server(tmp_path: Path, signum: int) -> None:
    db = tmp_path / "review.db"
    build_sample_store(db)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "nianbao", "review", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # so the test can clean up whatever is left, whatever happens
    )
    try:
        deadline = time.monotonic() + 90
        while not _answers(url):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the review server did not start in 90 s"
            time.sleep(0.3)
        children = _children(proc.pid)
        assert children, "nianbao review runs Streamlit as a child process"
        os.kill(proc.pid, signum)  # the parent only, as `kill PID` does
        code = proc.wait(timeout=60)
        assert code == 128 + signum
        gone = time.monotonic() + 30
        while any(_alive(c) for c in children) and time.monotonic() < gone:
            time.sleep(0.2)
        assert not any(_alive(c) for c in children), "Streamlit outlived `nianbao review`"
        assert not _answers(url)
        err = proc.stderr.read().decode() if proc.stderr else ""
        assert "Traceback" not in err
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
