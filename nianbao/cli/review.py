"""`nianbao review [--db FILE] [--port P]`: the Streamlit review screen on a store."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from nianbao.core.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "review",
        help="open the review screen (Streamlit) on a store",
        description="Starts a headless Streamlit server on the store; open the printed URL.",
    )
    p.add_argument("--db", type=Path, default=Path("nianbao.db"), help="the store (SQLite file)")
    p.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    p.add_argument(
        "--address",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    p.add_argument("--reviewer", help="the reviewer's name recorded with every decision")
    p.set_defaults(func=run)


def streamlit_command(db: Path, port: int, address: str) -> list[str]:
    """The `streamlit run` command line: headless, local, no usage statistics."""
    import ui

    app = Path(ui.__file__).parent / "app.py"
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.headless=true",
        f"--server.port={port}",
        f"--server.address={address}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        "--client.toolbarMode=viewer",  # no developer menu (deploy, rerun) for reviewers
        "--",
        "--db",
        str(db),
    ]


def run(args: argparse.Namespace) -> int:
    db = args.db.resolve()
    if not db.is_file():
        raise UserError(f"{args.db}: no such store (create one with `nianbao run`)")
    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port}: expected 1-65535")
    env = {**os.environ, "NIANBAO_DB": str(db)}
    if args.reviewer:
        env["NIANBAO_REVIEWER"] = args.reviewer
    print(f"nianbao review: http://{args.address}:{args.port}  (store {db}; Ctrl-C stops)")
    proc = subprocess.Popen(streamlit_command(db, args.port, args.address), env=env)
    previous = {s: signal.signal(s, _raise_stop) for s in STOP_SIGNALS}
    try:
        return proc.wait()
    except KeyboardInterrupt:
        stop_server(proc)
        raise
    except _Stop as stop:  # a service manager or `kill`: the server goes too, not orphaned
        stop_server(proc)
        return 128 + stop.signum
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


# What a service manager, `kill` or a closed terminal sends: each stops the server too.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
GRACE = 10.0  # seconds Streamlit gets to close its sessions before it is killed


class _Stop(Exception):
    """A stop signal arrived (SIGTERM, SIGHUP)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum: int, _frame: object) -> None:
    raise _Stop(signum)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the Streamlit child; kill it if it has not gone within GRACE seconds."""
    for handler in STOP_SIGNALS:  # a second signal must not interrupt the clean-up
        signal.signal(handler, signal.SIG_IGN)
    proc.terminate()
    try:
        proc.wait(timeout=GRACE)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
