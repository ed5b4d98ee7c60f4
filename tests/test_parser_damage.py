"""Real reports damaged further (glued, values duplicated or dropped): never a silent error.

The gold label of the undamaged report is the truth; every cell the parser gets wrong on the
damaged text must be flagged for review.
"""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import pytest

from extractor.parser import ParserExtractor
from extractor.readers import read_document
from nianbao.core.document import SourceDocument
from nianbao.core.models import CanonicalReport
from rules.engine import check
from rules.verdict import review_flags

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
REPORTS = ["corpus-013_hongze-district-2024.pdf", "corpus-008_shuyang-county-gov-2025-ocr-md.txt"]
_VALUE = re.compile(r"(?<=[\t|\n ])(\d+)(?=[\t|\n ])")


@cache
def _text(name: str) -> str:
    return read_document(REAL / name).text


def _glue(text: str, _rng: random.Random) -> str:
    return re.sub(r"[\t |]+", "", text)


def _duplicate(text: str, rng: random.Random) -> str:
    return _VALUE.sub(lambda m: f"{m[1]}\n{m[1]}" if rng.random() < 0.05 else m[1], text)


def _drop_one_per_line(text: str, rng: random.Random) -> str:
    one_per_line = re.sub(r"[\t|]+", "\n", text)
    return _VALUE.sub(lambda m: "" if rng.random() < 0.05 else m[1], one_per_line)


CASES = [
    (name, damage, seed)
    for name in REPORTS
    for damage in (_glue, _duplicate, _drop_one_per_line)
    for seed in ((0,) if damage is _glue else (0, 1))  # gluing is deterministic
]


@pytest.mark.parametrize(("name", "damage", "seed"), CASES)
def test_damage_is_flagged_never_silent(name: str, damage, seed: int) -> None:
    gold_path = REAL / (Path(name).stem + ".gold.json")
    gold = CanonicalReport.from_json(gold_path.read_text(encoding="utf-8"))
    damaged = damage(_text(name), random.Random(seed))
    extraction = ParserExtractor().extract(SourceDocument.from_text("damaged.txt", damaged))
    flags = review_flags(extraction, check(extraction.report))
    silent = {
        k: (extraction.report.cells[k], v)
        for k, v in gold.cells.items()
        if extraction.report.cells[k] != v and k not in flags
    }
    assert silent == {}
