"""Choose one reading of every row jointly, under the identities, and say how sure that is.

The parser hands over, for each table row, the vectors the text supports (one when the row
was read cleanly, several when glued digits cut several ways or a row had too few or too many
values). `decode_t3` / `decode_t4` pick one vector per row so that the template's identities
(from `rules.identities`, never restated here) hold; `decode_t2` ranks part-二 rows, which no
identity constrains. Nothing is forced: when no combination satisfies the identities, the most
plausible is kept and the cells are noted, because a report may break an identity in its own
print. Search: a dynamic programme over the rows in layout order whose state is the partial
residual of every identity still open, bounded in states and kept readings (see
docs/segmentation.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from extractor.layout import ValueKind, layout_for
from extractor.models import CellValue
from rules.identities import Identity, identities_for

Vector = tuple[CellValue, ...]
Span = tuple[int, int]

HOWS = ("read", "segmented", "aligned")
T4_RUN = "t4"  # RowCandidates.row for part 四 printed as one run of 15 values (all groups)

# What the confidences mean (documented in docs/segmentation.md). Below 0.9 a cell is flagged
# by rules.review_flags.
CONF_READ = 1.0  # read as printed, one reading
CONF_ONE_READING = 0.95  # segmented / aligned, but every reading of the row agrees on the cell
CONF_UNIQUE = 0.9  # the only combination of readings that satisfies the identities
CONF_FILLED = 0.6  # not printed; the identities pin the value down
CONF_AMBIGUOUS = 0.5  # several combinations satisfy the identities: the best-ranked is taken
CONF_UNRESOLVED = 0.4  # no combination satisfies them: the most plausible is taken
CONF_UNKNOWN = 0.0  # not printed and not pinned down: stays null

MAX_STATES = 5_000  # search states kept per row (the best ones, past this)
KEEP = 8  # readings kept per search state: enough to tell one solution from several
KEEP_FINAL = 32  # whole-table readings weighed at the end (after nulls are filled)


@dataclass
class RowCandidates:
    """The readings of one row the text supports, most plausible first.

    `row`: the layout's row name ("new", "denied.state_secret"; for part 四 a group name or
    `T4_RUN` for all 15 cells; for part 二 the t2 row name). Each candidate is a vector in the
    layout's column order; None is a cell with no value. `how`: "read", "segmented" or
    "aligned". `spans`: the source spans of the printed tokens (one per cell for a clean read,
    else the tokens in print order; their union is the row's span). `cell_spans`: optionally,
    per candidate, each cell's own span. `reasons`: optionally, per candidate, why it is
    plausible (shown in notes when it is taken).
    """

    row: str
    candidates: list[Vector]
    how: str = "read"
    spans: list[Span] | None = None
    cell_spans: list[tuple[Span | None, ...]] | None = None
    reasons: list[str] | None = None

    def __post_init__(self) -> None:
        if self.how not in HOWS:
            raise ValueError(f"row {self.row}: how must be one of {HOWS}, not {self.how!r}")
        if not self.candidates:
            raise ValueError(f"row {self.row}: no candidate readings")


@dataclass
class DecodedCell:
    """One cell's chosen value and how far to trust it."""

    value: CellValue
    method: str  # "read", "segmented", "aligned", "inferred" or "missing"
    confidence: float
    alternatives: list[CellValue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # doubts: every note flags the cell
    span: Span | None = None
    basis: str = ""  # how the value was found, when that is no doubt (e.g. a unique decoding)


@dataclass
class Decoded:
    """The chosen reading of a part, per canonical key, in layout order."""

    cells: dict[str, DecodedCell]
    solutions: int = 0  # combinations found that satisfy every identity (at most KEEP_FINAL)
    broken: list[str] = field(default_factory=list)  # identities the chosen reading breaks
    truncated: bool = False  # a search bound was hit: there may be readings not considered

    def values(self) -> dict[str, CellValue]:
        return {key: cell.value for key, cell in self.cells.items()}

    def needs_review(self, low_confidence: float = 0.9) -> list[str]:
        """Keys whose value the decoder doubts (the same test as rules.review_flags)."""
        return [
            k
            for k, c in self.cells.items()
            if c.notes or c.alternatives or c.confidence < low_confidence
        ]


# ---- entry points -----------------------------------------------------------------------------
def decode_t3(rows: Mapping[str, RowCandidates], template: str) -> Decoded:
    """Part 三: one reading per row under the row sums, results sums and the balance."""
    layout = layout_for(template)
    columns = [c.name for c in layout.t3_columns]
    keys_of = {r.name: [f"t3.{r.name}.{c}" for c in columns] for r in layout.t3_rows}
    idents = [i for i in identities_for(template) if i.family.startswith("t3.")]
    return _decode(rows, keys_of, idents, _kinds(template))


def decode_t4(groups: Mapping[str, RowCandidates], template: str = "2021") -> Decoded:
    """Part 四: one reading per group (or of the whole 15-value run) under the group sums."""
    layout = layout_for(template)
    columns = [c.name for c in layout.t4_columns]
    keys_of = {g.name: [f"t4.{g.name}.{c}" for c in columns] for g in layout.t4_groups}
    keys_of[T4_RUN] = [k for g in layout.t4_groups for k in keys_of[g.name]]
    idents = [i for i in identities_for(template) if i.family.startswith("t4.")]
    return _decode(groups, keys_of, idents, _kinds(template))


def decode_t2(rows: Mapping[str, RowCandidates], template: str) -> Decoded:
    """Part 二: no identity constrains it, so rank each row's readings and flag every cell
    the readings disagree on. A weak prior prefers readings with equal neighbouring values
    (本年新制作 = 本年新公开 is common); it never makes a cell certain."""
    layout = layout_for(template)
    keys_of = {r.name: [f"t2.{r.name}.{c.name}" for c in r.columns] for r in layout.t2_rows}
    reranked = {}
    for name, row in rows.items():
        order = sorted(
            range(len(row.candidates)),
            key=lambda i, row=row: i - 0.5 * _equal_neighbours(row.candidates[i]),
        )
        reranked[name] = RowCandidates(
            row.row,
            [row.candidates[i] for i in order],
            row.how,
            row.spans,
            [row.cell_spans[i] for i in order] if row.cell_spans else None,
            [row.reasons[i] for i in order] if row.reasons else None,
        )
    decoded = _decode(reranked, keys_of, [], _kinds(template))
    for cell in decoded.cells.values():
        if cell.alternatives:
            cell.confidence = CONF_AMBIGUOUS
            cell.notes = ["glued digits with no identity to decide between readings"]
    return decoded


# ---- the search -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Block:
    name: str
    keys: tuple[str, ...]
    source: RowCandidates
    candidates: tuple[Vector, ...]  # distinct vectors, most plausible first
    origin: tuple[int, ...]  # index of each in source.candidates


@dataclass
class _Solution:
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


def _kinds(template: str) -> dict[str, ValueKind]:
    return {spec.key: spec.kind for spec in layout_for(template).cells}


def _equal_neighbours(vector: Vector) -> int:
    return sum(1 for a, b in itertools.pairwise(vector) if a is not None and a == b)


def _blocks(rows: Mapping[str, RowCandidates], keys_of: Mapping[str, list[str]]) -> list[_Block]:
    order = {name: n for n, name in enumerate(keys_of)}
    blocks: list[_Block] = []
    seen: set[str] = set()
    for name in sorted(rows, key=lambda r: order.get(r, -1)):
        row = rows[name]
        if name not in keys_of:
            raise ValueError(f"unknown row {name!r}: expected one of {', '.join(keys_of)}")
        keys = tuple(keys_of[name])
        if seen.intersection(keys):
            raise ValueError(f"row {name!r} overlaps another row's cells")
        seen.update(keys)
        distinct: dict[Vector, int] = {}
        for i, vector in enumerate(row.candidates):
            if len(vector) != len(keys):
                raise ValueError(f"row {name}: a reading has {len(vector)} values, not {len(keys)}")
            distinct.setdefault(tuple(vector), i)
        blocks.append(_Block(name, keys, row, tuple(distinct), tuple(distinct.values())))
    return blocks


def _search(blocks: list[_Block], idents: list[Identity]) -> tuple[list[_Solution], bool]:
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
        return [_Solution((0,) * len(blocks), 0, 0.0)], False  # nothing to choose
    truncated = False
    # state: residual of each open identity (None: a null cell makes it unknown)
    layer: dict[tuple[CellValue, ...], list[_Solution]] = {(): [_Solution((), 0, 0.0)]}
    previous_open: list[str] = []
    for b, block in enumerate(blocks):
        nxt: dict[tuple[CellValue, ...], list[_Solution]] = {}
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
                        _Solution(
                            (*partial.choice, ci), partial.broken + broken, partial.penalty + ci
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


def _fill(
    solution: _Solution,
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
            value = -rest / coef[key]
            value = int(value) if kinds.get(key) is not ValueKind.AMOUNT else Decimal(value)
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


def _decode(
    rows: Mapping[str, RowCandidates],
    keys_of: Mapping[str, list[str]],
    idents: list[Identity],
    kinds: Mapping[str, ValueKind],
) -> Decoded:
    # Rows with one reading first, the most ambiguous last: the order changes no result, only
    # how many partial combinations the search carries from row to row.
    blocks = sorted(_blocks(rows, keys_of), key=lambda block: len(block.candidates))
    solutions, truncated = _search(blocks, idents)
    all_keys = [k for name, keys in keys_of.items() if name != T4_RUN for k in keys]
    # nulls a person did not see printed blank: gaps of aligned rows and cells of absent rows
    covered = {k for block in blocks for k in block.keys}
    fillable = {k for k in all_keys if k not in covered}
    for block in blocks:
        if block.source.how == "aligned":
            fillable.update(
                k for p, k in enumerate(block.keys) if any(v[p] is None for v in block.candidates)
            )
    for solution in solutions:
        solution.table = dict.fromkeys(all_keys)
        for block, ci in zip(blocks, solution.choice, strict=True):
            solution.table.update(zip(block.keys, block.candidates[ci], strict=True))
        _fill(solution, idents, fillable, kinds)
    solutions.sort(key=_Solution.rank)
    chosen = solutions[0]
    satisfying = [s for s in solutions if not s.broken_ids]
    peers = (
        satisfying[1:]
        if satisfying
        else [s for s in solutions[1:] if s.rank()[0] == chosen.rank()[0]]
    )
    # past the cap (or a search bound) the readings weighed are a sample: agreement among
    # them proves nothing, so a cell the row's readings disagree on stays in doubt
    capped = truncated or len(satisfying) >= KEEP_FINAL
    cells: dict[str, DecodedCell] = {}
    for b, block in enumerate(blocks):
        ci = chosen.choice[b]
        for p, key in enumerate(block.keys):
            cells[key] = _cell(key, p, block, ci, chosen, peers, bool(satisfying), capped)
    ordered = {key: cells.get(key) or _absent(key, chosen) for key in all_keys}
    return Decoded(ordered, len(satisfying), chosen.broken_ids, truncated)


def _span(block: _Block, ci: int, p: int) -> Span | None:
    source = block.source
    origin = block.origin[ci]
    if source.cell_spans and origin < len(source.cell_spans):
        return source.cell_spans[origin][p]
    if not source.spans:
        return None
    if source.how == "read" and len(source.spans) == len(block.keys):
        return source.spans[p]
    return min(s for s, _ in source.spans), max(e for _, e in source.spans)


def _distinct(values: Iterable[CellValue], besides: CellValue) -> list[CellValue]:
    return [v for v in dict.fromkeys(values) if v != besides]


def _absent(key: str, chosen: _Solution) -> DecodedCell:
    if key in chosen.filled:
        value, ident = chosen.filled[key]
        return DecodedCell(
            value, "inferred", CONF_FILLED, notes=[f"row not found; {ident} implies {value}"]
        )
    return DecodedCell(None, "missing", CONF_UNKNOWN, notes=["row not found"])


def _cell(
    key: str,
    p: int,
    block: _Block,
    ci: int,
    chosen: _Solution,
    peers: Sequence[_Solution],
    satisfied: bool,
    capped: bool,
) -> DecodedCell:
    how = block.source.how
    span = _span(block, ci, p)
    value = chosen.table[key]
    reasons = block.source.reasons or []
    origin = block.origin[ci]
    reason = [reasons[origin]] if origin < len(reasons) else []
    if key in chosen.filled:
        _, ident = chosen.filled[key]
        return DecodedCell(
            value,
            "inferred",
            CONF_FILLED,
            notes=[f"not printed ({how} row); {ident} implies {value}", *reason],
            span=span,
        )
    options = {v[p] for v in block.candidates}
    if len(options) == 1:
        if value is None and how == "aligned":
            return DecodedCell(
                None,
                how,
                CONF_UNKNOWN,
                notes=["not printed; the identities do not pin it"],
                span=span,
            )
        basis = "" if how == "read" else f"every reading of the {how} row agrees"
        confidence = CONF_READ if how == "read" else CONF_ONE_READING
        return DecodedCell(value, how, confidence, span=span, basis="; ".join([basis, *reason]))
    others = _distinct((s.table[key] for s in peers), value)
    if capped:
        others = others or _distinct((v[p] for v in block.candidates), value)
    if satisfied and not others:
        return DecodedCell(
            value,
            "inferred",
            CONF_UNIQUE,
            span=span,
            basis=f"the only reading of the {how} row that satisfies the identities",
        )
    if satisfied:
        return DecodedCell(
            value,
            "inferred",
            CONF_AMBIGUOUS,
            alternatives=others,
            notes=[
                f"{len(peers) + 1}{'+' if capped else ''} readings satisfy the identities; "
                "the most plausible is taken"
            ],
            span=span,
        )
    alternatives = others or _distinct((v[p] for v in block.candidates), value)
    return DecodedCell(
        value,
        how,
        CONF_UNRESOLVED,
        alternatives=alternatives,
        notes=[
            "no reading satisfies "
            + (", ".join(chosen.broken_ids[:3]) or "the identities")
            + "; the most plausible is taken",
            *reason,
        ],
        span=span,
    )
