"""`nianbao review`: bad input is one line and exit 2; the db path reaches the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.cli import main
from nianbao.cli.review import streamlit_command
from ui.app import db_path


def test_missing_store_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing.db"
    assert main(["review", "--db", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothing.db: no such store" in err


def test_bad_port_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "x.db"
    db.write_bytes(b"")
    assert main(["review", "--db", str(db), "--port", "70000"]) == 2
    assert "--port 70000" in capsys.readouterr().err


def test_the_db_path_survives_the_streamlit_command_line(tmp_path: Path) -> None:
    db = tmp_path / "dir with space" / "review.db"
    cmd = streamlit_command(db, 8599, "127.0.0.1")
    assert cmd[cmd.index("run") + 1].endswith("ui/app.py")
    assert "--server.headless=true" in cmd and "--server.address=127.0.0.1" in cmd
    assert "--browser.gatherUsageStats=false" in cmd
    script_args = cmd[cmd.index("--") + 1 :]
    assert db_path(script_args) == db  # what the app reads back from its own argv


def test_db_path_falls_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_DB", "/data/store.db")
    assert db_path([]) == Path("/data/store.db")
    monkeypatch.delenv("NIANBAO_DB")
    assert db_path([]) == Path("nianbao.db")


def test_db_path_takes_a_postgres_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NIANBAO_DB", raising=False)
    url = "postgresql://reviewer@db.internal/nianbao"
    assert db_path(["--db", url]) == url  # a URL, not a Path that would fold its "//"
    monkeypatch.setenv("NIANBAO_DB_URL", url)
    assert db_path([]) == url
