"""`nianbao run --backend both`: the parser and the LLM (a real local OpenAI-compatible
server answering from the gold label), reconciled and stored with usage and both readings."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.store import open_store
from tests.llm.fake_openai_server import FakeOpenAI
from tests.llm.oracle import REAL, Oracle


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    fake = FakeOpenAI().start()
    for name in ("NIANBAO_CONFIG", "NIANBAO_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-0123456789")
    monkeypatch.setenv("NIANBAO_MODEL", "test-model")
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    yield fake
    fake.stop()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(REAL / "seed-004.txt", src / "seed-004.txt")
    return src


def test_both_backends_agree_and_usage_is_stored(
    server: FakeOpenAI, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    oracle = Oracle.for_stem("seed-004")
    wrong = oracle.gold.cells["t2.normative.total_published"] + 5
    server.responder = oracle.changed({"t2.normative": {"total_published": wrong}})
    text = (folder / "seed-004.txt").read_text(encoding="utf-8")
    (folder / "seed-004-copy.txt").write_text(text + "\n（转载）\n", encoding="utf-8")
    db = tmp_path / "store.db"
    both = ["run", str(folder), "--backend", "both", "--db", str(db), "--jobs", "2"]
    assert main(both) == 0  # two threads share the LLM client; one writer
    out = capsys.readouterr().out
    calls = len(server.chat_requests)
    assert calls >= 2 and f"LLM: {calls} calls" in out and "2 processed" in out  # a read each
    with open_store(db) as store:
        item, other = store.queue(status=None)
        assert (
            store.load_report(other.report_id).cells.keys()
            == store.load_report(item.report_id).cells.keys()
        )
        view = store.load_report(item.report_id)
        run = store.db.conn.execute("SELECT * FROM runs").fetchone()
    assert run["backend"] == "both" and run["model"] == "test-model"
    assert run["llm_calls"] == calls and run["input_tokens"] > 0 and run["cost_usd"] >= 0
    agree = [c for c in view.cells.values() if c.agreement == "agree"]
    assert len(agree) > 150
    cell = view.cells["t2.normative.total_published"]
    assert cell.agreement == "disagree" and cell.llm_value == wrong
    assert cell.parser_value == oracle.gold.cells["t2.normative.total_published"]
    assert cell.status == "flagged" and cell.reasons[0].startswith("backends disagree")
    assert item.status == "needs_review" and item.n_disagreements >= 1
    # The same files with the same configuration: nothing asked again.
    assert main(both) == 0
    assert len(server.chat_requests) == calls


def test_an_unreachable_endpoint_stops_the_run_with_one_line(
    server: FakeOpenAI,
    folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("NIANBAO_NO_CACHE", "1")
    db = tmp_path / "store.db"
    assert main(["run", str(folder), "--backend", "llm", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nianbao: ") and len(err.strip().splitlines()) == 1
    with open_store(db) as store:
        assert store.counts()["failed"] == 0  # nothing recorded: the next run tries again
        status = store.db.conn.execute("SELECT status FROM runs").fetchone()[0]
    assert status == "interrupted"


def test_targeted_asks_the_llm_only_about_flagged_rows(
    server: FakeOpenAI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--backend targeted: the parser reads everything; the LLM is asked one question about
    the rows the parser and the rule engine flag (seed-003 breaks its own 本年新收 row)."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(REAL / "seed-003.txt", src / "seed-003.txt")
    server.responder = Oracle.for_stem("seed-003").reply
    db = tmp_path / "store.db"
    assert main(["run", str(src), "--backend", "targeted", "--db", str(db)]) == 0
    calls = len(server.chat_requests)
    assert 1 <= calls < 4  # a whole-report LLM reading takes 4 (meta + parts 二, 三, 四)
    assert f"LLM: {calls} calls" in capsys.readouterr().out
    with open_store(db) as store:
        (item,) = store.queue(status=None)
        view = store.load_report(item.report_id)
        backend = store.db.conn.execute("SELECT backend FROM runs").fetchone()[0]
    assert backend == "targeted"
    asked = view.cells["t3.new.total"]
    assert asked.agreement == "agree" and asked.llm_value == 0  # printed 0: kept, not "fixed"
    assert asked.status == "flagged"  # it still breaks the report's own identity
    unasked = view.cells["t3.denied.state_secret.natural"]
    assert unasked.agreement == "single" and unasked.llm_value is None
    assert unasked.status == "verified"
    assert item.status == "needs_review"
