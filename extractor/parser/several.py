"""A file that prints part 三's whole table more than once, with different numbers, holds
more than one report: a compilation of several bodies' reports, a page that embeds last
year's report below this year's. Reading one table under the file's title would put one
report's numbers under another's name and year, and every identity would still hold, so the
parser refuses such a file with a one-line reason instead. The same table printed twice (a
page's text and its print version) is one report.
"""

from __future__ import annotations

import re

from extractor.parser.labels import CjkStream, LabelMatch
from extractor.parser.locate import Located, find_t3_start, locate, locate_t3
from extractor.parser.meta import detect_template, detect_year
from extractor.parser.tokens import fold
from nianbao.core.document import SourceDocument
from nianbao.core.errors import SourceError
from nianbao.core.layout import Layout, layout_for

# a printing is part 三's table when this share of its rows' labels is found in order (a
# narrative sentence quoting "本年新收…" and "上年结转…" is not)
FULL_TABLE = 0.75
MAX_PRINTINGS = 8  # other printings looked at: each is a pass over its part of the text
_PART_FOUR = "行政复议"
_DIGITS = re.compile(r"\d+")


def refuse_several_reports(doc: SourceDocument) -> None:
    """For a backend that does not run the parser (the LLM): the same refusal, from the
    parser's finding of the tables (a file where none is found is left to the backend)."""
    folded, stream = fold(doc.text), CjkStream.of(doc.text)
    layout = layout_for(detect_template(stream.chars, detect_year(folded))[0])
    located = locate(doc.text, folded, stream, layout)
    reason = None if located is None else several_reports(folded, stream, layout, located)
    if reason is not None:
        raise SourceError(f"{doc.name}: {reason}")


def several_reports(folded: str, stream: CjkStream, layout: Layout, located: Located) -> str | None:
    """Why the file holds more than one report, or None: another printing of part 三's
    whole table whose numbers differ from the one read."""
    first, after = located.t3_first, located.t3_after
    read = _numbers(folded, stream, first, after)
    # before the table read (a first report whose opening labels are damaged) and after it
    for lo, hi in ((0, first.start), (after, len(stream.chars))):
        for other, other_after in _printings(stream, layout, lo, hi):
            if _numbers(folded, stream, other, other_after) != read:
                return (
                    "part 三's table is printed twice with different numbers: more than one"
                    " report in one file; give each report a file of its own"
                )
    return None


def _printings(stream: CjkStream, layout: Layout, lo: int, hi: int) -> list[tuple[LabelMatch, int]]:
    """Each whole printing of part 三's table in stream[lo:hi]: its first label and the
    stream index after its last."""
    out: list[tuple[LabelMatch, int]] = []
    at = lo
    for _ in range(MAX_PRINTINGS):
        start = find_t3_start(stream, layout, at, hi)
        if start is None:
            break
        rows, end = locate_t3(stream, layout, start)
        found = [r for r in rows if r.label is not None and r.label.end <= hi]
        if len(found) >= FULL_TABLE * len(rows):
            out.append((start, min(end, hi)))
        at = max(end, start.end)
    return out


def _numbers(folded: str, stream: CjkStream, start: LabelMatch, after: int) -> list[str]:
    """The numbers a printing of the table holds: from its first label to part 四's header
    after its last row (or the end of the text)."""
    stop = stream.chars.find(_PART_FOUR, after)
    end = stream.offsets[stop] if stop >= 0 else len(folded)
    return _DIGITS.findall(folded, start.span[0], end)
