"""The API end to end: a real redis-server, `nianbao serve` and two `nianbao worker`s on
loopback; reports uploaded with tokens come out as `nianbao run` makes them."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nianbao.service import views
from nianbao.store import open_store
from nianbao.store.snapshot import snapshot
from tests.service.harness import Stack, make_stack, nianbao

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
MAX_UPLOAD = 512 * 1024  # small, so the too-large case stays cheap
MAX_FILES = 10  # so a whole request may be at most 10 x 512 KB + 1 MB


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stack(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Stack]:
    """The embedded store (a SQLite file), then the deployment's (a Postgres database)."""
    tmp = tmp_path_factory.mktemp("service")
    db = str(tmp / "service.db")
    if request.param == "postgres":
        db = request.getfixturevalue("pg_cluster").new_database()
    s = make_stack(
        tmp,
        NIANBAO_DB=db,
        NIANBAO_MAX_UPLOAD_BYTES=str(MAX_UPLOAD),
        NIANBAO_MAX_FILES=str(MAX_FILES),
    )
    try:
        s.token("submitter", "intake")
        s.token("reviewer", "alice")
        s.token("reviewer", "bob")
        s.token("admin", "root")
        s.start_api()
        s.start_worker()
        s.start_worker()
        yield s
    finally:
        s.stop()
    # every refusal was an answer, never a crash: the server logged no traceback
    for proc in s.procs:
        assert "Traceback" not in proc.text(), f"{proc.name}:\n{proc.text()[-3000:]}"


@pytest.fixture(scope="module")
def uploaded(stack: Stack) -> dict[str, dict]:
    """Every bundled sample, uploaded in one request and processed: {file name: its job}."""
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in SAMPLES]
    with stack.client("intake") as c:
        r = c.post("/reports", files=files)
    assert r.status_code == 202, r.text
    jobs = r.json()["jobs"]
    assert [j["name"] for j in jobs] == [p.name for p in SAMPLES]
    assert not any(j["duplicate"] for j in jobs)
    done = stack.wait_jobs([j["id"] for j in jobs], "intake")
    return {j["name"]: done[j["id"]] for j in jobs}


def test_samples_match_nianbao_run(stack: Stack, uploaded: dict[str, dict]) -> None:
    assert {j["status"] for j in uploaded.values()} == {"done"}
    assert all(j["attempts"] == 1 and j["report_id"] for j in uploaded.values())
    reference = stack.tmp / "reference.db"
    run = nianbao("run", *map(str, SAMPLES), "--db", str(reference), env=stack.env)
    assert run.returncode in (0, 3), run.stderr
    with open_store(reference) as ref:
        by_name = {s.source_name: s.report_id for s in ref.queue(status=None)}
        expected = {name: ref.load_report(by_name[name]) for name in uploaded}
        reference_rows = snapshot(ref)["reports"]
    with open_store(stack.db) as store:  # every stored row, not only what the API shows
        assert snapshot(store)["reports"] == reference_rows
    with stack.client("alice") as c:
        for name, job in uploaded.items():
            got = c.get(f"/reports/{job['report_id']}").json()
            want = expected[name]
            assert got["cells"] == {k: views.cell(v) for k, v in want.cells.items()}, name
            assert got["findings"] == [views.finding(f) for f in want.findings], name
            assert got["suspects"] == [views.suspect(s) for s in want.suspects], name
            assert got["summary"]["status"] == want.summary.status, name
            assert got["summary"]["source_name"] == name
            cells = c.get(f"/reports/{job['report_id']}/cells").json()
            assert cells == got["cells"]
    assert len(expected) == len(SAMPLES) == 8


def test_same_content_again_is_the_same_job(stack: Stack, uploaded: dict[str, dict]) -> None:
    sample = SAMPLES[0]
    with stack.client("intake") as c:
        r = c.post("/reports", files=[("files", ("renamed.txt", sample.read_bytes()))])
    assert r.status_code == 202
    (job,) = r.json()["jobs"]
    assert job["duplicate"] and job["id"] == uploaded[sample.name]["id"]
    assert job["status"] == "done"
    with open_store(stack.db) as store:
        assert store.job_counts()["done"] == len(SAMPLES)  # nothing was queued twice


def test_every_endpoint_but_health_needs_a_token(stack: Stack, uploaded: dict[str, dict]) -> None:
    rid = uploaded[SAMPLES[0].name]["report_id"]
    with stack.client(None) as anon:
        assert anon.get("/health").status_code == 200
        for method, path in [
            ("GET", "/jobs/1"),
            ("GET", "/jobs"),
            ("GET", "/reports"),
            ("GET", f"/reports/{rid}"),
            ("GET", f"/reports/{rid}/cells"),
            ("GET", "/export"),
            ("POST", "/reports"),
            ("POST", f"/reports/{rid}/decisions"),
            ("POST", f"/reports/{rid}/accept"),
            ("POST", "/decisions/1/undo"),
        ]:
            r = anon.request(method, path)
            assert r.status_code == 401, (method, path, r.text)
            assert r.headers["www-authenticate"] == "Bearer"
        bad = anon.get("/reports", headers={"Authorization": "Bearer nbt_forged"})
        assert bad.status_code == 401
        # the docs are served, and list the endpoints
        spec = anon.get("/openapi.json").json()
        assert {"/reports", "/jobs/{job_id}", "/export"} <= set(spec["paths"])
        assert anon.get("/docs").status_code == 200


def test_wrong_role_is_403(stack: Stack, uploaded: dict[str, dict]) -> None:
    rid = uploaded[SAMPLES[0].name]["report_id"]
    decision = {"key": "t3.new.total", "value": 1, "expected_version": 0}
    with stack.client("intake") as submitter:
        r = submitter.post(f"/reports/{rid}/decisions", json=decision)
        assert r.status_code == 403 and "submitter" in r.json()["detail"]
        assert submitter.get("/export").status_code == 403
        assert submitter.get(f"/reports/{rid}").status_code == 200  # it may read
    with stack.client("alice") as reviewer:
        sample = SAMPLES[1]
        r = reviewer.post("/reports", files=[("files", (sample.name, sample.read_bytes()))])
        assert r.status_code == 403
    with stack.client("root") as admin:
        assert admin.get("/export").status_code == 200


def test_stale_review_write_is_409_naming_who(stack: Stack, uploaded: dict[str, dict]) -> None:
    rid = uploaded[SAMPLES[2].name]["report_id"]
    with stack.client("alice") as alice, stack.client("bob") as bob:
        seen = alice.get(f"/reports/{rid}").json()
        key = next(iter(seen["cells"]))
        version = seen["cells"][key]["version"]
        first = alice.post(
            f"/reports/{rid}/decisions",
            json={"key": key, "value": 7, "expected_version": version, "reason": "printed 7"},
        )
        assert first.status_code == 200, first.text
        assert first.json()["cell_version"] == version + 1
        stale = bob.post(
            f"/reports/{rid}/decisions",
            json={"key": key, "value": 8, "expected_version": version},
        )
        assert stale.status_code == 409
        assert "alice" in stale.json()["detail"] and key in stale.json()["detail"]
        after = bob.get(f"/reports/{rid}").json()
        assert after["cells"][key]["value"] == 7  # alice's value stands
        (d,) = [d for d in after["decisions"] if d["key"] == key]
        assert (d["reviewer"], d["new_value"], d["reason"]) == ("alice", "7", "printed 7")
        # undo it, as bob: the audit trail names each
        undone = bob.post(f"/decisions/{d['id']}/undo", json={"reason": "not in the source"})
        assert undone.status_code == 200, undone.text
        trail = bob.get(f"/reports/{rid}").json()["decisions"]
        assert [(t["kind"], t["reviewer"]) for t in trail[-2:]] == [
            ("fix", "alice"),
            ("undo", "bob"),
        ]
        bad = bob.post(
            f"/reports/{rid}/decisions",
            json={"key": key, "value": "seven", "expected_version": version + 2},
        )
        assert bad.status_code == 422 and "not a number" in bad.json()["detail"]


def test_export_is_the_cli_export_as_a_download(stack: Stack, uploaded: dict[str, dict]) -> None:
    out = stack.tmp / "cli-export"
    done = nianbao("export", "--db", str(stack.db), "--out", str(out), env=stack.env)
    assert done.returncode == 0, done.stderr
    with stack.client("alice") as c:
        for table in ("reports", "cells"):
            r = c.get("/export", params={"table": table, "format": "csv"})
            assert r.status_code == 200
            assert r.headers["content-disposition"] == f'attachment; filename="{table}.csv"'
            assert r.content == (out / f"{table}.csv").read_bytes()
        r = c.get("/export", params={"status": ["failed"], "format": "csv"})
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert all(row["status"] == "failed" for row in rows)
        assert c.get("/export", params={"status": "nonsense"}).status_code == 422


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as part:
            for _ in range(64):
                part.write(b"\0" * (1 << 20))  # 64 MB of nothing, ~64 KB compressed
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "body", "status", "says"),
    [
        ("../../etc/cron.d/x.txt", b"x", 400, "not a bare file name"),
        ("..\\..\\boot.ini.txt", b"x", 400, "not a bare file name"),
        (".hidden.txt", b"x", 400, "not a bare file name"),
        ("invoice\u202etxt.exe.txt", b"x", 400, "control characters"),  # right-to-left mark
        ("report.exe", b"MZ\x90\x00", 415, "unsupported file type .exe"),
        ("report", b"text", 415, "unsupported file type (none)"),
        ("notes.txt", "会议纪要：今天天气很好。\n".encode(), 422, "no annual report table"),
        ("binary.txt", bytes(range(256)) * 8, 422, "binary data"),
        ("fake.pdf", b"<html>not a pdf</html>", 422, "not a PDF"),
        ("fake.docx", b"PK\x03\x04 not really", 422, "not a .docx"),
        ("bomb.docx", None, 413, "zip bomb"),
        ("huge.txt", b"a" * (MAX_UPLOAD + 1), 413, "larger than"),
        ("empty.txt", b"   \n", 422, "empty file"),
    ],
)
def test_bad_uploads_get_a_clear_4xx(
    stack: Stack, name: str, body: bytes | None, status: int, says: str
) -> None:
    with open_store(stack.db) as store:
        before = store.job_counts()
    payload = _zip_bomb() if body is None else body
    with stack.client("intake") as c:
        r = c.post("/reports", files=[("files", (name, payload))])
    assert r.status_code == status, r.text
    assert says in r.json()["detail"]
    with open_store(stack.db) as store:
        assert store.job_counts() == before  # nothing stored, nothing queued
    # and nothing was written under the name: no file of that name anywhere near the store
    assert not [p for p in stack.tmp.rglob("*") if p.name in (name, Path(name).name)]


def test_one_bad_file_refuses_the_whole_request(stack: Stack) -> None:
    good = SAMPLES[3]
    with open_store(stack.db) as store:
        before = store.job_counts()
    with stack.client("intake") as c:
        r = c.post(
            "/reports",
            files=[("files", ("fresh.txt", good.read_bytes() + b"\n")), ("files", ("x.exe", b"x"))],
        )
    assert r.status_code == 415 and "x.exe" in r.json()["detail"]
    with open_store(stack.db) as store:
        assert store.job_counts() == before


def test_too_many_files_or_too_large_a_request_is_413(stack: Stack) -> None:
    with stack.client("intake") as c:
        many = [("files", (f"r{n}.txt", b"x")) for n in range(MAX_FILES + 1)]
        r = c.post("/reports", files=many)
        assert r.status_code == 413 and f"{MAX_FILES + 1} files" in r.json()["detail"], r.text
        # a body past the whole request's limit is refused before it is parsed or spooled
        big = b"a" * (MAX_FILES * MAX_UPLOAD + 2 * 1024 * 1024)
        r = c.post("/reports", files=[("files", ("big.txt", big))])
        assert r.status_code == 413 and "request larger than" in r.json()["detail"]

        def chunks():  # the same without a declared length (chunked transfer)
            yield (
                b'--xyz\r\nContent-Disposition: form-data; name="files"; '
                b'filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n'
            )
            for _ in range(len(big) // (1 << 20) + 1):
                yield b"a" * (1 << 20)
            yield b"\r\n--xyz--\r\n"

        r = c.post(
            "/reports",
            content=chunks(),
            headers={"content-type": "multipart/form-data; boundary=xyz"},
        )
        assert r.status_code == 413 and "request larger than" in r.json()["detail"]


def test_a_docx_report_goes_through(stack: Stack) -> None:
    text = SAMPLES[4].read_text("utf-8")
    with stack.client("intake") as c:
        r = c.post("/reports", files=[("files", ("report.docx", _docx(text)))])
        assert r.status_code == 202, r.text
        (job,) = r.json()["jobs"]
    done = stack.wait_jobs([job["id"]], "intake")[job["id"]]
    assert done["status"] == "done", done
    with stack.client("alice") as c:
        got = c.get(f"/reports/{done['report_id']}").json()
    assert got["media"] == "docx" and got["summary"]["source_name"] == "report.docx"
    assert got["cells"]


def test_unknown_ids_are_404(stack: Stack) -> None:
    with stack.client("alice") as c:
        assert c.get("/jobs/99999").status_code == 404
        assert c.get("/reports/99999").status_code == 404
        r = c.post("/reports/99999/decisions", json={"key": "t3.new.total", "expected_version": 0})
        assert r.status_code == 404


def test_health_says_whether_the_queue_answers(stack: Stack) -> None:
    assert httpx.get(stack.url + "/health").json() == {"status": "ok", "queue": True}
