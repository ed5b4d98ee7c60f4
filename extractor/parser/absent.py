"""Rows a report does not print at all: nothing stands where the row would.

A row whose label is not found is absent only when the source shows nothing where it would
stand: the rows found are in layout order, the previous one found prints exactly one plain
value per cell, and after those values (or, for part 二's first row, from the part's heading)
up to the next row found there is no digit, placeholder or letter, only header words, and
that next row prints values after its own label (not a block of labels, values below). A row
whose label was lost but whose values remain leaves them there (the previous row then
prints too many), so it stays unread. Its cells are read as printed blank (method "absent"),
which `rules.proving` proves only as far as the identities that count them as 0 hold.
"""

from __future__ import annotations

import re

from extractor.parser.labels import CjkStream, find_label
from extractor.parser.plausible import T3_HEADER_WORDS, has_word, words_before_value
from extractor.parser.rowread import RowRead
from extractor.parser.tokens import TokenKind

# What may stand where a row is not printed: header words, their brackets and separators. A
# digit, a placeholder or a Latin letter (an OCR look-alike of 0) could be a row's values.
_NOTHING_PRINTED = re.compile(
    r"[\u4e00-\u9fff\s（）()《》〈〉“”\"、，,。：:；;|·]"
    r"|(?<=[\u4e00-\u9fff])[/／](?=[\u4e00-\u9fff])"  # "本年增/减" in a column header
)


# the column headers a table printed one item per line interleaves with a row's values
# ("一、本年新收…\n自然人\n0\n法人或其他组织\n0\n…"): no other row's label
_GROUP_HEADERS = {"法人或其他组织", "申请人情况"}
_HEADER_WORDS = T3_HEADER_WORDS | _GROUP_HEADERS
_HEADER = re.compile("|".join(sorted(_HEADER_WORDS, key=len, reverse=True)))


def _after_full_row(folded: str, row: RowRead) -> int | None:
    """Where a found row's printing ends when it prints one plain value per cell."""
    tokens = row.tokens
    plain = all(t.kind is not TokenKind.RUN and not t.edge for t in tokens)
    if len(tokens) != len(row.columns) or not plain or row.segment is None:
        return None
    label = row.label
    # digits inside the label's span that are not its values (a fuzzy match reaching past
    # them; a label printed around its values holds them): where its printing ends is unsure
    after_label = label is not None and bool(tokens) and tokens[0].start >= label.span[1]
    if after_label and any(c.isdigit() for c in folded[slice(*label.span)]):  # type: ignore[union-attr]
        return None
    if after_label and words_before_value(folded, label.span[1], tokens[0].start):  # type: ignore[union-attr]
        return None  # another row's label, misread, before its values: they may be that row's
    if tokens and has_word(_HEADER.sub(" ", folded[tokens[0].end : tokens[-1].start])):
        return None  # words between its values: another row's label, whose values it took
    return tokens[-1].end if tokens else row.segment[0]


def _labels_apart(after: RowRead | None) -> bool:
    """The next row found prints no value after its label: the table prints a block of
    labels and their values below it ("（一）予以公开\n（二）部分公开\n…\n0 0 0…"), so
    nothing between a label and the next is no sign a row is not printed (a label OCR misread
    past finding, "予以么开", has its values in the block below)."""
    return after is not None and not after.tokens


def _in_order(rows: list[RowRead]) -> bool:
    at = [r.label.span[0] for r in rows if r.label is not None]
    return at == sorted(at)


# the next row's own numbering right before its label ("5.要求…", "3、其他"): no value
_ROW_NUMBERING = re.compile(r"[(（]?\d{1,2}[ \t]*[.．、)）][ \t]*$")


def _nothing_between(folded: str, begin: int, end: int) -> bool:
    gap = _ROW_NUMBERING.sub("", folded[begin:end])
    return begin < end and not _NOTHING_PRINTED.sub("", gap)


def absent_t2_rows(folded: str, t2: list[RowRead], start: int, stop: int) -> None:
    """Mark the part-二 rows the report does not print (a county with no 规章 drops the row).
    `start`: the part's heading, where a first row would stand; `stop`: the part's end."""
    found = [r for r in t2 if r.label is not None]
    if not found or len(found) == len(t2) or not _in_order(t2):
        return  # nothing missing, or rows out of order: no telling where one would stand
    previous: RowRead | None = None
    for n, row in enumerate(t2):
        if row.label is not None:
            previous = row
            continue
        after = next((r for r in t2[n + 1 :] if r.label is not None), None)
        if _labels_apart(after):
            continue
        end = after.label.span[0] if after is not None and after.label else stop
        begin = start if previous is None else _after_full_row(folded, previous)
        if begin is not None and _nothing_between(folded, begin, end):
            row.absent = (begin, end)


def absent_t3_rows(
    folded: str,
    stream: CjkStream,
    t3: list[RowRead],
    keys: dict[str, tuple[str, ...]],
    table: tuple[int, int],
    stop: int | None,
) -> None:
    """Mark the part-三 rows the report does not print (a report that drops a row of 0s).

    Besides part 二's conditions, the row's label must appear nowhere in the table (`table`:
    its span in the CJK stream), not even out of order or misread: a row printed elsewhere is
    not missing. A missing first row proves nothing (no row before it shows where the table's
    values start), and a missing last row only when part 四's heading is found (`stop`)."""
    found = [r for r in t3 if r.label is not None]
    if not found or len(found) == len(t3) or not _in_order(t3):
        return
    previous: RowRead | None = None
    for n, row in enumerate(t3):
        if row.label is not None:
            previous = row
            continue
        if previous is None or row.tokens:
            continue
        after = next((r for r in t3[n + 1 :] if r.label is not None), None)
        if _labels_apart(after):
            continue
        end = after.label.span[0] if after is not None and after.label else stop
        begin = _after_full_row(folded, previous)
        if begin is None or end is None or not _nothing_between(folded, begin, end):
            continue
        if find_label(stream, keys[row.row], *table) is not None:
            continue  # printed somewhere in the table: not where layout order puts it
        row.absent = (begin, end)
