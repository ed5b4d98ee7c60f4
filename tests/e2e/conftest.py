"""The review server for the browser tests: `nianbao review` on a small store, its own port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from nianbao.service.tokens import create_token
from nianbao.store import open_store
from tests.e2e.sample_store import Built, build_sample_store

# expect()'s own default is 5 s, shorter than a Streamlit re-run on a loaded 2-core machine
# (the browser tests failed on it under load); the pages' default below is the same 20 s.
expect.set_options(timeout=20_000)

REVIEWER = "e2e-reviewer"
SECRET: dict[str, str] = {}  # the reviewer's token, made by the fixture


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


@contextmanager
def review_server(db: Path, tmp_path: Path) -> Iterator[str]:
    """`nianbao review` on `db`, on its own free port, with a reviewer token made first (the
    screen opens to a signed-in reviewer only); yields its URL and stops it afterwards."""
    with open_store(db) as store:
        SECRET[REVIEWER] = create_token(store, REVIEWER, "reviewer")[1]
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "nianbao", "review", "--db", str(db), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ),
            start_new_session=True,  # its own process group: the streamlit child goes with it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, Built]]:
    db = tmp_path / "review.db"
    built = build_sample_store(db)
    with review_server(db, tmp_path) as url:
        yield url, db, built


def sign_in(page) -> None:  # type: ignore[no-untyped-def]
    """Paste the reviewer's token into the sign-in form (each page load is a new session)."""
    page.get_by_label("API token").fill(SECRET[REVIEWER])
    page.get_by_label("API token").press("Enter")
    expect(page.get_by_text(f"Signed in as {REVIEWER}")).to_be_visible()
