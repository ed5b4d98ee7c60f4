"""Read the figures that the narrative (part 一) restates, for the soft checks.

Only the text before the part-三 table is searched, so table labels are never read as prose.
"""

from __future__ import annotations

import re

from rules.soft import NarrativeFigures

_NUM = r"(\d{1,6})\s*(?:件|条|个|起)"
_APPLICATIONS = [
    re.compile(
        r"(?:收到|受理|接收|办理)[^。；;\n]{0,20}?(?:政府信息)?公开申请[^0-9。；;\n]{0,6}?" + _NUM
    ),
    re.compile(r"(?:依申请公开|政府信息公开申请)[^0-9。；;\n]{0,12}?(?:共|合计|总计)?" + _NUM),
]
_REVIEW = re.compile(r"行政复议[^0-9。；;\n]{0,8}?" + _NUM)
_LAWSUIT = re.compile(r"行政诉讼[^0-9。；;\n]{0,8}?" + _NUM)
_TABLE_START = re.compile(r"(?:本年新收政府信息公开申请数量|本年新收)")
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _first(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    return int(match.group(1)) if match else None


def narrative_figures(text: str) -> NarrativeFigures:
    """Figures stated in prose before the tables; None where the text states none."""
    text = text.translate(_DIGITS)
    table = _TABLE_START.search(text)
    prose = text[: table.start()] if table else text
    applications = None
    for pattern in _APPLICATIONS:
        applications = _first(pattern, prose)
        if applications is not None:
            break
    return NarrativeFigures(
        applications=applications,
        review_cases=_first(_REVIEW, prose),
        lawsuit_cases=_first(_LAWSUIT, prose),
    )
