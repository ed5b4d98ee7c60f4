"""Text copied from a PDF with fake bold (every glyph drawn twice) reads as the report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.parser import ParserExtractor
from extractor.readers import document_from_bytes
from extractor.readers.fake_bold import undoubled
from tests.common import REAL

TEXT = (REAL / "seed-001.txt").read_text(encoding="utf-8")


def _cells(text: str) -> dict[str, object]:
    document = document_from_bytes(Path("report.txt"), text.encode("utf-8"))
    return dict(ParserExtractor().extract(document).report.cells)


@pytest.mark.parametrize(
    "doubling",
    [
        r"([0-9])",  # only the values bold
        r"([0-9\u4e00-\u9fff.,、（）()])",  # the whole text bold
    ],
)
def test_a_doubled_report_reads_as_the_report(doubling: str) -> None:
    doubled = re.sub(doubling, r"\1\1", TEXT)
    assert doubled != TEXT
    assert _cells(doubled) == _cells(TEXT)


def test_a_plain_report_is_left_alone() -> None:
    # doubled-looking numbers ("00", "11", "1122") among single digits: no doubling
    text = TEXT + "\n附：00 11 1122 3344 5566 7788 9900 2200 人人 天天\n"
    assert undoubled(text) == text
    assert undoubled(TEXT) == TEXT


def test_a_short_doubled_fragment_is_left_alone() -> None:
    # too few numbers to tell a doubled text from one of doubled-looking numbers
    assert undoubled("合计 1122 3344 00") == "合计 1122 3344 00"


def test_decimals_of_a_doubled_amount_come_back_whole() -> None:
    numbers = " ".join(f"{n}{n}" for n in "1234567890" * 2)
    assert undoubled(f"{numbers} 收费 3300..11887711 万元") == (
        f"{' '.join('1234567890' * 2)} 收费 30.1871 万元"
    )
