"""Scans the tests make themselves: a gold printed by headless Chromium, degraded, OCR'd.

A consistent random report with blank cells is laid out as the national tables (ruled grid,
merged and vertical labels), printed to PDF, rendered at 150 dpi, skewed, blurred, noised
and JPEG-compressed, then read by the whole pipeline. Cell by cell against the gold: every
cell right or flagged, and no blank cell given a value. A few pages only: OCR takes seconds
a page on a loaded machine, and no assertion here is about time.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from eval.synth.paper import degrade, gold_report, image_pdf, page_images, print_pdf, report_html
from extractor.parser import ParserExtractor
from extractor.readers import read_document
from extractor.readers.pdf import pdf_to_text
from nianbao.core.document import SourceDocument
from nianbao.core.models import CanonicalReport, Extraction
from rules.verdict import verdict

pytestmark = pytest.mark.browser


@dataclass
class Printed:
    gold: CanonicalReport
    pdf: Path  # the text PDF Chromium printed
    scan_pdf: Path  # its degraded page images as an image-only PDF
    tiff: Path  # the same page images as a multi-page TIFF


@pytest.fixture(scope="module")
def ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    import os

    path = tmp_path_factory.mktemp("ocr-cache")
    old = os.environ.get("NIANBAO_OCR_CACHE")
    os.environ["NIANBAO_OCR_CACHE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("NIANBAO_OCR_CACHE", None)
    else:
        os.environ["NIANBAO_OCR_CACHE"] = old


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    folder = tmp_path_factory.mktemp("printed")
    gold = gold_report(seed=7, template="2021", blanks=8)
    pdf = print_pdf(report_html(gold))
    rng = random.Random(7)
    scans = [degrade(page, rng) for page in page_images(pdf, dpi=150)]
    (folder / "report.pdf").write_bytes(pdf)
    (folder / "scan.pdf").write_bytes(image_pdf(scans))
    buf = io.BytesIO()
    scans[0].save(buf, format="TIFF", save_all=True, append_images=scans[1:])
    (folder / "scan.tiff").write_bytes(buf.getvalue())
    return Printed(gold, folder / "report.pdf", folder / "scan.pdf", folder / "scan.tiff")


def _run(doc: SourceDocument) -> tuple[Extraction, dict[str, list[str]]]:
    """The production path: parser, identities with the narrative, review flags."""
    extraction = ParserExtractor().extract(doc)
    return extraction, verdict(extraction, doc.text).flags


def _score(doc: SourceDocument, gold: CanonicalReport) -> tuple[int, list[str], list[str]]:
    """(cells right, wrong cells nobody flagged, blank cells given a printed value).

    A blank cell may only get a value the identities pin (method "inferred", flagged, when
    the page showed something there that no reading caught); a value placed there from the
    page (a neighbour's, shifted) counts as filled."""
    extraction, flags = _run(doc)
    got, prov = extraction.report.cells, extraction.provenance
    right = sum(got[k] == v for k, v in gold.cells.items())
    silent = [k for k, v in gold.cells.items() if got[k] != v and k not in flags]
    filled = [
        k
        for k, v in gold.cells.items()
        if v is None and got[k] is not None and not (prov[k].method == "inferred" and k in flags)
    ]
    return right, silent, filled


def test_text_pdf_reads_every_cell_blanks_proven(printed: Printed) -> None:
    doc = read_document(printed.pdf)
    assert doc.geometry is not None and doc.geometry.source == "text"
    extraction, _ = _run(doc)
    assert extraction.report.cells == printed.gold.cells
    for key, value in printed.gold.cells.items():
        if value is None:  # an empty grid cell: null, and seen blank (not "not found")
            assert extraction.provenance[key].method == "blank", key
            assert extraction.provenance[key].page is not None, key
    before = SourceDocument.from_text("r.pdf", pdf_to_text("r.pdf", printed.pdf.read_bytes()))
    assert _score(doc, printed.gold)[0] >= _score(before, printed.gold)[0]


def test_scanned_pdf_every_cell_right_or_flagged(printed: Printed, ocr_cache: Path) -> None:
    doc = read_document(printed.scan_pdf)
    assert doc.geometry is not None and doc.geometry.source == "ocr"
    right, silent, filled = _score(doc, printed.gold)
    assert silent == []
    assert filled == []  # a blank cell never takes a value (a neighbour's or any)
    assert right >= 0.9 * len(printed.gold.cells)
    extraction, _ = _run(doc)
    assert extraction.report.meta.year == printed.gold.meta.year
    cells = extraction.report.cells
    read = [p for k, p in extraction.provenance.items() if cells[k] is not None and p.span]
    assert read and all(p.page is not None and p.box is not None for p in read)


def test_tiff_scan_right_or_flagged_and_a_rerun_costs_no_ocr(
    printed: Printed, ocr_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiff = read_document(printed.tiff)  # a multi-page TIFF: one page a frame
    assert tiff.media == "image"
    right, silent, filled = _score(tiff, printed.gold)
    assert (silent, filled) == ([], [])
    assert right >= 0.9 * len(printed.gold.cells)
    scan = read_document(printed.scan_pdf)  # OCR'd in the test above (or now)
    from extractor.geometry import ocr

    def no_ocr(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("OCR ran again for a page already in the cache")

    monkeypatch.setattr(ocr, "recognise", no_ocr)
    assert read_document(printed.tiff).text == tiff.text
    assert read_document(printed.scan_pdf).text == scan.text


def test_scanned_table_with_columns_blank_in_every_row_keeps_its_blanks(
    tmp_path: Path, ocr_cache: Path
) -> None:
    # table 二's 本年增/减 and 处理决定数量 printed empty in every row, values only under
    # 上一年项目数量 (as in a real 2020 report): the blank columns keep their x-ranges from
    # the header and the ruling lines, so no value is cut across them and none is filled
    base = gold_report(seed=5, template="2019", blanks=0)
    blank = [
        f"t2.{row}.{col}"
        for row in ("license", "other_mgmt", "penalty", "coercion")
        for col in ("change", "decisions")
    ]
    cells = dict(base.cells)
    for key in blank:
        cells[key] = None
    cells["t2.license.prev_items"] = 396  # a three-digit value the decoder could share out
    gold = CanonicalReport(meta=base.meta, cells=cells)
    rng = random.Random(5)
    pdf = print_pdf(report_html(gold))
    scans = [degrade(page, rng) for page in page_images(pdf, dpi=150)]
    (tmp_path / "scan.pdf").write_bytes(image_pdf(scans))
    doc = read_document(tmp_path / "scan.pdf")
    assert doc.geometry is not None and doc.geometry.source == "ocr"
    extraction, _ = _run(doc)
    for key in blank:
        assert extraction.report.cells[key] is None, key
        assert extraction.provenance[key].method == "blank", key
    assert extraction.report.cells["t2.license.prev_items"] == 396
    right, silent, filled = _score(doc, gold)
    assert (silent, filled) == ([], [])
    assert right >= 0.9 * len(gold.cells)


PARALLEL_READ = """
import json, sys
from pathlib import Path
from extractor.geometry import ocr_pool
from extractor.readers import read_document

started = []
real = ocr_pool.PagePool.__init__

def counted(self, processes, threads):
    started.append(processes)
    real(self, processes, threads)

ocr_pool.PagePool.__init__ = counted
doc = read_document(Path(sys.argv[1]))
left = set()
for task in Path("/proc/self/task").iterdir():
    left |= set((task / "children").read_text().split())
print(json.dumps({"started": started, "text": doc.text, "left": sorted(left)}))
"""


def test_pages_read_in_parallel_processes_read_as_one_after_the_other(
    printed: Printed, ocr_cache: Path, tmp_path: Path
) -> None:
    import json
    import os
    import subprocess
    import sys

    serial = read_document(printed.scan_pdf)  # one process (or the cache of the tests above)
    # a fresh process (one that has run onnxruntime never forks page processes) with a fresh
    # cache (every page OCR'd again) and two cores for OCR
    env = {**os.environ, "NIANBAO_OCR_CACHE": str(tmp_path / "fresh"), "NIANBAO_OCR_THREADS": "2"}
    done = subprocess.run(
        [sys.executable, "-c", PARALLEL_READ, str(printed.scan_pdf)],
        cwd=Path(__file__).parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["started"] == [2]  # the pages went to two page processes
    assert result["left"] == []  # and both ended with the read
    assert result["text"] == serial.text


def test_a_process_that_ran_onnxruntime_forks_no_page_processes(
    printed: Printed, ocr_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractor.geometry import ocr, ocr_pool

    read_document(printed.scan_pdf)
    ocr.engine()  # onnxruntime's environment is this process's now
    monkeypatch.setenv("NIANBAO_OCR_THREADS", "2")
    assert ocr_pool.plan(2) == ocr_pool.Plan(1, 2)


def test_a_text_pdf_row_printed_with_every_cell_empty_is_a_row_of_blanks(
    tmp_path: Path,
) -> None:
    # a part-二 row whose one cell is empty: no value word, so its label line sits between
    # rows; the PDF's drawn ruling segments box it off, so it is a row of its own, printed
    # blank (joined to the row above it would take that row's value)
    gold = gold_report(115, "2021")
    assert gold.cells["t2.coercion.decisions"] is None  # the generated gold leaves it blank
    path = tmp_path / "r.pdf"
    path.write_bytes(print_pdf(report_html(gold)))
    doc = read_document(path)
    assert "行政强制\t—" in doc.text.splitlines()
    extraction, judged = _run(doc)
    assert extraction.report.cells["t2.coercion.decisions"] is None
    assert extraction.provenance["t2.coercion.decisions"].method == "blank"
    assert extraction.report.cells["t2.penalty.decisions"] == gold.cells["t2.penalty.decisions"]
    assert "t2.coercion.decisions" not in judged
