"""Verification inside the loop: check the identities, re-ask the rows that break one.

The re-ask names the exact broken equations and the quoted rows and asks the model to
re-read. What the source says wins: a re-read whose quote is found replaces the earlier
reading; if it repeats the same numbers, the report itself prints them and the finding
stands; a re-read that cannot be found in the source is ignored.
"""

from __future__ import annotations

from extractor.llm.client import Session
from extractor.llm.reading import Reading, reask_rows
from extractor.llm.units import row_of, unit_for_rows
from extractor.models import Alignment, CanonicalReport, Meta
from rules.engine import check
from rules.findings import Status


def broken_identities(meta: Meta, reading: Reading) -> list[tuple[str, list[str]]]:
    """(equation, cells) of every identity the current reading breaks."""
    report = CanonicalReport(meta=meta, cells=_complete(meta, reading))
    result = check(report, localise_errors=False)
    return [(f.equation, f.cells) for f in result.checks if f.status is Status.FAILED]


def _complete(meta: Meta, reading: Reading) -> dict[str, object]:
    cells = dict.fromkeys(CanonicalReport.empty(meta).cells)
    cells.update(reading.cells())
    return cells


def reask_until_consistent(
    session: Session, meta: Meta, reading: Reading, text: str, version: str, max_rounds: int
) -> list[str]:
    """Re-ask broken rows for at most `max_rounds` rounds; returns the equations still broken.

    `text` is what the requests send; grounding always uses the whole source.
    """
    settled: set[str] = set()  # rows the re-read confirmed as printed
    broken = broken_identities(meta, reading)
    for _ in range(max_rounds):
        rows = sorted({row_of(k) for _, cells in broken for k in cells} - settled)
        rows = [r for r in rows if r in reading.rows]
        if not rows:
            break
        equations = [eq for eq, _ in broken]
        unit = unit_for_rows(meta.template, rows, "reask")
        previous = [reading.rows[r.key] for r in unit.rows]
        session.counters.reasks += 1
        quotes = [reading.source_quote(r) for r in previous]
        fresh = reask_rows(session, unit, text, version, previous, quotes, equations)
        for new in fresh:
            old = reading.rows[new.row]
            new_found = reading.alignment(new) is not Alignment.NOT_FOUND
            if new.cells == old.cells:
                settled.add(new.row)  # re-read as before: that is what the source prints
                if new_found:
                    reading.put(new)
            elif new_found:
                reading.put(new, ["llm: re-read after a broken identity"])
            elif reading.alignment(old) is not Alignment.NOT_FOUND:
                settled.add(new.row)  # the new numbers cannot be found: keep the grounded ones
            else:
                reading.put(new, ["llm: re-read after a broken identity"])
        broken = broken_identities(meta, reading)
        if not broken:
            break
    return [eq for eq, _ in broken]
