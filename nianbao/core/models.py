"""Pydantic models of a report, generated from the layouts, and the canonical flat form.

A typed report mirrors the printed tables: `report.t3.denied.state_secret.natural` is the
cell whose canonical key is `t3.denied.state_secret.natural`. The canonical form
`{"meta": ..., "cells": {key: value}}` is what gold labels, exports and the rule engine use.
Provenance lives beside the values (in `Extraction`), never inside them.
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    create_model,
)

from nianbao.core.errors import CanonicalError
from nianbao.core.layout import LAYOUTS, Layout, Template, ValueKind, layout_for

SCHEMA_VERSION = "1"

CellValue = int | Decimal | None
Cells = dict[str, CellValue]

# Strict types so a count never silently becomes a float and "3" never becomes 3 in gold data.
_COUNT = Annotated[int | None, Field(strict=True, default=None)]
_AMOUNT = Annotated[Decimal | None, Field(default=None, allow_inf_nan=False)]


class Meta(BaseModel):
    """Who reported, on which year, in which layout."""

    model_config = ConfigDict(extra="forbid")

    organ: str | None = None
    year: int | None = Field(default=None, ge=1990, le=2100)
    template: Template


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _field_type(kind: ValueKind) -> Any:
    return _AMOUNT if kind is ValueKind.AMOUNT else _COUNT


def _nest(paths: dict[tuple[str, ...], Any], name: str) -> type[BaseModel]:
    """Build nested models from {("denied", "state_secret", "natural"): type}."""
    heads: dict[str, dict[tuple[str, ...], Any]] = {}
    leaves: dict[str, Any] = {}
    for path, typ in paths.items():
        if len(path) == 1:
            leaves[path[0]] = typ
        else:
            heads.setdefault(path[0], {})[path[1:]] = typ
    fields: dict[str, Any] = dict(leaves)
    for head, sub in heads.items():
        sub_model = _nest(sub, f"{name}_{head}")
        fields[head] = (sub_model, Field(default_factory=sub_model))
    return create_model(name, __base__=_Part, **fields)


@cache
def report_model(template: str) -> type[BaseModel]:
    """The typed report model of one template (built once from the layout)."""
    layout = layout_for(template)
    parts: dict[str, dict[tuple[str, ...], Any]] = {}
    for spec in layout.cells:
        path = tuple(spec.key.split("."))
        parts.setdefault(path[0], {})[path[1:]] = _field_type(spec.kind)
    fields: dict[str, Any] = {"meta": (Meta, ...)}
    for part, paths in parts.items():
        model = _nest(paths, f"{part.upper()}_{template}")
        fields[part] = (model, Field(default_factory=model))
    return create_model(f"Report{template}", __base__=_Part, **fields)


def _template_of(value: Any) -> str | None:
    meta = value.get("meta") if isinstance(value, dict) else getattr(value, "meta", None)
    if isinstance(meta, dict):
        return str(meta.get("template"))
    return getattr(meta, "template", None)


Report = Annotated[
    Annotated[report_model("2019"), Tag("2019")] | Annotated[report_model("2021"), Tag("2021")],
    Discriminator(_template_of),
]
ReportAdapter: TypeAdapter[Any] = TypeAdapter(Report)


def _coerce(key: str, kind: ValueKind, value: Any) -> CellValue:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CanonicalError(f"{key}: {value!r} is not a number")
    if kind is ValueKind.AMOUNT:
        if isinstance(value, (int, Decimal)):
            return Decimal(value)
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, str):
            try:
                return Decimal(value)
            except ArithmeticError:
                pass
        raise CanonicalError(f"{key}: {value!r} is not an amount")
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)) and value == int(value):
        return int(value)
    raise CanonicalError(f"{key}: {value!r} is not a whole number")


def validate_cells(template: str, cells: dict[str, Any]) -> Cells:
    """Exactly the template's keys, each with a value of the right type, in layout order."""
    layout = layout_for(template)
    expected = set(layout.keys)
    unknown = sorted(set(cells) - expected)
    missing = [k for k in layout.keys if k not in cells]
    problems = []
    if unknown:
        problems.append(
            f"unknown keys for template {template}: {', '.join(unknown[:5])}"
            + (f" (+{len(unknown) - 5} more)" if len(unknown) > 5 else "")
        )
    if missing:
        problems.append(
            f"missing keys for template {template}: {', '.join(missing[:5])}"
            + (f" (+{len(missing) - 5} more)" if len(missing) > 5 else "")
        )
    if problems:
        raise CanonicalError("; ".join(problems))
    return {spec.key: _coerce(spec.key, spec.kind, cells[spec.key]) for spec in layout.cells}


class CanonicalReport(BaseModel):
    """The flat form: meta plus one value per canonical key of the template."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    meta: Meta
    cells: dict[str, Any]

    def model_post_init(self, _context: Any) -> None:
        self.cells = validate_cells(self.meta.template, self.cells)

    @property
    def layout(self) -> Layout:
        return layout_for(self.meta.template)

    @classmethod
    def empty(cls, meta: Meta) -> CanonicalReport:
        return cls(meta=meta, cells=dict.fromkeys(layout_for(meta.template).keys))

    # -- typed <-> flat ---------------------------------------------------------------------
    @classmethod
    def from_typed(cls, report: BaseModel) -> CanonicalReport:
        meta: Meta = report.meta  # type: ignore[attr-defined]
        cells: dict[str, Any] = {}
        for key in layout_for(meta.template).keys:
            node: Any = report
            for attr in key.split("."):
                node = getattr(node, attr)
            cells[key] = node
        return cls(meta=meta, cells=cells)

    def to_typed(self) -> BaseModel:
        nested: dict[str, Any] = {"meta": self.meta.model_dump()}
        for key, value in self.cells.items():
            *heads, leaf = key.split(".")
            node = nested
            for head in heads:
                node = node.setdefault(head, {})
            node[leaf] = value
        return ReportAdapter.validate_python(nested)

    # -- JSON -------------------------------------------------------------------------------
    def to_json_dict(self) -> dict[str, Any]:
        """Plain JSON data: amounts as numbers (shortest repr keeps their decimals)."""
        return {
            "meta": self.meta.model_dump(),
            "cells": {k: _json_number(v) for k, v in self.cells.items()},
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_json_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_json_dict(cls, data: Any) -> CanonicalReport:
        """Read `{"meta", "cells", ...}`; other top-level keys (flags, provenance) are ignored."""
        if not isinstance(data, dict) or "meta" not in data or "cells" not in data:
            raise CanonicalError('expected a JSON object with "meta" and "cells"')
        if not isinstance(data["cells"], dict):
            raise CanonicalError('"cells" must be an object of canonical key -> value')
        try:
            return cls(meta=data["meta"], cells=data["cells"])
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            msg = str(first["msg"]).removeprefix("Value error, ")
            raise CanonicalError(f"{where}: {msg}" if where else msg) from None

    @classmethod
    def from_json(cls, text: str) -> CanonicalReport:
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise CanonicalError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
        return cls.from_json_dict(data)


def _json_number(value: CellValue) -> int | float | None:
    if isinstance(value, Decimal):
        return float(value)
    return value


# ---- provenance -----------------------------------------------------------------------------
class Alignment(StrEnum):
    """How a value was tied to the source text (as LangExtract's AlignmentStatus)."""

    EXACT = "exact"  # the quoted text is in the source verbatim
    FUZZY = "fuzzy"  # found after normalising whitespace/OCR variants
    NOT_FOUND = "not_found"  # the quote is not in the source: do not trust the value
    NONE = "none"  # no quote (e.g. a gold label)


class Method(StrEnum):
    """How an extractor came by a cell's value; stored and exported as the string."""

    READ = "read"  # printed in its place, read as is
    SEGMENTED = "segmented"  # cut out of a run of glued digits
    ALIGNED = "aligned"  # placed in a row printed with too few or too many values
    INFERRED = "inferred"  # not printed (or not readable); the identities pin it down
    BLANK = "blank"  # printed empty ("—", "/", ""): null is the reading, not a doubt
    MISSING = "missing"  # the row was not found in the source
    ABSENT = "absent"  # the row is not printed: nothing stands where it would (a null, proven)
    UNRESOLVED = "unresolved"  # found but could not be read
    AGREED = "agreed"  # the parser and the LLM read the same value (reconcile)
    REEXTRACTED = "reextracted"  # re-read by the LLM about a flagged row


class CellProvenance(BaseModel):
    """Where one value came from and how far to trust it."""

    model_config = ConfigDict(extra="forbid")

    extractor: str  # "parser", "llm:<model>", "gold", "review"
    span: tuple[int, int] | None = None  # [start, end) character offsets in the source text
    snippet: str | None = None
    method: Method = Method.READ
    alignment: Alignment = Alignment.NONE
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    notes: list[str] = Field(default_factory=list)  # why the cell needs a look, if it does
    # other readings the text supports (e.g. several segmentations of glued digits)
    alternatives: list[int | Decimal | None] = Field(default_factory=list)
    # where the value sits on the page, for a source read from positioned words (PDF, scan):
    # 1-based page and (x0, y0, x1, y1) as fractions of the page's size, top-left origin
    page: int | None = Field(default=None, ge=1)
    box: tuple[float, float, float, float] | None = None


class Extraction(BaseModel):
    """One extractor's reading of one source: values, per-cell provenance, cells to review."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    report: CanonicalReport
    provenance: dict[str, CellProvenance] = Field(default_factory=dict)
    flags: list[str] = Field(default_factory=list)  # canonical keys needing a person's look
    extractor: str  # backend name, e.g. "parser" or "llm"
    extractor_version: str = ""  # parser version / prompt version, model
    source_name: str | None = None
    # The keys this reading covers when it answers only some rows (a targeted LLM
    # re-extraction); outside them its values are another reading's, copied. None: all.
    scope: list[str] | None = None
    # what the extraction cost: calls, cached_calls, input_tokens, output_tokens,
    # cost_usd, seconds (the parser fills only seconds)
    usage: dict[str, float] = Field(default_factory=dict)


def typed_json_schema() -> dict[str, Any]:
    """JSON schema of the typed (nested) report, both templates, discriminated by template."""
    return ReportAdapter.json_schema()


def _cell_schema(kind: ValueKind) -> dict[str, Any]:
    if kind is ValueKind.AMOUNT:
        return {"type": ["number", "null"], "minimum": 0}
    if kind is ValueKind.SIGNED:
        return {"type": ["integer", "null"]}
    return {"type": ["integer", "null"], "minimum": 0}


def canonical_json_schema() -> dict[str, Any]:
    """JSON schema of the canonical flat form: exactly the template's keys, one branch each."""
    branches = []
    for template, layout in LAYOUTS.items():
        meta = Meta.model_json_schema()
        meta["properties"]["template"] = {"const": template}
        branches.append(
            {
                "type": "object",
                "properties": {
                    "meta": meta,
                    "cells": {
                        "type": "object",
                        "properties": {s.key: _cell_schema(s.kind) for s in layout.cells},
                        "required": list(layout.keys),
                        "additionalProperties": False,
                    },
                },
                "required": ["meta", "cells"],
            }
        )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"nianbao canonical report (schema version {SCHEMA_VERSION})",
        "oneOf": branches,
    }


class ReportStatus(StrEnum):
    """The verdict on one report (see docs/pipeline.md and `rules.verdict`)."""

    ACCEPTED = "accepted"  # every cell verified: no person needs to look
    NEEDS_REVIEW = "needs_review"  # at least one cell is flagged
    FAILED = "failed"  # the file could not be read or extracted


__all__ = [
    "SCHEMA_VERSION",
    "Alignment",
    "CanonicalReport",
    "CellProvenance",
    "CellValue",
    "Cells",
    "Extraction",
    "Meta",
    "Method",
    "Report",
    "ReportAdapter",
    "ReportStatus",
    "canonical_json_schema",
    "report_model",
    "typed_json_schema",
    "validate_cells",
]
