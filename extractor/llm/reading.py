"""Ask for a unit's rows and turn the answers into cells with provenance.

The conversation of one request: our system prompt, the rows prompt with the report text,
and, for an identity re-ask, the previous answer and the broken equations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from extractor.llm.client import Session
from extractor.llm.grounding import NormalText, ground, locate, value_in_quote
from extractor.llm.prompts import describe_rows, load_prompt, render, rows_prompt
from extractor.llm.responses import RowReading, answer_model, readings
from extractor.llm.units import Unit
from nianbao.core.models import Alignment, CellProvenance, CellValue


@dataclass
class Reading:
    """Every row read so far for one report, with its grounding."""

    source: str
    extractor: str  # "llm:<model>"
    rows: dict[str, RowReading] = field(default_factory=dict)
    provenance: dict[str, CellProvenance] = field(default_factory=dict)
    _normal: NormalText | None = None

    @property
    def normal(self) -> NormalText:
        if self._normal is None:
            self._normal = NormalText(self.source)
        return self._normal

    def cells(self) -> dict[str, CellValue]:
        return {k: v for r in self.rows.values() for k, v in r.cells.items()}

    def alignment(self, row: RowReading) -> Alignment:
        return locate(row.quote, self.source, self.normal).alignment

    def grounding_problems(self, row: RowReading) -> list[str]:
        """Why a row read with values is not grounded: its quote is not in the source, or
        does not show a value. Empty for a grounded row and for a row read as not printed."""
        if all(v is None for v in row.cells.values()):
            return []
        if self.alignment(row) is Alignment.NOT_FOUND:
            return [f"your quote for {row.row}, {row.quote!r}, is not in the report"]
        return [
            f"your quote for {key}, {row.quote!r}, does not show the value {value}"
            for key, value in row.cells.items()
            if not value_in_quote(value, row.quote)
        ]

    def grounded(self, row: RowReading) -> bool:
        """The row's quote is in the source and shows every value the row gives."""
        return not self.grounding_problems(row)

    def source_quote(self, row: RowReading) -> str:
        """The source text a row was located at (whitespace collapsed), else the model's quote."""
        found = locate(row.quote, self.source, self.normal)
        if found.span is None:
            return f"{row.quote or '(no quote)'} (not found in the report)"
        return " ".join(self.source[found.span[0] : found.span[1]].split())

    def put(self, row: RowReading, extra_notes: list[str] | None = None) -> None:
        """Store a row and its provenance (replacing an earlier reading of it)."""
        self.rows[row.row] = row
        for key, prov in ground(row, self.source, self.extractor, self.normal).items():
            if extra_notes:
                prov.notes.extend(extra_notes)
            self.provenance[key] = prov


def base_messages(unit: Unit, text: str, version: str, *, targeted: bool) -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": load_prompt("system", version)},
        {"role": "user", "content": rows_prompt(unit, text, version, targeted=targeted)},
    ]


def ask_rows(
    session: Session, unit: Unit, text: str, version: str, *, targeted: bool = False
) -> list[RowReading]:
    """The model's reading of a unit's rows (validated, re-asked by instructor if invalid)."""
    answer = session.ask(answer_model(unit), base_messages(unit, text, version, targeted=targeted))
    return readings(answer)


def previous_answer(rows: list[RowReading]) -> str:
    """The earlier answer for these rows, as JSON the model would have written."""
    payload = {
        "rows": [
            {"row": r.row, "quote": r.quote}
            | {k.rsplit(".", 1)[1]: _plain(v) for k, v in r.cells.items()}
            for r in rows
        ]
    }
    return json.dumps(payload, ensure_ascii=False)


def _plain(value: CellValue) -> int | float | None:
    return float(value) if value is not None and not isinstance(value, int) else value


def reask_rows(
    session: Session,
    unit: Unit,
    text: str,
    version: str,
    previous: list[RowReading],
    quotes: list[str],
    problems: list[str],
) -> list[RowReading]:
    """Re-read rows after failed checks: the problems (broken equations, quotes not found)
    and the rows as the source prints them go in the prompt."""
    quoted = "\n".join(
        f"- {r.row} in the report: {q}" for r, q in zip(previous, quotes, strict=True)
    )
    messages = base_messages(unit, text, version, targeted=True)
    messages.append({"role": "assistant", "content": previous_answer(previous)})
    messages.append(
        {
            "role": "user",
            "content": render(
                "reask",
                version,
                problems="\n".join(f"- {p}" for p in problems),
                quotes=quoted,
                rows=describe_rows(unit),
            ),
        }
    )
    return readings(session.ask(answer_model(unit), messages))
