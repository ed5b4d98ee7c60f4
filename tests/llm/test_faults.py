"""Faults against a real local endpoint: each ends as described, and the store stays whole.

The per-file deadline (any backend, any --jobs, not retried past), Ctrl-C, the cache keeping
only valid answers, stray keys in an answer, the tokens of failed reports, and the circuit
breaker that stops asking an endpoint that keeps failing (the rest resumes next run).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.core.errors import LLMRequestError
from nianbao.core.limits import Cancelled, DeadlineExceeded, deadline
from nianbao.store import open_store
from tests.llm.fake_openai_server import FakeOpenAI, completion, delayed, error
from tests.llm.oracle import REAL, Oracle

SLOW = 60.0  # seconds a stalled answer would take: far beyond every bound tested here


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, server: FakeOpenAI) -> Path:
    """The run's endpoint and settings (fast retries, a breaker of 4 attempts) from the
    environment and a config file, as a user would set them."""
    config = tmp_path / "nianbao.toml"
    config.write_text(
        '[llm]\ntimeout = 30\nbreaker = 4\nprompt_version = "v1"\n'
        "[llm.retry]\nattempts = 3\ninitial_wait = 0.05\nmax_wait = 0.2\njitter = 0.0\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NIANBAO_CONFIG", str(config))
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-0123456789")
    monkeypatch.setenv("NIANBAO_MODEL", "test-model")
    monkeypatch.delenv("NIANBAO_NO_CACHE", raising=False)
    return config


def _folder(tmp_path: Path, n: int) -> Path:
    """n reports with distinct content (seed-004 with a line of its own)."""
    folder = tmp_path / "in"
    folder.mkdir()
    text = (REAL / "seed-004.txt").read_text("utf-8")
    for i in range(n):
        (folder / f"r{i}.txt").write_text(f"{text}\n（副本 {i}）\n", encoding="utf-8")
    return folder


def _results(db: Path) -> list[tuple[str, str | None, str | None]]:
    with open_store(db) as store:
        rows = store.db.conn.execute(
            "SELECT r.status, r.error_kind, r.error FROM results r ORDER BY r.id"
        ).fetchall()
    return [(r["status"], r["error_kind"], r["error"]) for r in rows]


def test_the_deadline_ends_a_stalled_request_and_is_not_retried(
    server: FakeOpenAI, make_extractor, seed4
) -> None:
    doc, oracle = seed4
    server.responder = delayed(oracle.reply, SLOW)
    llm = make_extractor(timeout=SLOW)
    started = time.monotonic()
    with deadline(5.0), pytest.raises(DeadlineExceeded) as info:
        llm.extract(doc)
    assert time.monotonic() - started < SLOW / 2  # not the request's own timeout
    assert len(server.chat_requests) == 1  # the cut-off request was not retried
    assert info.value.usage["calls"] == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("jobs", [1, 3])
def test_a_run_gives_up_on_each_stalled_file_with_any_jobs(
    server: FakeOpenAI, env: Path, tmp_path: Path, jobs: int
) -> None:
    oracle = Oracle.for_stem("seed-004")
    server.responder = delayed(oracle.reply, SLOW)
    folder, db = _folder(tmp_path, 3), tmp_path / "store.db"
    started = time.monotonic()
    args = ["run", str(folder), "--backend", "llm", "--db", str(db), "--timeout", "1"]
    assert main([*args, "--jobs", str(jobs)]) == 3  # partial: every file failed, recorded
    assert time.monotonic() - started < SLOW / 2
    results = _results(db)
    assert len(results) == 3
    assert all(status == "failed" and "gave up" in (error or "") for status, _, error in results)
    # at most one stalled request per file, none retried (a file whose time ran out while it
    # was read and parsed sends none)
    assert len(server.chat_requests) <= 3


def test_only_valid_answers_are_cached(server: FakeOpenAI, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.responder = lambda request: completion('{"rows": [')  # never valid JSON
    with pytest.raises(LLMRequestError, match="stayed invalid"):
        make_extractor().extract(doc)
    broken = len(server.chat_requests)
    assert broken == 3  # meta asked, then instructor's two re-asks
    server.responder = oracle.reply  # the endpoint is healthy again: it is asked again
    extraction = make_extractor().extract(doc)
    assert extraction.report.cells == oracle.gold.cells
    fresh = len(server.chat_requests) - broken
    assert fresh >= 4
    make_extractor().extract(doc)  # and now every answer comes from the cache
    assert len(server.chat_requests) - broken == fresh


def test_unknown_keys_in_an_answer_are_ignored_and_logged(
    server: FakeOpenAI, make_extractor, seed4, caplog: pytest.LogCaptureFixture
) -> None:
    doc, oracle = seed4

    def chatty(request):  # type: ignore[no-untyped-def]
        reply = oracle.reply(request)
        message = reply.body["choices"][0]["message"]  # type: ignore[index]
        message["content"] = (
            message["content"]
            .replace('"row":', '"confidence": 0.9, "row":')
            .replace('{"rows":', '{"note": "checked twice", "rows":', 1)
        )
        return reply

    server.responder = chatty
    with caplog.at_level(logging.INFO, logger="nianbao.llm"):
        extraction = make_extractor().extract(doc)
    assert extraction.report.cells == oracle.gold.cells
    assert "ignored unknown keys in the model's answer: confidence" in caplog.text
    assert "note" in caplog.text


def test_the_tokens_of_a_failed_report_are_counted(
    server: FakeOpenAI,
    env: Path,
    tmp_path: Path,
    make_extractor,
    seed4,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc, oracle = seed4
    answered = []

    def meta_only(request):  # type: ignore[no-untyped-def]
        if len(answered) == 0:
            answered.append(request)
            return oracle.reply(request)
        return error(400, "context length exceeded")

    server.responder = meta_only
    with pytest.raises(LLMRequestError) as info:
        make_extractor().extract(doc)
    usage = info.value.usage  # type: ignore[attr-defined]
    assert usage["calls"] == 1 and usage["input_tokens"] > 0
    # and a run counts them in its totals although the report failed
    answered.clear()
    folder, db = _folder(tmp_path, 1), tmp_path / "store.db"
    monkeypatch.setenv("NIANBAO_NO_CACHE", "1")  # the meta answer of above is not reused
    assert main(["run", str(folder), "--backend", "llm", "--db", str(db)]) == 3
    with open_store(db) as store:
        run = store.db.conn.execute("SELECT * FROM runs").fetchone()
    assert run["llm_calls"] == 1 and run["input_tokens"] > 0


def test_the_breaker_stops_asking_and_the_next_run_resumes(
    server: FakeOpenAI, env: Path, tmp_path: Path
) -> None:
    server.responder = lambda request: error(500, "overloaded")
    folder, db = _folder(tmp_path, 6), tmp_path / "store.db"
    args = ["run", str(folder), "--backend", "llm", "--db", str(db)]
    assert main(args) == 3
    assert len(server.chat_requests) == 4  # the breaker's threshold, then no more asking
    results = _results(db)
    assert len(results) == 6 and all(status == "failed" for status, _, _ in results)
    not_done = [r for r in results if r[1] == "not_done"]
    assert len(not_done) >= 4 and all("the next run resumes" in r[2] for r in not_done)
    # the endpoint is back: the next run does every file, none is skipped as done
    oracle = Oracle.for_stem("seed-004")
    server.responder = oracle.reply
    assert main(args) == 0
    with open_store(db) as store:
        assert len(store.queue(status=None)) == 6


def test_cancel_stops_a_request_in_flight(server: FakeOpenAI, make_extractor, seed4) -> None:
    doc, oracle = seed4
    server.responder = delayed(oracle.reply, SLOW)
    llm = make_extractor(timeout=SLOW)
    outcome: list[BaseException] = []

    def work() -> None:
        try:
            llm.extract(doc)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    while not server.chat_requests:
        time.sleep(0.02)
    llm.cancel()
    thread.join(SLOW / 2)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    assert len(server.chat_requests) == 1


def test_ctrl_c_stops_a_threaded_llm_run(server: FakeOpenAI, env: Path, tmp_path: Path) -> None:
    oracle = Oracle.for_stem("seed-004")
    server.responder = delayed(oracle.reply, SLOW)
    folder, db = _folder(tmp_path, 8), tmp_path / "store.db"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nianbao",
            "run",
            str(folder),
            "--backend",
            "llm",
            "--db",
            str(db),
            "--jobs",
            "3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as at a terminal
    )
    try:
        deadline_at = time.monotonic() + 60
        while len(server.chat_requests) < 3 and time.monotonic() < deadline_at:
            time.sleep(0.05)
        assert len(server.chat_requests) == 3, "the run did not start its three threads"
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=SLOW / 2)  # not held up by the stalled requests
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    assert "Traceback" not in stderr
    assert len(server.chat_requests) == 3  # nothing sent after Ctrl-C
    with open_store(db) as store:
        run = store.db.conn.execute("SELECT status FROM runs").fetchone()
    assert run["status"] == "interrupted"
