"""`nianbao extract --backend llm` end to end: a real process against the local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nianbao.cli import main
from tests.llm.conftest import TEST_KEY
from tests.llm.oracle import REAL
from tests.llm.test_transport import closed_port

ROOT = Path(__file__).resolve().parents[2]


def run_cli(args: list[str], base_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "NIANBAO_MODEL", "NIANBAO_CONFIG")
    }
    env |= {
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": TEST_KEY,
        "NIANBAO_MODEL": "test-model",
        "NIANBAO_CACHE_DIR": str(tmp_path / "cache"),
    }
    return subprocess.run(
        [sys.executable, "-m", "nianbao", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_extract_with_the_llm_backend(server, seed4, tmp_path, monkeypatch) -> None:
    _, oracle = seed4
    server.responder = oracle.reply
    out = tmp_path / "out"
    args = ["extract", "--backend", "llm", str(REAL / "seed-004.txt"), "--out", str(out)]
    done = run_cli(args, server.url, tmp_path)

    assert done.returncode == 0, done.stderr
    data = json.loads((out / "seed-004.json").read_text(encoding="utf-8"))
    assert data["extractor"] == "llm"
    assert data["extractor_version"] == "prompts-v3+schema-1+test-model"
    assert data["cells"]["t3.new.total"] == 8 and data["meta"]["year"] == 2020
    assert data["provenance"]["t3.new.total"]["span"] is not None
    assert data["usage"]["calls"] == 1 and data["usage"]["input_tokens"] > 0  # one compact read
    assert len(server.chat_requests) == 1
    assert TEST_KEY not in done.stdout + done.stderr

    # again, in-process this time, with the same cache directory: zero calls
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("NIANBAO_MODEL", "test-model")
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    assert main(args) == 0
    assert len(server.chat_requests) == 1
    data = json.loads((out / "seed-004.json").read_text(encoding="utf-8"))
    assert data["usage"]["cached_calls"] == 1 and data["usage"]["calls"] == 0

    # --no-cache: the same command asks the endpoint again, and says what it cost
    again = run_cli([*args, "--no-cache"], server.url, tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(server.chat_requests) == 2
    assert "LLM: 1 calls (0 cached)" in again.stdout


def test_extract_against_a_closed_port_is_one_line(tmp_path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    done = run_cli(
        ["extract", "--backend", "llm", str(REAL / "seed-004.txt"), "--out", str(tmp_path)],
        url,
        tmp_path,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        f"nianbao: cannot reach the LLM endpoint {url} (connection failed)"
    ]
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_extract_without_a_key_is_one_line(tmp_path, capsys) -> None:
    # in-process: the conftest removed OPENAI_API_KEY and NIANBAO_CONFIG
    code = main(["extract", "--backend", "llm", str(REAL / "seed-004.txt"), "--out", str(tmp_path)])
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "OPENAI_API_KEY" in lines[0]
