"""Arguments several commands share, so their names, help and defaults cannot drift apart."""

from __future__ import annotations

import argparse

# Two ways a store is found: the batch commands (`run`, `export`, `review`) through
# `store.location`, the service's (`serve`, `worker`, `token`) through `service.settings`,
# which also reads $NIANBAO_DB like the service's other NIANBAO_* settings.
_STORE_DEFAULTS = {
    "batch": "default: $NIANBAO_DB_URL, else nianbao.db",
    "service": "default $NIANBAO_DB, else $NIANBAO_DB_URL, else nianbao.db",
}


def add_store_argument(parser: argparse.ArgumentParser, *, resolved_by: str = "batch") -> None:
    """`--db FILE|URL`; `resolved_by` says whose defaults apply ("batch" or "service")."""
    parser.add_argument(
        "--db",
        metavar="FILE|URL",
        help="the store: a SQLite file, or postgresql://user@host/db "
        f"({_STORE_DEFAULTS[resolved_by]})",
    )


def add_redis_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redis", help="Redis URL (default $NIANBAO_REDIS_URL or local port 6379)")
