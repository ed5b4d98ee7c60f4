"""The extractor interface: a source document in, an `Extraction` out.

Every backend (the deterministic parser, the LLM) implements `Extractor`; the CLI, the
pipeline and the eval harness only speak to this interface, through `extractor.registry`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from extractor.models import Extraction


class ExtractorError(ValueError):
    """An error a user can act on; the CLI prints its message as one line and exits 2."""


class SourceError(ExtractorError):
    """A file that is no readable annual report: the message names the file and the reason."""


class BackendError(ExtractorError):
    """A backend that cannot work: missing key, unreachable endpoint, bad configuration."""


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


@runtime_checkable
class Extractor(Protocol):
    """A backend that reads every table cell of a report."""

    name: str  # "parser", "llm"
    version: str  # parser version or prompt version: goes into every result and cache key

    def extract(self, doc: SourceDocument) -> Extraction:
        """Read meta and every cell; flag what needs a person's look. Raises SourceError."""
        ...
