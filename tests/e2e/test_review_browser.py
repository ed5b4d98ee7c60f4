"""End to end in a real headless Chromium: `nianbao review` on a small store, fix, accept.

One browser session: the queue, a report with markup in its source (shown, never run), then
the misread report: pick the flagged cell, take the LLM's value, accept, check the database.
Screenshots go to a tmp folder (and to $NIANBAO_SCREENSHOTS when set, for the docs).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import REVIEWER, SECRET
from tests.e2e.sample_store import WRONG_KEY, XSS_ORGAN, Built

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000

pytestmark = pytest.mark.browser


def _screenshot_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder


def test_review_in_a_real_browser(server: tuple[str, Path, Built], tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Chromium from the OS packages "
            "(apt-get update && apt-get install -y chromium); .ci/run does this"
        )
    from playwright.sync_api import expect, sync_playwright

    url, db, built = server
    shots = _screenshot_dir(tmp_path)
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1250})
            page.set_default_timeout(TIMEOUT_MS)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            # signed out: the sign-in form and nothing else; a reviewer token opens the queue
            expect(page.get_by_text("nianbao review: sign in")).to_be_visible()
            expect(page.get_by_text("Review queue")).to_have_count(0)
            page.get_by_label("API token").fill(SECRET[REVIEWER])
            page.get_by_label("API token").press("Enter")
            expect(page.get_by_text("Review queue")).to_be_visible()
            expect(page.get_by_text(f"Signed in as {REVIEWER}")).to_be_visible()
            reviews = page.get_by_role("button", name="Review", exact=True)
            expect(reviews).to_have_count(3)
            expect(page.get_by_text("seed-003.txt")).to_be_visible()
            expect(page.get_by_text(XSS_ORGAN)).to_be_visible()  # as text in the queue
            page.set_viewport_size({"width": 1600, "height": 700})
            _snap(page, shots / "queue.png")
            page.set_viewport_size({"width": 1600, "height": 1250})

            # 1. the pasted-markup report: its <script> and <img onerror> show as text
            reviews.nth(2).click()
            source = page.locator("#nb-source")
            expect(source).to_contain_text('<script>window.__nb_xss=1;alert("x")</script>')
            expect(source).to_contain_text("<img src=x onerror=alert(1)>")
            expect(source).to_contain_text('<img src=y onerror="window.__nb_xss=2">')
            expect(page.get_by_text(XSS_ORGAN).first).to_be_visible()  # the header shows it
            page.wait_for_timeout(500)
            for frame in page.frames:
                assert frame.evaluate("() => window.__nb_xss === undefined"), frame.url
            assert frame_has_no(page, "img[src=x], img[src=y], img[src=z]") and not dialogs
            assert no_frame_with_script_and_origin(page)
            page.get_by_role("button", name="← Queue").click()

            # 2. the misread report: pick the flagged cell, see its span, take the LLM's value
            reviews.nth(1).click()
            page.get_by_role("button", name=WRONG_KEY, exact=True).click()
            mark = page.locator("#nb-sel")
            expect(mark).to_have_text("1")  # the text says 1 where the parser read 2
            expect(mark).to_be_in_viewport()
            inside = mark.evaluate(
                """m => { const b = document.getElementById('nb-source');
                          const r = m.getBoundingClientRect(), o = b.getBoundingClientRect();
                          return r.top >= o.top && r.bottom <= o.bottom; }"""
            )
            assert inside  # the mark is in the box's view, the lines above it folded
            expect(page.locator("#nb-source details.nb-above")).to_have_count(1)
            _snap(page, shots / "report.png")  # before the fix: red, orange, the equations
            page.get_by_role("button", name="1 ← llm / implied by suspect #1").click()
            expect(page.get_by_text("every identity holds").first).to_be_visible()
            accept = page.get_by_role("button", name="Accept report")
            expect(accept).to_be_enabled()
            accept.click()
            expect(page.get_by_text("Review status: accepted")).to_be_visible()
            # the 规章 row seed-004 does not print (3 cells) stayed flagged after the fix (no
            # blank proves it); accepting the report confirms them as read (issue 11, item 7)
            expect(page.get_by_text("0 flagged cell(s) to decide")).to_be_visible()
            _snap(page, shots / "report-accepted.png")

            # 3. the source's own error: one decision, settled in one action
            page.get_by_role("button", name="← Queue").click()
            page.get_by_role("button", name="Review", exact=True).first.click()
            expect(page.get_by_text("seed-003.txt").first).to_be_visible()
            expect(page.get_by_text("Decisions (").first).to_be_visible()
            # clicks land only on a page Streamlit has finished drawing: a click during a
            # re-run is on an element the re-run replaces (lost under load, once in CI-like runs)
            _idle(page)
            page.get_by_text("d1 · ").first.click()
            _idle(page)
            page.get_by_role(
                "button", name="The source's own error: keep every cell as printed"
            ).click()
            expect(page.get_by_text("cells settled").first).to_be_visible()
        finally:
            browser.close()
    assert not dialogs

    with sqlite3.connect(db) as conn:
        decisions = conn.execute(
            "SELECT d.kind, d.key, d.old_value, d.new_value, d.reviewer FROM decisions d"
            " JOIN results r ON r.id = d.result_id WHERE r.report_id = ? ORDER BY d.id",
            (built.wrong_cell,),
        ).fetchall()
        status = conn.execute(
            "SELECT review_status, n_broken FROM results WHERE report_id = ? AND current = 1",
            (built.wrong_cell,),
        ).fetchone()
        cell = conn.execute(
            "SELECT c.review_state, c.reviewed_value, c.value FROM cells c JOIN results r"
            " ON r.id = c.result_id WHERE r.report_id = ? AND c.key = ?",
            (built.wrong_cell, WRONG_KEY),
        ).fetchone()
        undecided = conn.execute(
            "SELECT COUNT(*) FROM cells c JOIN results r ON r.id = c.result_id"
            " WHERE r.report_id = ? AND c.status = 'flagged' AND c.review_state = 'none'",
            (built.wrong_cell,),
        ).fetchone()[0]
    assert decisions == [
        ("fix", WRONG_KEY, "2", "1", REVIEWER),
        ("accept_report", None, None, None, REVIEWER),
    ]
    assert status == ("accepted", 0)
    assert undecided == 0  # accepting confirmed every flagged cell nobody decided
    assert cell == ("fixed", "1", "2")  # the extracted value is kept beside the reviewed one
    names = ("queue.png", "report.png", "report-accepted.png")
    for name in names:
        assert (shots / name).stat().st_size > 20_000, name
    if os.environ.get("NIANBAO_SCREENSHOTS"):
        keep = Path(os.environ["NIANBAO_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(shots / name, keep / name)


def _idle(page) -> None:
    """Wait until Streamlit has finished re-running (its "Running…" widget gone)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


def _snap(page, path: Path) -> None:
    """A picture of the page from its top, once Streamlit has finished re-running."""
    _idle(page)
    page.locator('[data-testid="stMain"]').evaluate("e => e.scrollTo(0, 0)")
    page.wait_for_timeout(200)
    page.screenshot(path=path)


def no_frame_with_script_and_origin(page) -> bool:
    """No frame of the page may run scripts AND count as the app's origin."""
    sandboxes = page.eval_on_selector_all("iframe", "fs => fs.map(f => f.sandbox.value)")
    return not any("allow-scripts" in s and "allow-same-origin" in s for s in sandboxes)


def frame_has_no(page, selector: str) -> bool:
    """True when no frame of the page holds an element matching `selector`."""
    return all(frame.query_selector(selector) is None for frame in page.frames)
