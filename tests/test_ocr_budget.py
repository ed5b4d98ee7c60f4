"""OCR held to the file's budget: onnxruntime running out of address space is a MemoryError
(the file is "over its memory budget", one line), and page processes stay within it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def _page_image(path: Path) -> None:
    """A page of printed numbers (no browser needed): enough for detection to want memory."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(0)
    image = Image.new("L", (1754, 2480), 255)
    draw = ImageDraw.Draw(image)
    for y in range(100, 2400, 40):
        for x in range(100, 1600, 120):
            draw.text((x, y), str(int(rng.integers(0, 9999))), fill=0)
    image.save(path)


# One native call under an address-space limit just above what the process holds: what it
# raises on its own, and what it raises inside `ocr.memory_errors()`. {setup} builds `call`
# (and its input) before the limit; a fresh process, so the limit ends with it.
UNDER_A_LIMIT = """
import resource
import numpy as np
from extractor.geometry import ocr
from tests.bounded import vm_mb
{setup}
resource.setrlimit(resource.RLIMIT_AS, ((vm_mb() + 24) << 20, resource.RLIM_INFINITY))
try:
    call()
    raw = "ran"
except MemoryError:
    raw = "MemoryError"
except Exception as exc:
    raw = type(exc).__name__ + (" bad_alloc" if "bad_alloc" in str(exc) else "")
try:
    with ocr.memory_errors():
        call()
    guarded = "ran"
except MemoryError as exc:
    guarded = "MemoryError: " + str(exc)
except Exception as exc:
    guarded = type(exc).__name__
print(raw)
print(guarded)
"""
GUARDED = "MemoryError: the OCR engine could not allocate memory"


def _raw_and_guarded(setup: str) -> list[str]:
    script = UNDER_A_LIMIT.replace("{setup}", setup)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-2:]


def test_onnxruntime_bad_alloc_becomes_memory_error() -> None:
    setup = """
det = ocr.engine(1).text_det.infer
page = np.full((1, 3, 1984, 1408), 0.5, dtype=np.float32)
call = lambda: det(page)
"""
    raw, guarded = _raw_and_guarded(setup)
    assert raw == "ONNXRuntimeError bad_alloc"  # what onnxruntime raises on its own
    assert guarded == GUARDED


def test_opencv_insufficient_memory_becomes_memory_error() -> None:
    # RapidOCR wraps OpenCV's "(-4:Insufficient memory)" as its own ResizeImgError; under a
    # tight budget that is where a page fails, and it must read as the budget, not a crash
    setup = """
from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess
resize = DetPreProcess(limit_side_len=9600, limit_type="min").resize
page = np.full((1600, 1200, 3), 255, dtype=np.uint8)  # scaled up to 12800 x 9600 x 3 (368 MB)
call = lambda: resize(page)
"""
    raw, guarded = _raw_and_guarded(setup)
    assert raw == "ResizeImgError"  # what RapidOCR raises on its own
    assert guarded == GUARDED


@pytest.mark.parametrize("memory_mb", [900, 1300])
def test_ocr_over_the_memory_budget_is_a_source_failure_in_one_line(
    tmp_path: Path, memory_mb: int
) -> None:
    # 900 MB: onnxruntime fails building its sessions; 1300 MB: while detecting the page.
    # Either way, as for any reader, one line and a failed source, never a traceback
    src = tmp_path / "in"
    src.mkdir()
    _page_image(src / "scan.png")
    db = tmp_path / "store.db"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nianbao",
            "run",
            str(src),
            "--db",
            str(db),
            "--memory-mb",
            str(memory_mb),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NIANBAO_OCR_CACHE": str(tmp_path / "ocr-cache")},
    )
    lines = [line for line in done.stdout.splitlines() if "scan.png" in line]
    assert lines == [f"  scan.png: over its memory budget of {memory_mb} MB"], done.stdout
    assert "Traceback" not in done.stderr + done.stdout
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT r.status, r.error_kind FROM results r JOIN reports p ON p.id = r.report_id"
        ).fetchall()
    assert rows == [("failed", "source")]


def _import_ocr() -> None:
    import rapidocr_onnxruntime  # noqa: F401


def _plan(pages: int) -> tuple[int, int]:
    from extractor.geometry import ocr
    from extractor.geometry.ocr_pool import plan

    # as in a process that has not run OCR yet (one that has reads its pages itself: the
    # rule tests/test_scans.py checks); plan() forks nothing, so dropping it is harmless
    ocr.engine.cache_clear()
    chosen = plan(pages)
    return chosen.processes, chosen.threads


@pytest.mark.parametrize(
    ("cores", "pages", "expected"),
    [
        ("1", 5, (1, 1)),  # --jobs 2 on 2 cores: one thread, pages one after the other
        ("2", 5, (2, 1)),  # two page processes of one thread: never more than the cores
        ("2", 1, (1, 2)),  # one page: read here with both threads
        ("4", 3, (3, 1)),  # no more processes than pages
    ],
)
def test_page_processes_never_oversubscribe_the_cores(
    monkeypatch: pytest.MonkeyPatch, cores: str, pages: int, expected: tuple[int, int]
) -> None:
    monkeypatch.setenv("NIANBAO_OCR_THREADS", cores)
    processes, threads = _plan(pages)
    assert (processes, threads) == expected
    assert processes * threads <= int(cores)


def test_page_processes_only_when_the_memory_budget_has_room_for_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from extractor.geometry.ocr_pool import PAGE_PROCESS_MB
    from tests.bounded import within

    monkeypatch.setenv("NIANBAO_OCR_THREADS", "2")
    # the OCR libraries mapped in the serving child first (a plan counts them as spent): the
    # budgets below are then measured from the child's size with them
    within(_import_ocr, memory_mb=2048)
    # the child's budget leaves room for one page process only: pages are read there
    assert within(_plan, 5, memory_mb=PAGE_PROCESS_MB + 100) == (1, 2)
    assert within(_plan, 5, memory_mb=2 * PAGE_PROCESS_MB + 100) == (2, 1)
