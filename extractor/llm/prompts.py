"""Versioned prompt files from the `prompts` package, rendered with the unit's rows.

A prompt is ``prompts/<name>.<version>.md`` (an HTML comment header names it); the row
lists inside it are generated from the layout here, never written into the files.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from string import Template

from extractor.llm.units import RowSpec, Unit
from nianbao.core.errors import BackendError

_HEADER = re.compile(r"^<!--.*?-->\s*", re.S)
# a version's prompts not written anew are its predecessor's (the version is in every cache
# key either way)
INHERITS = {"v2": "v1", "v3": "v2"}


@cache
def load_prompt(name: str, version: str) -> str:
    """The text of prompts/<name>.<version>.md without its header comment."""
    try:
        text = resources.files("prompts").joinpath(f"{name}.{version}.md").read_text("utf-8")
    except FileNotFoundError:
        if version in INHERITS:  # a prompt a version did not change (e.g. meta in v2)
            return load_prompt(name, INHERITS[version])
        raise BackendError(f"prompt {name!r} version {version!r} not found in prompts/") from None
    return _HEADER.sub("", text, count=1).strip() + "\n"


def render(name: str, version: str, **values: str) -> str:
    """Fill a prompt's $placeholders; a missing value is a programming error (KeyError)."""
    return Template(load_prompt(name, version)).substitute(**values)


def describe_row(row: RowSpec) -> str:
    """One line of the row list: key, printed label, and its columns with their labels."""
    cols = ", ".join(f"{c.column} ({c.column_label})" for c in row.cells)
    return f"- {row.key}: {row.printed_label} | columns: {cols}"


def describe_rows(unit: Unit) -> str:
    return "\n".join(describe_row(r) for r in unit.rows)


def guidance(unit: Unit, version: str) -> str:
    """The part-specific reading notes of every part the unit touches."""
    return "\n".join(load_prompt(f"part_{part}", version) for part in unit.parts)


def rows_prompt(unit: Unit, text: str, version: str, *, targeted: bool = False) -> str:
    """The user message asking for a unit's rows (targeted: the re-extraction wording)."""
    return render(
        "reextract" if targeted else "extract",
        version,
        template=unit.template,
        guidance=guidance(unit, version),
        rows=describe_rows(unit),
        text=text,
    )
