"""The joint choice: one reading per row so that the identities hold, searched efficiently.

Used by `extractor.parser.decoding.decode`. A row is a block of canonical keys with its
candidate vectors. First every reading that no satisfying combination can use is pruned
(propagation: sound, per identity, run to a fixpoint); then a depth-first branch and bound
over the rows keeps the KEEP_FINAL best combinations, dropping a partial one as soon as a
lower bound on the identities it must break shows it cannot enter them. Nulls the identities
pin down are filled afterwards, per combination. Bounded by a deterministic count of search
nodes (`Budget`), never by wall time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from nianbao.core.layout import ValueKind
from nianbao.core.models import CellValue
from rules.identities import Identity

Vector = tuple[CellValue, ...]

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

    def rank(self) -> tuple[int, int, float]:
        return len(self.broken_ids), self.unresolved, self.penalty


MAX_NODES = 20_000  # search nodes (one reading tried for one row) per decode, then stop


@dataclass
class Budget:
    """A deterministic work budget: search nodes, not seconds, so a result never depends on
    the machine's load. Shared by every search of one `choose`."""

    limit: int = MAX_NODES
    nodes: int = 0
    exhausted: bool = False  # the search stopped with part of the readings not weighed


@dataclass(frozen=True)
class _Plan:
    """What the search needs per row, computed once: the identities it closes or carries,
    each reading's contribution to them, and lower bounds on what the rows after it add."""

    own_broken: list[list[int]]  # per block, per reading: identities of that row alone broken
    touching: list[list[int]]  # per block: multi-row identities it has cells in
    contrib: list[list[list[CellValue]]]  # per block, per reading, per touching identity
    partial: list[list[list[Partial]]]  # the same, as a known sum and the sides of its nulls
    closing: list[list[int]]  # per block: indices into touching closed at this block
    reach: list[list[set[CellValue] | None]]  # per identity, per block: sums rows >= b make
    last: list[int]  # per identity: the last block it touches
    min_broken: list[int]  # per block: fewest own-row breaks the blocks >= b can have
    min_rank: list[int]  # per block: smallest rank sum the blocks >= b can have


_UNKNOWN = object()  # in a reach set: a null can make the identity unknown (never broken)


def _plan(blocks: list[Block], idents: list[Identity], signed: frozenset[str]) -> _Plan:
    where = {key: (b, p) for b, block in enumerate(blocks) for p, key in enumerate(block.keys)}
    n = len(blocks)
    own_broken = [[0] * len(block.candidates) for block in blocks]
    multi: list[dict[int, list[tuple[int, int]]]] = []
    for per_block in identity_terms(idents, where):
        if len(per_block) == 1:  # a row's own sum: settled by the reading alone
            ((b, terms),) = per_block.items()
            for ci, vector in enumerate(blocks[b].candidates):
                known, sides = partial_sum(vector, terms, blocks[b].keys, signed)
                own_broken[b][ci] += cannot_close(known, sides)
        else:
            multi.append(per_block)
    touching = [[i for i, pb in enumerate(multi) if b in pb] for b in range(n)]
    contrib = [
        [[contribution(vector, multi[i][b]) for i in touching[b]] for vector in block.candidates]
        for b, block in enumerate(blocks)
    ]
    partial = [
        [
            [partial_sum(vector, multi[i][b], block.keys, signed) for i in touching[b]]
            for vector in block.candidates
        ]
        for b, block in enumerate(blocks)
    ]
    last = [max(pb) for pb in multi]
    closing = [[t for t, i in enumerate(touching[b]) if last[i] == b] for b in range(n)]
    # a reach set holds partial sums and, where a null may follow, the _UNKNOWN marker
    reach: list[list[set[Any] | None]] = []
    for i, per_block in enumerate(multi):
        sums: set[Any] | None = {0}
        row: list[set[Any] | None] = [None] * (n + 1)
        row[n] = sums
        for b in range(n - 1, -1, -1):
            if sums is not None and b in per_block:
                t = touching[b].index(i)
                options = {contrib[b][ci][t] for ci in range(len(blocks[b].candidates))}
                if None in options or _UNKNOWN in sums:
                    sums = {_UNKNOWN}  # a null ahead: the identity may end unknown
                else:
                    sums = {a + x for a in sums for x in options}
                    if len(sums) > MAX_SUMS:
                        sums = None  # too many to track: no bound from this identity
            row[b] = sums
        reach.append(row)
    min_broken = [0] * (n + 1)
    min_rank = [0] * (n + 1)
    for b in range(n - 1, -1, -1):
        min_broken[b] = min_broken[b + 1] + min(own_broken[b])
        min_rank[b] = min_rank[b + 1] + min(blocks[b].ranks)
    return _Plan(own_broken, touching, contrib, partial, closing, reach, last, min_broken, min_rank)


def _search(
    blocks: list[Block],
    idents: list[Identity],
    budget: Budget,
    seed: list[Solution] | None = None,
    floor: int = 0,
    keep: int = KEEP_FINAL,
    signed: frozenset[str] = frozenset(),
) -> tuple[list[Solution], bool]:
    """The KEEP_FINAL best readings by (identities broken, sum of plausibility ranks), found by
    depth-first branch and bound: a partial reading is dropped once a lower bound on what it
    must break (identities already broken, open sums the remaining rows cannot complete, rows
    whose every reading breaks its own sum) and on its rank cannot beat the KEEP_FINAL-th best
    found. Exact within `budget`; past it, the best found so far (`budget.exhausted`).

    An identity with nulls counts broken when they cannot make it hold (`cannot_close`), as
    `fill` will count it: the KEEP_FINAL kept are then the best after filling too, not
    combinations that filling breaks crowding out one that holds (synth-8995-0050).
    `signed`: keys whose value may be negative (their nulls can make any sum)."""
    plan = _plan(blocks, idents, signed)
    n = len(blocks)
    known: list[CellValue] = [0] * len(plan.last)  # the sum of the known terms so far
    sides = [0] * len(plan.last)  # which sides the nulls so far are on (see partial_sum)
    best = sorted((s.broken, int(s.penalty), s.choice) for s in seed or [])[:keep]
    choice: list[int] = []

    # per depth, the identities still open whose remaining sums are known (a bound applies)
    checkable = [
        [
            (i, sums[b])
            for i, sums in enumerate(plan.reach)
            if plan.last[i] >= b and sums[b] is not None and _UNKNOWN not in sums[b]  # type: ignore[operator]
        ]
        for b in range(n + 1)
    ]

    def bound(b: int, broken: int) -> int:
        """Identities the partial reading (blocks < b chosen) must break, at least."""
        low = broken + plan.min_broken[b]
        for i, rest in checkable[b]:
            if sides[i] == 0 and -known[i] not in rest:  # type: ignore[operator]
                low += 1
        return max(low, floor)  # the floor bounds the whole, not a part: never added to

    def visit(b: int, broken: int, rank: int) -> None:
        if b == n:
            if any(c == tuple(choice) for _, _, c in best):
                return  # a seed found again
            best.append((broken, rank, tuple(choice)))
            best.sort()
            del best[keep:]
            return
        block = blocks[b]
        touching, closing = plan.touching[b], plan.closing[b]
        for ci in range(len(block.candidates)):
            if best and budget.nodes >= budget.limit:
                budget.exhausted = True  # the first complete reading is always found
                return
            budget.nodes += 1
            saved = [(known[i], sides[i]) for i in touching]
            for t, i in enumerate(touching):
                part, side = plan.partial[b][ci][t]
                known[i] += part  # type: ignore[operator]
                sides[i] |= side
            now = broken + plan.own_broken[b][ci]
            now += sum(1 for t in closing if cannot_close(known[touching[t]], sides[touching[t]]))
            low = (bound(b + 1, now), rank + block.ranks[ci] + plan.min_rank[b + 1])
            if len(best) < keep or low < best[-1][:2]:
                choice.append(ci)
                visit(b + 1, now, rank + block.ranks[ci])
                choice.pop()
            for t, i in enumerate(touching):
                known[i], sides[i] = saved[t]

    visit(0, 0, 0)
    return [Solution(c, broken, float(rank)) for broken, rank, c in best], budget.exhausted


def _narrowed(blocks: list[Block], alive: list[list[int]]) -> list[Block]:
    return [
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


def _search_within(
    blocks: list[Block],
    idents: list[Identity],
    alive: list[list[int]],
    budget: Budget,
    keep: int = KEEP_FINAL,
    signed: frozenset[str] = frozenset(),
) -> list[Solution]:
    """The search over the readings `alive` leaves, choices mapped back to `blocks`."""
    found, _ = _search(_narrowed(blocks, alive), idents, budget, keep=keep, signed=signed)
    for solution in found:
        solution.choice = tuple(keep[ci] for keep, ci in zip(alive, solution.choice, strict=True))
    return found


def choose(
    blocks: list[Block],
    idents: list[Identity],
    limit: int = MAX_NODES,
    keep: int = KEEP_FINAL,
    signed: frozenset[str] = frozenset(),
) -> tuple[list[Solution], Budget]:
    """The best combinations of readings, searched where the identities leave room.

    Every reading no satisfying combination can use is pruned first. When no combination
    satisfies them all, the identities that no combination satisfies even on its own (the
    report breaks them in its own print, whatever the reading) are set aside, and of the rest
    as many as some combination satisfies together (greedy, in order) prune: a combination
    there that breaks only the set-aside ones is provably among the best, since every
    combination breaks them. Otherwise the best found there seed the search over every
    reading, whose bound starts from them. All searches share one budget of `limit` nodes;
    `Budget.exhausted` says the result is the best found, not proven best. `keep`: how many
    of the best combinations are kept; `signed`: keys whose value may be negative.
    """
    budget = Budget(limit)
    alive = prune(blocks, idents)
    if alive is not None:
        found = _search_within(blocks, idents, alive, budget, keep, signed)
        if found and found[0].broken == 0:
            return found, budget
    lost = [i for i in idents if prune(blocks, [i]) is None]
    rest = [i for i in idents if i not in lost]
    kept, alive = feasible_subset(blocks, rest)
    found = _search_within(blocks, idents, alive, budget, keep, signed)
    # every combination breaks each lost identity, and one more if the rest fail together
    floor = len(lost) + (len(kept) < len(rest))
    if found and found[0].broken == len(lost):
        return found, budget  # breaks only what every combination breaks: among the best
    found, _ = _search(blocks, idents, budget, seed=found, floor=floor, keep=keep, signed=signed)
    return found, budget


def fill(
    solution: Solution,
    idents: list[Identity],
    fillable: set[str],
    kinds: Mapping[str, ValueKind],
) -> None:
    """Give a null its value where an identity pins it down (all its other cells known);
    two identities that disagree leave it null, and one of them counts broken. Then count
    what is still broken/unknown."""
    table = dict(solution.table)
    coefs = [(ident, coefficients(ident)) for ident in idents]
    # a null two identities pin to different values: no value meets both, so one is broken
    disagree: dict[str, str] = {}
    while fillable:
        implied: dict[str, set[CellValue]] = {}
        by: dict[str, list[str]] = {}  # the identities that implied each null's value
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
            by.setdefault(key, []).append(ident.id)
        disagree |= {k: by[k][-1] for k, v in implied.items() if len(v) > 1}
        settled = {k: v.pop() for k, v in implied.items() if len(v) == 1}
        if not settled:
            break
        for key, value in settled.items():
            table[key] = value
            solution.filled[key] = (value, by[key][0])
    solution.table = table
    broken = [ident.id for ident, coef in coefs if _cannot_hold(coef, table, kinds)]
    solution.broken_ids = list(dict.fromkeys([*broken, *disagree.values()]))
    solution.unresolved = sum(1 for k in fillable if table.get(k) is None)


def _cannot_hold(
    coef: Mapping[str, int], table: Mapping[str, CellValue], kinds: Mapping[str, ValueKind]
) -> bool:
    """The identity is broken: its cells all known and not adding up, or its unknown counts
    (all on one side) would have to sum to less than 0. A reading whose column total falls
    short of the results it must hold ("1" where the rows read hold 12, one row unread)
    leaves no count to fill the gap with; counted unknown, it outranked the reading that
    fills it (synth-8543-0092: "14 1002017" cut 1|4|10|… over 14|1|0|…)."""
    known: CellValue = 0
    sides = 0
    for key, c in coef.items():
        value = table.get(key)
        if value is None:
            sides |= ANY if kinds.get(key) is ValueKind.SIGNED else PART if c > 0 else TOTAL
        else:
            known = known + c * value
    return cannot_close(known, sides)  # the search's own test, on the whole table


# --- propagation before the search: which readings can take part in a combination that
# satisfies the identities. Per identity, the rows' possible contributions are combined into
# prefix and suffix sets of partial sums; a reading survives if the other rows can make up
# the rest. Sound (nothing a satisfying combination uses is dropped) and run to a fixpoint.


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


Partial = tuple[CellValue, int]  # a known sum, and the sides its nulls are on
PART, TOTAL, ANY = 1, 2, 4  # a null part (+1), a null total (-1), a null that may be negative


def partial_sum(
    vector: Vector, terms: list[tuple[int, int]], keys: tuple[str, ...], signed: frozenset[str]
) -> Partial:
    """One reading's known part of an identity's sum, and which sides its nulls are on."""
    total: CellValue = 0
    sides = 0
    for p, coef in terms:
        if vector[p] is None:
            sides |= ANY if keys[p] in signed else PART if coef > 0 else TOTAL
        else:
            total = total + coef * vector[p]  # type: ignore[operator]
    return total, sides


def cannot_close(known: CellValue, sides: int) -> bool:
    """No values of the nulls make the identity hold (nulls are counts >= 0: on one side
    only they can only add to it); the test `fill` applies too (`_cannot_hold`)."""
    if sides == 0:
        return known != 0
    if sides == PART:
        return known > 0  # type: ignore[operator]
    if sides == TOTAL:
        return known < 0  # type: ignore[operator]
    return False


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
    satisfying combination uses is dropped. None when some row loses every reading, or the
    rows' only readings break an identity, i.e. no combination satisfies the identities (the
    report breaks one in its own print). `start`: readings already known to be the only ones
    a subset of `idents` leaves (the fixpoint is the same, reached sooner).
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
            if any(None in o for o in options):
                continue  # a null makes the identity unknown
            if all(len(alive[b]) == 1 for b in members):
                # nothing to choose between, but the one combination left must satisfy it
                if sum(next(iter(o)) for o in options) != 0:  # type: ignore[misc]
                    return None
                continue
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


def feasible_subset(
    blocks: list[Block], idents: list[Identity]
) -> tuple[list[Identity], list[list[int]]]:
    """A maximal set of identities some combination satisfies together, taken in order
    (greedy), and the readings it leaves: they give the full search a good first bound.

    The readings are those the greedy chain narrowed to (the same fixpoint a fresh `prune`
    of the set reaches, sooner)."""
    everything = prune(blocks, idents)
    if everything is not None:
        return idents, everything
    kept: list[Identity] = []
    alive = [list(range(len(block.candidates))) for block in blocks]
    for ident in idents:
        narrower = prune(blocks, [*kept, ident], alive)
        if narrower is not None:
            kept.append(ident)
            alive = narrower
    return kept, alive
