"""`nianbao token`, `serve` and `worker` on bad input: one line and exit 2, never a traceback."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tests.service.harness import free_port, nianbao


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_")}
    return {**base, "NIANBAO_DB": str(tmp_path / "s.db"), **extra}


def test_token_create_list_revoke(tmp_path: Path) -> None:
    env = _env(tmp_path)
    made = nianbao("token", "create", "--role", "reviewer", "--name", "alice", env=env)
    assert made.returncode == 0, made.stderr
    secret, note = made.stdout.splitlines()
    assert secret.startswith("nbt_") and len(secret) > 40
    assert "not shown again" in note
    listed = nianbao("token", "list", env=env)
    assert "reviewer\talice" in listed.stdout and secret not in listed.stdout
    # the store has its hash only
    with sqlite3.connect(tmp_path / "s.db") as conn:
        (stored,) = conn.execute("SELECT secret_hash FROM api_tokens").fetchone()
    assert secret not in stored and len(stored) == 64
    assert nianbao("token", "revoke", "1", env=env).returncode == 0
    again = nianbao("token", "revoke", "1", env=env)
    assert again.returncode == 2 and again.stderr.strip() == "nianbao: no live token 1"
    assert "revoked" in nianbao("token", "list", env=env).stdout


def test_token_needs_a_known_role_and_a_name(tmp_path: Path) -> None:
    env = _env(tmp_path)
    bad = nianbao("token", "create", "--role", "root", "--name", "x", env=env)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    blank = nianbao("token", "create", "--role", "admin", "--name", "  ", env=env)
    assert blank.returncode == 2 and "Traceback" not in blank.stderr
    assert "needs a name" in blank.stderr


def test_worker_without_redis_is_one_line(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    done = nianbao("worker", "--redis", url, env=_env(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"nianbao: {url}: Redis does not answer")


def test_bad_settings_and_ports_are_one_line(tmp_path: Path) -> None:
    port = nianbao("serve", "--port", "70000", env=_env(tmp_path))
    assert port.returncode == 2 and port.stderr.strip() == "nianbao: --port 70000: expected 1-65535"
    bad = nianbao("serve", env=_env(tmp_path, NIANBAO_MAX_QUEUE="lots"))
    assert bad.returncode == 2
    assert bad.stderr.strip() == "nianbao: NIANBAO_MAX_QUEUE='lots': not a valid max_queue"
    threads = nianbao("worker", "--threads", "0", env=_env(tmp_path))
    assert threads.returncode == 2 and "--threads 0" in threads.stderr
