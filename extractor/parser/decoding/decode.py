"""Choose one reading of every row jointly, under the identities, and say how sure that is.

The parser hands over, for each table row, the vectors the text supports (one when the row
was read cleanly, several when glued digits cut several ways or a row had too few or too many
values). `decode_t3` / `decode_t4` pick one vector per row so that the template's identities
(from `rules.identities`, never restated here) hold; `decode_t2` ranks part-二 rows, which no
identity constrains. Nothing is forced: when no combination satisfies the identities, the most
plausible is kept and the cells are noted, because a report may break an identity in its own
print. The search itself is `extractor.parser.decoding.search`; this module turns its result
into per-cell values, methods, confidences, alternatives and notes (see docs/segmentation.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from extractor.parser.decoding.alignment import Placement
from extractor.parser.decoding.search import KEEP_FINAL, Block, Solution, choose, fill
from extractor.parser.decoding.segment import Segmentation
from nianbao.core.layout import ValueKind, layout_for
from nianbao.core.models import CellValue, Method
from rules.cuts import CUT_PROVEN
from rules.identities import Identity, identities_for
from rules.proving import RESTATED_BY_NARRATIVE
from rules.verdict import LOW_CONFIDENCE

Vector = tuple[CellValue, ...]
Span = tuple[int, int]

HOWS = (Method.READ, Method.SEGMENTED, Method.ALIGNED)
T4_RUN = "t4"  # RowCandidates.row for part 四 printed as one run of 15 values (all groups)

WIDE_KEEP = 8 * KEEP_FINAL  # combinations kept when filling broke most of a full keep

# What the confidences mean (documented in docs/segmentation.md). Below LOW_CONFIDENCE a cell
# is flagged by rules.verdict.
CONF_READ = 1.0  # read as printed, one reading
CONF_ONE_READING = 0.95  # segmented / aligned, but every reading of the row agrees on the cell
CONF_CUT_PROVEN = CUT_PROVEN  # segmented: the run's only reading, whatever its count (1.0)
CONF_UNIQUE = 0.9  # the only combination of readings that satisfies the identities
CONF_FILLED = 0.6  # not printed; the identities pin the value down
CONF_AMBIGUOUS = 0.5  # several combinations satisfy the identities: the best-ranked is taken
CONF_UNRESOLVED = 0.4  # no combination satisfies them: the most plausible is taken
CONF_UNKNOWN = 0.0  # not printed and not pinned down: stays null
STRAINED = (
    "the row's one reading breaks identities through two of its parts: a value printed "
    "twice or lost would move every cell of it"
)
# how a part-二 cell of a row the narrative restates stands to it
STATED = "it states this value"
STATED_AROUND = "what the print holds between the values it states"
STATED_NOTE = f"{RESTATED_BY_NARRATIVE}: {STATED}"


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
    how: Method = Method.READ
    spans: list[Span] | None = None
    cell_spans: list[tuple[Span | None, ...]] | None = None
    reasons: list[str] | None = None
    truncated: bool = False  # a search bound cut the readings short (Segmentation.truncated)
    sole: bool = False  # the glued run's only reading at any count (Segmentation.sole)
    # part 二: the one reading the narrative restates, and which of its cells it states
    # (extractor.parser.restated)
    restated: tuple[int, ...] = ()
    # every placement weighed when `candidates` hold only the most plausible of them: a cell
    # is one reading only where all of these agree (a placement the row's own sums rule out
    # is the reading of a print that breaks them, synth-8935-0095)
    weighed: list[Vector] | None = None

    @classmethod
    def from_segmentation(cls, row: str, seg: Segmentation, offset: int = 0) -> RowCandidates:
        """The readings of a glued run; `offset`: where the run starts in the source text."""
        readings = seg.readings
        if not readings:
            raise ValueError(f"row {row}: the run has no reading")
        starts = [s for r in readings for s, _ in r.spans]
        ends = [e for r in readings for _, e in r.spans]
        return cls(
            row,
            [r.values for r in readings],
            Method.SEGMENTED,
            [(offset + min(starts), offset + max(ends))],
            [tuple((offset + s, offset + e) for s, e in r.spans) for r in readings],
            [
                f"the trailing {r.row_number} read as the next row's number" if r.row_number else ""
                for r in readings
            ],
            seg.truncated,
            seg.sole,
        )

    @classmethod
    def from_alignment(
        cls, row: str, placements: Sequence[Placement], token_spans: Sequence[Span] | None = None
    ) -> RowCandidates:
        """The placements of a row's printed values; `token_spans`: each printed value's span."""
        if not placements:
            raise ValueError(f"row {row}: no placement")
        exact = (
            len(placements) == 1
            and not placements[0].dropped
            and None not in (placements[0].source)
        )
        cell_spans = None
        if token_spans is not None:
            cell_spans = [
                tuple(None if i is None else token_spans[i] for i in p.source) for p in placements
            ]
        return cls(
            row,
            [p.values for p in placements],
            Method.READ if exact else Method.ALIGNED,
            list(token_spans) if token_spans is not None else None,
            cell_spans,
            [p.reason for p in placements],
        )

    def __post_init__(self) -> None:
        if self.how not in HOWS:
            raise ValueError(f"row {self.row}: how must be one of {HOWS}, not {self.how!r}")
        if not self.candidates:
            raise ValueError(f"row {self.row}: no candidate readings")


@dataclass
class DecodedCell:
    """One cell's chosen value and how far to trust it."""

    value: CellValue
    method: Method  # read, segmented, aligned, inferred or missing
    confidence: float
    alternatives: list[CellValue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # doubts: every note flags the cell
    span: Span | None = None
    basis: str = ""  # how the value was found, when that is no doubt (e.g. a unique decoding)


@dataclass
class Decoded:
    """The chosen reading of a part, per canonical key, in layout order."""

    cells: dict[str, DecodedCell]
    solutions: int = 0  # combinations found that satisfy every identity (at most WIDE_KEEP)
    broken: list[str] = field(default_factory=list)  # identities the chosen reading breaks
    truncated: bool = False  # a search bound was hit: there may be readings not considered
    search_nodes: int = 0  # nodes the joint search visited (at most joint.MAX_NODES)
    budget_exhausted: bool = False  # the joint search stopped at its node budget

    def values(self) -> dict[str, CellValue]:
        return {key: cell.value for key, cell in self.cells.items()}

    def needs_review(self, low_confidence: float = LOW_CONFIDENCE) -> list[str]:
        """Keys whose value the decoder doubts (the same test as rules.verdict)."""
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
            row.truncated,
            row.sole,
            row.restated,
        )
    decoded = _decode(reranked, keys_of, [], _kinds(template))
    how_of = {key: row.how for name, row in rows.items() for key in keys_of.get(name, ())}
    for key, cell in decoded.cells.items():
        if cell.alternatives:
            # no identity took part: the value is the prior's pick among printed readings
            cell.method = how_of.get(key, cell.method)
            cell.confidence = CONF_AMBIGUOUS
            cell.notes = ["no identity decides between the readings of this row"]
    for name, row in rows.items():
        for p, key in enumerate(keys_of.get(name, ()) if row.restated else ()):
            # proven by rules.proving alone (part 二 has no identity to check it)
            stated = p in row.restated
            decoded.cells[key].notes = [
                STATED_NOTE if stated else f"{RESTATED_BY_NARRATIVE}: {STATED_AROUND}"
            ]
    return decoded


# ---- choosing ----------------------------------------------------------------------------------
def _kinds(template: str) -> dict[str, ValueKind]:
    return {spec.key: spec.kind for spec in layout_for(template).cells}


def _equal_neighbours(vector: Vector) -> int:
    return sum(1 for a, b in itertools.pairwise(vector) if a is not None and a == b)


def _blocks(rows: Mapping[str, RowCandidates], keys_of: Mapping[str, list[str]]) -> list[Block]:
    order = {name: n for n, name in enumerate(keys_of)}
    blocks: list[Block] = []
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
        ranks = tuple(range(len(distinct)))
        blocks.append(Block(name, keys, row, tuple(distinct), tuple(distinct.values()), ranks))
    return blocks


def _decode(
    rows: Mapping[str, RowCandidates],
    keys_of: Mapping[str, list[str]],
    idents: list[Identity],
    kinds: Mapping[str, ValueKind],
) -> Decoded:
    # Rows with one reading first, the most ambiguous last: the order changes no result, only
    # how many partial combinations the search carries from row to row.
    blocks = sorted(_blocks(rows, keys_of), key=lambda block: len(block.candidates))
    signed = frozenset(k for k, kind in kinds.items() if kind is ValueKind.SIGNED)
    solutions, budget = choose(blocks, idents, signed=signed)
    truncated = budget.exhausted
    all_keys = [k for name, keys in keys_of.items() if name != T4_RUN for k in keys]
    # nulls a person did not see printed blank: gaps of aligned rows and cells of absent rows
    covered = {k for block in blocks for k in block.keys}
    fillable = {k for k in all_keys if k not in covered}
    for block in blocks:
        if block.source.how == Method.ALIGNED:
            fillable.update(
                k for p, k in enumerate(block.keys) if any(v[p] is None for v in block.candidates)
            )
    _fill_all(solutions, blocks, all_keys, idents, fillable, kinds)
    keep = KEEP_FINAL
    if _full(solutions, keep) and not truncated:
        # the search keeps the best before nulls are filled, and filling may still break
        # them (two identities pinning one null to different values): weigh more (a search
        # of its own) before any cell is called unique
        wider, wide_budget = choose(blocks, idents, keep=WIDE_KEEP, signed=signed)
        if not wide_budget.exhausted:
            _fill_all(wider, blocks, all_keys, idents, fillable, kinds)
            solutions, budget, keep = wider, wide_budget, WIDE_KEEP
    solutions.sort(key=Solution.rank)
    chosen = solutions[0]
    satisfying = [s for s in solutions if not s.broken_ids]
    peers = (
        satisfying[1:]
        if satisfying
        else [s for s in solutions[1:] if s.rank()[0] == chosen.rank()[0]]
    )
    # past the cap (or a search bound) the readings weighed are a sample: agreement among
    # them proves nothing, so a cell the row's readings disagree on stays in doubt. A keep
    # still full of combinations as good as the chosen left combinations unweighed that
    # may be as good too (synth-8995-0050: 1 of 32 kept satisfied, and the same cut of two
    # rows alike, one digit moved, was not kept). A keep that is not is every one of them
    capped = truncated or _unweighed(solutions, keep)
    # rows the chosen reading's broken identities run through: no verdict there is firm
    by_id = {ident.id: ident for ident in idents}
    strained = {k for i in chosen.broken_ids for k in by_id[i].keys}
    cells: dict[str, DecodedCell] = {}
    for b, block in enumerate(blocks):
        ci = chosen.choice[b]
        for p, key in enumerate(block.keys):
            firm = not strained.intersection(block.keys)
            # two of the row's parts in broken identities: the row's cut, not one misprinted
            # cell, is the likelier fault (one part alone may be the report's own error)
            parts = [k for k in strained.intersection(block.keys) if not k.endswith(".total")]
            cell = _cell(key, p, block, ci, chosen, peers, bool(satisfying), capped, firm)
            if len(parts) >= 2:
                _doubt_one_reading(cell, block)
            if budget.exhausted and len({v[p] for v in block.candidates}) > 1:
                # the best combination found is not proven best: this row's cell is open
                cell.confidence = min(cell.confidence, CONF_AMBIGUOUS)
                cell.notes.append(
                    f"search budget exhausted ({budget.nodes} nodes): not every combination "
                    "of the rows' readings was weighed"
                )
            if block.source.truncated:
                # the right reading may not be among those listed: never certain
                cell.confidence = min(cell.confidence, CONF_AMBIGUOUS)
                cell.notes.append("the row's readings were cut short by a search bound")
            cells[key] = cell
    ordered = {key: cells.get(key) or _absent(key, chosen) for key in all_keys}
    return Decoded(
        ordered, len(satisfying), chosen.broken_ids, truncated, budget.nodes, budget.exhausted
    )


def _fill_all(
    solutions: list[Solution],
    blocks: list[Block],
    all_keys: list[str],
    idents: list[Identity],
    fillable: set[str],
    kinds: Mapping[str, ValueKind],
) -> None:
    """Each combination's whole table, its nulls the identities pin down filled."""
    for solution in solutions:
        solution.table = dict.fromkeys(all_keys)
        for block, ci in zip(blocks, solution.choice, strict=True):
            solution.table.update(zip(block.keys, block.candidates[ci], strict=True))
        fill(solution, idents, fillable, kinds)


def _full(solutions: list[Solution], keep: int) -> bool:
    """The search kept as many combinations as it may, the last breaking nothing before
    its nulls were filled: combinations past the keep may satisfy every identity."""
    return len(solutions) >= keep and max(s.broken for s in solutions) == 0


def _unweighed(solutions: list[Solution], keep: int) -> bool:
    """Combinations as good as the best kept may lie past the keep: it is full, and its
    worst broke no more identities before filling than the best breaks after. The search
    counts before filling at most what filling leaves broken (search.cannot_close), so a
    keep holding a worse combination holds every one as good as the best."""
    best = min(len(s.broken_ids) for s in solutions)
    return len(solutions) >= keep and max(s.broken for s in solutions) <= best


def _doubt_one_reading(cell: DecodedCell, block: Block) -> None:
    """A cell every reading of its row agrees on, in a row whose one reading breaks
    identities through two of its parts: the count the reading assumed may be wrong (a value
    printed twice or lost in the run), and that moves every cell of it, not only those the
    broken identities hold (synth-7652-0183). A read row, or a run with one reading at any
    count, assumed no count."""
    if block.source.how == Method.READ or block.source.sole or cell.notes:
        return
    if cell.basis.startswith("every reading"):  # `_one_reading`'s basis for such a row
        cell.notes.append(STRAINED)


def _one_reading(block: Block) -> tuple[str, float]:
    """Basis and confidence of a cell every reading of its row agrees on."""
    how = block.source.how
    if how == Method.READ:
        return "", CONF_READ
    if how == Method.SEGMENTED and block.source.sole:
        return "the glued run's only reading, whatever number of values it prints", CONF_CUT_PROVEN
    return f"every reading of the {how} row agrees", CONF_ONE_READING


def _span(block: Block, ci: int, p: int) -> Span | None:
    source = block.source
    origin = block.origin[ci]
    if source.cell_spans and origin < len(source.cell_spans):
        return source.cell_spans[origin][p]
    if not source.spans:
        return None
    if source.how == Method.READ and len(source.spans) == len(block.keys):
        return source.spans[p]
    return min(s for s, _ in source.spans), max(e for _, e in source.spans)


def _distinct(values: Iterable[CellValue], besides: CellValue) -> list[CellValue]:
    return [v for v in dict.fromkeys(values) if v != besides]


def _absent(key: str, chosen: Solution) -> DecodedCell:
    if key in chosen.filled:
        value, ident = chosen.filled[key]
        return DecodedCell(
            value, Method.INFERRED, CONF_FILLED, notes=[f"row not found; {ident} implies {value}"]
        )
    return DecodedCell(None, Method.MISSING, CONF_UNKNOWN, notes=["row not found"])


def _cell(
    key: str,
    p: int,
    block: Block,
    ci: int,
    chosen: Solution,
    peers: Sequence[Solution],
    satisfied: bool,
    capped: bool,
    firm: bool,
) -> DecodedCell:
    how = block.source.how
    span = _span(block, ci, p)
    value = chosen.table[key]
    reasons = block.source.reasons or []
    origin = block.origin[ci]
    reason = [reasons[origin]] if origin < len(reasons) and reasons[origin] else []
    if key in chosen.filled:
        _, ident = chosen.filled[key]
        return DecodedCell(
            value,
            Method.INFERRED,
            CONF_FILLED,
            notes=[f"not printed ({how} row); {ident} implies {value}", *reason],
            span=span,
        )
    options = {v[p] for v in block.source.weighed or block.candidates}
    if len(options) == 1:
        if value is None and how == Method.ALIGNED:
            return DecodedCell(
                None,
                how,
                CONF_UNKNOWN,
                notes=["not printed; the identities do not pin it"],
                span=span,
            )
        basis, confidence = _one_reading(block)
        return DecodedCell(value, how, confidence, span=span, basis="; ".join([basis, *reason]))
    others = _distinct((s.table[key] for s in peers), value)
    if capped:
        others = others or _distinct((v[p] for v in block.candidates), value)
    if satisfied and not others:
        if how == Method.SEGMENTED:
            # every cut of the run that the identities allow gives this value: the value is
            # read from the print (as a row with one cut is), proven by those identities
            return DecodedCell(
                value,
                how,
                CONF_ONE_READING,
                span=span,
                basis="the only cut of the glued run that satisfies the identities",
            )
        return DecodedCell(
            value,
            Method.INFERRED,
            CONF_UNIQUE,
            span=span,
            basis=f"the only reading of the {how} row that satisfies the identities",
        )
    if satisfied:
        return DecodedCell(
            value,
            Method.INFERRED,
            CONF_AMBIGUOUS,
            alternatives=others,
            notes=[
                f"{len(peers) + 1}{'+' if capped else ''} readings satisfy the identities; "
                "the most plausible is taken"
            ],
            span=span,
        )
    if not others and firm:
        # the report breaks identities elsewhere, but every other reading of this row breaks
        # more of them: the row itself is decided by the identities the report keeps
        return DecodedCell(
            value,
            Method.INFERRED,
            CONF_UNIQUE,
            span=span,
            basis=f"the only reading of the {how} row consistent with the identities the "
            "report keeps",
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
