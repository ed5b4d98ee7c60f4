"""A file that prints part 三's whole table more than once holds more than one report,
unless the printings read alike: a compilation of several bodies' reports, a page that embeds
last year's report below this year's. Reading one table under the file's title would put one
report's numbers under another's name and year, and every identity would still hold, so the
parser refuses such a file with a one-line reason instead. The same report printed twice (a
page's table and its text version, in any layout) is one report.

Each printing is read on its own (the text cut between the two) and the readings compared
cell by cell: the same report when the cells both read cleanly (no note, not flagged, any
part) agree and are at least half the report's cells, or when part 三 reads the same, nulls
and all (one table printed twice, however damaged). Comparing the printed digits instead
refused one report printed two ways (an HTML table's attributes, a markdown rendering's
"数据1" headers, thousands separators); comparing part 三's clean cells alone let a
compilation through when one printing read with every cell flagged. Two small bodies whose
part 三 reads the same (all 0) are read as the first (docs/parser.md, known limits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from extractor.parser.labels import CjkStream, LabelMatch
from extractor.parser.locate import Located, find_t3_start, t3_table_from
from nianbao.core.layout import Layout

# a printing is part 三's table when this share of its rows' labels is found in order (a
# narrative sentence quoting "本年新收…" and "上年结转…" is not)
FULL_TABLE = 0.75
MAX_PRINTINGS = 2  # other printings looked at, before and after: each is read twice
ALIKE = 0.5  # share of the report's cells both printings must read cleanly, and alike
TWICE = (
    "part 三's table is printed twice and the printings do not read alike: more than one"
    " report in one file; give each report a file of its own"
)

# a printing as read on its own: every cell, and those read cleanly (no note, not flagged);
# None when the text holds no table
Reading = tuple[Mapping[str, object], frozenset[str]]
Reader = Callable[[str], Reading | None]


def several_reports(
    text: str, stream: CjkStream, layout: Layout, located: Located, read: Reader
) -> str | None:
    """Why the file holds more than one report, or None: another whole printing of part
    三's table, before or after the one read, that does not read alike."""
    first, after = located.t3_first, located.t3_after
    for lo, hi in ((0, first.start), (after, len(stream.chars))):
        for other in _printings(stream, layout, lo, hi):
            cut = max(first.span[0], other.span[0])  # the later printing's first label
            if not _alike(read(text[:cut]), read(text[cut:]), len(layout.keys)):
                return TWICE
    return None


def _alike(one: Reading | None, two: Reading | None, cells: int) -> bool:
    if one is None or two is None:  # one side holds no table after all: nothing to compare
        return True
    if _part3(one[0]) == _part3(two[0]):  # one table printed twice: part 三 reads the same,
        return True  # nulls and all (part 二 and 四 may be on one side of the cut only)
    both = one[1] & two[1]
    return len(both) >= ALIKE * cells and all(one[0][k] == two[0][k] for k in both)


def _printings(stream: CjkStream, layout: Layout, lo: int, hi: int) -> list[LabelMatch]:
    """The first label of each whole printing of part 三's table in stream[lo:hi]."""
    out: list[LabelMatch] = []
    at = lo
    for _ in range(MAX_PRINTINGS):
        start = find_t3_start(stream, layout, at, hi)
        if start is None:
            break
        start, rows, end = t3_table_from(stream, layout, start)  # as the table read starts
        found = [r for r in rows if r.label is not None and r.label.end <= hi]
        if start.end <= hi and len(found) >= FULL_TABLE * len(rows):
            out.append(start)
        at = max(end, start.end)
    return out


def _part3(cells: Mapping[str, object]) -> dict[str, object]:
    """Part 三 of a reading: what both sides of the cut print for sure (a table printed twice
    back to back has its part 四 after the second printing only)."""
    return {k: v for k, v in cells.items() if k.startswith("t3.")}
