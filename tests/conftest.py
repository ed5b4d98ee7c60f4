"""Fixtures shared by the store's tests: a real Postgres cluster next to the SQLite files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_cluster import ClusterError, PgCluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One throwaway cluster for the session (started on first use); missing binaries FAIL."""
    try:
        cluster = PgCluster().start()
    except ClusterError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where a fresh store lives: a SQLite file, then a new database on the Postgres cluster."""
    if request.param == "sqlite":
        return tmp_path / "nianbao.db"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()
