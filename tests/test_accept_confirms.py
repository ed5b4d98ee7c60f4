"""Accepting a report confirms every flagged cell nobody decided: in the store and the export.

The screen said "accepting confirms them" while the cells stayed `none`/flagged. Now each is
`accepted`, the report's flagged count drops to 0, the export says so, and undoing the
acceptance puts them back as they were (a cell a person decided since is left alone).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nianbao.cli import main
from nianbao.service.tokens import create_token
from nianbao.store import StoreError, open_store
from tests.e2e.sample_store import LOW_KEY, Built, build_sample_store
from tests.pipeline_fixtures import extraction, gold, outcome

APP = Path(__file__).parent.parent / "ui" / "app.py"
SECRET: dict[str, str] = {}  # the reviewer's token, made by the fixture


def _flagged_undecided(view) -> set[str]:
    return {k for k, c in view.cells.items() if c.status == "flagged" and c.review_state == "none"}


def test_accept_confirms_the_flagged_cells_and_undo_restores_them(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        run = store.begin_run("parser", "fp", {})
        ex = extraction(gold("seed-004"))
        for key in ("t3.new.natural", "t3.granted.total"):
            ex.provenance[key].confidence = 0.5  # flagged: low confidence, identities hold
        store.save_outcome(run, "fp", outcome("a.txt", {"parser": ex}))
        (s,) = store.queue(status=None)
        before = store.load_report(s.report_id)
        flagged = _flagged_undecided(before)
        assert {"t3.new.natural", "t3.granted.total"} <= flagged and before.summary.n_flagged
        # a person confirms one herself first: that decision is hers and stays
        store.record_decision(s.report_id, "t3.new.natural", "ann", kind="accept_cell")
        done = store.accept_report(s.report_id, "ann")
        view = store.load_report(s.report_id)
        assert _flagged_undecided(view) == set() and view.summary.n_flagged == 0
        assert {view.cells[k].review_state for k in flagged} == {"accepted"}
        assert [d.kind for d in view.decisions] == ["accept_cell", "accept_report"]

        out = tmp_path / "out"
        args = ["export", "--db", str(tmp_path / "s.db"), "--format", "jsonl", "--out", str(out)]
        assert main(args) == 0
        cells = [json.loads(x) for x in (out / "cells.jsonl").read_text("utf-8").splitlines()]
        states = {r["key"]: r["review_state"] for r in cells}
        assert {states[k] for k in flagged} == {"accepted"}
        (wide,) = [json.loads(x) for x in (out / "reports.jsonl").read_text("utf-8").splitlines()]
        assert wide["n_flagged"] == 0 and wide["n_reviewed"] >= len(flagged)

        store.undo(done.decision_id, "ann")
        view = store.load_report(s.report_id)
        assert view.summary.review_status == "pending"
        assert _flagged_undecided(view) == flagged - {"t3.new.natural"}
        assert view.cells["t3.new.natural"].review_state == "accepted"  # her own decision


def test_accept_also_confirms_the_cells_the_screen_names(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        run = store.begin_run("parser", "fp", {})
        store.save_outcome(run, "fp", outcome("a.txt", {"parser": extraction(gold("seed-004"))}))
        (s,) = store.queue(status=None)
        with pytest.raises(StoreError, match=r"t9\.nope"):
            store.accept_report(s.report_id, "ann", confirm=["t9.nope"])
        assert store.load_report(s.report_id).summary.review_status == "pending"  # all or none
        store.accept_report(s.report_id, "ann", confirm=["t3.new.total"])
        view = store.load_report(s.report_id)
        assert view.cells["t3.new.total"].review_state == "accepted"


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Built]:
    db = tmp_path / "review.db"
    built = build_sample_store(db)
    monkeypatch.setenv("NIANBAO_DB", str(db))
    with open_store(db) as store:
        SECRET["alice"] = create_token(store, "alice", "reviewer")[1]
    return db, built


def _signed_in() -> AppTest:
    """The screen with alice's reviewer token pasted, as a reviewer signs in."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    at.text_input(key="token").input(SECRET["alice"]).run()
    assert not at.exception, at.exception
    return at


def test_the_accept_button_confirms_what_its_caption_says(sample: tuple[Path, Built]) -> None:
    db, built = sample
    at = _signed_in()
    at.button(key=f"open-{built.markup}").click().run()
    caption = next(c.value for c in at.caption if "not decided; accepting confirms" in c.value)
    n = int(caption.split(" ", 1)[0])
    assert n >= 1
    with open_store(db) as store:
        open_before = _flagged_undecided(store.load_report(built.markup)) | {LOW_KEY}
    at.button(key="accept").click().run()
    assert not at.exception
    with open_store(db) as store:
        view = store.load_report(built.markup)
    assert view.summary.review_status == "accepted"
    assert {view.cells[k].review_state for k in open_before} == {"accepted"}
    assert _flagged_undecided(view) == set()


def test_every_open_cell_has_its_own_button(sample: tuple[Path, Built]) -> None:
    """Not the first eight: every flagged cell still to decide is one click away."""
    _, built = sample
    at = _signed_in()
    at.button(key=f"open-{built.wrong_cell}").click().run()
    caption = next(c.value for c in at.caption if "flagged cell(s) to decide" in c.value)
    picks = [b for b in at.button if b.key and b.key.startswith("pick-")]
    assert len(picks) == int(caption.split(" ", 1)[0]) > 8
    last = picks[-1]
    last.click().run()
    assert at.selectbox(key="cell").value == last.label
