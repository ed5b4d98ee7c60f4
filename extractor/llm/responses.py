"""Response models for instructor, generated from a unit's rows (never hand-listed).

An answer is ``{"rows": [{"row": "t3.new", "natural": 7, ..., "total": 8, "quote": "..."}]}``:
rows keep their canonical keys, cells their canonical column names, and each row carries
the source text it was read from. Rows with the same columns share one model, so the JSON
schema sent to the model stays small.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import GenericAlias
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from extractor.llm.units import RowSpec, Unit
from nianbao.core.layout import ValueKind
from nianbao.core.models import CellValue


def compact_schema(schema: dict[str, Any]) -> None:
    """Drop what the model does not need from a JSON schema (field titles, null defaults,
    `anyOf [T, null]` written as `type: [T, "null"]`): the schema goes into every prompt.
    The model's own title stays: tools mode names the function after it."""
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
        if "default" in prop and prop["default"] is None:
            del prop["default"]
        options = prop.get("anyOf")
        if options and len(options) == 2 and {"type": "null"} in options:
            (other,) = [o for o in options if o != {"type": "null"}]
            if isinstance(other.get("type"), str):
                del prop["anyOf"]
                prop.update(other)
                prop["type"] = [other["type"], "null"]
                if "enum" in prop:
                    prop["enum"] = [*prop["enum"], None]


# Unknown keys are accepted and dropped (logged), never fatal: see `drop_unknown`.
_COMPACT = ConfigDict(extra="allow", json_schema_extra=compact_schema)
_log = logging.getLogger("nianbao.llm")


def drop_unknown(model: BaseModel) -> None:
    """Keys the model does not know (a note, a confidence, a misspelt column) are logged and
    left out: one stray key must not fail a whole report. A misspelt column then reads as
    null, which the grounding flags."""
    extra = model.__pydantic_extra__
    if extra:
        _log.info("ignored unknown keys in the model's answer: %s", ", ".join(sorted(extra)))
        extra.clear()


class RowAnswerBase(BaseModel):
    """One row as read: its cells (added per layout) and the quoted source text."""

    model_config = _COMPACT

    quote: str = Field(
        default="",
        description="the exact source text this row was read from: label and numbers",
    )

    @model_validator(mode="after")
    def _quote_when_read(self) -> RowAnswerBase:
        drop_unknown(self)
        values = [v for k, v in self.__dict__.items() if k not in ("row", "quote")]
        if any(v is not None for v in values) and not self.quote.strip():
            raise ValueError(f"row {self.row}: give the quote of the source text it was read from")  # type: ignore[attr-defined]
        return self

    def values(self) -> dict[str, CellValue]:
        """{column name: value} in the model's column order."""
        return {k: v for k, v in self.__dict__.items() if k not in ("row", "quote")}


def _cell_type(kind: ValueKind, label: str) -> Any:
    if kind is ValueKind.AMOUNT:
        return Annotated[Decimal | None, Field(default=None, ge=0, description=f"{label}, 万元")]
    if kind is ValueKind.SIGNED:
        return Annotated[int | None, Field(default=None, description=label)]
    return Annotated[int | None, Field(default=None, ge=0, description=label)]


def _row_model(rows: tuple[RowSpec, ...], name: str) -> type[RowAnswerBase]:
    first = rows[0]
    fields: dict[str, Any] = {
        "row": (Literal[tuple(r.key for r in rows)], Field(description="the row's key")),
    }
    for cell in first.cells:
        fields[cell.column] = _cell_type(cell.kind, cell.column_label)
    return create_model(name, __base__=RowAnswerBase, **fields)


class AnswerBase(BaseModel):
    """Every asked row exactly once."""

    model_config = _COMPACT
    expected_rows: ClassVar[tuple[str, ...]] = ()  # set per unit by answer_model

    @model_validator(mode="after")
    def _every_row_once(self) -> AnswerBase:
        drop_unknown(self)
        got = [r.row for r in self.rows]  # type: ignore[attr-defined]
        expected = type(self).expected_rows
        dupes = sorted({k for k in got if got.count(k) > 1})
        missing = [k for k in expected if k not in got]
        problems = []
        if dupes:
            problems.append(f"rows given twice: {', '.join(dupes)}")
        if missing:
            problems.append(
                f"rows missing: {', '.join(missing)} (give every row; all values null and an "
                "empty quote when the report does not print it)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


@dataclass(frozen=True)
class RowReading:
    """One row as the model read it, converted to canonical cells."""

    row: str
    cells: dict[str, CellValue]  # canonical key -> value
    quote: str


@cache
def answer_model(unit: Unit) -> type[BaseModel]:
    """The instructor response model of a unit: a list of its rows, each typed by its columns."""
    by_columns: dict[tuple[tuple[str, ValueKind], ...], list[RowSpec]] = {}
    for row in unit.rows:
        signature = tuple((c.column, c.kind) for c in row.cells)
        by_columns.setdefault(signature, []).append(row)
    tag = unit.name.replace("[", "_").replace("/", "of").replace("]", "").replace(".", "_")
    models = [
        _row_model(tuple(rows), f"Row_{tag}_{unit.template}_{n}")
        for n, rows in enumerate(by_columns.values(), 1)
    ]
    item: Any = (
        models[0]
        if len(models) == 1
        else Annotated[Union[tuple(models)], Field(discriminator="row")]  # noqa: UP007
    )
    # list[item], spelled so that a type checker does not read the variable `item` as a type
    described = Field(description="every asked row, in the order asked")
    rows: Any = (GenericAlias(list, (item,)), described)
    model = create_model(
        f"Answer_{tag}_{unit.template}",
        __base__=AnswerBase,
        rows=rows,
    )
    model.expected_rows = tuple(r.key for r in unit.rows)
    return model


def readings(answer: BaseModel) -> list[RowReading]:
    """The rows of a validated answer as canonical cells."""
    out = []
    for row in answer.rows:  # type: ignore[attr-defined]
        cells = {f"{row.row}.{col}": value for col, value in row.values().items()}
        out.append(RowReading(row=row.row, cells=cells, quote=row.quote))
    return out


class MetaAnswer(BaseModel):
    """Who reported on which year, in which layout, and the text it was read from."""

    model_config = _COMPACT

    @model_validator(mode="after")
    def _known_keys(self) -> MetaAnswer:
        drop_unknown(self)
        return self

    organ: str | None = Field(default=None, description="the reporting body, as named")
    year: int | None = Field(default=None, ge=1990, le=2100, description="the year reported on")
    template: Literal["2019", "2021"] | None = Field(default=None, description="table layout")
    quote: str = Field(default="", description="source text the organ and year were read from")
