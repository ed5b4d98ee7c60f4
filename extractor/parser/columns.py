"""Part 三's legal-person columns in the order its header prints them.

Two of 法人或其他组织's five columns swapped keep every row sum and column sum, so a table
printing them in another order than the national table's would be read wrong with no
identity broken. Its header tells: when the header names each of the five exactly once, in
another order, the values go to the columns the header names, and every cell of part 三
is noted (a table that is not the national one: a person confirms the reading). When the
header does not name all five once (an OCR'd header, "数据1…", a header printed twice), the
national order stands.
"""

from __future__ import annotations

from bisect import bisect_left

from extractor.parser.labels import CjkStream
from nianbao.core.layout import Layout
from nianbao.core.models import CellProvenance

GROUP_TAIL = "其他组织"  # of "法人或其他组织": its "其他" is no column's name
NATURAL = "自然人"
HEADER_REACH = 300  # CJK chars before part 三's first row where its header may start
REORDERED = "the header prints 法人或其他组织's columns in another order; read by the header"


def printed_order(stream: CjkStream, layout: Layout, t3_start: int) -> list[str] | None:
    """The legal-person columns' names in the order the header before `t3_start` (a source
    offset: part 三's first label), from its last 自然人 on, prints them, when that differs
    from the layout's and the header names each exactly once; else None."""
    first = bisect_left(stream.offsets, t3_start)
    # the header starts at its first column, 自然人 (the part's heading and notes before it
    # may name other things 其他)
    start = stream.chars.rfind(NATURAL, max(0, first - HEADER_REACH), first)
    if start < 0:
        return None
    # the group's own "其他" ("法人或其他组织", also when OCR misread its other characters:
    # "去人或其他组织") is no column's name
    region = stream.chars[start:first].replace(GROUP_TAIL, "#" * len(GROUP_TAIL))
    columns = [c for c in layout.t3_columns if c.name not in ("natural", "total")]
    at: dict[str, int] = {}
    for column in columns:
        hit = region.find(column.label)
        if hit < 0 or region.find(column.label, hit + 1) >= 0:
            return None
        at[column.name] = hit
    order = sorted(at, key=at.__getitem__)
    return order if order != [c.name for c in columns] else None


def reorder_columns(
    layout: Layout,
    order: list[str],
    cells: dict[str, object],
    prov: dict[str, CellProvenance],
) -> None:
    """Move part 三's values read in the national order to the columns the header names
    (in place), and note every cell of part 三."""
    national = [c.name for c in layout.t3_columns if c.name not in ("natural", "total")]
    for row in layout.t3_rows:
        moved = {
            f"t3.{row.name}.{printed}": (
                cells[f"t3.{row.name}.{read}"],
                prov[f"t3.{row.name}.{read}"],
            )
            for read, printed in zip(national, order, strict=True)
        }
        for key, (value, provenance) in moved.items():
            cells[key], prov[key] = value, provenance
    for key in layout.keys:
        if key.startswith("t3."):
            prov[key].notes.append(REORDERED)
