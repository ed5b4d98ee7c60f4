"""The joint search: exact against brute force, and bounded by its node budget on a page no
search could settle (the budget counter is asserted, never the time)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.parser.decoding.alignment import align
from extractor.parser.decoding.decode import RowCandidates, decode_t3
from extractor.parser.decoding.search import KEEP_FINAL, MAX_NODES, Block, Budget, _search
from nianbao.core.layout import layout_for
from nianbao.core.models import CanonicalReport
from rules.identities import identities_for
from tests.strategies import consistent_reports

BUDGET_NOTE = "search budget exhausted"
REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
GOLD = "corpus-010_shanghai-gov-office-2025-pdfextract.gold.json"


def _rows(report: CanonicalReport) -> dict[str, tuple]:
    layout = report.layout
    return {
        r.name: tuple(report.cells[f"t3.{r.name}.{c.name}"] for c in layout.t3_columns)
        for r in layout.t3_rows
    }


def _brute_force(blocks: list[Block], idents: list) -> list[tuple[int, float, tuple[int, ...]]]:
    """Every combination, scored as the search scores it: identities broken (nulls leave one
    unknown unless all sit on one side and the known cells already overshoot: counts cannot
    be negative), then the sum of ranks, then the choice itself."""
    scored = []
    for choice in itertools.product(*(range(len(b.candidates)) for b in blocks)):
        table = {
            k: v
            for b, ci in zip(blocks, choice, strict=True)
            for k, v in zip(b.keys, b.candidates[ci], strict=True)
        }
        broken = 0
        for ident in idents:
            known = sum(ident.coefficient(k) * table[k] for k in ident.keys if table[k] is not None)
            null_sides = {ident.coefficient(k) for k in ident.keys if table[k] is None}
            if null_sides == set():
                broken += known != 0
            elif null_sides == {1}:
                broken += known > 0  # the null parts would have to sum to -known < 0
            elif null_sides == {-1}:
                broken += known < 0  # the null totals would have to hold less than nothing
        penalty = sum(b.ranks[ci] for b, ci in zip(blocks, choice, strict=True))
        scored.append((broken, float(penalty), choice))
    return sorted(scored)[:KEEP_FINAL]


@settings(max_examples=30, deadline=None)
@given(consistent_reports(), st.randoms(use_true_random=False))
def test_branch_and_bound_finds_exactly_the_best_combinations(
    report: CanonicalReport, rng: random.Random
) -> None:
    template = report.meta.template
    idents = [i for i in identities_for(template) if i.family.startswith("t3.")]
    blocks = []
    rows = _rows(report)
    doubtful = set(rng.sample(sorted(rows), 4))
    misprinted = rng.choice([None, *sorted(set(rows) - doubtful)])  # then some identity breaks
    if misprinted is not None:
        rows[misprinted] = (rows[misprinted][0] + 1, *rows[misprinted][1:])
    for name, vector in rows.items():
        keys = tuple(f"t3.{name}.{c.name}" for c in layout_for(template).t3_columns)
        readings = [vector]
        if name in doubtful:  # the truth among a few near misses, a gap now and then
            for _ in range(rng.randint(1, 3)):
                wrong = list(vector)
                at = rng.randrange(7)
                wrong[at] = None if rng.random() < 0.2 else (wrong[at] or 0) + rng.randint(1, 3)
                readings.append(tuple(wrong))
            rng.shuffle(readings)
        distinct = tuple(dict.fromkeys(readings))
        n = range(len(distinct))
        blocks.append(Block(name, keys, None, distinct, tuple(n), tuple(n)))
    blocks.sort(key=lambda b: len(b.candidates))
    budget = Budget(10**9)
    found, exhausted = _search(blocks, idents, budget)
    assert not exhausted
    expected = _brute_force(blocks, idents)
    assert [(s.broken, s.penalty, s.choice) for s in found] == expected
    # a floor (identities every combination breaks) only prunes, never changes the answer
    floored, _ = _search(blocks, idents, Budget(10**9), floor=expected[0][0])
    assert [(s.broken, s.penalty, s.choice) for s in floored] == expected


def _doubled(vector: tuple, rng: random.Random, times: int) -> list:
    printed = list(vector)
    for at in sorted(rng.sample(range(len(vector)), times), reverse=True):
        printed.insert(at, printed[at])  # a value printed twice
    return printed


def _pathological(misprint: bool = True, damaged_rows: int = 25) -> dict[str, RowCandidates]:
    """A real report's part 三 (corpus-010, 1,295 requests) where rows printed two values
    twice (so each has several placements) and, if `misprint`, one printed value is wrong (so
    no combination satisfies every identity and the whole space is in play)."""
    gold = CanonicalReport.from_json((REAL / GOLD).read_text(encoding="utf-8"))
    rng = random.Random(7)
    rows: dict[str, RowCandidates] = {}
    for n, (name, vector) in enumerate(_rows(gold).items()):
        if n >= damaged_rows:
            rows[name] = RowCandidates(name, [vector], "read")
            continue
        printed = _doubled(vector, rng, 2)
        if misprint and n == 0:
            printed[0] += 1  # the report's own misprint
        rows[name] = RowCandidates.from_alignment(name, align(printed, 7))
    return rows


def test_pathological_page_stays_within_the_node_budget_and_flags_what_is_open() -> None:
    rows = _pathological()
    assert sum(len(r.candidates) > 1 for r in rows.values()) >= 20
    decoded = decode_t3(rows, "2021")
    assert decoded.budget_exhausted and decoded.truncated
    assert decoded.search_nodes == MAX_NODES  # the counter, not the clock
    review = set(decoded.needs_review())
    for name, row in rows.items():
        for p, column in enumerate(layout_for("2021").t3_columns):
            cell = decoded.cells[f"t3.{name}.{column.name}"]
            undecided = len({v[p] for v in row.candidates}) > 1
            assert (BUDGET_NOTE in " ".join(cell.notes)) == undecided, (name, column.name)
            if undecided:
                assert f"t3.{name}.{column.name}" in review
    # deterministic: the same page, the same answer and the same count
    again = decode_t3(_pathological(), "2021")
    assert again.values() == decoded.values() and again.search_nodes == decoded.search_nodes


def test_doubled_values_on_a_consistent_page_are_decided_within_the_budget() -> None:
    gold = CanonicalReport.from_json((REAL / GOLD).read_text(encoding="utf-8"))
    decoded = decode_t3(_pathological(misprint=False), "2021")
    assert not decoded.budget_exhausted and decoded.search_nodes < MAX_NODES
    assert decoded.broken == [] and decoded.solutions >= 1
    review = set(decoded.needs_review())
    for key, cell in decoded.cells.items():
        assert BUDGET_NOTE not in " ".join(cell.notes)
        assert cell.value == gold.cells[key] or key in review, key
