"""`nianbao run --batch` against the simulator's batch interface (/v1/files, /v1/batches),
the store on a real SQLite file: the same results as the synchronous path on the same
simulated answers, a restart that polls the open batch instead of submitting again, and
the faults a batch can end in (expired, refused, a failed line) recorded, then resumed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eval.cases import real_cases
from eval.simulator import MODES, BatchSim, SimConfig, SimServer, SimulatedModel
from eval.simulator.documents import SimDoc
from nianbao.pipeline.batch import run_batch
from nianbao.pipeline.runner import run
from nianbao.store import Store, open_store

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "eval" / "data" / "real"
STEMS = (
    "seed-001",
    "seed-004",
    "corpus-003_pingtan-2021-webtext",
    "corpus-005_pingtan-2023-webtext",
)
# every error mode, often: the replays must take the re-ask rounds the synchronous path takes
SPOILED = SimConfig(modes=MODES, rate=0.5, seed=3)
CONFIG = """
[llm]
batch_poll = 0.01
batch_poll_max = 0.05
[llm.prices.simulated]
input = 1.0
output = 4.0
batch = 0.5
[llm.retry]
attempts = 2
initial_wait = 0.01
max_wait = 0.02
jitter = 0.0
"""


@pytest.fixture(scope="module")
def docs() -> list[SimDoc]:
    return [SimDoc(c.id, c.doc.text, c.gold) for c in real_cases(only=STEMS) if c.doc]


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for stem in STEMS:
        shutil.copy(REAL / f"{stem}.txt", folder)
    return folder


@pytest.fixture
def llm_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The LLM settings of a run (environment and config file), no cache."""
    config = tmp_path / "nianbao.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = {
        "OPENAI_API_KEY": "sk-sim-not-a-real-key",
        "NIANBAO_MODEL": "simulated",
        "NIANBAO_CONFIG": str(config),
        "NIANBAO_NO_CACHE": "1",
        "NIANBAO_CACHE_DIR": str(tmp_path / "cache"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def serve(docs: list[SimDoc], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    servers: list[SimServer] = []

    def start(config: SimConfig = SPOILED, batch: BatchSim | None = None) -> SimServer:
        server = SimServer(SimulatedModel(docs, config), batch=batch).start()
        servers.append(server)
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        return server

    yield start
    for server in servers:
        server.stop()


def stored(store: Store) -> list[tuple[Any, ...]]:
    """Every current result and cell, by report name: what the store says was read."""
    with store.db.reading() as conn:
        rows = conn.execute(
            "SELECT p.source_name, r.status, r.error, c.key, c.value, c.status, c.reasons,"
            " c.method, c.proof FROM results r JOIN reports p ON p.id = r.report_id"
            " LEFT JOIN cells c ON c.result_id = r.id WHERE r.current = 1 ORDER BY 1, 4"
        ).fetchall()
    return [tuple(r) for r in rows]


def statuses(store: Store) -> dict[str, tuple[str, str | None]]:
    with store.db.reading() as conn:
        rows = conn.execute(
            "SELECT p.source_name, r.status, r.error FROM results r"
            " JOIN reports p ON p.id = r.report_id WHERE r.current = 1"
        ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def injections(server: SimServer) -> list[str]:
    """What the simulated model did, per request (in any order: a batch answers reports
    interleaved, the synchronous path one after another)."""
    return sorted(
        repr({k: v for k, v in e.to_json().items() if k != "seq"}) for e in server.model.log
    )


def sent_twice(server: SimServer) -> list[str]:
    """Requests that went out in more than one batch line (a resubmission)."""
    bodies = [repr(sorted(line["body"].items())) for line in server.desk.lines_sent()]
    return [b[:80] for b in set(bodies) if bodies.count(b) > 1]


@pytest.mark.parametrize("backend", ["llm", "both", "targeted"])
def test_a_batch_run_stores_what_the_synchronous_run_stores(
    serve, reports: Path, llm_env, tmp_path: Path, backend: str
) -> None:
    files = sorted(reports.iterdir())
    sync_server = serve()
    sync_store = open_store(tmp_path / "sync.db")
    sync = run(sync_store, files, backend, timeout=None)

    batch_server = serve(batch=BatchSim(polls=2))
    batch_store = open_store(tmp_path / "batch.db")
    batch = run_batch(batch_store, files, backend)

    try:
        assert stored(batch_store) == stored(sync_store)
        assert len(stored(batch_store)) > 4 * 100  # every cell of every report
        # the same requests, in batches: the answers (and so the spoiled ones) are the same
        assert batch_server.model.requests == sync_server.model.requests
        assert injections(batch_server) == injections(sync_server)
        assert any(e.mode is not None for e in batch_server.model.log)  # errors were injected
        created = batch_server.desk.created
        assert len(created) >= (2 if backend != "targeted" else 1)  # reads, then re-asks
        assert batch_server.desk.retrieves > len(created)  # "in_progress" was polled through
        assert sent_twice(batch_server) == []
        # tokens as usual; the cost at the price table's batch share (0.5)
        assert (batch.llm_calls, batch.input_tokens, batch.output_tokens) == (
            sync.llm_calls,
            sync.input_tokens,
            sync.output_tokens,
        )
        assert sync.cost_usd > 0
        assert batch.cost_usd == pytest.approx(sync.cost_usd / 2, rel=1e-3)
        assert [b.status for b in batch_store.batches()] == ["collected"] * len(created)
        sums = "SELECT SUM(llm_calls), SUM(input_tokens), SUM(cost_usd) FROM extractions"
        calls, tokens, cost = batch_store.db.conn.execute(sums).fetchone()
        sync_calls, sync_tokens, sync_cost = sync_store.db.conn.execute(sums).fetchone()
        assert (calls, tokens) == (sync_calls, sync_tokens) and calls > 0
        assert cost == pytest.approx(sync_cost / 2, rel=1e-3)
    finally:
        sync_store.close()
        batch_store.close()


def test_a_rerun_stores_nothing_twice_and_submits_nothing(
    serve, reports: Path, llm_env, tmp_path: Path
) -> None:
    server = serve(SimConfig(), BatchSim(polls=1))
    shutil.copy(reports / "seed-004.txt", reports / "seed-004-copy.txt")  # same content
    files = sorted(reports.iterdir())
    with open_store(tmp_path / "n.db") as store:
        first = run_batch(store, files, "llm")
        created = len(server.desk.created)
        again = run_batch(store, files, "llm")
        paths = store.db.conn.execute("SELECT COUNT(*) FROM source_paths").fetchone()[0]
    assert first.n_done == len(files) - 1 and first.n_skipped == 1 and first.ok
    assert paths == len(files)  # the copy's path is known too
    assert again.n_skipped == len(files) and again.n_done == 0
    assert len(server.desk.created) == created  # nothing submitted again
    assert server.model.requests == len(server.desk.lines_sent())  # the copy asked nothing


def test_with_the_answer_cache_on_each_batch_answer_counts_once(
    serve, reports: Path, llm_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replay meets its earlier batch answers in the cache too (they validated): they are
    still the batch calls they were, not free cache hits; a later run is free."""
    monkeypatch.delenv("NIANBAO_NO_CACHE")
    server = serve(SPOILED, BatchSim(polls=0))
    files = sorted(reports.iterdir())
    with open_store(tmp_path / "c.db") as store:
        stats = run_batch(store, files, "llm")
    assert len(server.desk.created) >= 2  # reports were replayed on earlier rounds' answers
    assert stats.cached_calls == 0
    assert stats.llm_calls == server.model.requests == len(server.desk.lines_sent())
    sent = len(server.desk.lines_sent())
    with open_store(tmp_path / "again.db") as store:  # a new store: only the cache knows
        again = run_batch(store, files, "llm")
    # validated answers come from the cache; only what never validated is asked again
    assert again.cached_calls > 0
    assert len(server.desk.lines_sent()) - sent < sent
    assert again.cost_usd < stats.cost_usd


def test_a_round_larger_than_one_batch_goes_out_as_several(
    serve, reports: Path, llm_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "small.toml"
    config.write_text(CONFIG.replace("[llm]\n", "[llm]\nbatch_max_lines = 3\n", 1), "utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(config))
    server = serve(SPOILED, BatchSim(polls=1))
    with open_store(tmp_path / "s.db") as store:
        stats = run_batch(store, sorted(reports.iterdir()), "llm")
        batches = store.batches()
    first = [b for b in batches if b.round == 1]
    assert [b.n_requests for b in first] == [3, 1]  # 4 reports' first requests
    assert all(b.n_requests <= 3 for b in batches)
    assert sum(b.n_requests for b in batches) == stats.llm_calls == server.model.requests
    assert stats.n_done + stats.n_failed == len(STEMS)


def test_batches_stay_within_the_size_limit() -> None:
    from nianbao.pipeline.batch import chunks
    from nianbao.store import BatchLine

    lines = [
        BatchLine(f"c{i}", "h", "p", f"k{i}", {"messages": [{"content": "x" * 400}]})
        for i in range(5)
    ]
    assert [len(c) for c in chunks(lines, 10, 0.00105)] == [2, 2, 1]  # 510 bytes a line
    assert [len(c) for c in chunks(lines, 4, 100)] == [4, 1]
    assert [len(c) for c in chunks(lines[:1], 4, 0.0001)] == [1]  # one line alone always goes


def run_cli(args: list[str], env: dict[str, str], **kw: Any) -> subprocess.Popen[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NIANBAO_"))}
    return subprocess.Popen(
        [sys.executable, "-m", "nianbao", *args],
        cwd=ROOT,
        env=keep | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def wait_for(condition: Any, proc: subprocess.Popen[str], what: str, limit: float = 120) -> None:
    """Until `condition()` holds (no timing luck: a generous limit only ends a hung test)."""
    end = time.monotonic() + limit
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before {what}: {proc.communicate()}")
        if time.monotonic() > end:
            proc.kill()
            raise AssertionError(f"no {what} within {limit}s")
        time.sleep(0.05)


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_a_killed_run_resumes_its_open_batch(
    serve, reports: Path, llm_env, tmp_path: Path, stop: signal.Signals
) -> None:
    """The CLI in a process, killed (or Ctrl-C) while it polls the batch; the re-run polls
    that batch (no second submission of its requests) and completes every report."""
    never = BatchSim(polls=10**9)  # in progress until the test says otherwise
    server = serve(SPOILED, never)
    env = llm_env | {"OPENAI_BASE_URL": server.url}
    db = tmp_path / "killed.db"
    args = ["run", str(reports), "--backend", "llm", "--batch", "--db", str(db)]

    # different hash seeds: a request must not depend on a process's set or dict order
    proc = run_cli(args, env | {"PYTHONHASHSEED": "1"})
    # the run has recorded the batch once it polls it (it records, then polls)
    wait_for(lambda: server.desk.retrieves >= 2, proc, "poll of the batch")
    proc.send_signal(stop)
    _out, err = proc.communicate(timeout=60)
    if stop == signal.SIGINT:  # stopped in one line, the batch left open for the re-run
        assert proc.returncode == 130 and err.strip().splitlines() == ["nianbao: interrupted"]
    assert server.desk.created == ["batch_sim1"]
    with open_store(db) as store:
        (open_batch,) = store.open_batches(_fp(store))
        assert open_batch.batch_id == "batch_sim1" and statuses(store) == {}

    never.polls = 0  # the provider finishes it
    proc = run_cli(args, env | {"PYTHONHASHSEED": "2"})
    out, err = proc.communicate(timeout=300)
    assert proc.returncode in (0, 3), err  # 3: a report the spoiled model never read validly
    assert "nianbao: resuming batch batch_sim1 (" in out
    assert "Traceback" not in err
    # batch 1 was collected, not submitted again; later batches hold only the re-asks
    assert server.desk.created[0] == "batch_sim1"
    assert sent_twice(server) == []
    with open_store(db) as store:
        assert sorted(statuses(store)) == sorted(p.name for p in reports.iterdir())
        # complete: a report fails only where the model's answers stayed invalid, as in a
        # synchronous run (the first test shows the same), never for want of an answer
        failures = [e for s, e in statuses(store).values() if s == "failed"]
        assert all("stayed invalid" in (e or "") for e in failures), failures
        assert len(failures) < len(STEMS)
        assert [b.status for b in store.batches()] == ["collected"] * len(server.desk.created)
        runs = store.db.conn.execute("SELECT status FROM runs ORDER BY id").fetchall()
        assert [r[0] for r in runs] == ["interrupted", "partial" if failures else "ok"]


def _fp(store: Store) -> str:
    with store.db.reading() as conn:
        return conn.execute("SELECT config_fingerprint FROM llm_batches").fetchone()[0]


@pytest.mark.parametrize(
    ("fault", "n_failed", "expect"),
    [
        (BatchSim(expire_after=1), 3, "batch line failed (batch_expired)"),
        (BatchSim(fail_lines=(1,)), 1, "batch line failed (500): simulated server error"),
        (BatchSim(refuse=True), 4, "batch batch_sim1 failed: no answer for this request"),
    ],
    ids=["expired", "failed-line", "refused"],
)
def test_a_batch_fault_fails_its_reports_with_the_reason_and_a_rerun_does_them(
    serve, reports: Path, llm_env, tmp_path: Path, fault: BatchSim, n_failed: int, expect: str
) -> None:
    serve(SimConfig(), fault)  # a model that reads right: only the batch fails
    files = sorted(reports.iterdir())
    with open_store(tmp_path / "f.db") as store:
        first = run_batch(store, files, "llm")
        failed = {n: e for n, (s, e) in statuses(store).items() if s == "failed"}
        assert len(failed) == n_failed, failed
        assert all(expect in (error or "") for error in failed.values()), failed
        assert first.n_failed == n_failed and not first.ok
        assert len(statuses(store)) == len(files)  # every report stored: none silently lost
        with store.db.reading() as conn:
            kinds = conn.execute("SELECT DISTINCT error_kind FROM results WHERE status = 'failed'")
            assert [k[0] for k in kinds.fetchall()] == ["backend"]  # retryable

        # the provider is healthy again: the re-run asks again only for the failed reports
        fault.expire_after, fault.fail_lines, fault.refuse = None, (), False
        second = run_batch(store, files, "llm")
        assert second.ok and second.n_done == n_failed
        assert second.n_skipped == len(files) - n_failed
        assert all(s != "failed" for s, _ in statuses(store).values())
        with store.db.reading() as conn:
            asked = conn.execute(
                "SELECT DISTINCT p.source_name FROM llm_batch_items i"
                " JOIN llm_batches b ON b.id = i.batch JOIN reports p"
                " ON p.content_hash = i.content_hash WHERE b.run_id = ?",
                (second.run_id,),
            ).fetchall()
        assert sorted(r[0] for r in asked) == sorted(failed)


def test_batch_with_the_parser_alone_is_refused_in_one_line(reports: Path, tmp_path: Path) -> None:
    args = ["run", str(reports), "--batch", "--db", str(tmp_path / "p.db")]
    proc = run_cli(args, {})
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert err.strip().splitlines() == [
        "nianbao: --batch sends the LLM's requests: use it with --backend llm, both or targeted"
    ]


def test_an_endpoint_without_the_batch_interface_stops_the_run_in_one_line(
    reports: Path, llm_env, tmp_path: Path
) -> None:
    """A chat-only endpoint (404 on /v1/files): one line naming the endpoint, exit 2, no
    chat request sent and nothing recorded as done."""
    from tests.llm.fake_openai_server import FakeOpenAI

    fake = FakeOpenAI().start()
    try:
        db = tmp_path / "none.db"
        args = ["run", str(reports), "--backend", "llm", "--batch", "--db", str(db)]
        proc = run_cli(args, llm_env | {"OPENAI_BASE_URL": fake.url})
        _out, err = proc.communicate(timeout=120)
        assert fake.chat_requests == []
        uploads = [r.path for r in fake.requests]
    finally:
        fake.stop()
    assert proc.returncode == 2, err
    (line,) = err.strip().splitlines()
    assert line.startswith("nianbao: LLM endpoint http://127.0.0.1:")
    assert "refused to upload the batch file (HTTP 404)" in line and "/v1/batches" in line
    assert uploads == ["/v1/files"]
    with open_store(db) as store:
        assert statuses(store) == {} and store.batches() == []


def test_the_simulator_serves_the_batch_interface_to_the_openai_client(
    serve, docs: list[SimDoc], llm_env
) -> None:
    """Upload, create, in_progress for `polls` looks, then the output file with the same
    completion the chat endpoint gives; cancel; a bad input file refused."""
    import openai

    from extractor.llm import LLMExtractor
    from extractor.llm.batch import BatchClient, Line, read_results

    server = serve(SimConfig(), BatchSim(polls=2))
    llm = LLMExtractor(base_url=server.url)
    try:
        request = {"model": "simulated", "messages": [{"role": "user", "content": "hello"}]}
        client = BatchClient(llm.endpoint, sleep=lambda _s: None)
        _file, batch_id = client.submit([Line("a-1", "k1", request)], "in.jsonl")
        seen = [client.state(batch_id).status for _ in range(3)]
        assert seen == ["in_progress", "in_progress", "completed"]
        state = client.state(batch_id)
        results = read_results(
            client.download(state.output_file_id), client.download(state.error_file_id)
        )
        # "hello" holds no report the simulator knows: its chat answer is a 400, so a failed line
        assert results["a-1"].body is None and "(400)" in str(results["a-1"].error)

        server.desk.sim.polls = 10
        _file, second = client.submit([Line("b-1", "k2", request)], "in2.jsonl")
        client.cancel(second)
        assert client.state(second).status == "cancelled"
        with pytest.raises(openai.BadRequestError):
            llm.endpoint.client.batches.create(
                input_file_id="file-nope", endpoint="/v1/chat/completions", completion_window="24h"
            )
    finally:
        llm.close()
