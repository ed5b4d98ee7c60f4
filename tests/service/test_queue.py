"""The queue with real processes: back-pressure, jobs waiting for a worker that starts later,
and (on Postgres, the deployment's store) a worker SIGKILLed in the middle of a report:
nothing lost, nothing stored twice, the killed job taken again once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from nianbao.store import open_store
from nianbao.store.snapshot import snapshot
from tests.llm.conftest import TEST_KEY
from tests.llm.fake_openai_server import FakeOpenAI, Recorded, Reply, error
from tests.llm.oracle import REAL, Oracle
from tests.service.harness import Stack, make_stack, nianbao, wait_for

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "samples").glob("seed-*.txt"))


@pytest.fixture
def stack(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Stack]:
    env = dict(getattr(request, "param", {}))
    if env.get("NIANBAO_DB") == "postgres":  # a fresh database on the throwaway cluster
        env["NIANBAO_DB"] = request.getfixturevalue("pg_cluster").new_database()
    s = make_stack(tmp_path, **env)
    try:
        s.token("submitter", "intake")
        yield s
    finally:
        s.stop()


def _upload(stack: Stack, files: list[tuple[str, bytes]]) -> tuple[int, dict]:
    with stack.client("intake") as c:
        r = c.post("/reports", files=[("files", f) for f in files])
    return r.status_code, {"headers": r.headers, **r.json()}


@pytest.mark.parametrize(
    "stack", [{"NIANBAO_MAX_QUEUE": "3", "NIANBAO_RETRY_AFTER": "7"}], indirect=True
)
def test_full_queue_is_429_and_a_later_worker_drains_it(stack: Stack) -> None:
    stack.start_api()  # no worker yet: every upload waits in the queue
    files = [(p.name, p.read_bytes()) for p in SAMPLES[:3]]
    status, body = _upload(stack, files)
    assert status == 202
    ids = [j["id"] for j in body["jobs"]]
    status, body = _upload(stack, [(SAMPLES[3].name, SAMPLES[3].read_bytes())])
    assert status == 429
    assert body["headers"]["retry-after"] == "7"
    assert "queue is full" in body["detail"] and "3 reports waiting" in body["detail"]
    with open_store(stack.db) as store:
        assert store.job_counts()["queued"] == 3  # the refused one was not stored
    # a worker started (or restarted) later takes up what waited in Redis
    stack.start_worker()
    done = stack.wait_jobs(ids, "intake")
    assert [done[i]["status"] for i in ids] == ["done"] * 3
    status, _ = _upload(stack, [(SAMPLES[3].name, SAMPLES[3].read_bytes())])
    assert status == 202  # room again


def test_jobs_survive_redis_losing_its_queue(stack: Stack) -> None:
    """The store is the record: an admin re-sends what is still queued, and it is done once."""
    stack.token("admin", "root")
    stack.start_api()
    status, body = _upload(stack, [(p.name, p.read_bytes()) for p in SAMPLES[:2]])
    assert status == 202
    ids = [j["id"] for j in body["jobs"]]
    from redis import Redis

    Redis.from_url(stack.env["NIANBAO_REDIS_URL"]).flushall()  # the queue is gone
    with stack.client("intake") as c:
        assert c.post("/jobs/requeue").status_code == 403
    with stack.client("root") as c:
        r = c.post("/jobs/requeue")
        assert r.status_code == 200 and r.json() == {"sent": 2}
        assert c.post("/jobs/requeue").json() == {"sent": 2}  # twice: still done once
    stack.start_worker()
    done = stack.wait_jobs(ids, "intake")
    assert [(done[i]["status"], done[i]["attempts"]) for i in ids] == [("done", 1)] * 2
    with open_store(stack.db) as store:
        rows = store.db.conn.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    assert rows == 2


class Gate:
    """The LLM endpoint, held shut until the test opens it: a worker asking it is mid-report."""

    def __init__(self, stems: list[str]) -> None:
        self.oracles = [Oracle.for_stem(s) for s in stems]
        self.open = threading.Event()
        self.waiting = 0
        self.lock = threading.Lock()

    def __call__(self, request: Recorded) -> Reply:
        with self.lock:
            self.waiting += 1
        self.open.wait(timeout=600)
        for oracle in self.oracles:
            if oracle.mine(request):
                return oracle.reply(request)
        return error(500, "no oracle knows this report")


STEMS = ["seed-000", "seed-001", "seed-002", "seed-004"]


@pytest.mark.parametrize(
    "stack",
    [
        {
            # the deployment's store: Postgres, two workers (on any machines) and Redis
            "NIANBAO_DB": "postgres",
            "NIANBAO_BACKEND": "llm",
            "NIANBAO_MODEL": "test-model",
            "OPENAI_API_KEY": TEST_KEY,
            # a dead worker's report is back in the queue after this long without heartbeat
            "NIANBAO_HEARTBEAT_MS": "10000",  # far above any stall of a live worker
            # its claim in the store: renewed every 7.5 s by a live worker, so a stall of
            # 30 s would be needed to lose it; a killed worker's job is taken again after it
            "NIANBAO_LEASE_SECONDS": "30",
        }
    ],
    indirect=True,
)
def test_a_worker_killed_mid_report_loses_nothing(stack: Stack) -> None:
    gate = Gate(STEMS)
    server = FakeOpenAI().start()
    server.responder = gate
    stack.env["OPENAI_BASE_URL"] = server.url
    try:
        stack.start_api()
        first = stack.start_worker("--threads", "1")
        stack.start_worker("--threads", "1")
        files = [(f"{s}.txt", (REAL / f"{s}.txt").read_bytes()) for s in STEMS]
        status, body = _upload(stack, files)
        assert status == 202
        ids = [j["id"] for j in body["jobs"]]

        def first_is_mid_report() -> int | None:
            """The job the first worker has taken (claimed, not finished), once a worker is
            waiting on the model."""
            with open_store(stack.db) as store:
                for job_id in ids:
                    job = store.job(job_id)
                    if job.status == "running" and job.worker.endswith(f":{first.pid}"):
                        return job_id if gate.waiting >= 1 else None
            return None

        victim = wait_for("the first worker to be mid-report", first_is_mid_report, stack.procs)
        first.kill()  # SIGKILL, mid-report: its message is never acknowledged
        stack.start_worker("--threads", "1")  # a restarted worker joins the survivor
        gate.open.set()
        done = stack.wait_jobs(ids, "intake")
    finally:
        gate.open.set()
        server.stop()

    assert [done[i]["status"] for i in ids] == ["done"] * len(ids), done
    attempts = {i: done[i]["attempts"] for i in ids}
    assert attempts[victim] == 2  # taken again once, after its worker died
    assert all(n == 1 for i, n in attempts.items() if i != victim)
    with open_store(stack.db) as store:
        conn = store.db.conn
        per_report = conn.execute(
            "SELECT report_id, COUNT(*) FROM results GROUP BY report_id"
        ).fetchall()
        assert len(per_report) == len(STEMS) and all(n == 1 for _, n in per_report)
        values = {done[i]["name"]: store.load_report(done[i]["report_id"]).values for i in ids}
        assert store.work_counts() == {"queued": 0, "claimed": 0, "done": len(STEMS), "failed": 0}
        stored = snapshot(store)["reports"]
    # the same values as `nianbao run --backend llm` on the same files, same endpoint
    reference = stack.tmp / "reference.db"
    answers = Gate(STEMS)
    answers.open.set()
    server = FakeOpenAI().start()
    server.responder = answers
    try:
        env = {
            **stack.env,
            "OPENAI_BASE_URL": server.url,
            "NIANBAO_CACHE_DIR": str(stack.tmp / "c2"),
        }
        files = [str(REAL / f"{s}.txt") for s in STEMS]
        run = nianbao("run", "--backend", "llm", *files, "--db", str(reference), env=env)
        assert run.returncode in (0, 3), run.stderr
    finally:
        server.stop()
    with open_store(reference) as ref:
        expected = {
            s.source_name: ref.load_report(s.report_id).values for s in ref.queue(status=None)
        }
        reference_rows = snapshot(ref)["reports"]
    assert values == expected
    # every stored row (cells, readings, findings, suspects) equals the SQLite run's
    assert stored == reference_rows
