"""Credentials inside OPENAI_BASE_URL never reach output, logs, errors or the store.

`http://user:secret@host/v1` (userinfo) and `...?api-key=secret` (a query key) are how some
gateways take credentials. Wherever the URL is shown or stored, those parts are `***`.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path

import pytest

from extractor.llm.config import LLMConfig, load_config
from extractor.llm.redact import redact_text, redact_url
from nianbao.cli import main
from tests.llm.conftest import TEST_KEY
from tests.llm.fake_openai_server import FakeOpenAI, error
from tests.llm.oracle import REAL

SECRETS = ("s3cret-pass", "q-s3cret-key", "user-s3cret")


def test_redact_url() -> None:
    assert redact_url("http://alice:pw@host:8080/v1") == "http://***@host:8080/v1"
    assert redact_url("https://host/v1?api-key=abc&x=1") == "https://host/v1?api-key=***&x=***"
    assert redact_url("https://api.openai.com/v1") == "https://api.openai.com/v1"
    assert redact_url("not a url at all") == "not a url at all"
    text = "POST http://u:p@h/v1/chat?key=k failed; see https://h2/x?token=t"
    assert (
        redact_text(text) == "POST http://***@h/v1/chat?key=*** failed; see https://h2/x?token=***"
    )


def test_the_config_never_shows_the_url_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://user-s3cret:s3cret-pass@h/v1?k=q-s3cret-key")
    cfg = load_config()
    assert cfg.base_url.startswith("http://user-s3cret:s3cret-pass@")  # the client needs it
    shown = repr(cfg) + str(cfg) + cfg.shown_url
    assert not any(s in shown for s in SECRETS), shown
    assert "s3cret" not in repr(LLMConfig(base_url="http://a:s3cret@h/v1"))


def _hostile_url(server: FakeOpenAI, query: bool = True) -> str:
    host = server.url.split("://", 1)[1]
    url = f"http://user-s3cret:s3cret-pass@{host}"
    return url + "?api-key=q-s3cret-key" if query else url


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "llm.toml"
    path.write_text("[llm.retry]\nattempts = 2\ninitial_wait = 0.01\njitter = 0.0\n", "utf-8")
    return path


@pytest.mark.parametrize("status", [401, 404, 500])
def test_extract_errors_and_logs_carry_no_url_credentials(
    server: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    server.responder = lambda request: error(status, "no")
    monkeypatch.setenv("OPENAI_BASE_URL", _hostile_url(server))
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("NIANBAO_CONFIG", str(_config(tmp_path)))
    caplog.set_level(logging.DEBUG)  # as a developer chasing a problem would
    args = ["extract", "--backend", "llm", "--no-cache", str(REAL / "seed-004.txt")]
    code = main([*args, "--out", str(tmp_path / "out")])
    assert code != 0
    captured = capsys.readouterr()
    seen = captured.out + captured.err + caplog.text
    assert "***@" in captured.err  # the URL is still named, its credentials are not
    assert any("HTTP Request" in r.getMessage() for r in caplog.records), "httpx logged"
    assert not any(s in seen for s in SECRETS), seen


def test_a_run_stores_no_url_credentials(
    server: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.responder = lambda request: error(500, "upstream broke")
    # userinfo only: the requests reach the server, fail, and each failure is stored
    monkeypatch.setenv("OPENAI_BASE_URL", _hostile_url(server, query=False))
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("NIANBAO_CONFIG", str(_config(tmp_path)))
    monkeypatch.setenv("NIANBAO_NO_CACHE", "1")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REAL / "seed-004.txt", folder / "seed-004.txt")
    db = tmp_path / "store.db"
    main(["run", str(folder), "--backend", "llm", "--db", str(db)])
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert "***@" in dump  # the failure names the endpoint
    assert not any(s in dump for s in SECRETS)
    for extra in tmp_path.rglob("*"):  # nor any other file the run left behind
        if extra.is_file() and extra.suffix not in (".db", ".txt", ".toml"):
            assert not any(s.encode() in extra.read_bytes() for s in SECRETS), extra
