"""Backends by name, imported lazily so the parser never loads an LLM client."""

from __future__ import annotations

import importlib
from typing import Any

from extractor.base import Extractor

# name -> "module:factory"; the factory takes keyword options and returns an Extractor.
BACKENDS: dict[str, str] = {
    "parser": "extractor.parser:ParserExtractor",
    "llm": "extractor.llm:LLMExtractor",
}


def get_extractor(name: str, **options: Any) -> Extractor:
    """The backend called `name`; ValueError naming the known ones for anything else."""
    try:
        target = BACKENDS[name]
    except KeyError:
        raise ValueError(
            f"unknown backend {name!r}: expected one of {', '.join(BACKENDS)}"
        ) from None
    module_name, factory = target.split(":")
    module = importlib.import_module(module_name)
    return getattr(module, factory)(**options)
