"""Two reviewers saving at once, each through their own store connection: nothing is lost."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from nianbao.store import StaleEdit, open_store
from tests.e2e.sample_store import WRONG_KEY, build_sample_store

OTHER_KEY = "t3.granted.total"


def test_two_reviewers_saving_at_once_keep_both_changes(tmp_path: Path) -> None:
    db = tmp_path / "review.db"
    built = build_sample_store(db)
    rid = built.wrong_cell
    alice, bob = open_store(db), open_store(db)
    try:
        seen_a, seen_b = alice.load_report(rid), bob.load_report(rid)
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def save(store, who: str, key: str, value: int, version: int) -> None:
            start.wait()
            try:
                store.record_decision(rid, key, who, value=value, expected_version=version)
            except BaseException as exc:  # reported below, with the thread's name
                errors.append(exc)

        threads = [
            threading.Thread(
                target=save, args=(alice, "alice", WRONG_KEY, 1, seen_a.cells[WRONG_KEY].version)
            ),
            threading.Thread(
                target=save, args=(bob, "bob", OTHER_KEY, 2, seen_b.cells[OTHER_KEY].version)
            ),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert not errors, errors
        with open_store(db) as fresh:
            after = fresh.load_report(rid)
        assert after.cells[WRONG_KEY].value == 1 and after.cells[OTHER_KEY].value == 2
        assert sorted((d.reviewer, d.key) for d in after.decisions) == [
            ("alice", WRONG_KEY),
            ("bob", OTHER_KEY),
        ]
        # bob, still on his old view, now edits alice's cell: refused, her value stays
        with pytest.raises(StaleEdit, match="alice"):
            bob.record_decision(
                rid, WRONG_KEY, "bob", value=5, expected_version=seen_b.cells[WRONG_KEY].version
            )
        with open_store(db) as fresh:
            assert fresh.load_report(rid).cells[WRONG_KEY].value == 1
        # and a report accepted on a stale view is refused too
        with pytest.raises(StaleEdit):
            bob.accept_report(rid, "bob", expected_version=seen_b.summary.version)
    finally:
        alice.close()
        bob.close()
