"""Find the layout's row labels in a report: exact, then by prefix, then fuzzily, in order.

Labels are compared on their Chinese characters only (a "CJK stream" of the text), so a
label split over lines or cells ("本年 度办理 结果", "其他法律行政法规禁止\\n公开"), with
mangled punctuation or renumbered headings ("3、", "—、", "(二)不") still matches. Every
match maps back to a span of the source text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz

from extractor.parser.tokens import MEASURE
from nianbao.core.layout import layout_for

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_DIGITS = "0123456789０１２３４５６７８９"
# Leading numbering of a printed label: "一、", "（三）", "1.", "3、"
_NUMBERING = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])"
)
PREFIX = 6  # CJK chars of a label's start that identify it when the rest is damaged
FUZZY_CUTOFF = 80.0


@dataclass(frozen=True)
class CjkStream:
    """The text's Chinese characters in order, with each one's offset in the source."""

    chars: str
    offsets: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> CjkStream:
        """Every Chinese character but a count's measure word glued to its digits ("0件",
        "5个"): that is the cell's unit, not a label's character ("访举报投 0件 1\n诉类申请"
        is one label wrapped around its values)."""
        chars: list[str] = []
        offsets: list[int] = []
        for m in _CJK.finditer(text):
            start, run = m.start(), m.group(0)
            if run[0] in MEASURE and start > 0 and text[start - 1] in _DIGITS:
                start, run = start + 1, run[1:]
            chars.append(run)
            offsets.extend(range(start, m.end()))
        return cls("".join(chars), tuple(offsets))

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """[start, end) in the stream -> [start, end) in the source text."""
        return self.offsets[start], self.offsets[end - 1] + 1


@cache
def label_key(label: str) -> str:
    """The Chinese characters of a label without its numbering: "（一）予以公开" -> "予以公开"."""
    return "".join(_CJK.findall(_NUMBERING.sub("", label)))


MISREAD_CUTOFF = 60.0  # "重复中请" for 重复申请 (75): a label printed, misread past matching
MISREAD_SPAN = 400  # characters between two found labels that may hold one misread label


def printed_between(text: str, start: int, end: int, keys: tuple[str, ...]) -> bool:
    """Words like one of `keys` stand in text[start:end] (a label OCR misread past finding
    it), not nothing or other words (a row not printed, a group's heading). A longer stretch
    is no gap between two neighbouring labels: no look, so no work grows with it."""
    if end - start > MISREAD_SPAN:
        return False
    words = label_key(text[start:end])
    return bool(words) and any(
        fuzz.partial_ratio(key, words) >= MISREAD_CUTOFF for key in keys if key
    )


FRAGMENT = 4  # characters of a label, in no other label, that name it when found as printed


@cache
def every_label_key() -> frozenset[str]:
    """The Chinese characters of every row label of both layouts (aliases, group labels)."""
    keys: set[str] = set()
    for template in ("2019", "2021"):
        layout = layout_for(template)
        for row in (*layout.t2_rows, *layout.t3_rows):
            for label in (row.label, *row.aliases, getattr(row, "group_label", None) or ""):
                if key := label_key(label):
                    keys.add(key)
    return frozenset(keys)


@cache
def distinctive_fragments(key: str) -> tuple[str, ...]:
    """Every FRAGMENT-character stretch of a layout label that no other label holds, in
    order ("大量反复", "量反复申", "反复申请" … of 无正当理由大量反复申请; "政府信息", in
    several labels, is none); none for a key that is no layout label's."""
    labels = every_label_key()
    if key not in labels:
        return ()
    others = [k for k in labels if k != key and k not in key]
    stretches = (key[i : i + FRAGMENT] for i in range(len(key) - FRAGMENT + 1))
    return tuple(dict.fromkeys(f for f in stretches if not any(f in k for k in others)))


@dataclass(frozen=True)
class LabelMatch:
    """Where a label was found: stream [start, end), source span, how, and a 0-100 score."""

    start: int
    end: int
    span: tuple[int, int]
    how: str  # "exact", "prefix", "fragment", "fuzzy"
    score: float


def find_label(
    stream: CjkStream, keys: tuple[str, ...], start: int, limit: int | None = None
) -> LabelMatch | None:
    """The first match of any key in stream[start:limit]: exact, prefix, a stretch of the
    key no other label holds (`distinctive_fragments`), then fuzzy."""
    limit = len(stream.chars) if limit is None else min(limit, len(stream.chars))
    best: tuple[int, int, str, float] | None = None
    for key in keys:
        at = stream.chars.find(key, start, limit)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, at + len(key), "exact", 100.0)
    if best is None:
        for key in keys:
            if len(key) >= PREFIX + 2:
                at = stream.chars.find(key[:PREFIX], start, limit)
                if at >= 0 and (best is None or at < best[0]):
                    best = (at, _grown(stream.chars, at, key, 0, PREFIX)[1], "prefix", 90.0)
    if best is None:
        # a label shortened by the body that printed it ("大量反复申请", "申请人逾期不补正"):
        # a stretch of it that is in no other label, found as printed
        for key in keys:
            for fragment in distinctive_fragments(key):
                # (no further than the earliest found: a later one is not taken)
                stop = limit if best is None else min(limit, best[0] + len(fragment))
                at = stream.chars.find(fragment, start, stop)
                if at >= 0 and (best is None or at < best[0]):
                    a, b = _grown(stream.chars, at, key, key.find(fragment), len(fragment))
                    best = (max(a, start), min(b, limit), "fragment", 90.0)
    if best is None:
        window = stream.chars[start:limit]
        for key in keys:
            if len(key) < 4:
                continue  # short labels are found exactly or not at all
            hit = fuzz.partial_ratio_alignment(key, window, score_cutoff=FUZZY_CUTOFF)
            if hit is not None and (best is None or hit.score > best[3]):
                a, b = _trimmed(window, hit.dest_start, hit.dest_end, key)
                best = (start + a, start + b, "fuzzy", hit.score)
    if best is None or best[1] <= best[0]:
        return None
    at, end, how, score = best
    return LabelMatch(at, end, stream.source_span(at, end), how, score)


def _grown(chars: str, at: int, key: str, offset: int, size: int) -> tuple[int, int]:
    """A stretch of `key` (at `offset` in it) found at chars[at:at + size], grown on both
    sides while the text goes on as the key does: the whole of the label the print kept
    ("倍访举报投诉类申请" found by "访举报投" is 访举报投诉类申请). A character misread
    inside the label ("其他对外管埋服务事项") is grown over when the key goes on after it
    for MISREAD_CONFIRM characters: the label's rest is no other text before its values."""
    start, end = at, at + size  # in the text
    lo, hi = offset, offset + size  # the same stretch in the key
    while end < len(chars) and hi < len(key):
        if chars[end] != key[hi] and not _goes_on(chars, end + 1, key, hi + 1):
            break
        end, hi = end + 1, hi + 1
    while start > 0 and lo > 0:
        if chars[start - 1] != key[lo - 1] and not _went_on(chars, start - 1, key, lo - 1):
            break
        start, lo = start - 1, lo - 1
    return start, end


MISREAD_CONFIRM = 2  # characters of the key that must follow (precede) a misread one


def _goes_on(chars: str, at: int, key: str, hi: int) -> bool:
    """The text at `at` goes on as the key does from `hi`, for MISREAD_CONFIRM characters."""
    tail = key[hi : hi + MISREAD_CONFIRM]
    return len(tail) == MISREAD_CONFIRM and chars.startswith(tail, at)


def _went_on(chars: str, at: int, key: str, lo: int) -> bool:
    """The text before `at` ends as the key does before `lo`, for MISREAD_CONFIRM characters."""
    head = key[max(lo - MISREAD_CONFIRM, 0) : lo]
    return len(head) == MISREAD_CONFIRM and chars[max(at - MISREAD_CONFIRM, 0) : at] == head


def _trimmed(window: str, start: int, end: int, key: str) -> tuple[int, int]:
    """A fuzzy match without the characters at its ends that the label does not have: an
    alignment as long as the label, with its first character misread, reaches one character
    into what follows ("访举报投诉类申请重" for 信访举报投诉类申请), maybe the next row's label
    past this row's values."""
    while start < end and window[end - 1] not in key:
        end -= 1
    while start < end and window[start] not in key:
        start += 1
    return start, end


MISREAD_MIN = 4  # a shorter label with one character misread is too close to other words


_TO_VALUE = re.compile(r"[ \t|\r\n\u3000]*-?\d")


def misread_label(
    stream: CjkStream,
    keys: tuple[str, ...],
    start: int,
    limit: int,
    others: tuple[str, ...],
    text: str = "",
) -> LabelMatch | None:
    """A label OCR misread in one character ("行政外罚" for 行政处罚), where no exact or fuzzy
    match was found: the one whole run of Chinese characters in stream[start:limit] (apart
    from other text on both sides in the source) as long as a key of at least `MISREAD_MIN`
    characters and differing from it in one character only. A shorter key (规章: "观章") is
    searched only given the source `text`, and its run must be followed by the row's first
    value (nothing but spaces and cell edges between): a two-character word is otherwise too
    easily another. None when there is no such run, or more than one, or when the run is as
    close to one of `others` (the labels of other rows that could stand there)."""
    offsets = stream.offsets
    found: list[tuple[int, int]] = []
    for key in {k for k in keys if len(k) >= (MISREAD_MIN if not text else 2)}:
        n = len(key)
        for at in range(start, max(start, limit - n + 1)):
            whole = (at == 0 or offsets[at - 1] + 1 != offsets[at]) and (
                at + n == len(offsets) or offsets[at + n - 1] + 1 != offsets[at + n]
            )
            if not whole or not _one_apart(stream.chars[at : at + n], key):
                continue
            if n < MISREAD_MIN and not _TO_VALUE.match(text, offsets[at + n - 1] + 1):
                continue
            found.append((at, at + n))
    if len(set(found)) != 1:
        return None
    at, end = found[0]
    run = stream.chars[at:end]
    if any(_apart(run, other) <= 1 for other in others):
        return None
    score = 100.0 * (len(run) - 1) / len(run)
    return LabelMatch(at, end, stream.source_span(at, end), "fuzzy", score)


def _apart(run: str, key: str) -> int:
    """Characters two strings of one length differ in (of two lengths: more than either)."""
    if len(run) != len(key):
        return len(run) + len(key)
    return sum(a != b for a, b in zip(run, key, strict=True))


def _one_apart(run: str, key: str) -> bool:
    return _apart(run, key) == 1
