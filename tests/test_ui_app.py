"""The review screen through Streamlit's AppTest, on a real SQLite store built from the eval set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nianbao.core.models import CanonicalReport
from nianbao.service.tokens import create_token
from nianbao.store import open_store
from rules.engine import check
from tests.e2e.sample_store import LOW_KEY, WRONG_KEY, Built, build_sample_store
from ui.queries import gold_files

APP = Path(__file__).parent.parent / "ui" / "app.py"


SECRETS: dict[str, str] = {}  # reviewer name -> token secret, for the current test's store


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Built]:
    db = tmp_path / "review.db"
    built = build_sample_store(db)
    monkeypatch.setenv("NIANBAO_DB", str(db))
    with open_store(db) as store:
        for name, role in (("alice", "reviewer"), ("bob", "reviewer"), ("intake", "submitter")):
            SECRETS[name] = create_token(store, name, role)[1]
    return db, built


def _app(who: str = "alice") -> AppTest:
    """The screen, signed in with `who`'s token (pasted as a reviewer would)."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    at.text_input(key="token").input(SECRETS[who]).run()
    assert not at.exception, at.exception
    return at


def _shown(markdown: str) -> str:
    """What a Markdown message reads as on the page: messages escape every mark (ui.safe_text)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _open(at: AppTest, report_id: int) -> AppTest:
    at.button(key=f"open-{report_id}").click().run()
    assert not at.exception, at.exception
    return at


def _queue_order(at: AppTest) -> list[int]:
    return [int(b.key.split("-")[1]) for b in at.button if b.key and b.key.startswith("open-")]


def _button(at: AppTest, containing: str):
    (button,) = [b for b in at.button if containing in b.label]
    return button


def test_queue_most_urgent_first_with_counts(sample: tuple[Path, Built]) -> None:
    _, built = sample
    at = _app()
    # seed-003 breaks 4 rules, the misread seed-004 2 (and disagrees), the markup one is only
    # low confidence
    assert _queue_order(at) == [built.source_error, built.wrong_cell, built.markup]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["needs review"] == "3" and metrics["accepted by a reviewer"] == "0"


@pytest.mark.parametrize(
    ("widget", "value", "expected"),
    [
        ("f_template", "2021", ["source_error"]),
        ("f_year", 2020, ["wrong_cell", "markup"]),
        ("f_status", "reviewed", []),
        ("f_status", "all", ["source_error", "wrong_cell", "markup"]),
    ],
)
def test_queue_filters(
    sample: tuple[Path, Built], widget: str, value: object, expected: list[str]
) -> None:
    _, built = sample
    at = _app()
    at.selectbox(key=widget).set_value(value).run()
    assert _queue_order(at) == [getattr(built, name) for name in expected]


def test_queue_organ_filter(sample: tuple[Path, Built]) -> None:
    _, built = sample
    at = _app()
    at.text_input(key="f_organ").input("灵山卫").run()
    assert _queue_order(at) == [built.source_error]
    at.text_input(key="f_organ").input("没有这个机关").run()
    assert _queue_order(at) == [] and at.info


def test_fix_recheck_accept_undo(sample: tuple[Path, Built]) -> None:
    db, built = sample
    at = _open(_app(), built.wrong_cell)
    # the misread cell is offered first, with the parser's, the LLM's and the implied value
    assert at.selectbox(key="cell").value == WRONG_KEY
    assert at.button(key="accept").disabled
    labels = [b.label for b in at.button if b.key and b.key.startswith("use-")]
    assert labels == ["2 ← parser", "1 ← llm / implied by suspect #1"]
    _button(at, "← llm").click().run()
    assert not at.exception
    assert "every identity holds" in at.success[0].value
    assert not at.error  # no finding left
    with open_store(db) as store:
        view = store.load_report(built.wrong_cell)
        assert view.cells[WRONG_KEY].value == 1 and view.cells[WRONG_KEY].extracted == 2
        (fix,) = view.decisions
        assert (fix.kind, fix.key, fix.old_value, fix.new_value, fix.reviewer) == (
            "fix",
            WRONG_KEY,
            "2",
            "1",
            "alice",
        )
    # clean now: accept
    assert not at.button(key="accept").disabled
    at.button(key="accept").click().run()
    with open_store(db) as store:
        assert store.load_report(built.wrong_cell).summary.review_status == "accepted"
        assert [s.report_id for s in store.queue(status="reviewed")] == [built.wrong_cell]
    # the most urgent report still waiting is one click away
    assert at.button(key="next").label.startswith(f"Next in the queue: #{built.source_error} ")
    # undo the acceptance, then the fix: back to the parser's reading, broken again
    at.selectbox(key="undo_choice").select_index(0).run()  # newest first: the acceptance
    at.button(key="undo").click().run()
    at.selectbox(key="undo_choice").select_index(0).run()
    at.button(key="undo").click().run()
    assert not at.exception
    with open_store(db) as store:
        view = store.load_report(built.wrong_cell)
        assert view.summary.review_status == "pending"
        assert view.cells[WRONG_KEY].value == 2
        assert [d.kind for d in view.decisions] == ["fix", "accept_report", "undo", "undo"]
    assert at.button(key="accept").disabled and at.error  # the findings are back
    assert not [b for b in at.button if b.key == "next"]  # only once this one is done


def test_typed_value_is_checked_before_saving(sample: tuple[Path, Built]) -> None:
    db, built = sample
    at = _open(_app(), built.wrong_cell)
    at.text_input(key="note").input("the text prints 1").run()
    at.text_input(key="typed").input("1.5").run()
    at.button(key="set-typed").click().run()
    assert "whole number" in at.error[0].value
    at.text_input(key="typed").input(" 1 ").run()
    at.button(key="set-typed").click().run()
    assert "every identity holds" in at.success[0].value
    with open_store(db) as store:
        view = store.load_report(built.wrong_cell)
        assert view.cells[WRONG_KEY].value == 1
        assert [(d.kind, d.reason) for d in view.decisions] == [("fix", "the text prints 1")]


def test_source_error_needs_a_reason(sample: tuple[Path, Built]) -> None:
    db, built = sample
    at = _open(_app(), built.source_error)
    # one backend read it: its value is named by the backend, beside the implied one
    labels = [b.label for b in at.button if b.key and b.key.startswith("use-")]
    assert labels == ["8 ← parser", "9 ← implied by suspect #1"]
    assert at.button(key="accept").disabled
    assert at.button(key="accept-source-error").disabled  # no reason yet
    reason = "the source prints 0 as this row's total"
    at.text_input(key="reason").input(reason).run()
    at.button(key="accept-source-error").click().run()
    assert not at.exception
    with open_store(db) as store:
        view = store.load_report(built.source_error)
        assert view.summary.review_status == "accepted_with_source_error"
        assert view.decisions[-1].reason == reason
        # the numbers are kept as printed: nothing silently changed
        assert view.cells["t3.new.total"].value == 0


def test_confirm_a_low_confidence_cell_and_export_gold(
    sample: tuple[Path, Built], tmp_path: Path
) -> None:
    db, built = sample
    at = _open(_app(), built.markup)
    assert at.selectbox(key="cell").value == LOW_KEY
    at.button(key="confirm").click().run()
    at.button(key="accept").click().run()
    # the gold label and its source are downloads: no folder box, nothing written on the server
    assert not [t for t in at.text_input if t.key == "gold_folder"]
    downloads = {d.key: d for d in at.get("download_button")}
    assert downloads["export"].proto.label == "Download gold label"
    assert downloads["export"].proto.url.endswith(".json")
    assert "export-source" in downloads
    with open_store(db) as store:
        files = gold_files(store, built.markup)
        assert sorted(files) == ["pasted-markup.gold.json", "pasted-markup.txt"]
        gold = CanonicalReport.from_json(files["pasted-markup.gold.json"].decode("utf-8"))
        assert check(gold).holds and gold.meta.template == "2019"
        assert store.export_gold(built.markup) == json.loads(files["pasted-markup.gold.json"])
    # the source is kept verbatim beside its label
    assert files["pasted-markup.txt"].decode("utf-8").startswith("<script>")
    assert not list(tmp_path.rglob("*.gold.json"))


def test_export_refused_before_acceptance(sample: tuple[Path, Built]) -> None:
    _, built = sample
    at = _open(_app(), built.wrong_cell)
    assert at.button(key="export").disabled


def test_stale_edit_from_a_second_reviewer_is_refused(sample: tuple[Path, Built]) -> None:
    """Two sessions on one report: the second's click on a changed cell is not saved."""
    db, built = sample
    alice = _open(_app("alice"), built.wrong_cell)
    bob = _open(_app("bob"), built.wrong_cell)
    _button(alice, "← llm").click().run()
    _button(bob, "← parser").click().run()  # bob still sees version 0 of the cell
    assert "Not saved" in bob.error[0].value and "changed by alice" in bob.error[0].value
    with open_store(db) as store:
        view = store.load_report(built.wrong_cell)
        assert view.cells[WRONG_KEY].value == 1 and len(view.decisions) == 1
    # after the refusal bob's page shows the stored value and he can decide again
    assert "every identity holds" not in (bob.success[0].value if bob.success else "")
    assert bob.metric[0].value == "1"


def test_back_to_the_queue(sample: tuple[Path, Built]) -> None:
    _, built = sample
    at = _open(_app(), built.wrong_cell)
    at.button(key="back").click().run()
    assert _queue_order(at) == [built.source_error, built.wrong_cell, built.markup]


def test_show_selects_the_cell_a_finding_is_about(sample: tuple[Path, Built]) -> None:
    _, built = sample
    at = _open(_app(), built.source_error)
    shows = [b for b in at.button if b.key and b.key.startswith("show-")]
    # one per broken identity of seed-003 (4), then the narrative's warning (it states the
    # applications in prose, against a printed total of 0)
    assert len(shows) == 5 and at.warning
    balance_total = shows[3]
    target = balance_total.label.removeprefix("show ")
    balance_total.click().run()
    # balance[total]: of its four cells, the best suspect's comes first
    assert target == "t3.new.total" and at.selectbox(key="cell").value == target
    assert at.metric[0].value == "0"  # the panel shows that cell's printed value


def test_the_export_carries_the_reviewed_value(sample: tuple[Path, Built], tmp_path: Path) -> None:
    from nianbao.cli import main

    db, built = sample
    at = _open(_app(), built.wrong_cell)
    _button(at, "← llm").click().run()
    at.button(key="accept").click().run()
    out = tmp_path / "export"
    assert main(["export", "--db", str(db), "--format", "jsonl", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in (out / "reports.jsonl").read_text("utf-8").splitlines()]
    (row,) = [
        r
        for r in rows
        if r.get("source_name") == "seed-004.txt" or r.get("report_id") == built.wrong_cell
    ]
    assert row[WRONG_KEY] == 1  # the parser read 2; the reviewer's 1 is what leaves the store


def test_apply_a_whole_suspect(sample: tuple[Path, Built]) -> None:
    db, built = sample
    at = _open(_app(), built.source_error)
    assert at.selectbox(key="cell").value == "t3.new.natural"  # the best suspect's first cell
    at.button(key="apply-suspect").click().run()
    assert not at.exception and "3 cells set" in at.success[0].value
    assert not at.button(key="accept").disabled  # every identity holds now
    with open_store(db) as store:
        view = store.load_report(built.source_error)
        values = {k: view.cells[k].value for k in ("t3.new.natural", "t3.new.commercial")}
        assert values == {"t3.new.natural": 9, "t3.new.commercial": 0}
        assert view.cells["t3.new.total"].value == 9
        assert [d.kind for d in view.decisions] == ["fix", "fix", "fix"]


def test_next_report_after_accepting(sample: tuple[Path, Built]) -> None:
    _, built = sample
    at = _open(_app(), built.markup)
    at.button(key="accept").click().run()
    at.button(key="next").click().run()
    assert not at.exception
    assert at.selectbox(key="cell").value == "t3.new.natural"  # seed-003's best suspect
    assert f"#{built.source_error}" in at.markdown[0].value


def test_fix_the_organ_and_undo_it(sample: tuple[Path, Built]) -> None:
    db, built = sample
    at = _open(_app(), built.markup)
    at.text_input(key="meta_organ").input("泰州市高港区人民政府办公室").run()
    at.button(key="save-meta").click().run()
    assert not at.exception and "meta.organ" in _shown(at.success[0].value)
    with open_store(db) as store:
        view = store.load_report(built.markup)
        assert view.summary.organ == "泰州市高港区人民政府办公室"
        (d,) = view.decisions
        assert (d.kind, d.key, d.reviewer) == ("fix", "meta.organ", "alice")
    at.button(key="save-meta").click().run()  # nothing changed: nothing recorded
    assert "unchanged" in at.info[0].value
    at.button(key="undo").click().run()
    with open_store(db) as store:
        assert store.load_report(built.markup).summary.organ.startswith("<b>")
    assert at.text_input(key="meta_organ").value.startswith("<b>")  # the input follows


@pytest.mark.parametrize(
    ("secret", "says"),
    [
        ("nbt_not-a-real-token", "Unknown or revoked token"),
        ("", "Paste a token first"),
        ("intake", "submitter token cannot review"),
    ],
)
def test_no_queue_without_a_reviewer_sign_in(
    sample: tuple[Path, Built], secret: str, says: str
) -> None:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    assert not [b for b in at.button if (b.key or "").startswith("open-")]  # nothing shown
    assert not [t for t in at.text_input if t.key == "reviewer"]  # no typed name, ever
    at.text_input(key="token").input(SECRETS.get(secret, secret)).run()
    at.button(key="sign_in").click().run()
    assert not at.exception
    assert says in at.error[0].value
    assert not [b for b in at.button if (b.key or "").startswith("open-")]


def test_a_revoked_token_signs_the_session_out(sample: tuple[Path, Built]) -> None:
    db, _ = sample
    at = _app("bob")
    assert _queue_order(at)
    with open_store(db) as store:
        (bob,) = [t for t in store.tokens() if t.name == "bob"]
        store.revoke_token(bob.id)
    at.run()
    assert not _queue_order(at) and at.text_input(key="token")
