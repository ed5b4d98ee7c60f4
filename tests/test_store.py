"""The SQLite store: migrations, results with provenance, the queue, reviews, gold export."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from nianbao.core.models import CanonicalReport, Meta
from nianbao.store import NotClean, StaleEdit, StoreError, open_store
from nianbao.store.migrations import MIGRATIONS, migrate
from tests.pipeline_fixtures import extraction, gold, outcome


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "nianbao.db") as s:
        yield s


def _run(store) -> int:
    return store.begin_run("parser", "fp-1", {"parser_version": "test"})


def test_migrations_from_empty_and_reapplied(tmp_path) -> None:
    path = tmp_path / "fresh.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_version")]
    assert versions == [m.version for m in MIGRATIONS]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"reports", "runs", "results", "extractions", "cells", "findings", "decisions"} <= tables
    conn.close()
    with open_store(path) as again:  # re-opening applies nothing twice
        assert migrate(again.db.conn) == []
        assert again.db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert again.db.conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(
            MIGRATIONS
        )
        again.db.conn.execute(
            "INSERT INTO schema_version VALUES (?, 'from the future', '2099')",
            (MIGRATIONS[-1].version + 1,),
        )
    with pytest.raises(sqlite3.DatabaseError, match="newer than this nianbao knows"):
        open_store(path)


def test_outcome_lands_with_cells_findings_and_provenance(store) -> None:
    run = _run(store)
    store.save_outcome(run, "fp-1", outcome("003.txt", {"parser": extraction(gold("seed-003"))}))
    (item,) = store.queue()
    assert item.status == "needs_review" and item.n_broken == 4
    view = store.load_report(item.report_id)
    assert len(view.cells) == 200 and next(iter(view.cells)) == "t2.rules.issued"
    cell = view.cells["t3.new.total"]
    assert cell.value == 0 and cell.status == "flagged"
    assert "breaks t3.row_sum[new]" in cell.reasons
    assert view.source_text[cell.span[0] : cell.span[1]] == "0"
    assert view.cells["t2.fees.amount_wan"].value == 0  # Decimal back, exact
    assert {f.rule for f in view.findings} >= {"t3.row_sum[new]", "t3.balance[total]"}
    assert view.suspects and view.implied("t3.new.total") == 9
    (reading,) = store.extractions(item.report_id).values()
    assert reading.report == gold("seed-003") and reading.provenance["t3.new.total"].span


def test_queue_puts_broken_identities_before_disagreements(store) -> None:
    run = _run(store)
    clean = gold("seed-004")
    store.save_outcome(run, "fp-1", outcome("004.txt", {"parser": extraction(clean)}))
    disagree = {
        "parser": extraction(clean),
        "llm": extraction(clean, backend="llm", t4__review__upheld=5),
    }
    store.save_outcome(run, "fp-1", outcome("004-both.txt", disagree))
    store.save_outcome(run, "fp-1", outcome("003.txt", {"parser": extraction(gold("seed-003"))}))
    names = [s.source_name for s in store.queue()]
    assert names == ["003.txt", "004-both.txt"]
    assert store.counts() == {"needs_review": 2, "accepted": 1, "reviewed": 0, "failed": 0}
    assert [s.source_name for s in store.queue(template="2021")] == ["003.txt"]
    assert [s.source_name for s in store.queue(status="accepted")] == ["004.txt"]
    both = store.load_report(store.queue()[1].report_id).cells["t4.review.upheld"]
    assert (both.parser_value, both.llm_value, both.agreement) == (0, 5, "disagree")
    with pytest.raises(StoreError, match="unknown status"):
        store.queue(status="bogus")


def test_fix_rechecks_at_once_and_undo_restores(store) -> None:
    store.save_outcome(
        _run(store), "fp-1", outcome("003.txt", {"parser": extraction(gold("seed-003"))})
    )
    rid = store.queue()[0].report_id
    seen = store.load_report(rid).cells["t3.new.total"]
    done = store.record_decision(
        rid, "t3.new.total", "ann", value="9", expected_version=seen.version, reason="row sum"
    )
    assert "t3.row_sum[new]" not in {f.rule for f in done.findings}
    view = store.load_report(rid)
    assert view.cells["t3.new.total"].value == 9 and view.cells["t3.new.total"].extracted == 0
    assert view.cells["t3.new.total"].review_state == "fixed"
    assert view.summary.n_broken < 4
    (d,) = view.decisions
    assert (d.kind, d.key, d.old_value, d.new_value, d.reviewer) == (
        "fix",
        "t3.new.total",
        "0",
        "9",
        "ann",
    )
    assert store.reviewed_cells(rid) == {"t3.new.total": 9}
    store.undo(d.id, "ann", reason="wrong row")
    view = store.load_report(rid)
    assert view.cells["t3.new.total"].value == 0 and view.summary.n_broken == 4
    assert [x.kind for x in view.decisions] == ["fix", "undo"] and view.decisions[0].undone_by
    with pytest.raises(StoreError, match="already undone"):
        store.undo(d.id, "ann")


def test_accept_report_needs_clean_or_a_reason(store) -> None:
    store.save_outcome(
        _run(store), "fp-1", outcome("003.txt", {"parser": extraction(gold("seed-003"))})
    )
    rid = store.queue()[0].report_id
    with pytest.raises(NotClean, match=r"t3\.row_sum\[new\]"):
        store.accept_report(rid, "ann")
    with pytest.raises(StoreError, match="needs a reason"):
        store.accept_report(rid, "ann", with_source_error=True)
    with pytest.raises(StoreError, match="not been accepted"):
        store.export_gold(rid)
    store.accept_report(rid, "ann", with_source_error=True, reason="the source prints total 0")
    assert store.queue() == [] and store.counts()["reviewed"] == 1
    gold_dict = store.export_gold(rid)
    assert CanonicalReport.from_json_dict(gold_dict).cells == gold("seed-003").cells


def test_two_reviewers_at_once_keep_both_changes_and_stale_edit_is_refused(tmp_path) -> None:
    path = tmp_path / "shared.db"
    with open_store(path) as s:
        s.save_outcome(
            _run(s), "fp-1", outcome("003.txt", {"parser": extraction(gold("seed-003"))})
        )
        rid = s.queue()[0].report_id
    a, b = open_store(path), open_store(path)
    try:
        seen_a, seen_b = a.load_report(rid), b.load_report(rid)
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def decide(store, key, value, version) -> None:
            barrier.wait()
            try:
                store.record_decision(
                    rid, key, "ann" if store is a else "bo", value=value, expected_version=version
                )
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [
            threading.Thread(
                target=decide, args=(a, "t3.new.total", 9, seen_a.cells["t3.new.total"].version)
            ),
            threading.Thread(
                target=decide,
                args=(
                    b,
                    "t3.carried_forward.natural",
                    1,
                    seen_b.cells["t3.carried_forward.natural"].version,
                ),
            ),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert a.reviewed_cells(rid) == {"t3.carried_forward.natural": 1, "t3.new.total": 9}
        # b saw t3.new.total before a changed it: b's edit of the same cell is refused.
        stale = seen_b.cells["t3.new.total"].version
        with pytest.raises(StaleEdit, match="changed by ann"):
            b.record_decision(rid, "t3.new.total", "bo", value=8, expected_version=stale)
        assert b.load_report(rid).cells["t3.new.total"].value == 9
    finally:
        a.close()
        b.close()


def test_series_check_warns_both_years_until_fixed(store) -> None:
    base = gold("seed-004")
    run = _run(store)

    def year(n: int, **changes):
        report = CanonicalReport(
            meta=Meta(organ=" 泰州市 高港区人民政府办公室", year=n, template="2019"),
            cells=base.cells,
        )
        return extraction(report, **changes)

    store.save_outcome(run, "fp-1", outcome("2019.txt", {"parser": year(2019)}))
    store.save_outcome(
        run,
        "fp-1",
        outcome(
            "2020.txt",
            {
                "parser": year(
                    2020,
                    t3__carried_over__natural=2,
                    t3__carried_over__total=2,
                    t3__new__natural=0,
                    t3__new__total=0,
                )
            },
        ),
    )
    by_name = {s.source_name: s for s in store.queue(status=None)}
    first = store.load_report(by_name["2019.txt"].report_id)
    second = store.load_report(by_name["2020.txt"].report_id)
    for view, key in ((first, "t3.carried_forward.natural"), (second, "t3.carried_over.natural")):
        rules = {f.rule: f for f in view.findings if f.family == "series.carry"}
        assert set(rules) == {"series.carry[natural]", "series.carry[total]"}
        assert rules["series.carry[natural]"].cells == [key]
        assert "2019 carried forward 0" in rules["series.carry[natural]"].equation
    sid = second.summary.report_id
    store.record_decision(sid, "t3.carried_over.natural", "ann", value=0)
    store.record_decision(sid, "t3.carried_over.total", "ann", value=0)
    for rid in (first.summary.report_id, sid):
        assert not [f for f in store.load_report(rid).findings if f.family == "series.carry"]


def test_series_on_the_real_pingtan_reports(store) -> None:
    """Seven consecutive years of one body (gold labels), across both layouts: they carry
    over consistently; one misread carry warns exactly the two years it sits between."""
    run = _run(store)
    stems = [f"corpus-00{n}_pingtan-{2018 + n}-webtext" for n in range(1, 8)]
    for stem in stems[:3] + stems[4:]:
        store.save_outcome(run, "fp-1", outcome(stem, {"parser": extraction(gold(stem))}))
    # 2022 (stored last, out of order) misread as carrying over 0 instead of the 1 of 2021.
    store.save_outcome(
        run,
        "fp-1",
        outcome(
            stems[3],
            {
                "parser": extraction(
                    gold(stems[3]), t3__carried_over__natural=0, t3__carried_over__total=0
                )
            },
        ),
    )
    warned = {}
    for s in store.queue(status=None):
        series = [f for f in store.load_report(s.report_id).findings if f.family == "series.carry"]
        if series:
            warned[s.year] = sorted(f.cells[0] for f in series)
    assert warned == {
        2021: ["t3.carried_forward.natural", "t3.carried_forward.total"],
        2022: ["t3.carried_over.natural", "t3.carried_over.total"],
    }


def test_series_matches_a_body_named_with_and_without_its_city(store) -> None:
    """洪泽 names itself 洪泽区人民政府 in 2023 and 淮安市洪泽区人民政府 in 2024 (real golds)."""
    run = _run(store)
    earlier, later = (
        gold("corpus-012_hongze-district-2023"),
        gold("corpus-013_hongze-district-2024"),
    )
    assert earlier.meta.organ != later.meta.organ
    assert later.meta.organ.endswith(earlier.meta.organ)
    store.save_outcome(run, "fp-1", outcome("hz-2023", {"parser": extraction(earlier)}))
    carried = later.cells["t3.carried_over.natural"]
    store.save_outcome(
        run,
        "fp-1",
        outcome("hz-2024", {"parser": extraction(later, t3__carried_over__natural=carried + 5)}),
    )
    by_name = {s.source_name: s for s in store.queue(status=None)}
    for name in ("hz-2023", "hz-2024"):
        rules = {
            f.rule
            for f in store.load_report(by_name[name].report_id).findings
            if f.family == "series.carry"
        }
        assert "series.carry[natural]" in rules, name
    # a bare "人民政府" is no body: it never pairs with anything
    lone = CanonicalReport(
        meta=Meta(organ="人民政府", year=2025, template="2021"), cells=later.cells
    )
    store.save_outcome(run, "fp-1", outcome("lone-2025", {"parser": extraction(lone)}))
    lone_id = {s.source_name: s for s in store.queue(status=None)}["lone-2025"].report_id
    assert not [f for f in store.load_report(lone_id).findings if f.family == "series.carry"]


def test_a_rerun_keeps_what_the_reviewer_did(store) -> None:
    """A new configuration re-reads the same source: fixes carry over (logged, with the
    reviewer); the report's verdict only when the values it was given on are unchanged."""
    report = gold("seed-003")
    first = outcome("003.txt", {"parser": extraction(report)})
    first_id = store.save_outcome(_run(store), "fp-1", first)
    rid = store.queue()[0].report_id
    store.record_decision(rid, "t3.new.total", "ann", value=9)
    store.record_decision(rid, "t3.new.natural", "ann", kind="accept_cell")
    store.record_decision(rid, "meta.organ", "ann", value="灵山卫街道办事处")
    store.accept_report(rid, "ann", with_source_error=True, reason="balance breaks in print")

    text = first.source.text
    misread = extraction(report, t4__review__upheld=3, t4__review__total=3)
    store.save_outcome(
        store.begin_run("parser", "fp-2", {}),
        "fp-2",
        outcome("003.txt", {"parser": misread}, text=text),
    )
    view = store.load_report(rid)
    assert view.summary.result_id != first_id and view.summary.review_status == "pending"
    assert view.cells["t3.new.total"].value == 9
    assert view.cells["t3.new.total"].review_state == "fixed"
    assert view.cells["t3.new.natural"].review_state == "accepted"
    assert view.summary.organ == "灵山卫街道办事处"  # the meta fix carried too
    carried = {d.key: d for d in view.decisions}
    assert carried["t3.new.total"].reviewer == "ann"
    assert carried["t3.new.total"].reason.startswith(
        f"carried over from result {first_id} (decision"
    )
    assert "t3.row_sum[new]" not in {f.rule for f in view.findings}  # re-checked

    store.save_outcome(
        store.begin_run("parser", "fp-3", {}),
        "fp-3",
        outcome("003.txt", {"parser": extraction(report)}, text=text),
    )
    again = store.load_report(rid)
    assert again.summary.review_status == "pending"  # fp-2's result was never accepted
    store.accept_report(rid, "bo", with_source_error=True, reason="as printed")
    store.save_outcome(
        store.begin_run("parser", "fp-4", {}),
        "fp-4",
        outcome("003.txt", {"parser": extraction(report)}, text=text),
    )
    last = store.load_report(rid)
    assert last.summary.review_status == "accepted_with_source_error"
    assert last.decisions[-1].kind == "accept_with_source_error"
    assert last.decisions[-1].reviewer == "bo"
    assert store.counts()["reviewed"] == 1 and len(store.queue(status=None)) == 1


def test_meta_is_reviewable_undoable_and_exported(store) -> None:
    report = gold("seed-004")
    store.save_outcome(_run(store), "fp-1", outcome("004.txt", {"parser": extraction(report)}))
    rid = store.queue(status=None)[0].report_id
    seen = store.load_report(rid).summary.version
    done = store.record_decision(
        rid, "meta.organ", "ann", value=" 泰州市 高港区 ", expected_version=seen
    )
    with pytest.raises(StaleEdit, match=r"meta\.year"):
        store.record_decision(rid, "meta.year", "bo", value=2021, expected_version=seen)
    with pytest.raises(StoreError, match="not a year"):
        store.record_decision(rid, "meta.year", "bo", value="20x0")
    with pytest.raises(StoreError, match="re-run"):
        store.record_decision(rid, "meta.template", "bo", value="2021")
    assert store.load_report(rid).summary.organ == "泰州市高港区"
    store.accept_report(rid, "ann")
    assert store.export_gold(rid)["meta"]["organ"] == "泰州市高港区"
    fix = next(d for d in store.load_report(rid).decisions if d.key == "meta.organ")
    assert (fix.id, fix.old_value, fix.new_value) == (
        done.decision_id,
        "泰州市高港区人民政府办公室",
        "泰州市高港区",
    )
    store.undo(fix.id, "ann")
    assert store.load_report(rid).summary.organ == "泰州市高港区人民政府办公室"


def test_each_cell_stores_its_proof_level_and_its_decision(tmp_path) -> None:
    with open_store(tmp_path / "p.db") as store:
        run = _run(store)
        clean = store.save_outcome(
            run, "fp-1", outcome("000.txt", {"parser": extraction(gold("seed-000"))})
        )
        broken = store.save_outcome(
            run, "fp-1", outcome("003.txt", {"parser": extraction(gold("seed-003"))})
        )
        conn = store.db.conn
        levels = {
            r[0] for r in conn.execute("SELECT proof FROM cells WHERE result_id = ?", (clean,))
        }
        assert levels <= {"read_confirmed", "blank_proven"}
        rows = conn.execute(
            "SELECT key, proof, cause, status FROM cells WHERE result_id = ?", (broken,)
        ).fetchall()
        flagged = [r for r in rows if r[3] == "flagged"]
        # seed-003's own arithmetic error: every flagged cell is settled by one decision
        assert flagged and {r[1] for r in flagged} == {"contradicts"}
        assert {r[2] for r in flagged} == {"d1"}
        assert all(r[2] is None for r in rows if r[3] == "verified")
