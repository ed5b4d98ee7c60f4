"""The report screen in a real Chromium at the widths reviewers use: nothing overlaps, every
flagged cell is one click away, and text nobody checked never becomes Markdown or a link.

Screenshots go to a tmp folder (and to $NIANBAO_SCREENSHOTS when set, for the docs).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import sign_in
from tests.e2e.test_review_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    _snap,
    no_frame_with_script_and_origin,
)

pytestmark = pytest.mark.browser
WIDTHS = (1366, 1600)
PANES = (".st-key-nb-source-pane", ".st-key-nb-grids", ".st-key-nb-decision")
HOSTILE_ORGAN = "[点我](http://evil.example/organ)**粗**:red[红]www.evil.example"
HOSTILE_FILE = "[f](http://evil.example/file)_x_.txt"

# Every visible element of a pane, by the pane: its box must lie within the pane's columns.
# Inside a part's own scroll box (`.nb-part`) the part must not need to scroll at all.
OVERLAP_JS = """panes => {
  const box = e => e.getBoundingClientRect();
  const found = panes.map(sel => document.querySelector(sel));
  const problems = [];
  found.forEach((pane, i) => { if (!pane) problems.push('missing ' + panes[i]); });
  if (problems.length) return problems;
  const boxes = found.map(box);
  for (let i = 0; i + 1 < boxes.length; i++) {
    if (boxes[i].right > boxes[i + 1].left + 0.5)
      problems.push(`${panes[i]} (right ${boxes[i].right}) overlaps ${panes[i + 1]}`);
  }
  found.forEach((pane, i) => {
    for (const e of pane.querySelectorAll('*')) {
      const r = box(e);
      if (r.width === 0 || r.height === 0) continue;
      if (r.left < boxes[i].left - 1 || r.right > boxes[i].right + 1) {
        const what = e.tagName + '.' + (e.className || '').toString().slice(0, 40);
        const pane = `${boxes[i].left}-${boxes[i].right}`;
        problems.push(`${panes[i]}: ${what} spans ${r.left}-${r.right}, pane ${pane}`);
        if (problems.length > 12) return problems;
      }
    }
  });
  for (const part of document.querySelectorAll('.nb-part')) {
    if (part.scrollWidth > part.clientWidth + 1)
      problems.push(`a part is clipped: ${part.scrollWidth} > ${part.clientWidth} px`);
  }
  return problems;
}"""


def _browser(pw):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: .ci/run installs Chromium (apt-get install chromium)")
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def _keep(shots: Path, names: list[str]) -> None:
    if os.environ.get("NIANBAO_SCREENSHOTS"):
        keep = Path(os.environ["NIANBAO_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(shots / name, keep / name)


def test_nothing_overlaps_at_1366_and_1600_px(server, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _db, built = server
    shots = tmp_path / "shots"
    shots.mkdir()
    names = []
    with sync_playwright() as pw:
        browser = _browser(pw)
        try:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.set_default_timeout(TIMEOUT_MS)
                for rid, layout in ((built.wrong_cell, "2019"), (built.source_error, "2021")):
                    page.goto(f"{url}/?report={rid}")
                    sign_in(page)
                    expect(page.locator(".nb-t4")).to_be_visible()
                    expect(page.locator("#nb-sel")).to_be_visible()
                    name = f"report-{width}-{layout}.png"
                    _snap(page, shots / name)
                    names.append(name)
                    problems = page.evaluate(OVERLAP_JS, list(PANES))
                    assert not problems, (width, rid, problems)
                    # parts 三 and 四 end before the decision panel starts
                    panel = page.locator(PANES[2]).bounding_box()
                    for part in (".nb-t3", ".nb-t4"):
                        table = page.locator(part).bounding_box()
                        assert table and panel and table["x"] + table["width"] <= panel["x"]
                page.locator('[data-testid="stMain"]').evaluate("e => e.scrollTo(0, 800)")
                page.wait_for_timeout(300)
                name = f"report-{width}-scrolled.png"
                page.screenshot(path=shots / name)
                names.append(name)
                page.close()
        finally:
            browser.close()
    for name in names:
        assert (shots / name).stat().st_size > 20_000, name
    _keep(shots, names)


def test_every_flagged_cell_is_one_click_away(server) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _db, built = server
    with sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{url}/?report={built.wrong_cell}")
            sign_in(page)
            caption = page.get_by_text("flagged cell(s) to decide")
            expect(caption).to_be_visible()
            n = int(caption.inner_text().split()[0])
            assert n > 8  # more than the eight that used to have buttons
            buttons = page.locator(".st-key-nb-open-cells button")
            expect(buttons).to_have_count(n)
            last = buttons.nth(n - 1)
            key = last.inner_text().strip()
            last.click()  # scrolls into view inside its box, then one click
            expect(page.locator(".st-key-nb-decision code").first).to_have_text(key)
        finally:
            browser.close()


def test_typed_organ_and_file_name_never_become_markdown_or_links(server) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, db, built = server
    with sqlite3.connect(db) as conn:  # a file name as a crawler might have saved it
        conn.execute("UPDATE reports SET source_name = ?", (HOSTILE_FILE,))
    with sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{url}/?report={built.markup}")
            sign_in(page)
            page.get_by_text("Organ and year").click()
            organ = page.get_by_label("organ", exact=True)
            organ.fill(HOSTILE_ORGAN)
            organ.press("Enter")
            page.get_by_role("button", name="Save organ / year").click()
            expect(page.get_by_text("Saved: meta.organ = ")).to_be_visible()
            # the header and the message show the text as typed, character for character
            _assert_inert(page, {HOSTILE_ORGAN: 2, HOSTILE_FILE: 1})  # header (+ message)
            page.get_by_role("button", name="← Queue").click()
            expect(page.get_by_text("Review queue")).to_be_visible()
            _assert_inert(page, {HOSTILE_ORGAN: 1, HOSTILE_FILE: 1})
        finally:
            browser.close()


def _assert_inert(page, texts: dict[str, int]) -> None:
    """Each text shows as typed (at least so many times); no link, bold or italic came of it."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")
    # what a person reads (ui.safe_text puts invisible word joiners where autolinks start)
    shown = page.evaluate("() => document.body.innerText.replaceAll('\u2060', '')")
    for text, times in texts.items():
        assert shown.count(text) >= times, (text, shown[:2000])
    links = page.eval_on_selector_all("a", "as => as.map(a => a.href)")
    assert not [h for h in links if "evil.example" in urlsplit(h).netloc], links
    for tag in ("strong", "em"):  # `**粗**` and `_x_` stayed marks, not markup
        texts = page.eval_on_selector_all(tag, "es => es.map(e => e.textContent)")
        assert not [t for t in texts if t in ("粗", "x")], (tag, texts)
    assert no_frame_with_script_and_origin(page)
