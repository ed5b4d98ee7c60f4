"""Cut a run of glued digits ("640020470") into a row's values, under the row's sums.

Flattened web pages print a table row with no separator between its cells. This module
lists every way to cut such a run into n values (no leading zeros, "-" only where a column may
be negative), pruned by the sums the layout says the row carries (a total equals the sum of
its parts), and bounded so that a long run never explodes. It never chooses: it ranks the
readings by a weak prior and leaves the choice to `extractor.decode`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

from extractor.cutting import Reading, Search, SumSpec
from rules.identities import identities_for

__all__ = ["Reading", "Segmentation", "SumSpec", "segment", "split_glued", "sums_for"]

MAX_NODES = 50_000  # search steps per run; past this the enumeration stops, marked truncated
MAX_RESULTS = 64  # readings kept per run; past this the list is marked truncated
MAX_ROW_NUMBER = 20  # a stuck row number ("2." of the next label) is an ordinal this small

_RUN = re.compile(r"[0-9.\-\s]+")
_NUMBERING = re.compile(r"^\s*[.．、)）]")  # what follows a row number: "2.其他", "3、"


@dataclass
class Segmentation:
    """Every reading found for a run, most plausible first; `truncated` if the bounds hit."""

    readings: list[Reading] = field(default_factory=list)
    truncated: bool = False

    @property
    def candidates(self) -> list[tuple[int | Decimal, ...]]:
        return [r.values for r in self.readings]


def split_glued(
    run: str,
    n: int,
    *,
    signed: Sequence[int] = (),
    sums: Sequence[SumSpec] = (),
    decimals: Sequence[int] = (),
    limit: int = MAX_RESULTS,
) -> list[tuple[int | Decimal, ...]]:
    """Every way to cut `run` into n values that meets `sums`, most plausible first.

    Whitespace inside the run is a cut that must be made ("230 000023"); no value has a leading
    zero except a lone "0"; a value at a position in `signed` may start with "-", one in
    `decimals` may hold a decimal point (an amount, returned as a Decimal).
    """
    return segment(run, n, signed=signed, sums=sums, decimals=decimals, limit=limit).candidates


def segment(
    run: str,
    n: int,
    *,
    signed: Sequence[int] = (),
    sums: Sequence[SumSpec] = (),
    decimals: Sequence[int] = (),
    limit: int = MAX_RESULTS,
    max_nodes: int = MAX_NODES,
) -> Segmentation:
    """`split_glued` with the value spans and a flag saying whether a bound was hit."""
    if n < 1:
        raise ValueError(f"cannot cut a run into {n} values")
    if not _RUN.fullmatch(run):
        raise ValueError(f"not a run of digits: {run!r}")
    for parts, total in sums:
        if any(p >= total for p in parts) or total >= n:
            raise ValueError(f"a total must follow its parts within {n} values: {parts} -> {total}")
    key = (tuple(signed), tuple((tuple(p), t) for p, t in sums), tuple(decimals))
    readings, truncated = _segment_cached(run, n, *key, limit, max_nodes)
    return Segmentation(list(readings), truncated)


@lru_cache(maxsize=4096)
def _segment_cached(
    run: str,
    n: int,
    signed: tuple[int, ...],
    sums: tuple[SumSpec, ...],
    decimals: tuple[int, ...],
    limit: int,
    max_nodes: int,
) -> tuple[tuple[Reading, ...], bool]:
    """Most rows of a report are the same few runs ("0000000"): cut each once."""
    search = Search(run, n, frozenset(signed), frozenset(decimals), sums, limit, max_nodes)
    search.walk(0, 0)
    return tuple(sorted(search.readings, key=lambda r: r.prior)), search.truncated


def row_number_readings(run: str, following: str, *, max_number: int = MAX_ROW_NUMBER) -> list[str]:
    """The run as printed and, when the text after it opens a numbered label ("2.其他…"),
    the run without its last one or two digits (that number belongs to the next row).

    Both are offered: which one is right is for the identities to say, not for a guess here.
    """
    if not _NUMBERING.match(following):
        return [run]
    stripped = run.rstrip()
    out: list[str] = []
    for k in (1, 2):
        head, tail = stripped[:-k], stripped[-k:]
        if head.strip() and tail.isdigit() and tail[0] != "0" and int(tail) <= max_number:
            out.append(head)
    return [*out, run]


def segment_with_row_number(
    run: str,
    n: int,
    following: str = "",
    *,
    signed: Sequence[int] = (),
    sums: Sequence[SumSpec] = (),
    decimals: Sequence[int] = (),
    limit: int = MAX_RESULTS,
) -> Segmentation:
    """Readings of `run` both with and without a trailing number stuck from the next label."""
    merged = Segmentation()
    seen: set[tuple[int | Decimal, ...]] = set()
    for variant in row_number_readings(run, following):
        part = segment(variant, n, signed=signed, sums=sums, decimals=decimals, limit=limit)
        merged.truncated |= part.truncated
        tail = run.rstrip()[len(variant.rstrip()) :] or None
        for reading in part.readings:
            if reading.values not in seen:
                seen.add(reading.values)
                merged.readings.append(Reading(reading.values, reading.spans, tail))
    return merged


def sums_for(template: str, keys: Sequence[str]) -> list[SumSpec]:
    """The totals a run of cells carries, from the template's identities.

    Every identity whose cells all lie in `keys`, with one total printed after its parts,
    becomes (part positions, total position): a part-三 row gives its row sum, the part-四
    run of 15 cells its three group sums.
    """
    return list(_sums_for(template, tuple(keys)))


@cache
def _sums_for(template: str, keys: tuple[str, ...]) -> tuple[SumSpec, ...]:
    where = {key: n for n, key in enumerate(keys)}
    out: list[SumSpec] = []
    for ident in identities_for(template):
        if len(ident.rhs) != 1 or not all(k in where for k in ident.keys):
            continue
        parts = tuple(where[k] for k in ident.lhs)
        total = where[ident.rhs[0]]
        if parts and max(parts) < total:
            out.append((parts, total))
    return tuple(out)
