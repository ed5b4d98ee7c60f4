"""The extractor interface: a source document in, an `Extraction` out.

Every backend (the deterministic parser, the LLM) implements `Extractor`; the CLI, the
pipeline and the eval harness only speak to this interface, through `extractor.registry`.
A new backend is a new subpackage of `extractor/` implementing it, named in the registry.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from nianbao.core.document import SourceDocument
from nianbao.core.models import Extraction


@runtime_checkable
class Extractor(Protocol):
    """A backend that reads every table cell of a report."""

    name: str  # "parser", "llm"
    version: str  # parser version or prompt version: goes into every result and cache key

    def extract(self, doc: SourceDocument) -> Extraction:
        """Read meta and every cell; flag what needs a person's look. Raises SourceError."""
        ...
