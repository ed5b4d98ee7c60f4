"""The SQLite store: reports, runs, per-cell results with provenance, findings, reviews.

`open_store(path)` is the one entry point; the CLI, the pipeline, the export and the review
screen all go through the `Store` it returns.
"""

from __future__ import annotations

from pathlib import Path

from nianbao.store.db import Database
from nianbao.store.decisions import DecisionResult, ReviewDesk
from nianbao.store.types import (
    CellView,
    DecisionKind,
    DecisionView,
    NotClean,
    Outcome,
    ReportSummary,
    ReportView,
    ReviewStatus,
    SourceInfo,
    StaleEdit,
    StoreError,
    UnknownReport,
)
from nianbao.store.views import STATUSES, Reader
from nianbao.store.writer import RunWriter

DEFAULT_DB = Path("nianbao.db")


class Store(Reader, ReviewDesk, RunWriter):
    """The store on one SQLite file. Safe to share between threads; open one per process."""

    def __init__(self, path: str | Path) -> None:
        self.db = Database(path)
        self.path = self.db.path

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: str | Path = DEFAULT_DB) -> Store:
    """Open (creating and migrating as needed) the store at `path`."""
    return Store(path)


__all__ = [
    "DEFAULT_DB",
    "STATUSES",
    "CellView",
    "DecisionKind",
    "DecisionResult",
    "DecisionView",
    "NotClean",
    "Outcome",
    "ReportSummary",
    "ReportView",
    "ReviewStatus",
    "SourceInfo",
    "StaleEdit",
    "Store",
    "StoreError",
    "UnknownReport",
    "open_store",
]
