"""One stray byte does not lose a report: decode with replacement, flag the damaged span.

A valid UTF-8 report with `\\xff` appended, a UTF-8 report with one line saved as GBK, a GBK
report with one stray byte: each is read (its text otherwise exactly the clean one), the
damaged span is known, and a cell on a damaged line carries the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.damage import DAMAGE_NOTE, damaged_spans, mark_damage
from extractor.readers import read_document
from extractor.readers.text import decode_text
from extractor.registry import get_extractor
from nianbao.cli import main
from nianbao.core.errors import SourceError

SAMPLE = Path(__file__).parent.parent / "samples" / "seed-003.txt"


@pytest.fixture(scope="module")
def clean() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def _write(tmp_path: Path, raw: bytes, name: str = "report.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def test_utf8_with_a_stray_ff_is_read_and_the_byte_flagged(clean: str, tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, clean.encode("utf-8") + b"\xff"))
    assert doc.text == clean + "\ufffd"
    assert doc.damaged == ((len(clean), len(clean) + 1),)


def test_one_gbk_line_in_a_utf8_report_damages_that_line_only(clean: str, tmp_path: Path) -> None:
    lines = clean.split("\n")
    raw = lines[0].encode("gbk") + b"\n" + "\n".join(lines[1:]).encode("utf-8")
    doc = read_document(_write(tmp_path, raw))
    first_end = doc.text.index("\n")
    assert doc.text[first_end:] == clean[clean.index("\n") :]  # the rest untouched
    assert doc.damaged and all(end <= first_end for _, end in doc.damaged)
    assert "2021" in doc.text[:first_end]  # the ASCII of that line survives


def test_a_gbk_report_with_one_stray_byte_is_read_as_gbk(clean: str) -> None:
    raw = clean.encode("gbk")
    cut = raw.index("本年新收".encode("gbk"))
    text = decode_text("r.txt", raw[:cut] + b"\xff" + raw[cut:])
    assert text.replace("\ufffd", "", 1) == clean
    assert damaged_spans(text) == ((text.index("\ufffd"), text.index("\ufffd") + 1),)


def test_a_gbk_report_is_not_taken_for_damaged_utf8(clean: str) -> None:
    assert decode_text("r.txt", clean.encode("gbk")) == clean


def test_noise_is_still_refused(tmp_path: Path) -> None:
    noise = bytes(range(128, 256)) * 40
    with pytest.raises(SourceError, match=r"encoding|binary|no annual report"):
        read_document(_write(tmp_path, noise))


def test_a_cell_on_a_damaged_line_carries_the_reason(clean: str, tmp_path: Path) -> None:
    row = "\t一、本年新收政府信息公开申请数量\n\t8\n".encode()  # its 自然人 cell is 8
    assert row in clean.encode("utf-8")
    raw = clean.encode("utf-8").replace(row, row[:-1] + b"\xff\n", 1)
    doc = read_document(_write(tmp_path, raw))
    assert len(doc.damaged) == 1
    parser = get_extractor("parser")
    extraction = mark_damage(doc, parser.extract(doc))
    noted = {k for k, p in extraction.provenance.items() if DAMAGE_NOTE in p.notes}
    assert noted == {"t3.new.natural"}
    assert extraction.report.cells["t3.new.natural"] == 8


def test_extract_keeps_the_report_and_says_what_was_damaged(
    clean: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, clean.encode("utf-8") + b"\xff")
    out = tmp_path / "out"
    assert main(["extract", str(path), "--out", str(out)]) == 0
    data = json.loads((out / "report.json").read_text("utf-8"))
    assert data["damaged_spans"] == [[len(clean), len(clean) + 1]]
    err = capsys.readouterr().err
    assert "report.txt" in err and "undecodable" in err and err.count("\n") == 1


def test_two_inputs_with_one_stem_get_two_outputs(
    clean: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`extract a/report.txt b/report.txt c/report.md`: three outputs, none overwritten."""
    inputs = []
    cases = (("a", "txt", "甲街道"), ("b", "txt", "乙街道"), ("c", "md", "丙"))
    for folder, suffix, organ in cases:
        (tmp_path / folder).mkdir()
        text = clean.replace("灵山卫街道", organ)
        inputs.append(_write(tmp_path / folder, text.encode("utf-8"), f"report.{suffix}"))
    out = tmp_path / "out"
    assert main(["extract", *map(str, inputs), "--out", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == ["report-2.json", "report-3.json", "report.json"]
    sources = {json.loads((out / n).read_text("utf-8"))["source"] for n in written}
    assert sources == {"report.txt", "report.md"}
    texts = {n: (out / n).read_text("utf-8") for n in written}
    assert "甲街道" in texts["report.json"] and "乙街道" in texts["report-2.json"]
    assert "丙" in texts["report-3.json"]
    captured = capsys.readouterr()
    for path, name in zip(inputs, ["report.json", "report-2.json", "report-3.json"], strict=True):
        assert f"{path} -> {out / name}" in captured.out  # which input went where
    assert captured.err.count("same stem") == 2


def test_a_run_stores_the_damaged_report_with_the_cell_flagged(clean: str, tmp_path: Path) -> None:
    from nianbao.pipeline.runner import run
    from nianbao.store import open_store

    row = "\t一、本年新收政府信息公开申请数量\n\t8\n".encode()
    raw = clean.encode("utf-8").replace(row, row[:-1] + b"\xff\n", 1)
    path = _write(tmp_path, raw)
    with open_store(tmp_path / "store.db") as store:
        stats = run(store, [path], jobs=1)
        assert stats.n_failed == 0
        (summary,) = store.queue(status=None)
        cell = store.load_report(summary.report_id).cells["t3.new.natural"]
    assert cell.value == 8 and DAMAGE_NOTE in cell.reasons
