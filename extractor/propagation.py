"""Propagation before the joint search: which readings can take part in a combination that
satisfies the identities.

Used by `extractor.joint`. Per identity, the rows' possible contributions are combined into
prefix and suffix sets of partial sums; a reading survives if the other rows can make up the
rest. Sound (nothing a satisfying combination uses is dropped) and run to a fixpoint.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from extractor.models import CellValue
from rules.identities import Identity

if TYPE_CHECKING:
    from extractor.joint import Block, Vector


@cache
def coefficients(ident: Identity) -> dict[str, int]:
    """Each cell's coefficient in the identity (+1 a part, -1 a total), computed once."""
    return {k: ident.coefficient(k) for k in ident.keys}


MAX_SUMS = 20_000  # partial sums tracked per identity while pruning; past this, no pruning


def identity_terms(
    idents: list[Identity], where: dict[str, tuple[int, int]]
) -> list[dict[int, list[tuple[int, int]]]]:
    """For each identity whose cells all sit in some block: {block: [(position, coef)]}."""
    plans = []
    for ident in idents:
        if not all(k in where for k in ident.keys):
            continue
        per_block: dict[int, list[tuple[int, int]]] = {}
        for key, coef in coefficients(ident).items():
            b, p = where[key]
            per_block.setdefault(b, []).append((p, coef))
        plans.append(per_block)
    return plans


def contribution(vector: Vector, terms: list[tuple[int, int]]) -> CellValue:
    """One reading's part of an identity's sum (its cells times their coefficients)."""
    total: CellValue = 0
    for p, coef in terms:
        if vector[p] is None:
            return None  # a null: the identity is unknown, so it rules nothing out
        total = total + coef * vector[p]  # type: ignore[operator]
    return total


def prune(
    blocks: list[Block], idents: list[Identity], start: list[list[int]] | None = None
) -> list[list[int]] | None:
    """Drop every reading that can take part in no combination satisfying all identities.

    For each identity, a reading survives if the other rows can make up the rest of its sum
    (prefix and suffix sets of their partial sums). Repeated to a fixpoint. Sound: nothing a
    satisfying combination uses is dropped. None when some row loses every reading, i.e. no
    combination satisfies the identities (the report breaks one in its own print). `start`:
    readings already known to be the only ones a subset of `idents` leaves (the fixpoint is
    the same, reached sooner).
    """
    where = {key: (b, p) for b, block in enumerate(blocks) for p, key in enumerate(block.keys)}
    alive = (
        [list(a) for a in start]
        if start is not None
        else [list(range(len(block.candidates))) for block in blocks]
    )
    plans = identity_terms(idents, where)
    changed = True
    while changed:
        changed = False
        for per_block in plans:
            members = list(per_block)
            options = [
                {contribution(blocks[b].candidates[i], per_block[b]) for i in alive[b]}
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
                                -(a + contribution(blocks[b].candidates[i], per_block[b])) in after  # type: ignore[operator]
                                for a in before
                            )
                        ]
                        if not keep:
                            return None
                        if len(keep) < len(alive[b]):
                            alive[b], changed = keep, True
    return alive


def feasible_subset(blocks: list[Block], idents: list[Identity]) -> list[Identity]:
    """A maximal set of identities some combination satisfies together, taken in order
    (greedy): the readings it leaves give the full search a good first bound."""
    if prune(blocks, idents) is not None:
        return idents
    kept: list[Identity] = []
    alive = None
    for ident in idents:
        narrower = prune(blocks, [*kept, ident], alive)
        if narrower is not None:
            kept.append(ident)
            alive = narrower
    return kept
