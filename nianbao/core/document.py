"""The source document: the decoded text of one report, as every reader returns it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


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

    @classmethod
    def from_text(cls, name: str, text: str, media: str = "txt") -> SourceDocument:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(name=name, text=text, media=media, sha256=digest)
