"""The year and body a report names, read past a web page's links to other years' reports
("相关链接：…2022年…报告", "上一篇：…"), which name the same body and another year."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.parser import ParserExtractor
from nianbao.core.document import SourceDocument
from nianbao.core.models import Meta

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"


def _meta(text: str) -> Meta:
    return ParserExtractor().extract(SourceDocument.from_text("page.txt", text)).report.meta


def _links(organ: str, year: int) -> str:
    return (
        f"相关链接：{organ}{year}年政府信息公开工作年度报告\n"
        f"上一篇：{organ}{year}年度政府信息公开工作年度报告\n"
    )


@pytest.mark.parametrize("stem", ["seed-004", "corpus-008_shuyang-county-gov-2025-ocr-md"])
def test_links_to_other_years_above_the_report_do_not_set_its_year(stem: str) -> None:
    text = (REAL / f"{stem}.txt").read_text(encoding="utf-8")
    own = _meta(text)
    assert own.year is not None and own.organ is not None
    linked = _meta(_links(own.organ, own.year - 1) + text)
    assert (linked.year, linked.organ) == (own.year, own.organ)


def test_a_list_of_titles_above_the_report_gives_way_to_its_own_title() -> None:
    # no link words: the title last before the report's body is its own
    text = (REAL / "seed-004.txt").read_text(encoding="utf-8")
    own = _meta(text)
    assert own.organ is not None and own.year is not None
    listed = f"{own.organ}{own.year - 1}年政府信息公开工作年度报告\n" + text
    assert _meta(listed).year == own.year


def test_a_markdown_heading_is_a_title_line() -> None:
    # "# 某局2024年…报告" names the body even when links fill the first lines
    text = "# 某某市某某局2024年政府信息公开工作年度报告\n\n## 一、总体情况\n"
    body = (REAL / "corpus-008_shuyang-county-gov-2025-ocr-md.txt").read_text(encoding="utf-8")
    start = body.index("二、主动公开政府信息情况")
    meta = _meta(_links("某某市某某局", 2023) + text + body[start:])
    assert (meta.year, meta.organ) == (2024, "某某市某某局")
