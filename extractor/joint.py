"""The joint choice: one reading per row so that the identities hold, searched efficiently.

Used by `extractor.decode`. A row is a block of canonical keys with its candidate vectors.
First every reading that no satisfying combination can use is pruned (sound, per identity);
then a dynamic programme over the rows, whose state is the partial residual of every
identity still open, keeps the best few combinations per state. Nulls the identities pin down
are filled afterwards, per combination. Bounded in states and kept combinations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from extractor.layout import ValueKind
from extractor.models import CellValue
from rules.identities import Identity

Vector = tuple[CellValue, ...]

MAX_STATES = 5_000  # search states kept per row (the best ones, past this)
KEEP = 8  # readings kept per search state: enough to tell one solution from several
KEEP_FINAL = 32  # whole-table readings weighed at the end (after nulls are filled)


@dataclass(frozen=True)
class Block:
    """One row to choose a reading for: its canonical keys and its distinct readings."""

    name: str
    keys: tuple[str, ...]
    source: Any  # the caller's record of the row (decode.RowCandidates)
    candidates: tuple[Vector, ...]  # distinct vectors, most plausible first
    origin: tuple[int, ...]  # index of each in source.candidates
    ranks: tuple[int, ...]  # plausibility rank of each (its index before any pruning)


@dataclass
class Solution:
    """One combination of readings (one per block) and what it makes of the table."""

    choice: tuple[int, ...]  # candidate index per block
    broken: int  # identities broken before filling nulls
    penalty: float
    table: dict[str, CellValue] = field(default_factory=dict)
    filled: dict[str, tuple[CellValue, str]] = field(default_factory=dict)  # key -> value, why
    broken_ids: list[str] = field(default_factory=list)
    unresolved: int = 0

    def rank(self) -> tuple[int, float, int]:
        return len(self.broken_ids), self.unresolved, self.penalty


@cache
def _coefficients(ident: Identity) -> dict[str, int]:
    """Each cell's coefficient in the identity (+1 a part, -1 a total), computed once."""
    return {k: ident.coefficient(k) for k in ident.keys}


def _search(blocks: list[Block], idents: list[Identity]) -> tuple[list[Solution], bool]:
    """Best readings by (identities broken, plausibility), at most KEEP of them."""
    where = {key: (b, p) for b, block in enumerate(blocks) for p, key in enumerate(block.keys)}
    active = [i for i in idents if all(k in where for k in i.keys)]
    terms: dict[str, dict[int, list[tuple[int, int]]]] = {}
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for ident in active:
        per_block: dict[int, list[tuple[int, int]]] = {}
        for key, coef in _coefficients(ident).items():
            b, p = where[key]
            per_block.setdefault(b, []).append((p, coef))
        terms[ident.id] = per_block
        first[ident.id], last[ident.id] = min(per_block), max(per_block)
    touching = [[i.id for i in active if b in terms[i.id]] for b in range(len(blocks))]
    open_after = [
        [i.id for i in active if first[i.id] <= b < last[i.id]] for b in range(len(blocks))
    ]

    if all(len(block.candidates) == 1 for block in blocks):
        return [Solution((0,) * len(blocks), 0, 0.0)], False  # nothing to choose
    truncated = False
    # state: residual of each open identity (None: a null cell makes it unknown)
    layer: dict[tuple[CellValue, ...], list[Solution]] = {(): [Solution((), 0, 0.0)]}
    previous_open: list[str] = []
    for b, block in enumerate(blocks):
        nxt: dict[tuple[CellValue, ...], list[Solution]] = {}
        for state, partials in layer.items():
            residual = dict(zip(previous_open, state, strict=True))
            for ci, vector in enumerate(block.candidates):
                updated: dict[str, CellValue] = {}
                broken = 0
                for ident_id in touching[b]:
                    current = residual.get(ident_id, 0) if first[ident_id] < b else 0
                    for p, coef in terms[ident_id][b]:
                        if current is None or vector[p] is None:
                            current = None
                            break
                        current = current + coef * vector[p]
                    updated[ident_id] = current
                    if last[ident_id] == b and current is not None and current != 0:
                        broken += 1
                key = tuple(updated[i] if i in updated else residual[i] for i in open_after[b])
                bucket = nxt.setdefault(key, [])
                for partial in partials:
                    bucket.append(
                        Solution(
                            (*partial.choice, ci),
                            partial.broken + broken,
                            partial.penalty + block.ranks[ci],
                        )
                    )
        keep = KEEP_FINAL if b == len(blocks) - 1 else KEEP
        for bucket in nxt.values():
            bucket.sort(key=lambda s: (s.broken, s.penalty))
            del bucket[keep:]
        if len(nxt) > MAX_STATES:
            truncated = True
            best = sorted(nxt, key=lambda k: (nxt[k][0].broken, nxt[k][0].penalty))
            nxt = {k: nxt[k] for k in best[:MAX_STATES]}
        layer, previous_open = nxt, open_after[b]
    solutions = [s for bucket in layer.values() for s in bucket]
    solutions.sort(key=lambda s: (s.broken, s.penalty))
    return solutions[:KEEP_FINAL], truncated


MAX_SUMS = 20_000  # partial sums tracked per identity while pruning; past this, no pruning


def _contribution(vector: Vector, terms: list[tuple[int, int]]) -> CellValue:
    total: CellValue = 0
    for p, coef in terms:
        if vector[p] is None:
            return None  # a null: the identity is unknown, so it rules nothing out
        total = total + coef * vector[p]  # type: ignore[operator]
    return total


def _prune(blocks: list[Block], idents: list[Identity]) -> list[list[int]] | None:
    """Drop every reading that can take part in no combination satisfying all identities.

    For each identity, a reading survives if the other rows can make up the rest of its sum
    (prefix and suffix sets of their partial sums). Repeated to a fixpoint. Sound: nothing a
    satisfying combination uses is dropped. None when some row loses every reading, i.e. no
    combination satisfies the identities (the report breaks one in its own print).
    """
    where = {key: (b, p) for b, block in enumerate(blocks) for p, key in enumerate(block.keys)}
    alive = [list(range(len(block.candidates))) for block in blocks]
    plans = []
    for ident in idents:
        if not all(k in where for k in ident.keys):
            continue
        per_block: dict[int, list[tuple[int, int]]] = {}
        for key, coef in _coefficients(ident).items():
            b, p = where[key]
            per_block.setdefault(b, []).append((p, coef))
        plans.append(per_block)
    changed = True
    while changed:
        changed = False
        for per_block in plans:
            members = list(per_block)
            options = [
                {_contribution(blocks[b].candidates[i], per_block[b]) for i in alive[b]}
                for b in members
            ]
            if any(None in o for o in options) or all(len(alive[b]) == 1 for b in members):
                continue  # a null makes the identity unknown; nothing to choose between
            prefix: list[set[CellValue]] = [{0}]
            for o in options[:-1]:
                prefix.append({a + x for a in prefix[-1] for x in o})  # type: ignore[operator]
                if len(prefix[-1]) > MAX_SUMS:
                    break
            else:
                suffix: list[set[CellValue]] = [{0}]
                for o in reversed(options[1:]):
                    suffix.append({a + x for a in suffix[-1] for x in o})  # type: ignore[operator]
                    if len(suffix[-1]) > MAX_SUMS:
                        break
                else:
                    suffix.reverse()
                    for n, b in enumerate(members):
                        if len(alive[b]) == 1:
                            continue
                        before, after = prefix[n], suffix[n]
                        keep = [
                            i
                            for i in alive[b]
                            if any(
                                -(a + _contribution(blocks[b].candidates[i], per_block[b])) in after  # type: ignore[operator]
                                for a in before
                            )
                        ]
                        if not keep:
                            return None
                        if len(keep) < len(alive[b]):
                            alive[b], changed = keep, True
    return alive


def choose(blocks: list[Block], idents: list[Identity]) -> tuple[list[Solution], bool]:
    """Search only the readings the identities leave possible; if no combination satisfies
    them, search everything for the most plausible (broken) reading."""
    alive = _prune(blocks, idents)
    if alive is not None and any(
        len(a) < len(b.candidates) for a, b in zip(alive, blocks, strict=True)
    ):
        sub = [
            Block(
                b.name,
                b.keys,
                b.source,
                tuple(b.candidates[i] for i in keep),
                tuple(b.origin[i] for i in keep),
                tuple(b.ranks[i] for i in keep),
            )
            for b, keep in zip(blocks, alive, strict=True)
        ]
        found, truncated = _search(sub, idents)
        if found and found[0].broken == 0:
            for solution in found:
                solution.choice = tuple(
                    keep[ci] for keep, ci in zip(alive, solution.choice, strict=True)
                )
            return found, truncated
    return _search(blocks, idents)


def fill(
    solution: Solution,
    idents: list[Identity],
    fillable: set[str],
    kinds: Mapping[str, ValueKind],
) -> None:
    """Give a null its value where an identity pins it down (all its other cells known);
    two identities that disagree leave it null. Then count what is still broken/unknown."""
    table = dict(solution.table)
    coefs = [(ident, _coefficients(ident)) for ident in idents]
    while fillable:
        implied: dict[str, set[CellValue]] = {}
        why: dict[str, str] = {}
        for ident, coef in coefs:
            unknown = [k for k in coef if table.get(k) is None]
            if len(unknown) != 1 or unknown[0] not in fillable:
                continue
            (key,) = unknown
            rest = sum(c * table[k] for k, c in coef.items() if k != key)  # type: ignore[operator]
            if abs(coef[key]) != 1 or (
                isinstance(rest, Decimal) and kinds.get(key) is not ValueKind.AMOUNT
            ):
                continue  # exact integer algebra only: identities here have coefficients ±1
            value = -rest * coef[key]  # (1 / c == c for c = ±1): no float on the way
            if value < 0 and kinds.get(key) is not ValueKind.SIGNED:
                continue
            implied.setdefault(key, set()).add(value)
            why.setdefault(key, ident.id)
        settled = {k: v.pop() for k, v in implied.items() if len(v) == 1}
        if not settled:
            break
        for key, value in settled.items():
            table[key] = value
            solution.filled[key] = (value, why[key])
    solution.table = table
    solution.broken_ids = [
        ident.id
        for ident, coef in coefs
        if all(table.get(k) is not None for k in coef)
        and sum(c * table[k] for k, c in coef.items()) != 0  # type: ignore[operator]
    ]
    solution.unresolved = sum(1 for k in fillable if table.get(k) is None)
