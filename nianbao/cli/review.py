"""`nianbao review [--db FILE] [--port P]`: the Streamlit review screen on a store."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from nianbao.cli.options import add_store_argument
from nianbao.core.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "review",
        help="open the review screen (Streamlit) on a store",
        description=(
            "Starts a headless Streamlit server on the store; open the printed URL and sign in "
            "with a reviewer token (`nianbao token create --role reviewer --name NAME`): "
            "decisions are recorded under the token's name."
        ),
    )
    add_store_argument(p)
    p.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    p.add_argument(
        "--address",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    p.set_defaults(func=run)


def streamlit_command(db: Path | str, port: int, address: str) -> list[str]:
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
    from nianbao.store import StoreError
    from nianbao.store.location import resolve, shown

    try:
        db = resolve(args.db)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    if isinstance(db, Path):
        db = db.resolve()
        if not db.is_file():
            raise UserError(f"{args.db or db}: no such store (create one with `nianbao run`)")
    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port}: expected 1-65535")
    env = {**os.environ, "NIANBAO_DB": str(db)}
    print(f"nianbao review: http://{args.address}:{args.port}  (store {shown(db)}; Ctrl-C stops)")
    proc = subprocess.Popen(streamlit_command(db, args.port, args.address), env=env)
    stopped: list[int] = []
    killer = threading.Timer(GRACE, proc.kill)  # should the server not go within GRACE
    killer.daemon = True

    def stop(signum: int, _frame: object) -> None:
        # a service manager or `kill`: the server goes too, not left serving as an orphan
        if not stopped:
            stopped.append(signum)
            proc.terminate()
            killer.start()

    previous = {s: signal.signal(s, stop) for s in STOP_SIGNALS}
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=GRACE)
        raise
    finally:
        killer.cancel()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 + stopped[0] if stopped else code


# What a service manager, `kill` or a closed terminal sends: each stops the server too.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
GRACE = 10.0  # seconds Streamlit gets to close its sessions before it is killed
