"""What a page image shows where no word was read: ink in a cell, the table's ruling lines.

Only OCR pages have an image. A cell with no recognised word is a blank only when it holds
no ink once the ruling lines crossing it are dropped; the vertical lines of a row give the
cells it has, so a column whose digits the detector missed in every row is still a column.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from typing import Any

from extractor.geometry.words import Box

INK_SHARE = 0.004  # dark pixels in a cell beyond this share: something is printed there
LINE_SHARE = 0.7  # a row or column of the cell box this dark is a ruling line


def has_ink(image: Any, box: Box) -> bool:
    """Does the page image show anything printed inside the box (lines excluded)?"""
    import numpy as np

    grey = np.asarray(image)
    x0, y0, x1, y1 = (round(v) for v in box)
    crop = grey[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
    if crop.size == 0:
        return False
    dark = crop < 110
    # a ruling line crossing the box is the table's, not the cell's: drop it and its edges
    # (the box is taller and wider than a digit: only a line crosses it end to end)
    grey_ish = crop < 170  # a blurred ruling line is grey at its edges: look for it leniently
    cols = grey_ish.mean(axis=0) > LINE_SHARE
    rows = grey_ish.mean(axis=1) > LINE_SHARE
    for shift in (1, 2):
        cols = cols | np.roll(cols, shift) | np.roll(cols, -shift)
        rows = rows | np.roll(rows, shift) | np.roll(rows, -shift)
    dark = dark[~rows][:, ~cols]
    return dark.size > 0 and int(dark.sum()) > max(12, INK_SHARE * dark.size)


def ruled_cells(
    image: Any, bands: list[tuple[float, float]], width: float, widest: float | None = None
) -> list[tuple[float, float]]:
    """(x0, x1) of the cells the vertical ruling lines draw across each row band (top, bottom):
    narrower than 0.4 of a usual column `width` or wider than `widest` (default: three
    widths or band heights) left out."""
    import numpy as np

    grey = np.asarray(image)
    found: list[tuple[float, float]] = []
    for top_f, bottom_f in bands:
        top, bottom = round(top_f), round(bottom_f)
        if bottom - top < 4:
            continue
        ink = grey[max(0, top) : bottom, :] < 160
        # a scanned line is thin, blurred and (after de-skewing) stair-stepped: a pixel
        # beside a dark one counts, so the line is dark from the top of the band to its foot
        ink[:, 1:] |= ink[:, :-1].copy()
        ink[:, :-1] |= ink[:, 1:].copy()
        xs = np.flatnonzero(ink.mean(axis=0) > 0.9)
        if len(xs) < 2:
            continue
        # runs of dark columns -> line centres; between two lines, a cell
        breaks = np.flatnonzero(np.diff(xs) > 1)
        starts = np.concatenate(([xs[0]], xs[breaks + 1]))
        ends = np.concatenate((xs[breaks], [xs[-1]]))
        centres = (starts + ends) / 2
        most = widest if widest is not None else 3 * max(width, bottom - top)
        for a, b in itertools.pairwise(centres):
            if 0.4 * width <= b - a <= most:
                found.append((float(a), float(b)))
    return sorted(found)


class Uprights:
    """A text page's drawn vertical segments (boxes, top-left origin), sorted by x: which
    stand between two x positions over a height, and which cells they draw across a row.
    Pure Python (a text PDF is read without numpy); built once a page."""

    def __init__(self, boxes: list[tuple[float, float, float, float]]) -> None:
        segs = sorted(((x0 + x1) / 2, y0, y1) for x0, y0, x1, y1 in boxes)
        self.mids = [m for m, _, _ in segs]
        self.spans = [(y0, y1) for _, y0, y1 in segs]
        # the borders of one table row share their height: a row's cells are found by
        # looking at each height once, not at every segment
        self.by_span: dict[tuple[float, float], list[float]] = {}
        for mid, y0, y1 in segs:
            self.by_span.setdefault((y0, y1), []).append(mid)

    def _spanning(self, lo: float, hi: float, top: float, bottom: float) -> list[float]:
        a, b = bisect_left(self.mids, lo), bisect_right(self.mids, hi)
        return [
            self.mids[n]
            for n in range(a, b)
            if self.spans[n][0] <= top + 1 and self.spans[n][1] >= bottom - 1
        ]

    def between(self, a: float, b: float, top: float, bottom: float) -> bool:
        """Does a segment run from `top` to `bottom` somewhere in [a, b] (a point of slack)?"""
        return bool(self._spanning(min(a, b) - 1.0, max(a, b) + 1.0, top, bottom))

    def cells(
        self, bands: list[tuple[float, float]], width: float, widest: float | None = None
    ) -> list[tuple[float, float]]:
        """`ruled_cells` for a text page: the cells the segments draw across each row band,
        with the same width bounds."""
        found: list[tuple[float, float]] = []
        for top, bottom in bands:
            xs = sorted(
                x
                for (y0, y1), mids in self.by_span.items()
                if y0 <= top + 1 and y1 >= bottom - 1
                for x in mids
            )
            centres: list[float] = []
            for x in xs:
                if not centres or x - centres[-1] > 1.0:  # a border drawn twice is one line
                    centres.append(x)
            most = widest if widest is not None else 3 * max(width, bottom - top)
            for a, b in itertools.pairwise(centres):
                if 0.4 * width <= b - a <= most:
                    found.append((a, b))
        return sorted(found)


def rule_across(image: Any, x0: float, x1: float, top: float, bottom: float) -> bool:
    """Does a horizontal ruling line cross [x0, x1] somewhere between `top` and `bottom`?"""
    import numpy as np

    grey = np.asarray(image)
    t, b = max(0, round(top)), max(0, round(bottom))
    band = grey[t:b, max(0, round(x0)) : max(0, round(x1))] < 160
    if band.size == 0 or b - t < 1:
        return False
    # a scanned line is thin, blurred and (after de-skewing) stair-stepped: a pixel above or
    # below a dark one counts, so the line is dark from one end of the span to the other
    band[1:] |= band[:-1].copy()
    band[:-1] |= band[1:].copy()
    return bool((band.mean(axis=1) > 0.9).any())


def ink_pieces(image: Any, box: Box, gap: float) -> list[tuple[float, float]]:
    """(x0, x1) of the printed pieces inside a word box, split where the page shows no ink
    for at least `gap` pixels or where a vertical ruling line crosses the box: one OCR
    line read across several header cells becomes one piece a cell."""
    import numpy as np

    grey = np.asarray(image)
    x0, y0, x1, y1 = (round(v) for v in box)
    x0, y0 = max(0, x0), max(0, y0)
    crop = grey[y0 : max(y0, y1), x0 : max(x0, x1)]
    if crop.size == 0:
        return [(box[0], box[2])]
    dark = crop < 110
    # a ruling line runs on above and below the text (a character's stroke does not): look
    # at half a height more each way; a pixel beside a dark one counts (blur, de-skewing)
    reach = (y1 - y0) // 2
    tall = grey[max(0, y0 - reach) : y1 + reach, x0 : max(x0, x1)] < 170
    tall[:, 1:] |= tall[:, :-1].copy()
    tall[:, :-1] |= tall[:, 1:].copy()
    ruled = tall.mean(axis=0) > 0.85
    printed = dark.any(axis=0) & ~ruled
    pieces: list[tuple[int, int]] = []
    start: int | None = None
    last = -1
    for x in range(len(printed)):
        if ruled[x] and start is not None:
            pieces.append((start, last + 1))
            start = None
        elif printed[x]:
            if start is not None and x - last - 1 >= gap:
                pieces.append((start, last + 1))
                start = None
            if start is None:
                start = x
            last = x
    if start is not None:
        pieces.append((start, last + 1))
    speck = 0.3 * (y1 - y0)  # noise, a stray dot: no header of a column
    pieces = [(a, b) for a, b in pieces if b - a >= speck]
    if len(pieces) < 2:
        return [(box[0], box[2])]
    return [(float(x0 + a), float(x0 + b)) for a, b in pieces]


def dash_before(image: Any, box: Box) -> bool:
    """Does the word's leftmost ink look like a minus sign: a short bar in a thin band about
    mid-height, the rest of the word's height empty there? The recogniser can drop a faint
    minus that nearly touches the first digit ("-4" read "4" with a high score)."""
    import numpy as np

    grey = np.asarray(image)
    x0, y0, x1, y1 = (round(v) for v in box)
    crop = grey[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] < 170
    if crop.shape[0] < 6 or crop.shape[1] < 4:
        return False
    crop = crop[:, crop.mean(axis=0) < 0.85]  # a vertical ruling line crossing the box
    crop = crop[crop.mean(axis=1) < 0.9]  # a horizontal one
    rows = np.flatnonzero(crop.any(axis=1))
    cols = np.flatnonzero(crop.any(axis=0))
    if len(rows) < 6 or len(cols) < 4:
        return False
    top, height = rows[0], rows[-1] - rows[0] + 1
    width = max(2, round(0.3 * height))
    lead = crop[:, cols[0] : cols[0] + width]
    inked = np.flatnonzero(lead.any(axis=1))
    band = inked[-1] - inked[0] + 1
    middle = ((inked[0] + inked[-1]) / 2 - top) / height
    bar = bool((lead.mean(axis=1) >= 0.8).any())
    return bool(band <= 0.3 * height and 0.35 <= middle <= 0.75 and bar)


def ruled_between(image: Any, x0: float, x1: float, top: float, bottom: float) -> bool:
    """Does a vertical ruling line run from `top` to `bottom` somewhere in [x0, x1] (two
    pixels of slack each way)? Two values that nearly touch across it are two cells."""
    import numpy as np

    grey = np.asarray(image)
    a, b = sorted((x0, x1))
    t, bot = max(0, round(top)), max(0, round(bottom))
    band = grey[t:bot, max(0, round(a) - 2) : max(0, round(b) + 3)] < 170
    if band.size == 0 or bot - t < 4:
        return False
    # thin, blurred and stair-stepped after de-skewing: a pixel beside a dark one counts
    band[:, 1:] |= band[:, :-1].copy()
    band[:, :-1] |= band[:, 1:].copy()
    return bool((band.mean(axis=0) > 0.9).any())


def segments_across(
    rules: list[tuple[float, float, float, float]], x0: float, x1: float, top: float, bottom: float
) -> bool:
    """Do a text page's horizontal ruling segments at one height between `top` and `bottom`
    cover [x0, x1] (nine tenths of it: cells' borders are drawn piece by piece)?"""
    rows: dict[int, list[tuple[float, float]]] = {}
    for a, y0, b, y1 in rules:
        y = (y0 + y1) / 2
        if top <= y <= bottom and b > x0 and a < x1:
            rows.setdefault(round(y), []).append((max(a, x0), min(b, x1)))
    for pieces in rows.values():
        covered, end = 0.0, x0
        for a, b in sorted(pieces):
            if b > end:
                covered += b - max(a, end)
                end = b
        if covered >= 0.9 * (x1 - x0):
            return True
    return False
