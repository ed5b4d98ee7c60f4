"""Positioned words: the one shape every reader with geometry yields.

A box is (x0, y0, x1, y1) in page units with the origin at the top left (PDF points for a
text PDF, pixels for a page image). `score` is the recogniser's confidence (1.0 for a text
layer). Anchors tie spans of the text the parser reads back to a page and a box.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

Box = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Word:
    """One word on one page: text, box (top-left origin) and recognition score."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float = 1.0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class PageWords:
    """The words of one page and the page's size in the words' units."""

    index: int  # 0-based page number
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    source: str = "text"  # "text" (a PDF's text layer) or "ocr"
    # grey page image as rows of 0-255 (OCR pages only): lets the grid builder check that
    # a cell with no recognised word holds no ink before it calls the cell blank
    ink: object | None = None
    # OCR pages: read one cell's box again at full effort -> (text, score), or None. The grid
    # builder asks it for a cell that holds ink the page's reading did not catch
    reread: Callable[[Box], tuple[str, float] | None] | None = None
    # OCR pages: read values' boxes again as numbers (alone, not as page lines), look-alikes'
    # probabilities pooled (ocr.recognise_digits): second readings that can confirm first
    # ones the recogniser was unsure of. A page's boxes come in one list (one batch)
    confirm: Callable[[list[Box]], list[tuple[str, float] | None]] | None = None
    # text pages: the horizontal ruling segments the PDF draws (boxes, top-left origin), so a
    # row printed with every cell empty can be told from a wrapped label by the lines
    rules: list[Box] | None = None
    # text pages: the vertical ruling segments (cell borders): two header words with one
    # between them belong to two cells however close they are printed
    uprights: list[Box] | None = None
    upright_index: object | None = field(default=None, repr=False, compare=False)  # grid's


@dataclass(frozen=True, slots=True)
class Anchor:
    """A span [start, end) of the built text, where it sits on the page and how sure."""

    start: int
    end: int
    page: int  # 0-based
    box: Box  # as fractions of the page's width and height, top-left origin
    score: float = 1.0
    blank: bool = False  # an empty grid cell (the text holds a printed-blank placeholder)
    dash: bool = False  # a mark like a minus sign left of digits read without one


@dataclass(frozen=True)
class Geometry:
    """Every value anchor of a document built from positioned words, sorted by start."""

    anchors: tuple[Anchor, ...]
    source: str = "text"  # "text" or "ocr": how the words were read
    pages: int = 0

    def covering(self, start: int, end: int) -> list[Anchor]:
        """The anchors that overlap [start, end) (an empty span: the anchor holding it)."""
        starts = [a.start for a in self.anchors]
        out: list[Anchor] = []
        i = max(0, bisect_right(starts, start) - 1)
        while i < len(self.anchors) and self.anchors[i].start <= max(start, end - 1):
            a = self.anchors[i]
            if (a.start < max(end, start + 1) and a.end > start) or a.start == start:
                out.append(a)
            i += 1
        return out


def union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
