"""The source document: the decoded text of one report, as every reader returns it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SourceDocument:
    """The decoded text of one report. Every provenance span indexes into `text`."""

    name: str  # the input's file name (or another stable id)
    text: str
    media: str = "txt"  # "txt", "md", "html", "docx", "pdf"
    path: Path | None = None
    sha256: str = field(default="")  # of the raw bytes; identifies the content in the store
    # spans of `text` where undecodable bytes were replaced by U+FFFD (extractor.damage)
    damaged: tuple[tuple[int, int], ...] = ()
    # where the text's values sit on the pages (an extractor.geometry.words.Geometry), for a
    # source read from positioned words (a PDF, a scan); None for text without geometry
    geometry: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def from_text(cls, name: str, text: str, media: str = "txt") -> SourceDocument:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(name=name, text=text, media=media, sha256=digest)
