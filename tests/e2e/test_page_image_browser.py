"""In a real headless Chromium: a PDF report's cell shows the printed page around it.

`nianbao run` reads a real PDF (geometry: page + box per cell), `nianbao review` serves the
store; the report screen, on a flagged cell, shows the page crop with the cell's box drawn
beside the source text.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from nianbao.cli import main
from tests.common import REAL
from tests.e2e.conftest import REVIEWER, SECRET, review_server
from tests.e2e.test_review_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

PDF = "corpus-012_hongze-district-2023.pdf"  # its part 四 totals break: cells are flagged

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REAL / PDF, folder / PDF)
    db = tmp_path / "review.db"
    assert main(["run", str(folder), "--db", str(db)]) in (0, 1)
    with review_server(db, tmp_path) as url:
        yield url


def test_flagged_pdf_cell_shows_its_page_crop(server: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: .ci/run installs Chromium from the OS packages")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1250})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(server)
            page.get_by_label("API token").fill(SECRET[REVIEWER])
            page.get_by_label("API token").press("Enter")
            expect(page.get_by_text(PDF)).to_be_visible()
            page.get_by_role("button", name="Review", exact=True).first.click()
            key = "t4.review.upheld"  # 10, read from page 4; flagged (its total is printed 0)
            page.get_by_role("button", name=key, exact=True).click()
            expect(page.get_by_text(f"{key} on page 4")).to_be_visible()
            image = page.locator(f'img[alt="{key} on page 4"]')
            expect(image).to_be_visible()
            size = image.evaluate("i => [i.complete, i.naturalWidth, i.naturalHeight]")
            assert size[0] and size[1] > 100 and size[2] > 20, size
        finally:
            browser.close()
