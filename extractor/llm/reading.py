"""Ask for a unit's rows and turn the answers into cells with provenance.

The conversation of one request: our system prompt, the rows prompt with the report text,
and, for an identity re-ask, the previous answer and the broken equations.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from extractor.llm.client import Session
from extractor.llm.grounding import VALUE_NOT_IN_QUOTE, Grounded, NormalText, ground, locate
from extractor.llm.prompts import describe_rows, load_prompt, render, rows_prompt
from extractor.llm.responses import RowReading, answer_model, readings
from extractor.llm.units import Unit, row_specs
from nianbao.core.models import CellProvenance, CellValue, Method

OUT_OF_ORDER = "llm: the quote is out of the printed order of the rows"


@dataclass
class Reading:
    """Every row read so far for one report, with its grounding."""

    source: str
    extractor: str  # "llm:<model>"
    template: str
    rows: dict[str, RowReading] = field(default_factory=dict)
    provenance: dict[str, CellProvenance] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)  # row -> for a re-ask
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # row -> located quote
    proven: set[str] = field(default_factory=set)  # cells proven by their printed column
    _normal: NormalText | None = None

    @property
    def normal(self) -> NormalText:
        if self._normal is None:
            self._normal = NormalText(self.source)
        return self._normal

    def cells(self) -> dict[str, CellValue]:
        return {k: v for r in self.rows.values() for k, v in r.cells.items()}

    def _ground(self, row: RowReading) -> Grounded:
        spec = row_specs(self.template)[row.row]
        return ground(
            row, spec, self.template, self.source, self.extractor, self.normal, self._after(row.row)
        )

    def _after(self, key: str) -> int:
        """Where the nearest row before `key` (in layout order) was found: its own quote is
        looked for from there (a row of zeros is printed in many places)."""
        order = list(row_specs(self.template))
        for earlier in reversed(order[: order.index(key)]):
            if earlier in self.spans:
                return self.spans[earlier][0]
        return 0

    def grounding_problems(self, row: RowReading) -> list[str]:
        """Why a row is not grounded: its quote is not in the source or not in the row of
        its label, or the printed row does not show a value where it was given. Empty for a
        grounded row and for a row read as not printed."""
        if row is self.rows.get(row.row) and row.row in self.problems:
            return self.problems[row.row]
        return self._ground(row).problems

    def grounded(self, row: RowReading) -> bool:
        """The row's quote is in its printed row and shows every value the row gives."""
        return not self.grounding_problems(row)

    def _label(self, key: str) -> str:
        """The row's label as the normalised text holds it (its numbering aside)."""
        from extractor.llm.grounding import normalise
        from extractor.llm.rowproof import core_label

        return normalise(core_label(row_specs(self.template)[key].label))

    def label_span(self, key: str) -> tuple[int, int] | None:
        """Where the row's printed label is (its numbering aside), from where the rows
        before it were found; None when the label is not printed."""
        label = self._label(key)
        if not label:
            return None
        normal = self.normal
        after = self._after(key)
        at = normal.text.find(label, bisect_left(normal.origin, after)) if after else -1
        if at < 0:
            at = normal.text.find(label)
        return normal.span(at, at + len(label)) if at >= 0 else None

    def label_before(self, key: str, at: int) -> tuple[int, int] | None:
        """Where the row's label is printed last before source offset `at` (its values'
        place): a window around the values alone may hold only numbers (labels printed as
        a block, one value per line), which no model can tie to rows. Else `label_span`."""
        label = self._label(key)
        if not label:
            return None
        normal = self.normal
        found = normal.text.rfind(label, 0, bisect_left(normal.origin, at))
        if found < 0:
            return self.label_span(key)
        return normal.span(found, found + len(label))

    def source_quote(self, row: RowReading) -> str:
        """The source text a row was located at (whitespace collapsed), else the model's quote."""
        found = locate(row.quote, self.source, self.normal, self._after(row.row))
        if found.span is None:
            return f"{row.quote or '(no quote)'} (not found in the report)"
        return " ".join(self.source[found.span[0] : found.span[1]].split())

    def put(self, row: RowReading, extra_notes: list[str] | None = None) -> None:
        """Store a row and its provenance (replacing an earlier reading of it)."""
        self.rows[row.row] = row
        grounded = self._ground(row)
        self.problems[row.row] = grounded.problems
        self.proven -= set(row.cells)
        self.proven |= grounded.proven
        if grounded.located.span is not None:
            self.spans[row.row] = grounded.located.span
        else:
            self.spans.pop(row.row, None)
        for key, prov in grounded.provenance.items():
            if extra_notes:
                prov.notes.extend(extra_notes)
            self.provenance[key] = prov

    def check_order(self) -> list[str]:
        """Flag the rows whose quotes are out of the printed order of their part (a row
        read from another row's place: swapped rows keep every sum). Returns their keys."""
        order = list(row_specs(self.template))
        out: list[str] = []
        for part in ("t2", "t3"):
            placed = [
                (k, self.spans[k][0]) for k in order if k.startswith(f"{part}.") and k in self.spans
            ]
            in_order = _longest_increasing([start for _, start in placed])
            out += [key for n, (key, _) in enumerate(placed) if n not in in_order]
        for key in out:
            problem = f"your quote for {key} is out of the printed order of the rows"
            if problem not in self.problems.get(key, []):
                self.problems[key] = [*self.problems.get(key, []), problem]
            for cell in self.rows[key].cells:
                self.proven.discard(cell)
                prov = self.provenance[cell]
                if OUT_OF_ORDER not in prov.notes:
                    prov.notes.append(OUT_OF_ORDER)
                    prov.method = Method.READ
                    prov.confidence = min(prov.confidence, VALUE_NOT_IN_QUOTE)
        return out


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


def _longest_increasing(values: list[int]) -> set[int]:
    """Indices of one longest strictly increasing subsequence of `values` (O(n^2): a part
    has at most 30 rows)."""
    if not values:
        return set()
    best = [1] * len(values)
    back = [-1] * len(values)
    for i, v in enumerate(values):
        for j in range(i):
            if values[j] < v and best[j] + 1 > best[i]:
                best[i], back[i] = best[j] + 1, j
    i = max(range(len(values)), key=best.__getitem__)
    out = set()
    while i >= 0:
        out.add(i)
        i = back[i]
    return out
