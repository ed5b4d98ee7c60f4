"""Verification inside the loop: check identities and quotes, re-ask the rows that fail.

The re-ask names the exact broken equations (and the quotes not found in the source) with
the rows as the source prints them, and asks the model to re-read. What the source says
wins: a re-read whose quote is found in the source and shows its numbers replaces the
earlier reading; if it repeats the same numbers, the report itself prints them and the
finding stands; a re-read whose numbers the source does not show (a "fix" to make a sum
work) is ignored when the earlier reading was grounded.
"""

from __future__ import annotations

from typing import Any

from extractor.llm.client import Session
from extractor.llm.compact import (
    join_pieces,
    label_pieces,
    reach_for,
    reask_compact,
    window_pieces,
)
from extractor.llm.reading import Reading, reask_rows
from extractor.llm.units import row_of, unit_for_rows
from nianbao.core.models import CanonicalReport, Meta
from rules.engine import check
from rules.findings import Status

REREAD_NOTE = "llm: changed on re-reading after a failed check"


LOST_CONTEXT = 1  # lines kept around the label of a row whose quote was not found ...
LOST_REACH = 120  # ... and characters either side of it


def broken_identities(meta: Meta, reading: Reading) -> list[tuple[str, list[str]]]:
    """(equation, cells) of every identity the current reading breaks."""
    report = CanonicalReport(meta=meta, cells=_complete(meta, reading))
    result = check(report, localise_errors=False)
    return [(f.equation, f.cells) for f in result.checks if f.status is Status.FAILED]


def _complete(meta: Meta, reading: Reading) -> dict[str, Any]:
    cells = dict.fromkeys(CanonicalReport.empty(meta).cells)
    cells.update(reading.cells())
    return cells


def reask_until_consistent(
    session: Session,
    meta: Meta,
    reading: Reading,
    text: str,
    version: str,
    max_rounds: int,
    *,
    compact: bool = False,
) -> list[str]:
    """Re-ask rows that break an identity or are not grounded, for at most `max_rounds`
    rounds; returns the equations still broken.

    `text` is what the requests send; grounding always uses the whole source.
    """
    settled: set[str] = set()  # rows the re-read confirmed as printed
    broken = broken_identities(meta, reading)
    for _ in range(max_rounds):
        reading.check_order()
        # an identity whose every cell its printed column proves is the report's own
        # arithmetic: a re-read cannot change it (the rule engine reports it downstream)
        asked = [(eq, cells) for eq, cells in broken if not set(cells) <= reading.proven]
        ungrounded = {
            key: problems
            for key, row in reading.rows.items()
            if key not in settled and (problems := reading.grounding_problems(row))
        }
        rows = {row_of(k) for _, cells in asked for k in cells} | set(ungrounded)
        rows = {r for r in rows - settled if r in reading.rows}
        if not rows:
            break
        problems = [eq for eq, _ in asked]
        problems += [p for key in sorted(ungrounded) for p in ungrounded[key]]
        unit = unit_for_rows(meta.template, rows, "reask")
        previous = [reading.rows[r.key] for r in unit.rows]
        session.counters.reasks += 1
        if compact:
            # a standalone request with only the lines where these rows are printed
            spans = [reading.spans[r.row] for r in previous if r.row in reading.spans]
            # a row whose quote was not found: the lines where its label is printed (the
            # whole text when no row of the re-ask is placed at all)
            lost = [reading.label_span(r.row) for r in previous if r.row not in reading.spans]
            pieces = window_pieces(reading.source, spans, reach=reach_for(version)) + window_pieces(
                reading.source, [s for s in lost if s is not None], LOST_CONTEXT, LOST_REACH
            )
            # and each placed row's label, when it is printed apart from its values
            labels = [
                reading.label_before(r.row, reading.spans[r.row][0])
                for r in previous
                if r.row in reading.spans
            ]
            pieces += label_pieces(reading.source, pieces, labels)
            local = join_pieces(reading.source, pieces) or text
            fresh = reask_compact(session, unit, local, version, previous, problems)
        else:
            quotes = [reading.source_quote(r) for r in previous]
            fresh = reask_rows(session, unit, text, version, previous, quotes, problems)
        for new in fresh:
            old = reading.rows[new.row]
            new_found = reading.grounded(new)
            if new.cells == old.cells:
                settled.add(new.row)  # re-read as before: that is what the source prints
                if new_found:
                    reading.put(new)
            elif new_found:
                reading.put(new, [REREAD_NOTE])
            elif reading.grounded(old):
                settled.add(new.row)  # the new numbers are not in the source: keep the old
            else:
                reading.put(new, [REREAD_NOTE])
        broken = broken_identities(meta, reading)
    return [eq for eq, _ in broken]
