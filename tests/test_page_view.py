"""Provenance is page + box: `nianbao run` stores it, the review screen crops the page by it."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from nianbao.cli import main
from nianbao.store import open_store
from ui.page_view import page_crop
from ui.queries import review_report

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
PDF = "corpus-012_hongze-district-2023.pdf"


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("in")
    shutil.copy(REAL / PDF, folder / PDF)
    db = folder.parent / "store.db"
    assert main(["run", str(folder), "--db", str(db)]) in (0, 1)
    return db, folder / PDF


def test_run_stores_each_cells_page_and_box(stored: tuple[Path, Path]) -> None:
    db, pdf = stored
    with open_store(db) as store:
        summary = next(s for s in store.queue(status=None) if s.source_name == PDF)
        view = store.load_report(summary.report_id)
        rr = review_report(view, store.extractions(summary.report_id))
    cell = view.cells["t2.penalty.decisions"]  # 4119, printed on page 3
    assert cell.value == 4119 and cell.page == 3
    assert cell.box is not None and 0 < cell.box[0] < cell.box[2] < 1
    assert rr.provenance["t2.penalty.decisions"].box == cell.box
    assert rr.source_path is not None and Path(rr.source_path).name == pdf.name


def _red(png: bytes) -> int:
    import numpy as np

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int(((rgb[:, :, 0] > 180) & (rgb[:, :, 1] < 90) & (rgb[:, :, 2] < 90)).sum())


def test_page_crop_draws_the_cells_box(stored: tuple[Path, Path]) -> None:
    db, pdf = stored
    with open_store(db) as store:
        summary = next(s for s in store.queue(status=None) if s.source_name == PDF)
        cell = store.load_report(summary.report_id).cells["t2.penalty.decisions"]
    assert cell.page is not None and cell.box is not None
    png = page_crop(pdf, cell.page, cell.box)
    assert png is not None
    crop = Image.open(io.BytesIO(png))
    page_width = 595 * 110 / 72  # the page as rendered for the screen
    assert 0 < crop.width < page_width and crop.height < crop.width  # around the cell, not all
    assert _red(png) > 50  # the box is drawn


def test_page_crop_of_an_image_scan_and_of_nothing(tmp_path: Path) -> None:
    scan = tmp_path / "scan.png"
    Image.new("L", (400, 600), 255).save(scan)
    png = page_crop(scan, 1, (0.4, 0.4, 0.5, 0.45))
    assert png is not None and _red(png) > 20
    assert page_crop(tmp_path / "gone.pdf", 1, (0.1, 0.1, 0.2, 0.2)) is None
    assert page_crop(scan, 2, (0.1, 0.1, 0.2, 0.2)) is None  # no such page
    text = tmp_path / "r.txt"
    text.write_text("x", encoding="utf-8")
    assert page_crop(text, 1, (0.1, 0.1, 0.2, 0.2)) is None
