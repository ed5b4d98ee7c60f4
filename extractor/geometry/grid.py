"""One grid builder for every page with geometry: positioned words -> table rows as text.

Words are grouped into visual lines. A line whose values sit right of its words is a table
row; consecutive rows form a block, which ends at a line reaching into the value area (a
header, prose). A block's columns come from the page's evidence, never the values alone:
the x-ranges of its values, plus any header phrase above it that stands over no value and,
on a scan, the cells its vertical ruling lines draw (a column left blank in every row); a
value's box is one value in one column. Each row then prints
as "label<TAB>cell<TAB>cell…": a column with no value prints the printed-blank placeholder
(an OCR page only when the cell holds no ink; else a "?" no reader takes as a value), so a
blank cell stays blank and never takes a neighbour's value. Words of the label column on
lines between rows (wrapped labels, vertical group labels) join the nearest row's label.
Every printed value keeps an anchor: its page, box and score.
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from statistics import median

from extractor.geometry.ink import (
    Uprights,
    dash_before,
    has_ink,
    ink_pieces,
    ruled_between,
    segments_across,
)
from extractor.geometry.ink import rule_across as ink_rule_across
from extractor.geometry.ink import ruled_cells as ink_ruled_cells
from extractor.geometry.numbers import PLACEHOLDER, UNREAD, Reading, read_value
from extractor.geometry.provenance import LOW_SCORE
from extractor.geometry.words import Anchor, Box, Geometry, PageWords, Word, union

SPACE = 0.6  # a gap wider than this many heights prints as a space
TALL = 2.5  # a word this many times the page's usual height is vertical text
LINE_TOL = 0.4  # words whose centres differ by less than this many heights share a line
PREFIX_GAP = 0.6  # a number this close before a word is that word's numbering ("2" ".其他")
REPAIRED = 0.95  # a value repaired from a digit look-alike: its score, a little lower
_FURNITURE = re.compile(r"^[-—–\s]*\d{1,3}[-—–\s]*$|^第\s*\d+\s*页|^\d{1,3}\s*/\s*\d{1,3}$")
_UNITS = frozenset("件条个项次元")


@dataclass
class Line:
    words: list[Word]
    values: dict[int, Reading] = field(default_factory=dict)  # word index -> reading

    @cached_property
    def cy(self) -> float:  # asked for every label word against every row: computed once
        return median(w.cy for w in self.words)

    @property
    def text(self) -> str:
        """The words as printed: a space only where the gap is wider than a character."""
        out: list[str] = []
        h = max(w.height for w in self.words)  # a dash or "、" is thin: the line's height
        for prev, word in zip([None, *self.words], self.words, strict=False):
            if prev is not None and word.x0 - prev.x1 > SPACE * h:
                out.append(" ")
            out.append(word.text)
        return "".join(out)

    def value_left(self) -> float:
        return min(self.words[i].x0 for i in self.values)

    def band(self) -> tuple[float, float]:
        """Top and bottom of the line's ink."""
        return min(w.y0 for w in self.words), max(w.y1 for w in self.words)

    def label_words(self) -> list[Word]:
        """The words before the first value (every word of a row printed with none)."""
        first = min(self.values, default=len(self.words))
        return self.words[:first]


@dataclass
class Block:
    rows: list[Line] = field(default_factory=list)
    fragments: list[Word] = field(default_factory=list)  # label-column words between rows
    header: list[Word] = field(default_factory=list)  # words above the first row
    columns: list[tuple[float, float]] = field(default_factory=list)
    spilled: list[Word] = field(default_factory=list)  # label-column words far from any row
    # two header words a drawn vertical rule stands between (a text page's cell borders):
    # never one phrase, however close a narrow table prints them
    parted: Callable[[Word, Word], bool] | None = None

    @property
    def left(self) -> float:
        return min(r.value_left() for r in self.rows if r.values)


def group_lines(words: list[Word], usual: float | None = None) -> list[Line]:
    """Words -> visual lines, top to bottom, each left to right. `usual` is the page's usual
    word height (a few label words alone do not know it: "一" and "、" are thin)."""
    lines: list[list[Word]] = []
    if usual is None:
        usual = median(w.height for w in words) if words else 0.0
    # the last line's running figures (a line of n words is joined in O(n log n), not n²)
    has_tall, highest, centres = False, 0.0, []
    for word in sorted(words, key=lambda w: w.cy):
        tall = word.height > TALL * usual  # vertical text: a line of its own, never a ruler
        if lines and not tall and not has_tall:
            h = max(word.height, highest)
            if abs(word.cy - _median_sorted(centres)) <= LINE_TOL * h:
                lines[-1].append(word)
                highest = h
                insort(centres, word.cy)
                continue
        lines.append([word])
        has_tall, highest, centres = tall, word.height, [word.cy]
    return [Line(sorted(line, key=lambda w: w.x0)) for line in lines]


def _median_sorted(values: list[float]) -> float:
    """statistics.median of an already sorted list."""
    n = len(values)
    mid = n // 2
    return values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2


def _classify(line: Line, ocr: bool) -> None:
    """Mark the line's value words; a number right before a word is its numbering."""
    words = line.words
    for i, word in enumerate(words):
        reading = read_value(word.text, ocr)
        if reading is None:
            continue
        nxt = words[i + 1] if i + 1 < len(words) else None
        if (
            nxt is not None
            and nxt.x0 - word.x1 < PREFIX_GAP * word.height
            and read_value(nxt.text, ocr) is None
            and nxt.text[:1] not in _UNITS
        ):
            continue  # "2" ".其他法律…", "一" "、本年新收…": part of a label
        line.values[i] = reading


def _is_row(line: Line) -> bool:
    """A table row: values, and after the first value no words but units or short noise."""
    if not line.values or _FURNITURE.match(line.text.strip()):
        return False
    if all(r.blank for r in line.values.values()):
        return False  # dashes alone: a rule, a footer's "- 3 -", never a row of blanks
    first = min(line.values)
    others = [w for i, w in enumerate(line.words) if i > first and i not in line.values]
    if any(len(w.text) > 3 for w in others):
        return False
    return len(others) < len(line.values)


def _columns(
    block: Block, ruled: Callable[[float, float], bool] | None = None
) -> list[tuple[float, float]]:
    """Column x-ranges: the union of overlapping value boxes, then header words over none
    (a column blank in every row keeps the x-range its header gives it). `ruled(a, b)` (an
    OCR page) tells whether a vertical ruling line runs between a and b: boxes that nearly
    touch across one are two columns (wide numbers in narrow cells)."""
    spans: list[tuple[float, float]] = []
    slack = 0.15 * median(w.height for r in block.rows for w in r.words)
    boxes = sorted((r.words[i].x0, r.words[i].x1) for r in block.rows for i in r.values)
    overhang = OVERHANG * median(w.height for r in block.rows for w in r.words)
    for x0, x1 in boxes:
        near = spans and x0 <= spans[-1][1] + slack
        if near and x0 >= spans[-1][1] - max(slack, overhang) and ruled is not None:
            # nearly touching, or a low-resolution box overhanging the border a little
            near = not ruled(min(x0, spans[-1][1]), max(x0, spans[-1][1]))
        if near:
            spans[-1] = (spans[-1][0], max(spans[-1][1], x1))
        else:
            spans.append((x0, x1))
    phrases = _phrases(block.header, block.parted)

    def over(phrase: list[Word]) -> bool:
        return any(w.x0 <= b + slack and w.x1 >= a - slack for w in phrase for a, b in spans)

    if len(spans) >= 2:
        pitch = median(b[0] - a[0] for a, b in itertools.pairwise(spans))
    else:
        # one value column: only the header line over it tells of columns never filled,
        # and the header phrase over the values gives the usual column's width
        heads = [p for p in phrases if over(p)]
        if not spans or not heads:
            return spans
        head = heads[-1]  # the lowest: the header line right above the rows
        tol = LINE_TOL * max(w.height for w in head)
        cy = median(w.cy for w in head)
        phrases = [p for p in phrases if abs(median(w.cy for w in p) - cy) <= tol]
        pitch = max(head[-1].x1 - head[0].x0, spans[0][1] - spans[0][0]) + 2 * slack
        # wide cells: the header line's phrases stand a cell apart, wider than any phrase
        centres = sorted((p[0].x0 + p[-1].x1) / 2 for p in phrases)
        if len(centres) >= 2:
            pitch = max(pitch, median(b - a for a, b in itertools.pairwise(centres)))
    if _headers_beside_values(block, spans, phrases, over):
        return spans
    lo, hi = block.left - slack, spans[-1][1] + pitch
    if not block.fragments and not any(
        i < min(r.values) for r in block.rows for i in range(len(r.words))
    ):
        # rows of values only (part 四): a header just left of them is a column too
        lo = spans[0][0] - 1.5 * pitch
    for phrase in sorted(phrases, key=lambda p: p[0].x0):
        if phrase[0].x0 < lo or phrase[0].x0 > hi or over(phrase):
            continue  # outside the table, or a header over value columns (or part of one)
        x0, x1 = phrase[0].x0, phrase[-1].x1
        if x1 - x0 <= 1.5 * pitch:
            spans.append((x0, x1))
            spans.sort()
            hi = max(hi, x1 + pitch)  # blank columns side by side: each header reaches on
    return spans


def _ruled_between_rows(page: PageWords, block: Block) -> Callable[[float, float], bool]:
    """Whether a vertical ruling line runs between two x positions down the block's rows."""
    top = min(w.y0 for r in block.rows for w in r.words)
    bottom = max(w.y1 for r in block.rows for w in r.words)
    return lambda a, b: ruled_between(page.ink, a, b, top, bottom)


def _headers_beside_values(
    block: Block,
    spans: list[tuple[float, float]],
    phrases: list[list[Word]],
    over: Callable[[list[Word]], bool],
) -> bool:
    """Numbers aligned to one side of their cells: no header phrase of the line right above
    the rows stands over a value, and each value column has exactly one phrase of that line
    beside it on the same side (left of each for right-aligned numbers, right of each for
    left-aligned). Those phrases name the value columns; none is a column of its own."""
    if len(spans) < 2 or not phrases:
        return False
    lowest = max(median(w.cy for w in p) for p in phrases)
    tol = LINE_TOL * max(w.height for p in phrases for w in p)
    line = [p for p in phrases if abs(median(w.cy for w in p) - lowest) <= tol]
    if any(over(p) for p in line):
        return False
    labels = [w for r in block.rows for w in r.label_words()]
    label_right = max((w.x1 for w in labels), default=float("-inf"))

    def between(a: float, b: float) -> int:
        return sum(1 for p in line if p[0].x0 >= a and p[-1].x1 <= b)

    # (left of the first value column the label column's own header may stand too)
    edges = [label_right, *(b for _, b in spans)]
    right = between(label_right, spans[0][0]) >= 1 and all(
        between(edges[n], spans[n][0]) == 1 for n in range(1, len(spans))
    )
    ends = [a for a, _ in spans[1:]] + [float("inf")]
    left = all(between(spans[n][1], ends[n]) == 1 for n in range(len(spans)))
    return right or left


def _one_box_one_column(
    block: Block,
    columns: list[tuple[float, float]],
    ruled: Callable[[float, float], bool] | None = None,
) -> list[tuple[float, float]]:
    """A value's box is one value: columns (from headers or ruling lines) that one value
    box straddles are one column, so no number is ever cut across two, and no neighbour
    cell sees the number's ink as its own. On an OCR page (`ruled`) a box that overhangs a
    drawn border into the next column by less than OVERHANG heights straddles nothing."""
    out = sorted(columns)
    for row in block.rows:
        for i in row.values:
            hit = _straddled(row.words[i], out, ruled)
            if len(hit) > 1:
                merged = (min(out[n][0] for n in hit), max(out[n][1] for n in hit))
                out = sorted([c for n, c in enumerate(out) if n not in hit] + [merged])
    return out


def _straddled(
    word: Word,
    columns: list[tuple[float, float]],
    ruled: Callable[[float, float], bool] | None,
) -> list[int]:
    """The columns a value's box lies over (more than a fifth of its width or height in
    each), less those it only overhangs across a drawn border (low-resolution OCR boxes)."""

    def overlap(n: int) -> float:
        return min(word.x1, columns[n][1]) - max(word.x0, columns[n][0])

    least = 0.2 * min(word.x1 - word.x0, word.height)
    hit = [n for n in range(len(columns)) if overlap(n) > least]
    if len(hit) < 2 or ruled is None:
        return hit
    home = max(hit, key=overlap)

    def across_border(n: int) -> bool:
        left, right = sorted((columns[home], columns[n]))
        edge = sorted((left[1], right[0]))  # the gap (or overlap) where the border stands
        return overlap(n) <= OVERHANG * word.height and ruled(edge[0], edge[1])

    return [n for n in hit if n == home or not across_border(n)]


def _phrases(
    words: list[Word], parted: Callable[[Word, Word], bool] | None = None
) -> list[list[Word]]:
    """Header words joined into phrases where they sit close on one line (and, on a page
    that draws its cell borders, no vertical rule stands between them)."""
    out: list[list[Word]] = []
    for line in group_lines(words):
        for word in line.words:
            if (
                out
                and out[-1][-1] in line.words
                and (word.x0 - out[-1][-1].x1 < PHRASE_GAP * word.height)
                and not (parted is not None and parted(out[-1][-1], word))
            ):
                out[-1].append(word)
            else:
                out.append([word])
    return out


_DIGITS = re.compile(r"[0-9][0-9,.]*[0-9]")


def _numbers_split_at_rules(page: PageWords, words: list[Word]) -> list[Word]:
    """An OCR page's numbers split where a vertical ruling line crosses their box: at low
    resolution the recogniser reads two narrow cells' numbers as one ("243 | 5617" as
    "2435617"), and no column split can part one word. The characters are shared out by
    width (digits print at one width)."""
    out: list[Word] = []
    for word in words:
        if not _DIGITS.fullmatch(word.text):
            out.append(word)
            continue
        box = (word.x0, word.y0, word.x1, word.y1)
        pieces = ink_pieces(page.ink, box, math.inf)  # split at ruling lines only
        if len(pieces) < 2:
            out.append(word)
            continue
        per = (word.x1 - word.x0) / len(word.text)  # a character's width
        cuts = [
            round(((b + a2) / 2 - word.x0) / per) for (_, b), (a2, _) in itertools.pairwise(pieces)
        ]
        bounds = [0, *cuts, len(word.text)]
        if any(lo >= hi for lo, hi in itertools.pairwise(bounds)):
            out.append(word)  # a piece with no character: keep the reading whole
            continue
        for (lo, hi), (a, b) in zip(itertools.pairwise(bounds), pieces, strict=True):
            out.append(Word(word.text[lo:hi], a, word.y0, b, word.y1, word.score))
    return out


def _header_pieces(page: PageWords, header: list[Word]) -> list[Word]:
    """An OCR page's header words split where the image shows a wide gap or a vertical
    ruling line inside one box: the recogniser may read a header row as one line, and each
    cell's header must keep its own x-range (a column blank in every row has no other)."""
    out: list[Word] = []
    usual = median(w.height for w in page.words)
    for word in header:
        if word.height < 0.7 * usual or word.x1 - word.x0 < 2 * PIECE * word.height:
            out.append(word)
            continue
        box = (word.x0, word.y0, word.x1, word.y1)
        pieces = ink_pieces(page.ink, box, PHRASE_GAP * word.height)
        if len(pieces) < 2 or any(b - a < PIECE * word.height for a, b in pieces):
            # a piece the size of a character or less: a prose line's punctuation or a
            # character's own gap, not a header cell's phrase
            out.append(word)
            continue
        per = len(word.text) / (word.x1 - word.x0)  # characters a pixel: text shared out
        for a, b in pieces:
            lo, hi = round((a - word.x0) * per), max(round((b - word.x0) * per), 1)
            out.append(Word(word.text[lo:hi] or word.text, a, word.y0, b, word.y1, word.score))
    return out


def _ruled_columns(page: PageWords, block: Block) -> list[tuple[float, float]]:
    """A page's columns plus the cells its vertical ruling lines draw that lie over no
    column (a cell whose digit the detector missed in every row, a column blank in every
    row): an OCR page's image, a text page's drawn segments. With one value column, the
    ruled cell holding it gives the usual cell width."""
    columns = list(block.columns)
    if not columns or (page.ink is None and not page.uprights):
        return columns
    image = page.ink

    def ruled_cells(
        bands: list[tuple[float, float]], width: float, widest: float | None = None
    ) -> list[tuple[float, float]]:
        if image is not None:
            return ink_ruled_cells(image, bands, width, widest)
        return _uprights(page).cells(bands, width, widest)

    width = median(b - a for a, b in columns)
    labels = [w for r in block.rows for w in r.label_words()]
    labels += block.fragments
    # the label column ends at its words' right edge, not at the first value: a column
    # blank in every row may lie between them (采购项目数量 left of 采购总金额's values)
    label_right = max((w.x1 for w in labels), default=None)
    bands = [
        (min(r.words[i].y0 for i in r.values), max(r.words[i].y1 for i in r.values))
        for r in block.rows
    ]
    if len(columns) == 1 or image is None:
        # (a text page's drawn cells: the cells holding the values give the usual width;
        # a short number's box is far narrower than its cell)
        usual = median(w.height for r in block.rows for w in r.words)
        holders = [
            b - a
            for a, b in ruled_cells(bands, usual, widest=page.width / 2)
            if any(a <= x0 and b >= x1 for x0, x1 in columns)
        ]
        if not holders:
            return columns
        width = 0.8 * median(holders)
    centres = sorted(w.cx for w in labels)
    for a, b in sorted(set(ruled_cells(bands, width))):  # each row draws the same cells
        if label_right is not None and (
            b <= label_right or bisect_right(centres, b) > bisect_left(centres, a)
        ):
            continue  # the label column's cells
        pad = 0.15 * (b - a)
        if not any(a < y and b > x for x, y in columns):
            columns.append((a + pad, b - pad))
            columns.sort()
    if len(columns) == len(block.columns):
        return columns  # nothing added: the block's columns, already one box one column
    ruled = _ruled_between_rows(page, block) if image is not None else None
    return _one_box_one_column(block, columns, ruled)


def _one_value(found: list[tuple[Word, Reading]]) -> bool:
    """Do the value words of one cell read as one value: side by side on one baseline,
    close enough to be one number split by the recogniser ("77" "30.28")?"""
    words = sorted((w for w, _ in found), key=lambda w: w.x0)
    for a, b in itertools.pairwise(words):
        overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
        if overlap < 0.5 * min(a.height, b.height) or b.x0 - a.x1 > 0.5 * max(a.height, b.height):
            return False
    return True


def _column_of(word: Word, columns: list[tuple[float, float]]) -> int:
    """The column the word overlaps most (the nearer centre on a tie; the first on a
    full tie)."""
    best, best_key = 0, None
    cx = word.cx
    for n, (a, b) in enumerate(columns):
        key = (min(word.x1, b) - max(word.x0, a), -abs(cx - (a + b) / 2))
        if best_key is None or key > best_key:
            best, best_key = n, key
    return best


@dataclass
class Emitted:
    """Lines of text with their value anchors, built page by page."""

    parts: list[str] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    length: int = 0
    doubts: list[Doubt] = field(default_factory=list)  # this page's, until read again

    def add(
        self,
        text: str,
        page: PageWords | None = None,
        box: Box | None = None,
        score: float = 1.0,
        blank: bool = False,
        dash: bool = False,
    ) -> None:
        if page is not None and box is not None and text:
            rel = (
                box[0] / page.width,
                box[1] / page.height,
                box[2] / page.width,
                box[3] / page.height,
            )
            self.anchors.append(
                Anchor(self.length, self.length + len(text), page.index, rel, score, blank, dash)
            )
        self.parts.append(text)
        self.length += len(text)


def _emit_plain(out: Emitted, page: PageWords, line: Line) -> None:
    prev: Word | None = None
    h = max(w.height for w in line.words)
    for word in line.words:
        if prev is not None and word.x0 - prev.x1 > SPACE * h:
            out.add(" ")
        reading = read_value(word.text, page.source == "ocr")
        anchor = reading is not None and not reading.blank
        box = (word.x0, word.y0, word.x1, word.y1)
        out.add(word.text, page if anchor else None, box, word.score)
        prev = word
    out.add("\n")


def _parted(page: PageWords) -> Callable[[Word, Word], bool] | None:
    """Does a drawn vertical rule stand between two words of a line (a text page's cell
    border)? None when the page draws none."""
    upright = _upright_test(page)
    if not page.uprights or upright is None:
        return None

    def parted(a: Word, b: Word) -> bool:
        return upright(a.x1, b.x0, min(a.cy, b.cy) + 1.0, max(a.cy, b.cy) - 1.0)

    return parted


def _upright_test(page: PageWords) -> Callable[[float, float, float, float], bool] | None:
    """Does a vertical ruling line run from `top` to `bottom` somewhere between two x
    positions? From an OCR page's image or a text page's drawn segments; None when the page
    shows none."""
    if page.ink is not None:
        return partial(ruled_between, page.ink)
    if page.uprights:
        return _uprights(page).between
    return None


def _uprights(page: PageWords) -> Uprights:
    """The page's drawn vertical segments, indexed once (kept on the page)."""
    index = page.upright_index
    if not isinstance(index, Uprights):
        index = page.upright_index = Uprights(page.uprights or [])
    return index


def _rule_test(page: PageWords) -> Callable[[float, float, float, float], bool] | None:
    """Is there a horizontal ruling line across [x0, x1] between two heights? From an OCR
    page's image or a text page's drawn segments; None when the page shows no rules."""
    if page.ink is not None:
        return partial(ink_rule_across, page.ink)
    if page.rules:
        return partial(segments_across, page.rules)
    return None


def _ruled_rows(page: PageWords, block: Block, usual: float) -> None:
    """Label-column lines that the ruling lines box off from the rows above and below them
    (an OCR page's image, a text page's drawn segments) become rows of their own, with no
    values: a row printed with every cell empty. Joined to a neighbour's label instead, it
    would take that row's values."""
    rule_across = _rule_test(page)
    if not block.fragments or not block.columns or rule_across is None:
        return
    x0, x1 = block.columns[0][0], block.columns[-1][1]
    own: list[Line] = []
    for line in group_lines(block.fragments, usual):
        top, bottom = line.band()
        above = [r for r in block.rows if r.cy < line.cy]
        below = [r for r in block.rows if r.cy > line.cy]
        if not above:
            continue  # above the first row: _blank_rows_atop's business
        ruled_above = rule_across(x0, x1, max(w.y1 for w in above[-1].words), top)
        end = min(w.y0 for w in below[0].words) if below else bottom + (bottom - top)
        if ruled_above and rule_across(x0, x1, bottom, end):
            own.append(Line(list(line.words)))
    if own:
        taken = {id(w) for line in own for w in line.words}
        block.fragments = [w for w in block.fragments if id(w) not in taken]
        block.rows = sorted([*block.rows, *own], key=lambda r: r.cy)


def _blank_tables(page: PageWords, items: list[Line | Block], usual: float) -> None:
    """A table whose every row is printed empty (a 行政事业性收费 row left blank under its
    column header) has no value to start a block: a header line with phrases right of the
    label column, then label lines that ruling lines box off (and a vertical rule parts from
    the empty cells: a heading between two tables is boxed off too), become a block of blank
    rows whose columns are the header's phrases."""
    rule_across = _rule_test(page)
    upright = _upright_test(page)
    if rule_across is None or upright is None:
        return
    n = 0
    while n < len(items) - 1:
        head = items[n]
        if isinstance(head, Block):
            n += 1
            continue
        rows: list[Line] = []
        columns: list[tuple[float, float]] = []
        above = max(w.y1 for w in head.words)
        for item in items[n + 1 :]:
            if isinstance(item, Block) or item.values:
                break
            right = max(w.x1 for w in item.words)
            top, bottom = item.band()
            beyond = [w.x0 for w in head.words if w.x0 > right]
            if not beyond or not upright(right, max(beyond), top, bottom):
                break  # (cheap tests first: most lines are prose)
            # the header's phrases beyond the label cell's border (信息内容 stands in it)
            mine = [
                (min(w.x0 for w in ph), max(w.x1 for w in ph))
                for ph in _phrases(head.words)
                if min(w.x0 for w in ph) > right and upright(right, ph[0].x0, top, bottom)
            ]
            if not mine or (columns and mine != columns):
                break
            x0, x1 = mine[0][0], mine[-1][1]
            nxt = items[n + 1 + len(rows) + 1] if n + len(rows) + 2 < len(items) else None
            end = _top(nxt) if nxt is not None else bottom + (bottom - top)
            if not (rule_across(x0, x1, above, top) and rule_across(x0, x1, bottom, end)):
                break
            rows.append(item)
            columns = mine
            above = bottom
        after = items[n + 1 + len(rows)] if n + 1 + len(rows) < len(items) else None
        if isinstance(after, Block) and {id(w) for w in after.header} & {id(head.words[0])}:
            rows = []  # the head of a table with values: its first rows (_blank_rows_atop)
        if not rows:
            n += 1
            continue
        block = Block(header=list(head.words), rows=rows, columns=columns)
        items[n + 1 : n + 1 + len(rows)] = [block]
        n += 2


def _top(item: Line | Block) -> float:
    words = item.words if isinstance(item, Line) else [w for r in item.rows for w in r.words]
    return min(w.y0 for w in words)


def _blank_rows_atop(page: PageWords, block: Block, usual: float) -> set[int]:
    """The table's first rows printed with every cell empty: label-column lines at the foot
    of the header that ruling lines box off from the header text above and from the first
    row below (a 行政许可 row left blank under its column header). They become rows with no
    values; returns their words' ids (they are no longer text above the table)."""
    rule_across = _rule_test(page)
    if rule_across is None or not block.columns or not block.header:
        return set()
    x0, x1 = block.columns[0][0], block.columns[-1][1]
    lines = [ln for ln in group_lines(block.header, usual) if ln.cy < block.rows[0].cy]
    labels = [w for r in block.rows for w in r.label_words()]
    label_right = max((w.x1 for w in labels), default=x0)
    own: list[Line] = []
    below = min(w.y0 for w in block.rows[0].words)
    for n in range(len(lines) - 1, 0, -1):  # bottom up; the top line is never a row
        line = lines[n]
        top, bottom = line.band()
        if (
            max(w.x1 for w in line.words) > x0
            or any(w.x0 >= label_right for w in line.words)
            or any(read_value(w.text, True) for w in line.words)
        ):
            break  # header text over or right of the labels, or a number: not a blank row
        above = max(w.y1 for w in lines[n - 1].words)
        if not (rule_across(x0, x1, above, top) and rule_across(x0, x1, bottom, below)):
            break
        own.append(Line(list(line.words)))
        below = top
    if not own:
        return set()
    taken = {id(w) for line in own for w in line.words}
    block.header = [w for w in block.header if id(w) not in taken]
    block.rows = sorted([*block.rows, *own], key=lambda r: r.cy)
    return taken


def _emit_block(out: Emitted, page: PageWords, block: Block) -> None:
    columns = block.columns
    usual = median(w.height for w in page.words)
    _ruled_rows(page, block, usual)
    labels: dict[int, list[Word]] = {n: [] for n in range(len(block.rows))}
    for word in block.fragments:
        reading = read_value(word.text, page.source == "ocr")
        if reading is not None and not reading.blank:
            continue  # a lone number in the label column (a misread mark): no cell, no label
        nearest = min(range(len(block.rows)), key=lambda n: abs(block.rows[n].cy - word.cy))
        labels[nearest].append(word)
    ocr = page.source == "ocr"
    for n, row in enumerate(block.rows):
        label = [w for i, w in enumerate(row.words) if i not in row.values]
        label = [w for w in label if w.x1 <= columns[0][0] + 1e-6 or w.cx < columns[0][0]]
        label_lines = group_lines([*label, *labels[n]], usual)
        label_text = " ".join(line.text for line in label_lines)
        out.add(label_text)
        cells: dict[int, list[tuple[Word, Reading]]] = {}
        for i, reading in row.values.items():
            cells.setdefault(_column_of(row.words[i], columns), []).append((row.words[i], reading))
        held = [row.words[i] for i in row.values] or row.words  # a ruled row of blanks
        top = min(w.y0 for w in held)
        bottom = max(w.y1 for w in held)
        for c, (x0, x1) in enumerate(columns):
            if c or label_text:
                out.add("\t")
            found = cells.get(c)
            if found and not _one_value(found):
                out.add(UNREAD)  # two values in one cell: never joined into one number
                continue
            if found:
                text = "".join(r.text for _, r in found)
                box = union([(w.x0, w.y0, w.x1, w.y1) for w, _ in found])
                repaired = any(r.repaired for _, r in found)
                score = min(w.score for w, _ in found) * (REPAIRED if repaired else 1.0)
                blank = all(r.blank for _, r in found)
                if ocr and score < LOW_SCORE and page.confirm is not None:
                    # read again with the page's other doubtful values, in one batch (a
                    # blank mark too: a thin, blurred "1" can read as "-")
                    out.doubts.append(Doubt(len(out.anchors), box, text, blank))
                # a faint minus nearly touching the first digit can be dropped by the reading
                dash = (
                    ocr
                    and page.ink is not None
                    and text[:1].isdigit()
                    and dash_before(page.ink, box)
                )
                out.add(text, page, box, score, blank=blank, dash=dash)
                continue
            h = bottom - top
            cell = (x0 - 0.15 * h, top - 0.3 * h, x1 + 0.15 * h, bottom + 0.3 * h)
            if ocr and page.ink is not None and has_ink(page.ink, cell):
                # something printed that the page's reading missed: read the cell alone at
                # full effort; failing that it is no value and no blank
                again = page.reread(cell) if page.reread is not None else None
                reading = read_value(again[0], True) if again else None
                if again is not None and reading is not None and not reading.blank:
                    score = again[1] * (REPAIRED if reading.repaired else 1.0)
                    out.add(reading.text, page, cell, score)
                else:
                    out.add(UNREAD)
            else:
                out.add(PLACEHOLDER, page, cell, 1.0, blank=True)
        out.add("\n")


@dataclass(frozen=True)
class Doubt:
    """A value read with a score below LOW_SCORE, waiting for its second reading."""

    anchor: int  # index in Emitted.anchors
    box: Box
    text: str
    blank: bool = False  # a blank mark ("-", "—", "/"), not a number


def _confirm_doubts(out: Emitted, page: PageWords) -> None:
    """Read the page's doubtful values again, all in one batch (one recogniser call instead
    of one per cell), and raise each anchor's score to what its second reading earns."""
    if not out.doubts or page.confirm is None:
        out.doubts.clear()
        return
    # the word's own box, de-skewed: a margin of blank paper around a lone digit makes the
    # recogniser read it as "." as often as not (measured on synth seeds 1-2)
    again = page.confirm([d.box for d in out.doubts])
    for doubt, reading in zip(out.doubts, again, strict=True):
        anchor = out.anchors[doubt.anchor]
        earned = _confirmed(reading, doubt.text, doubt.blank)
        if earned > anchor.score:
            out.anchors[doubt.anchor] = replace(anchor, score=earned)
    out.doubts.clear()


def _confirmed(again: tuple[str, float] | None, text: str, blank: bool = False) -> float:
    """The score a doubtful value earns from its box read again alone as a number (0.0 when
    it reads otherwise or nothing). Two readings of different crops that agree, the second
    sure of its digits, confirm the first; a blank mark is confirmed by a second blank. A
    first reading repaired from a look-alike ("O" for 0) that the second reads as plain
    digits is confirmed at the second's score: the repair is what the second reading saw."""
    reading = read_value(again[0], True) if again else None
    if again is None or reading is None:
        return 0.0
    if blank or reading.blank:
        return again[1] if blank and reading.blank else 0.0
    if reading.text.replace(",", "") != text.replace(",", ""):
        return 0.0  # two readings disagree: the value stays as doubtful as it was
    return again[1] * (REPAIRED if reading.repaired else 1.0)


def _carry(block: Block, previous: Block | None) -> None:
    """A block continued from the previous page (no header of its own) keeps its columns
    when every column it has falls in one of the previous block's columns."""
    if previous is None or not previous.columns:
        return
    if any(w.x1 > block.left for w in block.header):
        return  # a header of its own over the values: a new table
    if _column_header_above(block):
        return  # values aligned right under a header right of the labels: a new table
    prev = previous.columns
    slack = 0.3 * median(w.height for r in block.rows for w in r.words)

    def home(col: tuple[float, float]) -> list[int]:
        return [n for n, (a, b) in enumerate(prev) if col[0] <= b + slack and col[1] >= a - slack]

    homes = [home(c) for c in block.columns]
    if all(len(h) == 1 for h in homes) and len({h[0] for h in homes}) == len(homes):
        block.columns = list(prev)


def _right_of_labels(line: Line, label_right: float) -> bool:
    """A line with a phrase set apart (a cell's gap before it) right of every row label so
    far (`label_right`): the next table's column header (its numbers aligned right stand
    further right still), not a wrapped label (whose words run on at a space's gap)."""
    return any(
        b.x0 >= label_right and b.x0 - a.x1 >= LABEL_GAP * b.height
        for a, b in itertools.pairwise(line.words)
    )


LABEL_GAP = 2.0  # heights of blank paper before a header phrase: a cell's gap, not a space


def _column_header_above(block: Block) -> bool:
    """Header text (not a number or a mark) right of every row label, just above the first
    row: a column header of the block's own. Numbers aligned right in wide cells can stand
    right of the whole header text, so the header is not "over" them; it is still theirs."""
    labels = [w for r in block.rows for w in r.label_words()]
    if not labels or not block.header:
        return False
    label_right = max(w.x1 for w in labels)
    first = block.rows[0]
    reach = HEADER_REACH * median(w.height for w in first.words)
    top = min(w.y0 for w in first.words)
    return any(
        w.x0 >= label_right and top - w.y1 <= reach and read_value(w.text, False) is None
        for w in block.header
    )


HEADER_REACH = 4.0  # a column header sits within this many heights above the first row


def _near(line: Line, block: Block) -> bool:
    """A label-column line within reach below the block's last row."""
    last = block.rows[-1]
    return line.cy - last.cy <= REACH * median(w.height for w in last.words)


OVERHANG = 0.5  # heights a low-resolution OCR box may overhang a drawn border
REACH = 2.5  # label-column lines at most this many heights below the last row join it
PHRASE_GAP = 0.9  # header words closer than this many heights are one phrase
PIECE = 1.5  # a header cell's phrase split from an OCR line is at least this many heights
HEADER_LINES = 10  # non-row lines above a block's first row that may be its column header


def build_page(out: Emitted, page: PageWords, previous: Block | None) -> Block | None:
    """Print one page's lines and table rows; returns the page's last block (for the next)."""
    ocr = page.source == "ocr"
    words = [w for w in page.words if w.text.strip()]
    if ocr and page.ink is not None:
        words = _numbers_split_at_rules(page, words)
    lines = group_lines(words)
    for line in lines:
        _classify(line, ocr)
    items: list[Line | Block] = []
    block: Block | None = None
    pending: list[Line] = []  # non-row lines since the last block: header candidates
    tentative: list[Line] = []  # label-column lines after the block's last row so far
    label_right = -math.inf  # the right edge of the block's widest row label so far

    def close() -> None:
        # label-column lines after the last row: near it they are its label's, else text
        assert block is not None
        for held in tentative:
            if _near(held, block):
                block.fragments.extend(held.words)
            else:
                items.append(held)
                pending.append(held)
        tentative.clear()

    for line in lines:
        if _is_row(line):
            if block is None:
                block = Block(header=[w for p in pending[-HEADER_LINES:] for w in p.words])
                label_right = -math.inf
                items.append(block)
            for held in tentative:  # between two rows: inside the table
                block.fragments.extend(held.words)
            tentative.clear()
            block.rows.append(line)
            label_right = max([label_right, *(w.x1 for w in line.label_words())])
            pending = []
            continue
        if (
            block is not None
            and max(w.x1 for w in line.words) <= block.left
            and not _right_of_labels(line, label_right)
        ):
            tentative.append(line)  # a label-column line: wrapped or vertical label
            continue
        if block is not None:
            close()
        block = None
        items.append(line)
        pending.append(line)
    if block is not None:
        close()
    last: Block | None = previous
    usual = median(w.height for w in page.words)
    moved: set[int] = set()
    _blank_tables(page, items, usual)
    for item in items:
        if isinstance(item, Block) and not any(r.values for r in item.rows):
            last = item  # a table of blank rows: its columns are its header's
            continue
        if isinstance(item, Block):
            ruled = None
            if ocr and page.ink is not None:
                item.header = _header_pieces(page, item.header)
                ruled = _ruled_between_rows(page, item)
            item.parted = _parted(page)
            item.columns = _one_box_one_column(item, _columns(item, ruled), ruled)
            if (ocr and page.ink is not None) or page.uprights:
                item.columns = _ruled_columns(page, item)
            _carry(item, last)
            _trim_fragments(item, RULED_REACH if page.rules else 1.0)
            moved |= _blank_rows_atop(page, item, usual)
            last = item
    for item in items:
        if isinstance(item, Line) and all(id(w) in moved for w in item.words):
            continue  # now a row of its block
        if isinstance(item, Block):
            _emit_block(out, page, item)
            for line in group_lines(item.spilled, median(w.height for w in page.words)):
                _emit_plain(out, page, line)
        else:
            _emit_plain(out, page, item)
    _confirm_doubts(out, page)
    return last


# a text page with drawn rules: a label line a row's pitch below the last row (an empty last
# row; its rules tell it from a note) stays with the table
RULED_REACH = 1.25


def _trim_fragments(block: Block, reach: float = 1.0) -> None:
    """Label-column words below the last row by more than `reach` row pitches are not the
    table's: they stay with the block only when they are near a row."""
    if len(block.rows) > 1:
        pitch = median(b.cy - a.cy for a, b in itertools.pairwise(block.rows))
    else:
        pitch = 2 * median(w.height for w in block.rows[0].words)
    lo, hi = block.rows[0].cy - pitch, block.rows[-1].cy + reach * pitch
    block.spilled = [w for w in block.fragments if not lo <= w.cy <= hi]
    block.fragments = [w for w in block.fragments if lo <= w.cy <= hi]


def build(pages: list[PageWords], source: str = "text") -> tuple[str, Geometry]:
    """The text the parser reads, and the anchors of its values on the pages."""
    out = Emitted()
    previous: Block | None = None
    for page in pages:
        previous = build_page(out, page, previous)
        out.add("\n")
    text = "".join(out.parts)
    return text, Geometry(tuple(out.anchors), source=source, pages=len(pages))
