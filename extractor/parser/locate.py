"""Locate the rows of parts 二, 三 and 四 in a report and cut out each row's value tokens.

Part 三's rows are found in layout order (each label searched after the previous one), so a
label that appears twice in the report (narrative, headers) is taken where the table has it.
A row's values are the tokens between the end of its label and the start of the next label
found; part 四 is the run of numbers after its header words.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

from extractor.parser.absent import absent_t2_rows, absent_t3_rows
from extractor.parser.edgeblanks import (
    edge_blanks,
    line_blanks,
    placeholder_column,
    plain_edge_blanks,
    t4_edge_blanks,
)
from extractor.parser.emptylines import empty_line_blanks
from extractor.parser.foreign import end_at_foreign_rows
from extractor.parser.labels import (
    CjkStream,
    LabelMatch,
    find_label,
    label_key,
    misread_label,
    printed_between,
)
from extractor.parser.linebreaks import join_broken_cell, join_grouped_cell, off_table_values
from extractor.parser.rowlines import (
    lone_values_after_the_row,
    place_detached_rows,
    rebalance_stacked_rows,
)
from extractor.parser.rowread import RowRead
from extractor.parser.tokens import MEASURE, Token, TokenKind, on_furniture_line, tokenize
from nianbao.core.layout import Layout

T3_WINDOW = 400  # CJK chars between one part-三 label and the next (group labels, headers)
T2_WINDOW = 900
T4_SPAN = 3000  # source chars of part 四's header, notes and numbers at most
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# A row printing more values than this is no table row (part 四, the widest, has 15 cells):
# it is read as printing nothing, with a note, so the decoder's work does not grow with it.
MAX_ROW_VALUES = 64
# ... unless the values are the rows' above, printed apart from their labels (a labels
# block, then every row's values): up to part 三's whole table, kept until placed by order
MAX_PLACED_VALUES = 7 * 32
_T4_HEADER_CHARS = set("行政复议诉讼结果维持纠正其他尚未审结总计经直接起后")


@dataclass
class Located:
    """Every row of one report, in layout order, and where part 三 starts."""

    rows: list[RowRead]
    t3_start: int  # source offset of the first part-三 label
    # part 三's first label found and the stream index after its last (`several_reports`)
    t3_first: LabelMatch
    t3_after: int
    # rows whose value lines were placed by printed order: each group's lines could go to
    # any of its rows (`rules.placement` proves which cells the order does not matter for)
    placements: list[list[RowRead]] = field(default_factory=list)


def _t3_keys(layout: Layout) -> list[tuple[str, tuple[str, ...], str]]:
    """(row name, label keys, group label key) of each part-三 row, in printed order."""
    return [
        (
            row.name,
            tuple(dict.fromkeys(label_key(x) for x in (row.label, *row.aliases))),
            label_key(row.group_label or ""),
        )
        for row in layout.t3_rows
    ]


def _inside_group_label(stream: CjkStream, hit: LabelMatch, group: str) -> bool:
    """A short label ("其他") found inside its own group label ("其他处理") is not the row:
    a report that prints the group as one merged row has no such sub-row."""
    if not group or len(group) <= hit.end - hit.start:
        return False
    lo = max(0, hit.start - len(group))
    at = stream.chars.find(group, lo, hit.end + len(group))
    return 0 <= at <= hit.start and hit.end <= at + len(group)


MAX_STARTS = 64  # printings of part 三's opening label looked at (see _followed_by)


def find_t3_start(
    stream: CjkStream, layout: Layout, start: int = 0, limit: int | None = None
) -> LabelMatch | None:
    """The table's first row label: the first "本年新收…" followed closely by "上年结转…".
    A report that omits one of the two opening rows starts at the other, followed closely
    by the row after the one it omits ("上年结转…" then "予以公开"); when that row's label is
    damaged too (OCR'd "予以么开"), by the row after it ("部分公开…"). Searched in
    stream[start:limit]."""
    found = _opening(stream, _opening_pairs(layout), start, limit)
    return None if found is None else found[0]


Keys = tuple[str, ...]


def _opening_pairs(layout: Layout) -> tuple[tuple[Keys, Keys], ...]:
    new, carried, granted, partial = (keys for _, keys, _ in _t3_keys(layout)[:4])
    return ((new, carried), (carried, granted), (new, granted), (carried, partial), (new, partial))


def _opening(
    stream: CjkStream, pairs: Iterable[tuple[Keys, Keys]], start: int, limit: int | None
) -> tuple[LabelMatch, tuple[Keys, Keys]] | None:
    """The first pair (in the order given) printed in stream[start:limit], and where."""
    for pair in pairs:
        hit = _followed_by(stream, *pair, start, limit)
        if hit is not None:
            return hit, pair
    return None


MAX_QUOTED = 4  # printings of the opening rows looked past (see t3_table_from)


def t3_table_from(
    stream: CjkStream, layout: Layout, first: LabelMatch
) -> tuple[LabelMatch, list[RowRead], int]:
    """Part 三's rows from `first`, or from a later printing of the same opening pair when
    one comes before the table's fourth row: the earlier one quoted the opening rows with
    other figures (a comparison with last year, a summary table in part 一), and the table
    starts at the last printing. When fewer than four rows are found from `first`, a later
    opening (any pair: the table may omit a row the quotation prints) that finds more is
    the table. Returns the start, the rows and the index after them."""
    opened = _opening(stream, _opening_pairs(layout), first.start, first.end + T3_WINDOW)
    pair = () if opened is None else (opened[1],)
    rows, after = locate_t3(stream, layout, first)
    for _ in range(MAX_QUOTED):
        found = sum(r.label is not None for r in rows)
        # fewer than four rows found from it (part 四's "行政复议" in the prose between a
        # quotation and the table ends the search): no table starts here, look further
        if found > 3:
            again = _opening(stream, pair, first.end, _label_start(rows, 3))
        else:
            again = _opening(stream, _opening_pairs(layout), after, None)
        if again is None:
            break
        again_rows, again_after = locate_t3(stream, layout, again[0])
        if found <= 3 and sum(r.label is not None for r in again_rows) <= found:
            break
        first, rows, after = again[0], again_rows, again_after
        pair = (again[1],)
    return first, rows, after


def _label_start(rows: list[RowRead], n: int) -> int:
    """Where the n-th (from 0) row found starts in the stream."""
    return [r.label.start for r in rows if r.label is not None][n]


def _followed_by(
    stream: CjkStream,
    first: tuple[str, ...],
    then: tuple[str, ...],
    start: int = 0,
    limit: int | None = None,
) -> LabelMatch | None:
    """The first match of `first` with a match of `then` within T3_WINDOW after it, among
    the first MAX_STARTS matches (a report prints its opening label a few times: the
    narrative, a table of contents, the table; a hostile text may print it 10^5 times, and
    each look scans the rest of the text)."""
    at = start
    for _ in range(MAX_STARTS):
        hit = find_label(stream, first, at, limit)
        if hit is None:
            return None
        near = hit.end + T3_WINDOW if limit is None else min(limit, hit.end + T3_WINDOW)
        if find_label(stream, then, hit.end, near) is not None:
            return hit
        at = hit.end
    return None


def _segments(rows: list[RowRead], end: int) -> None:
    """Each found row's segment runs from its label's end to the next found label's start;
    from the label's start when the label is printed around its values (a PDF cell's label
    wrapped over three lines, centred, its values on the middle one: "一、本年新\n收政府信息
    10 0 1\n公开申请数量"). A label found exactly or by its opening words holds no digits
    of its own, so a number inside its span is a value the label was printed around."""
    found = sorted((r for r in rows if r.label), key=lambda r: r.label.span[0])  # type: ignore[union-attr]
    for row, nxt in zip(found, [*found[1:], None][: len(found)], strict=True):
        label = row.label
        stop = nxt.label.span[0] if nxt is not None and nxt.label else end
        start = label.span[0] if label.how in ("exact", "prefix", "fragment") else label.span[1]  # type: ignore[union-attr]
        row.segment = (start, max(label.span[1], stop))  # type: ignore[union-attr]


def _label_word(folded: str, row: RowRead, token: Token) -> bool:
    """A placeholder inside the row's own label: the label's 无 set apart by letter-spacing
    ("申 请 人 无 正 当 理 由", a PDF cell's distributed text), no blank cell. Only a 无 between
    Chinese characters: no label has a dash or a slash, and a label printed around its values
    (a centred PDF cell: "4.无正\n当理由大 0 0 — 0\n量反复申请") holds the row's own blanks."""
    label = row.label
    if token.kind is not TokenKind.BLANK or token.text != "无" or label is None:
        return False
    if not label.span[0] <= token.start < label.span[1]:
        return False
    before = folded[label.span[0] : token.start].rstrip()
    after = folded[token.end : label.span[1]].lstrip()
    return bool(_LABEL_CHAR.match(before[-1:]) and _LABEL_CHAR.match(after[:1]))


_LABEL_CHAR = re.compile(r"[\u4e00-\u9fff.．、）)]")  # a label's: its words, its numbering


SUBTABLE = "第二十条"  # heads each of part 二's small tables: 第二十条第（五）项


def _end_at_subtable_headings(stream: CjkStream, rows: list[RowRead]) -> None:
    """A part-二 row's values end at the next small table's heading: a number printed after
    it ("第二十条第（九）项" then a page number "9") is not the row's (nor is "5" of a heading
    printed "第二十条第5项")."""
    for row in rows:
        if row.label is None or row.segment is None:
            continue
        at = stream.chars.find(SUBTABLE, row.label.end)
        if at >= 0:
            stop = stream.offsets[at]
            a, b = row.segment
            if a <= stop < b:
                row.segment = (a, stop)


def locate_t3(stream: CjkStream, layout: Layout, first: LabelMatch) -> tuple[list[RowRead], int]:
    """Part 三's rows in order; returns them and the stream index after the last one."""
    rows: list[RowRead] = []
    cols = tuple(c.name for c in layout.t3_columns)
    at = first.start
    # part 四 begins at its first "行政复议" (no part-三 label holds the word): a short label
    # ("其他", "总计") of a row the report omits is not looked for in part 四's header
    stop = stream.chars.find("行政复议", first.end)
    stop = len(stream.chars) if stop < 0 else stop
    for name, keys, group in _t3_keys(layout):
        hit = find_label(stream, keys, at, min(at + T3_WINDOW, stop))
        if hit is not None and _inside_group_label(stream, hit, group):
            hit = None
        row = RowRead("t3", name, cols, hit)
        if hit is None:
            row.notes.append("row label not found in order")
        else:
            at = hit.end
        rows.append(row)
    _reanchor(stream, rows, {name: keys for name, keys, _ in _t3_keys(layout)}, at)
    return rows, at


def _reanchor(
    stream: CjkStream, rows: list[RowRead], keys: dict[str, tuple[str, ...]], end: int
) -> None:
    """A label printed twice before the next row (a heading, then the table row's own label,
    as OCR-to-markdown prints it) belongs to its last printing: the values follow that one."""
    found = [r for r in rows if r.label is not None]
    for row, nxt in zip(found, [*found[1:], None][: len(found)], strict=True):
        assert row.label is not None
        stop = nxt.label.start if nxt is not None and nxt.label is not None else end
        for key in keys[row.row]:
            if len(key) < 4:
                continue
            at = stream.chars.rfind(key, row.label.end, stop)
            if at >= 0:
                row.label = LabelMatch(
                    at, at + len(key), stream.source_span(at, at + len(key)), "exact", 100.0
                )
                break


def locate_t2(
    stream: CjkStream, layout: Layout, t3_start: int, folded: str = ""
) -> tuple[list[RowRead], int, int]:
    """Part 二's rows, searched before part 三: in order first, anywhere in the part after.
    Returns them and the stream indexes where the part starts (its heading or first
    "第二十条") and ends."""
    lo = max(0, t3_start - T2_WINDOW)
    marks = [stream.chars.find(m, lo, t3_start) for m in ("主动公开政府信息情况", "第二十条")]
    region = min((m for m in marks if m >= 0), default=lo)
    # no part-二 heading at all: a fragment or a page starting inside the table, whose first
    # rows may come before its first "第二十条" marker
    before = lo if marks[0] < 0 else region
    heading = stream.chars.rfind("收到和处理政府信息公开申请情况", region, t3_start)
    end = heading if heading >= 0 else t3_start
    rows: list[RowRead] = []
    at = region
    taken: list[tuple[int, int]] = []
    for t2 in layout.t2_rows:
        keys = tuple(dict.fromkeys(label_key(x) for x in (t2.label, *t2.aliases)))
        # in order first, then anywhere in the part, then (no heading) before its marker
        hit = (
            _exact_free(stream, keys, at, end, taken)
            or _exact_free(stream, keys, region, end, taken)
            or _exact_free(stream, keys, before, region, taken)
        )
        row = RowRead("t2", t2.name, tuple(c.name for c in t2.columns), hit)
        if hit is None:
            row.notes.append("row not printed (label not found in part 二)")
        else:
            at = hit.end
            taken.append((hit.start, hit.end))
        rows.append(row)
    _misread_t2_labels(stream, layout, rows, region, end, taken, folded)
    return rows, region, end


def _misread_t2_labels(
    stream: CjkStream,
    layout: Layout,
    rows: list[RowRead],
    region: int,
    end: int,
    taken: list[tuple[int, int]],
    folded: str,
) -> None:
    """Rows whose label was not found: a label OCR misread in one character, searched
    between the rows found before and after it (in place, `extractor.parser.labels`)."""
    keys_of = {
        t2.name: tuple(dict.fromkeys(label_key(x) for x in (t2.label, *t2.aliases)))
        for t2 in layout.t2_rows
    }
    for n, row in enumerate(rows):
        if row.label is not None:
            continue
        before = [r.label.end for r in rows[:n] if r.label is not None]
        after = [r.label.start for r in rows[n + 1 :] if r.label is not None]
        lo = max(before, default=region)
        hi = min(after, default=end)
        others = tuple(k for name, ks in keys_of.items() if name != row.row for k in ks)
        hit = misread_label(stream, keys_of[row.row], lo, hi, others, folded)
        if hit is None or any(a < hit.end and hit.start < b for a, b in taken):
            continue
        row.label = hit
        row.notes.remove("row not printed (label not found in part 二)")
        taken.append((hit.start, hit.end))


SHARED_LABEL = "the label printed before it on the same line has no values: these may be its"


def shared_label_cells(folded: str, rows: list[RowRead]) -> None:
    """Two row labels on one line with nothing between them ("行政许可 行政处罚  0"): one of
    the two rows printed nothing (an empty row whose label a PDF's text joined to the next),
    and the values after the second label may be either row's. The second row's reading is
    noted (so flagged); the first is unread already."""
    found = sorted((r for r in rows if r.label is not None), key=lambda r: r.label.span[0])  # type: ignore[union-attr]
    for prev, row in itertools.pairwise(found):
        assert prev.label is not None and row.label is not None
        if prev.part != row.part or prev.tokens:
            continue
        gap = folded[prev.label.span[1] : row.label.span[0]]
        if "\n" not in gap and not gap.strip(" \t\u3000"):
            row.notes.append(SHARED_LABEL)


def _exact_free(
    stream: CjkStream, keys: tuple[str, ...], start: int, end: int, taken: list[tuple[int, int]]
) -> LabelMatch | None:
    """A label match not inside one already taken ("规范性文件" inside "行政规范性文件")."""
    at = start
    while at < end:
        hit = find_label(stream, keys, at, end)
        if hit is None:
            return None
        inside_taken = any(a <= hit.start < b for a, b in taken)
        # "规范性文件" preceded by "行政" belongs to the longer label
        longer = stream.chars[max(0, hit.start - 2) : hit.start] == "行政"
        if not inside_taken and (not longer or keys[0].startswith("行政")):
            return hit
        at = hit.start + 1
    return None


def locate_t4(stream: CjkStream, text: str, folded: str, layout: Layout, after: int) -> RowRead:
    """Part 四's numbers: after its first "行政复议" following part 三, up to the first
    Chinese words that are not its header (the next section) once numbers have started."""
    cols = tuple(f"{g.name}.{c.name}" for g in layout.t4_groups for c in layout.t4_columns)
    row = RowRead("t4", "all", cols)
    at = stream.chars.find("行政复议", after)
    if at < 0:
        at = stream.chars.find("复议", after)
    if at < 0:
        row.notes.append("part 四 not found")
        return row
    src_start = stream.offsets[at]
    row.label = LabelMatch(at, at + 4, stream.source_span(at, at + 2), "exact", 100.0)
    end = len(text)
    first_token = None
    for span in (400, T4_SPAN):  # the header is short: look near first, then further
        found = tokenize(folded, src_start, min(len(text), src_start + span))
        if found:
            first_token = found[0]
            break
    for m in _CJK_RUN.finditer(folded, src_start):  # folded: a 零 read as 0 is no word
        seen_number = first_token is not None and first_token.start < m.start()
        if seen_number and (_is_cell_word(folded, m) or on_furniture_line(folded, m.start())):
            # a cell's unit ("1件"), a blank cell ("无"), a page footer ("第8页" between the
            # header's rows): not the next section
            continue
        if seen_number and not set(m.group(0)) <= _T4_HEADER_CHARS:
            end = m.start()
            break
    row.segment = (src_start, end)
    return row


def _is_cell_word(folded: str, m: re.Match[str]) -> bool:
    """A word that is a part-四 cell's own: a lone measure word right after a number (the
    cell's unit, "1件", "0 个"), or "无" alone in its cell (printed blank)."""
    word = m.group(0)
    if word == "无":
        before, after = folded[m.start() - 1 : m.start()], folded[m.end() : m.end() + 1]
        return before in " \t|\n" and after in " \t|\n\r"
    if len(word) != 1 or word not in MEASURE:
        return False
    return folded[max(0, m.start() - 8) : m.start()].rstrip(" \t")[-1:].isdigit()


def locate(text: str, folded: str, stream: CjkStream, layout: Layout) -> Located | None:
    """All rows of the layout; None when part 三's first rows cannot be found."""
    first = find_t3_start(stream, layout)
    if first is None:
        return None
    first, t3, after = t3_table_from(stream, layout, first)
    t2, t2_start, t2_end = locate_t2(stream, layout, first.start, folded)
    t4 = locate_t4(stream, text, folded, layout, after)
    t4_start = t4.label.span[0] if t4.label else len(text)
    merged = find_merged_groups(stream, layout, t3, after)
    _segments([*t3, *merged], t4_start)
    t2_stop = stream.offsets[t2_end] if t2_end < len(stream.offsets) else len(text)
    _segments(t2, t2_stop)
    _end_at_subtable_headings(stream, t2)
    end_at_foreign_rows(folded, [*t2, *t3, *merged])
    for row in t2:
        if row.label is not None:
            row.unit = header_unit(folded, row.label.span[0])
    rows = [r for r in (*t2, *t3, *merged, t4) if r.segment is not None]
    if rows:
        # one pass over the tables, then each row takes its slice (segments never overlap a
        # label, and no token crosses a label's Chinese characters)
        lo = min(r.segment[0] for r in rows)  # type: ignore[index]
        hi = max(r.segment[1] for r in rows)  # type: ignore[index]
        tokens = tokenize(folded, lo, hi)
        starts = [t.start for t in tokens]
        for row in rows:
            a, b = row.segment  # type: ignore[misc]
            row.tokens = [
                t
                for t in tokens[bisect_left(starts, a) : bisect_left(starts, b)]
                if t.end <= b and not _label_word(folded, row, t)
            ]
            if len(row.tokens) > MAX_PLACED_VALUES:
                _not_a_row(row)
    for row in rows:
        row.tokens = off_table_values(folded, row.tokens)
        if row.part in ("t2", "t3"):
            row.tokens = lone_values_after_the_row(folded, row.tokens, len(row.columns))
        row.tokens = join_broken_cell(folded, row.tokens, len(row.columns))
        row.tokens = join_grouped_cell(folded, row.tokens, len(row.columns))
    placeholder_column(folded, rows)
    for row in rows:
        edge_blanks(folded, row)
        line_blanks(folded, row)
    t4_edge_blanks(folded, t4)
    empty_line_blanks(folded, rows)
    plain_edge_blanks(folded, rows)
    t2_from = stream.offsets[t2_start] if t2_start < len(stream.offsets) else len(text)
    absent_t2_rows(folded, t2, t2_from, t2_stop)
    t3_keys = {name: keys for name, keys, _ in _t3_keys(layout)}
    t3_table = (first.start, t4.label.start if t4.label else len(stream.chars))
    absent_t3_rows(folded, stream, t3, t3_keys, t3_table, t4.label.span[0] if t4.label else None)
    shared_label_cells(folded, [*t2, *t3])
    _mark_misread_labels(folded, t3, t3_keys)
    placements = [*place_detached_rows(text, t3), *rebalance_stacked_rows(text, t3)]
    for row in rows:
        if len(row.tokens) > MAX_ROW_VALUES:
            _not_a_row(row)
    return Located([*t2, *t3, t4, *merged], first.span[0], first, after, placements)


def _mark_misread_labels(
    folded: str, rows: list[RowRead], keys_of: dict[str, tuple[str, ...]]
) -> None:
    """Rows whose label was not found but whose words stand between the found rows around
    them ("2.重复中请" between 信访举报投诉类申请 and 要求提供公开出版物): `misread`."""
    found = [k for k, row in enumerate(rows) if row.label is not None]
    for before, after in itertools.pairwise(found):
        start = rows[before].label.span[1]  # type: ignore[union-attr]
        end = rows[after].label.span[0]  # type: ignore[union-attr]
        for row in rows[before + 1 : after]:
            row.misread = start < end and printed_between(folded, start, end, keys_of[row.row])


def _not_a_row(row: RowRead) -> None:
    row.notes.append(f"{len(row.tokens)} values in one row: not read as a row")
    row.tokens = []


def find_merged_groups(
    stream: CjkStream, layout: Layout, t3: list[RowRead], end: int
) -> list[RowRead]:
    """Groups printed as one row ("（六）其他处理" with its own values where the 2021 layout
    has three sub-rows): a group none of whose rows was found, whose label sits between the
    rows found around it. Each becomes a row standing for its layout rows."""
    groups: dict[str, list[int]] = {}
    for n, row in enumerate(layout.t3_rows):
        if row.group_label:
            groups.setdefault(row.group_label, []).append(n)
    out: list[RowRead] = []
    for label, members in groups.items():
        if any(t3[n].label is not None for n in members):
            continue
        before = [t3[n].label for n in range(members[0]) if t3[n].label is not None]
        after = [t3[n].label for n in range(members[-1] + 1, len(t3)) if t3[n].label is not None]
        lo = before[-1].end if before else 0  # type: ignore[union-attr]
        hi = after[0].start if after else end  # type: ignore[union-attr]
        hit = find_label(stream, (label_key(label),), lo, hi)
        if hit is not None:
            names = tuple(layout.t3_rows[n].name for n in members)
            out.append(RowRead("t3", label, t3[members[0]].columns, hit, merged=names))
    return out


_UNIT = re.compile(r"[（(]\s*(?:单位\s*[:：]\s*)?(万元|元)\s*[)）]|单位\s*[:：]\s*(万元|元)")
UNIT_LOOKBACK = 120  # source chars before a part-二 row where its column header sits


def header_unit(folded: str, label_start: int) -> str | None:
    """The unit the nearest column header above a part-二 row names ("（单位：万元）",
    "(元)"), if any: amounts printed without a unit are in that unit."""
    found = list(_UNIT.finditer(folded, max(0, label_start - UNIT_LOOKBACK), label_start))
    if not found:
        return None
    last = found[-1]
    return last.group(1) or last.group(2)
