"""Cut the prose around the tables so every request sends fewer tokens.

Parts 一 (总体情况), 五 and 六 are prose; the cells live in parts 二 to 四. The window is
anchored on part 三's first and last row labels (from the layout): it starts at the last
part-二 heading before part 三 (else part 三's heading, else its first row) and ends at the
heading of part 五 after part 三's last row. Whatever is not found leaves that end of the
text as it is: a damaged report is sent whole, never cut short. Headings mentioned in the
prose of part 一 do not matter, since only those next to the table count.
"""

from __future__ import annotations

from extractor.llm.grounding import NormalText, normalise
from nianbao.core.layout import RowRole, layout_for

START_MARGIN = 200  # characters kept before the start anchor (a damaged heading, a unit note)
_T2_HEADINGS = ("主动公开政府信息情况",)
_T3_HEADINGS = ("收到和处理政府信息公开申请情况",)
_ENDS = ("存在的主要问题", "其他需要报告的事项")


HEADING_MARGIN = 24  # ... when the start anchor is part 二's own heading (tight windows)


def tables_window(text: str, template: str, *, tight: bool = False) -> tuple[int, int]:
    """[start, end) of the text that holds parts 二 to 四 (the whole text when unsure).
    `tight`: when part 二's heading is found, keep only HEADING_MARGIN characters before
    it (its numbering, a unit note), not the prose of part 一."""
    normal = NormalText(text)
    flat = normal.text
    layout = layout_for(template)
    first = normalise(layout.t3_rows[0].label)
    (last,) = (normalise(r.label) for r in layout.t3_rows if r.role is RowRole.CARRIED_FORWARD)
    t3_first = flat.find(first)
    if t3_first < 0:
        return 0, len(text)
    anchors = [flat.rfind(normalise(h), 0, t3_first) for h in _T2_HEADINGS]
    margin = HEADING_MARGIN if tight and max(anchors) >= 0 else START_MARGIN
    if max(anchors) < 0:
        anchors = [flat.rfind(normalise(h), 0, t3_first) for h in _T3_HEADINGS]
    start_n = max(anchors) if max(anchors) >= 0 else t3_first
    start = max(0, normal.origin[start_n] - margin)
    end = len(text)
    t3_last = flat.find(last, t3_first)
    if t3_last >= 0:
        ends = [i for i in (flat.find(normalise(e), t3_last) for e in _ENDS) if i >= 0]
        if ends:
            end = normal.origin[min(ends)]
    return start, end


def tables_text(text: str, template: str, *, tight: bool = False) -> str:
    """The part of the text the table requests need."""
    start, end = tables_window(text, template, tight=tight)
    return text[start:end]
