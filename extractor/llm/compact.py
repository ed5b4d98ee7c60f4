"""The compact request and answer (prompts v2): fewer tokens for the same reading.

Instead of a JSON schema per row type and a labelled row list per request, one request asks
for every row of the report (with the organ and year), the rows listed by key per part with
their columns once, and the answer is one array per row: `[key, quote, value, ...]` in the
columns' order. The answer is validated here (keys, lengths, types) and instructor re-asks
with the error, as for the v1 models.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator

from extractor.llm.responses import RowReading, compact_schema, drop_unknown
from extractor.llm.units import RowSpec, Unit
from nianbao.core.errors import AnswerCutOff
from nianbao.core.layout import ValueKind

Value = str | int | float | None


def _minimal_schema(schema: dict[str, Any]) -> None:
    """Only the shape: the prompt says what each part means, and instructor puts this schema
    into every request."""
    compact_schema(schema)
    schema["properties"] = {
        "organ": {"type": ["string", "null"]},
        "year": {"type": ["integer", "null"]},
        "rows": {"type": "array", "items": {"type": "array"}},
    }
    schema.pop("additionalProperties", None)


def _shape_only(schema: dict[str, Any]) -> None:
    """Prompts v3 say the answer's shape in the system prompt: instructor's JSON-mode text
    then carries only `{"type": "object"}` instead of a schema repeated in every request."""
    schema.clear()
    schema["type"] = "object"


class CompactAnswer(BaseModel):
    """`{"organ": ..., "year": ..., "rows": [[key, quote, v1, v2, ...], ...]}`."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_minimal_schema)
    specs: ClassVar[dict[str, RowSpec]] = {}  # set per unit by compact_model

    # no descriptions: the prompt says it once; the schema goes into every request
    organ: str | None = None
    year: int | None = Field(default=None, ge=1990, le=2100)
    rows: list[list[Any]]

    @model_validator(mode="after")
    def _rows_fit(self) -> CompactAnswer:
        drop_unknown(self)
        specs = type(self).specs
        problems: list[str] = []
        seen: list[str] = []
        for row in self.rows:
            if len(row) < 2 or not isinstance(row[0], str) or not _values_ok(row):
                problems.append(f"{row!r}: each row is [key, quote, values...]")
                continue
            key = row[0]
            spec = specs.get(key)
            if spec is None:
                problems.append(f"{key}: not a row asked for")
                continue
            seen.append(key)
            problems += _row_problems(spec, row)
        missing = [k for k in specs if k not in seen]
        dupes = sorted({k for k in seen if seen.count(k) > 1})
        if missing:
            problems.append(f"rows missing: {', '.join(missing)} (give every row asked)")
        if dupes:
            problems.append(f"rows given twice: {', '.join(dupes)}")
        if problems:
            raise ValueError("; ".join(problems[:6]))
        return self


def _values_ok(row: list[Any]) -> bool:
    return all(v is None or isinstance(v, (str, int, float)) for v in row)


def _row_problems(spec: RowSpec, row: list[Value]) -> list[str]:
    key, quote, values = row[0], row[1], row[2:]
    if len(values) != len(spec.cells):
        wanted = f"{len(spec.cells)} values ({', '.join(spec.columns)})"
        return [f"{key}: {wanted} expected, got {len(values)}"]
    problems = []
    if quote is not None and not isinstance(quote, str):
        problems.append(f"{key}: the second item is the quote (text)")
    for cell, value in zip(spec.cells, values, strict=True):
        if value is None:
            continue
        if cell.kind is ValueKind.AMOUNT:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
        elif cell.kind is ValueKind.SIGNED:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        if not ok:
            problems.append(f"{key}.{cell.column}: {value!r} is not a valid {cell.kind.value}")
    if any(v is not None for v in values) and not (isinstance(quote, str) and quote.strip()):
        problems.append(f"{key}: give the quote of the source text it was read from")
    return problems


class TerseAnswer(CompactAnswer):
    """The compact answer of prompts v3: the same checks, the shape said by the prompt."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_shape_only)


@cache
def compact_model(unit: Unit, terse: bool = False) -> type[CompactAnswer]:
    """The answer model of a unit (its rows' keys and columns checked)."""
    base: type[CompactAnswer] = TerseAnswer if terse else CompactAnswer
    model = cast(type[CompactAnswer], type("Answer", (base,), {"__module__": __name__}))
    model.specs = {r.key: r for r in unit.rows}
    return model


LONG_FORM = ("v1", "v2")  # prompt versions that send the text as is, with a schema


def terse(version: str) -> bool:
    """Prompts v3 on: whitespace runs squeezed, the answer's shape said only by the prompt."""
    return version not in LONG_FORM


_BREAK_RUN = re.compile(r"[^\S\n]*\n\s*")  # a run of whitespace holding a line break
_SPACE_RUN = re.compile(r"[^\S\n]+")  # spaces, tabs, ideographic spaces


def squeeze(text: str) -> str:
    """Every run of whitespace as one character: a line break if it holds one, else a space.
    Every other character stays, so a token boundary stays a boundary; quotes copied from
    the squeezed text are located in the same squeezed view of the source
    (extractor.llm.grounding.locate)."""
    return _SPACE_RUN.sub(" ", _BREAK_RUN.sub("\n", text)).strip()


def compact_readings(answer: CompactAnswer, unit: Unit) -> list[RowReading]:
    """The rows of a validated compact answer as canonical cells, in the unit's order."""
    by_key = {str(row[0]): row for row in answer.rows}
    out = []
    for spec in unit.rows:
        row = by_key[spec.key]
        cells = {
            cell.key: _value(cell.kind, value)
            for cell, value in zip(spec.cells, row[2:], strict=True)
        }
        out.append(RowReading(row=spec.key, cells=cells, quote=str(row[1] or "")))
    return out


def _value(kind: ValueKind, value: Value) -> Any:
    if value is None:
        return None
    if kind is ValueKind.AMOUNT:
        return Decimal(str(value))
    return int(value)


def _grouped(names: list[str]) -> list[str]:
    """Consecutive keys sharing a prefix written once: "denied.{state_secret query}"."""
    out: list[str] = []
    i = 0
    while i < len(names):
        prefix = names[i].rsplit(".", 1)[0] if "." in names[i] else None
        j = i
        while j < len(names) and prefix and names[j].startswith(prefix + "."):
            j += 1
        if prefix and j - i >= 2:
            out.append(f"{prefix}.{{{' '.join(n[len(prefix) + 1 :] for n in names[i:j])}}}")
            i = j
        else:
            out.append(names[i])
            i += 1
    return out


def describe_unit(unit: Unit, *, grouped: bool = False) -> str:
    """The compact row list: per part, the columns once and the row keys in printed order
    (`grouped`, prompts v3: keys sharing a prefix written as "denied.{a b}", rows side by
    side with the same columns as "license,penalty[decisions]")."""
    lines = []
    for part in unit.parts:
        rows = [r for r in unit.rows if r.part == part]
        shared = len({r.columns for r in rows}) == 1
        names = [r.key.split(".", 1)[1] for r in rows]
        if shared:
            lines.append(f"columns {part}: {' '.join(rows[0].columns)}")
            lines.append(f"rows {part}: {' '.join(_grouped(names) if grouped else names)}")
        elif grouped:  # rows side by side with the same columns share them: "a,b[x,y]"
            runs: list[tuple[list[str], tuple[str, ...]]] = []
            for n, r in zip(names, rows, strict=True):
                if runs and runs[-1][1] == r.columns:
                    runs[-1][0].append(n)
                else:
                    runs.append(([n], r.columns))
            lines.append(
                f"rows {part}: " + " ".join(f"{','.join(ns)}[{','.join(c)}]" for ns, c in runs)
            )
        else:
            lines.append(
                f"rows {part}: "
                + " ".join(f"{n}[{','.join(r.columns)}]" for n, r in zip(names, rows, strict=True))
            )
    return "\n".join(lines)


# -- requests ------------------------------------------------------------------------------
CONTEXT_LINES = 1  # lines kept around each row's place in a re-ask's text window
REACH_CHARS = 120  # ... but at most this many characters either side of it
TERSE_REACH = 60  # prompts v3: a row's label and numbers fit in this either side
LABEL_REACH = 20  # a label printed apart from its values: its line, this much either side


def reach_for(version: str) -> int:
    """Characters kept either side of a row's place in a re-ask or targeted window."""
    return TERSE_REACH if terse(version) else REACH_CHARS


# An answer cut off at max_tokens (a verbose model, one that thinks aloud) is asked again in
# halves, then quarters: at most 1 + 2 + 4 requests; a quarter still cut off fails the report
SPLITS_ON_CUTOFF = 2


def split_on_cutoff(
    unit: Unit,
    ask: Callable[[Unit], tuple[CompactAnswer, list[RowReading]]],
    splits: int = SPLITS_ON_CUTOFF,
) -> tuple[CompactAnswer, list[RowReading]]:
    """`ask(unit)`, or, when its answer is cut off at max_tokens, `ask` of each half of the
    unit's rows in order (the first half's answer carries the organ and year)."""
    try:
        return ask(unit)
    except AnswerCutOff:
        if splits <= 0 or len(unit.rows) < 2:
            raise
    half = len(unit.rows) // 2
    parts = [
        Unit(f"{unit.name}[{n}/2]", unit.template, rows)
        for n, rows in ((1, unit.rows[:half]), (2, unit.rows[half:]))
    ]
    answers = [split_on_cutoff(part, ask, splits - 1) for part in parts]
    first = next((a for a, _ in answers if a.organ or a.year), answers[0][0])
    return first, [row for _, rows in answers for row in rows]


def ask_compact(
    session: Any, unit: Unit, text: str, version: str, *, targeted: bool = False
) -> tuple[CompactAnswer, list[RowReading]]:
    """One compact request for a unit's rows (and the organ and year); in parts when the
    answer does not fit in max_tokens (`split_on_cutoff`)."""
    return split_on_cutoff(
        unit, lambda part: _ask_compact_once(session, part, text, version, targeted)
    )


def _ask_compact_once(
    session: Any, unit: Unit, text: str, version: str, targeted: bool
) -> tuple[CompactAnswer, list[RowReading]]:
    from extractor.llm.prompts import load_prompt, render

    prompt = "reextract" if targeted else "read"
    short = terse(version)
    messages = [
        {"role": "system", "content": load_prompt("system", version)},
        {
            "role": "user",
            "content": render(
                prompt,
                version,
                template=unit.template,
                rows=describe_unit(unit, grouped=short),
                text=squeeze(text) if short else text,
            ),
        },
    ]
    answer = session.ask(compact_model(unit, short), messages)
    assert isinstance(answer, CompactAnswer)
    return answer, compact_readings(answer, unit)


def reask_compact(
    session: Any,
    unit: Unit,
    text: str,
    version: str,
    previous: list[RowReading],
    problems: list[str],
) -> list[RowReading]:
    """A standalone re-ask: the problems, the earlier rows and only the text where they are
    printed (not the whole conversation again); in parts when the answer does not fit."""
    import json

    from extractor.llm.prompts import load_prompt, render

    short = terse(version)
    by_row = {r.row: r for r in previous}

    def ask(part: Unit) -> tuple[CompactAnswer, list[RowReading]]:
        # v3: the earlier rows without their quotes (a quote that failed is named in its
        # problem already), and at most PROBLEMS_PER_ROW problems per row
        earlier = json.dumps(
            [
                [r.row, None if short else r.quote, *(_plain(v) for v in r.cells.values())]
                for r in (by_row[spec.key] for spec in part.rows if spec.key in by_row)
            ],
            ensure_ascii=False,
        )
        shown = fewer_problems(problems, (r.key for r in part.rows)) if short else problems
        messages = [
            {"role": "system", "content": load_prompt("system", version)},
            {
                "role": "user",
                "content": render(
                    "reask",
                    version,
                    problems="\n".join(f"- {p}" for p in shown),
                    previous=earlier,
                    rows=describe_unit(part, grouped=short),
                    text=squeeze(text) if short else text,
                ),
            },
        ]
        answer = session.ask(compact_model(part, short), messages)
        assert isinstance(answer, CompactAnswer)
        return answer, compact_readings(answer, part)

    return split_on_cutoff(unit, ask)[1]


PROBLEMS_PER_ROW = 2
_ROW_KEY = re.compile(r"\bt[234]\.[a-z_]+(?:\.[a-z_]+)*")


def fewer_problems(
    problems: list[str], rows: Iterable[str], per_row: int = PROBLEMS_PER_ROW
) -> list[str]:
    """At most `per_row` problems about the same row (of `rows`), then how many more there
    are; broken equations and anything not about one row are all kept."""
    rows = sorted(rows, key=len, reverse=True)
    out: list[str] = []
    extra: dict[str, int] = {}
    seen: dict[str, int] = {}
    for problem in problems:
        keys = _ROW_KEY.findall(problem)
        row = next(
            (r for r in rows if keys and (keys[0] == r or keys[0].startswith(r + "."))), None
        )
        if "[" in problem.split(":", 1)[0] or len(keys) != 1 or row is None:
            out.append(problem)  # an equation, or not about one row
            continue
        seen[row] = seen.get(row, 0) + 1
        if seen[row] <= per_row:
            out.append(problem)
        else:
            extra[row] = extra.get(row, 0) + 1
    out += [f"{row}: {n} more such problems" for row, n in extra.items()]
    return out


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def line_window(
    source: str,
    spans: list[tuple[int, int]],
    context: int = CONTEXT_LINES,
    reach: int = REACH_CHARS,
) -> str:
    """The stretches of `source` around the spans: `context` lines either side, but never
    more than `reach` characters beyond a span (a web page may be one long line). Stretches
    are joined in order, '…' between those apart; '' when there are no spans."""
    return join_pieces(source, window_pieces(source, spans, context, reach))


def join_pieces(source: str, pieces: list[tuple[int, int]]) -> str:
    """The stretches [a, b) of `source`, overlapping ones merged, in order, '…' between."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(pieces):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return "\n…\n".join(source[a:b] for a, b in merged)


def label_pieces(
    source: str,
    pieces: list[tuple[int, int]],
    labels: list[tuple[int, int] | None],
    reach: int = LABEL_REACH,
) -> list[tuple[int, int]]:
    """Stretches for the row labels no piece already shows (labels printed apart from their
    values): the label's own line, at most `reach` characters either side of it."""
    out: list[tuple[int, int]] = []
    for span in labels:
        if span is None or any(a <= span[0] and span[1] <= b for a, b in pieces):
            continue
        out += window_pieces(source, [span], 0, reach)
    return out


def window_pieces(
    source: str,
    spans: list[tuple[int, int]],
    context: int = CONTEXT_LINES,
    reach: int = REACH_CHARS,
) -> list[tuple[int, int]]:
    """The [a, b) stretches of `line_window`, not yet joined."""
    pieces: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        a = source.rfind("\n", 0, start) + 1  # the span's line, then `context` lines back
        for _ in range(context):
            a = source.rfind("\n", 0, max(0, a - 1)) + 1 if a > 0 else 0
        b = source.find("\n", max(start, end - 1))  # the end of the span's last line ...
        b = len(source) if b < 0 else b
        for _ in range(context):
            nxt = source.find("\n", b + 1)
            b = len(source) if nxt < 0 or b >= len(source) else nxt
        pieces.append((max(a, start - reach), min(b, end + reach)))
    return pieces
