"""Joint decoding under the identities: the real glued reports, the damaged seeds, and random
consistent reports glued, duplicated or cut short."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.parser.decoding.alignment import align
from extractor.parser.decoding.decode import (
    CONF_ONE_READING,
    CONF_UNIQUE,
    T4_RUN,
    Decoded,
    DecodedCell,
    RowCandidates,
    decode_t2,
    decode_t3,
    decode_t4,
)
from extractor.parser.decoding.search import Block, choose, prune
from extractor.parser.decoding.segment import segment, segment_with_row_number, sums_for
from nianbao.core.layout import ValueKind, layout_for
from nianbao.core.models import CanonicalReport, Method
from rules.identities import Identity
from tests.glued import REAL, numeric_groups, real_text, run_after, t3_runs, t4_run, values_after
from tests.strategies import consistent_reports

CORPUS = {f"corpus-00{i}": "2019" if i < 3 else "2021" for i in range(1, 8)}


def _row_sum(template: str) -> list:
    return sums_for(template, [f"t3.new.{c.name}" for c in layout_for(template).t3_columns])


def _t4_sums(template: str = "2021") -> list:
    return sums_for(template, [k for k in layout_for(template).keys if k.startswith("t4.")])


def _glued_t3(stem: str) -> dict[str, RowCandidates]:
    template = CORPUS[stem]
    rows = {}
    for row, (run, following, at) in t3_runs(stem, template).items():
        seg = segment_with_row_number(run, 7, following, sums=_row_sum(template))
        rows[row] = RowCandidates.from_segmentation(row, seg, at)
    return rows


def _t3(decoded: Decoded, row: str, template: str = "2021") -> tuple:
    return tuple(decoded.cells[f"t3.{row}.{c.name}"].value for c in layout_for(template).t3_columns)


def _aligned(row: str, printed: list[int], n: int) -> RowCandidates:
    return RowCandidates.from_alignment(row, align(printed, n))


# ---- the real glued web pages -------------------------------------------------------------
def test_corpus_003_decodes_uniquely() -> None:
    decoded = decode_t3(_glued_t3("corpus-003"), "2021")
    assert decoded.solutions == 1 and decoded.broken == []
    assert _t3(decoded, "new") == (64, 0, 0, 2, 0, 4, 70)
    # "270020130" cuts two ways under its row sum; the column sums pick 27,0,0,2,0,1,30
    assert _t3(decoded, "granted") == (27, 0, 0, 2, 0, 1, 30)
    cell = decoded.cells["t3.granted.natural"]
    # read from the print: the one cut the identities allow, not a value they imply
    assert (cell.method, cell.confidence) == ("segmented", CONF_ONE_READING)
    assert cell.basis == "the only cut of the glued run that satisfies the identities"
    assert decoded.cells["t3.new.natural"].method == "segmented"
    assert decoded.needs_review() == []
    # the span of a segmented cell points at its own digits in the file
    text = (run_after("corpus-003", "一、本年新收政府信息公开申请数量")[2], None)[0]
    assert decoded.cells["t3.new.natural"].span == (text, text + 2)


def test_every_corpus_report_decodes() -> None:
    for stem, template in CORPUS.items():
        decoded = decode_t3(_glued_t3(stem), template)
        assert all(c.value is not None for c in decoded.cells.values()), stem
        if stem == "corpus-002":
            # its own print breaks the natural-person results sum (26 results, total 20):
            # reported, never "fixed"
            assert decoded.solutions == 0
            assert "t3.results_sum[natural]" in decoded.broken
            assert _t3(decoded, "results_total", template) == (20, 0, 0, 0, 0, 1, 21)
        else:
            assert decoded.solutions == 1, stem
            assert decoded.broken == [], stem


def test_stuck_row_number_is_resolved_by_the_row_sum() -> None:
    decoded = decode_t3(_glued_t3("corpus-001"), "2019")
    assert _t3(decoded, "denied.state_secret", "2019") == (0,) * 7
    assert _t3(decoded, "unable.not_held", "2019") == (7, 0, 0, 0, 0, 0, 7)


def test_corpus_t4_runs_decode_uniquely() -> None:
    expected = {
        "corpus-003": (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0),
        "corpus-007": (25, 3, 8, 0, 36, 3, 3, 0, 0, 6, 3, 0, 0, 0, 3),
    }
    for stem, values in expected.items():
        seg = segment(t4_run(stem), 15, sums=_t4_sums())
        decoded = decode_t4({T4_RUN: RowCandidates(T4_RUN, seg.candidates, "segmented")})
        assert tuple(decoded.values().values()) == values
        assert decoded.solutions == 1


def test_t4_without_sums_is_ambiguous_and_flagged() -> None:
    """Cut with no pruning, the identities still choose; readings that tie are flagged."""
    seg = segment(t4_run("corpus-003"), 15)
    decoded = decode_t4({T4_RUN: RowCandidates(T4_RUN, seg.candidates, "segmented")})
    expected = (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0)
    if decoded.solutions == 1:
        assert tuple(decoded.values().values()) == expected
    else:
        assert decoded.needs_review()


def test_t2_glued_rows_are_ranked_and_flagged() -> None:
    table = real_text("corpus-001").index("第二十条第（一）项")
    run, _, _ = run_after("corpus-001", "规范性文件", table)
    seg = segment(run, 3)
    decoded = decode_t2(
        {"normative": RowCandidates("normative", seg.candidates, "segmented")}, "2019"
    )
    assert [
        decoded.cells[f"t2.normative.{c}"].value
        for c in ("new_made", "new_published", "total_published")
    ] == [89, 89, 89]
    assert set(decoded.needs_review()) >= {"t2.normative.new_made"}
    assert decoded.cells["t2.normative.new_made"].alternatives
    run, _, _ = run_after("corpus-001", "规章", table)
    decoded = decode_t2(
        {"rules": RowCandidates("rules", segment(run, 3).candidates, "segmented")}, "2019"
    )
    assert decoded.cells["t2.rules.new_made"].value == 0
    assert "t2.rules.new_made" not in decoded.needs_review()


# ---- the damaged seeds --------------------------------------------------------------------
def _seed_t3(stem: str, template: str) -> dict[str, RowCandidates]:
    groups = numeric_groups(stem, "一、本年新收政府信息公开申请数量", "四、结转下年度继续办理")
    layout_rows = layout_for(template).t3_rows
    assert len(groups) == len(layout_rows)
    out = {}
    for row, printed in zip(layout_rows, groups, strict=True):
        if len(printed) == 7:
            out[row.name] = RowCandidates(row.name, [tuple(printed)], "read")
        else:
            out[row.name] = _aligned(row.name, printed, 7)
    return out


def test_seed003_duplicate_dropped_gap_filled_own_error_kept() -> None:
    decoded = decode_t3(_seed_t3("seed-003", "2021"), "2021")
    assert _t3(decoded, "unable.not_held") == (8, 0, 0, 0, 0, 0, 8)
    assert decoded.cells["t3.unable.not_held.natural"].method in {"aligned", "inferred"}
    # the 6-value row: all cells end up 0; the missing one is inferred, with a note
    assert _t3(decoded, "other.misc") == (0,) * 7
    inferred = [
        k
        for k in decoded.cells
        if k.startswith("t3.other.misc.") and decoded.cells[k].method == "inferred"
    ]
    assert inferred and all(decoded.cells[k].notes or decoded.cells[k].basis for k in inferred)
    # the report breaks row 一 and the balance, yet the duplicate row is decided by the
    # identities it keeps: not flagged; the gap's own cell (not printed) is
    assert "t3.unable.not_held.total" not in decoded.needs_review()
    assert decoded.needs_review() == ["t3.other.misc.total"]
    # row 一 prints 8, 1, 0, 0, 0, 0 and total 0: its own break is kept and reported
    assert _t3(decoded, "new") == (8, 1, 0, 0, 0, 0, 0)
    assert "t3.row_sum[new]" in decoded.broken


def test_seed002_short_rows_fill_only_what_the_identities_pin() -> None:
    decoded = decode_t3(_seed_t3("seed-002", "2019"), "2019")
    for key, cell in decoded.cells.items():
        assert cell.value in (0, None), key
        if cell.method == "inferred":
            # zeros the sums imply: noted, or (when every placement agrees) explained
            assert cell.value == 0 and (cell.notes or cell.basis)
        if cell.value is None:
            assert key.startswith(("t3.new.", "t3.carried_over.", "t3.denied.state_secret.")), key
            assert cell.notes


def test_seed001_part4_extra_value_dropped() -> None:
    printed = values_after("seed-001", "总计", after="五、存在的主要问题", last=True)
    decoded = decode_t4({T4_RUN: _aligned(T4_RUN, printed, 15)})
    assert set(decoded.values().values()) == {0}
    assert decoded.needs_review() == []  # every placement gives the same 15 zeros


def test_seed003_part4_read() -> None:
    printed = values_after("seed-003", "总计", after="5、", last=True)
    decoded = decode_t4({T4_RUN: RowCandidates(T4_RUN, [tuple(printed)])})
    assert decoded.cells["t4.review.total"].value == 2 and decoded.broken == []


# ---- random consistent reports ------------------------------------------------------------
def _rows(report: CanonicalReport) -> dict[str, tuple]:
    layout = report.layout
    return {
        r.name: tuple(report.cells[f"t3.{r.name}.{c.name}"] for c in layout.t3_columns)
        for r in layout.t3_rows
    }


def _truth(report: CanonicalReport, prefix: str) -> dict:
    return {k: v for k, v in report.cells.items() if k.startswith(prefix)}


@settings(max_examples=25, deadline=None)
@given(consistent_reports())
def test_glued_report_decodes_to_the_truth(report: CanonicalReport) -> None:
    template = report.meta.template
    rows = {}
    for name, vector in _rows(report).items():
        seg = segment("".join(map(str, vector)), 7, sums=_row_sum(template))
        assert vector in seg.candidates or seg.truncated
        rows[name] = (
            RowCandidates.from_segmentation(name, seg)
            if seg.readings
            else (RowCandidates(name, [vector], "read"))
        )
    decoded = decode_t3(rows, template)
    truth = _truth(report, "t3.")
    if not any(row.truncated for row in rows.values()):
        assert decoded.solutions >= 1  # the true table is among the decodings
    if decoded.solutions == 1:
        assert decoded.values() == truth
    for key, cell in decoded.cells.items():  # a wrong value is always a flagged one
        if cell.value != truth[key]:
            assert key in decoded.needs_review(), key
    _only_printed_unless_inferred(decoded, rows)
    t4 = tuple(v for k, v in report.cells.items() if k.startswith("t4."))
    seg = segment("".join(map(str, t4)), 15, sums=_t4_sums(template))
    decoded4 = decode_t4({T4_RUN: RowCandidates(T4_RUN, seg.candidates or [t4], "segmented")})
    if decoded4.solutions == 1:
        assert tuple(decoded4.values().values()) == t4


@settings(max_examples=25, deadline=None)
@given(consistent_reports(), st.data())
def test_duplicated_or_dropped_value_is_recovered_or_flagged(
    report: CanonicalReport, data: st.DataObject
) -> None:
    template = report.meta.template
    rows = _rows(report)
    damaged = data.draw(st.sampled_from(sorted(rows)))
    at = data.draw(st.integers(0, 6))
    vector = list(rows[damaged])
    if data.draw(st.booleans()):
        printed = [*vector[: at + 1], vector[at], *vector[at + 1 :]]
    else:
        printed = vector[:at] + vector[at + 1 :]
    candidates = {n: RowCandidates(n, [v]) for n, v in rows.items()}
    candidates[damaged] = _aligned(damaged, printed, 7)
    decoded = decode_t3(candidates, template)
    truth = _truth(report, "t3.")
    review = decoded.needs_review()
    for key, cell in decoded.cells.items():
        if cell.value != truth[key]:
            assert key in review, (key, cell)
        if cell.method not in {"inferred"}:  # nothing that was not printed, unless inferred
            row = key.rsplit(".", 1)[0].removeprefix("t3.")
            assert cell.value is None or cell.value in (printed if row == damaged else rows[row])


def test_a_row_cut_short_by_a_bound_is_never_certain() -> None:
    seg = segment("1234567890" * 3, 7, limit=3)
    assert seg.truncated
    row = RowCandidates("new", seg.candidates[:1], "segmented", truncated=seg.truncated)
    decoded = decode_t3({"new": row}, "2021")
    assert "t3.new.natural" in decoded.needs_review()


def test_aligned_cells_point_at_the_printed_token_they_took() -> None:
    spans = [(10 * i, 10 * i + 1) for i in range(8)]
    row = RowCandidates.from_alignment("unable.not_held", align([8, 8, 0, 0, 0, 0, 0, 8], 7), spans)
    decoded = decode_t3({"unable.not_held": row}, "2021")
    assert decoded.cells["t3.unable.not_held.total"].span == (70, 71)
    assert decoded.cells["t3.unable.not_held.research"].span in {(30, 31), (20, 21)}
    exact = RowCandidates.from_alignment("new", align([1, 0, 0, 0, 0, 0, 1], 7), spans[:7])
    assert exact.how == "read"


def test_stuck_row_number_reading_is_explained() -> None:
    run, following, at = run_after("corpus-001", "1.本机关不掌握相关政府信息")
    seg = segment_with_row_number(run, 7, following, sums=_row_sum("2019"))
    row = RowCandidates.from_segmentation("unable.not_held", seg, at)
    assert row.reasons == ["the trailing 2 read as the next row's number"]
    assert row.cell_spans and row.cell_spans[0][0] == (at, at + 1)


def _only_printed_unless_inferred(decoded: Decoded, rows: dict[str, RowCandidates]) -> None:
    """Every value not marked inferred is one that some reading of its row printed there."""
    for name, row in rows.items():
        prefix = "t4" if name == T4_RUN else f"t3.{name}"
        keys = [k for k in decoded.cells if k.startswith(prefix + ".")]
        if name != T4_RUN:
            keys = [k for k in keys if k.rsplit(".", 1)[0] == prefix]
        for p, key in enumerate(keys):
            cell = decoded.cells[key]
            if cell.method != "inferred":
                assert cell.value in {c[p] for c in row.candidates}, key


@settings(max_examples=25, deadline=None)
@given(consistent_reports(), st.data())
def test_t4_with_a_value_duplicated_or_dropped(
    report: CanonicalReport, data: st.DataObject
) -> None:
    truth = tuple(v for k, v in report.cells.items() if k.startswith("t4."))
    at = data.draw(st.integers(0, 14))
    if data.draw(st.booleans()):
        printed = [*truth[: at + 1], truth[at], *truth[at + 1 :]]
    else:
        printed = list(truth[:at] + truth[at + 1 :])
    rows = {T4_RUN: RowCandidates.from_alignment(T4_RUN, align(printed, 15))}
    decoded = decode_t4(rows)
    review = decoded.needs_review()
    for key, value in zip(decoded.cells, truth, strict=True):
        if decoded.cells[key].value != value:
            assert key in review, key
    _only_printed_unless_inferred(decoded, rows)


def test_t4_by_group_and_unknown_rows() -> None:
    groups = {
        "review": RowCandidates("review", [(1, 1, 0, 0, 2)]),
        "suit_direct": RowCandidates.from_alignment("suit_direct", align([0, 0, 0, 0], 5)),
        "suit_after_review": RowCandidates("suit_after_review", [(0, 0, 0, 0, 0)]),
    }
    decoded = decode_t4(groups)
    assert set(decoded.values().values()) == {0, 1, 2}
    gap = [k for k, c in decoded.cells.items() if c.method == "inferred" and c.notes]
    assert gap and all(k.startswith("t4.suit_direct.") for k in gap)
    with pytest.raises(ValueError, match="unknown row"):
        decode_t4({"appeal": RowCandidates("appeal", [(0,) * 5])})
    with pytest.raises(ValueError, match="5"):
        decode_t4({"review": RowCandidates("review", [(0,) * 4])})


# ---- against the hand-written gold labels ----------------------------------------------------
def _gold(stem: str) -> dict:
    (path,) = REAL.glob(f"{stem}*.gold.json")
    return CanonicalReport.from_json(path.read_text(encoding="utf-8")).cells


def _misses(decoded: Decoded, gold: dict) -> tuple[list[str], list[str]]:
    """Cells decoded wrong, and those of them the decoder did not flag (silent errors)."""
    wrong = [k for k, c in decoded.cells.items() if c.value != gold[k]]
    review = set(decoded.needs_review())
    return wrong, [k for k in wrong if k not in review]


def test_glued_corpus_parts_3_and_4_match_the_gold_labels() -> None:
    for stem, template in CORPUS.items():
        gold = _gold(stem)
        decoded = decode_t3(_glued_t3(stem), template)
        assert _misses(decoded, gold) == ([], []), stem
        seg = segment(t4_run(stem, template), 15, sums=_t4_sums(template))
        decoded = decode_t4({T4_RUN: RowCandidates.from_segmentation(T4_RUN, seg)})
        assert _misses(decoded, gold) == ([], []), stem


def test_damaged_seeds_match_the_gold_labels_or_flag() -> None:
    for stem, template in (("seed-002", "2019"), ("seed-003", "2021")):
        wrong, silent = _misses(decode_t3(_seed_t3(stem, template), template), _gold(stem))
        assert silent == [], stem
        assert wrong == [], stem
    printed = values_after("seed-001", "总计", after="五、存在的主要问题", last=True)
    decoded = decode_t4({T4_RUN: _aligned(T4_RUN, printed, 15)})
    assert _misses(decoded, _gold("seed-001")) == ([], [])


def test_identities_no_reading_satisfies_together_leave_a_best_reading_not_a_crash() -> None:
    # x = y and x = z with y read 1 and z read 2: each holds alone, never both. Once x = y
    # left every row one reading, x = z was taken as satisfiable without being summed, and
    # the search asserted on the set it had "kept" (synth-9-0030 rewritten with 零 crashed)
    def block(key: str, *readings: int) -> Block:
        n = len(readings)
        return Block(
            key, (key,), None, tuple((r,) for r in readings), tuple(range(n)), tuple(range(n))
        )

    blocks = [block("x", 1, 2), block("y", 1), block("z", 2)]
    x_is_y, x_is_z = (
        Identity("x=y", "test", ("x",), ("y",)),
        Identity("x=z", "test", ("x",), ("z",)),
    )
    assert prune(blocks, [x_is_y, x_is_z]) is None
    assert prune(blocks, [x_is_z], [[0], [0], [0]]) is None  # one reading each, and it breaks
    found, _ = choose(blocks, [x_is_y, x_is_z])
    assert found and found[0].broken == 1  # the best reading breaks only one of the two


def test_filling_counts_an_identity_no_count_can_meet_as_broken() -> None:
    # synth-8543-0092: a column total read short of what its rows hold, one row unread. The
    # unread cell would need -11: counted unknown, the wrong reading outranked the right one
    from extractor.parser.decoding.search import Solution, fill

    total = Identity("parts=total", "test", ("a", "b"), ("t",))
    counts = dict.fromkeys(("a", "b", "t"), ValueKind.COUNT)
    short = Solution((0,), 0, 0.0, table={"a": 12, "b": None, "t": 1})
    fill(short, [total], {"b"}, counts)
    assert short.table["b"] is None and short.broken_ids == ["parts=total"]
    meets = Solution((0,), 0, 0.0, table={"a": 12, "b": None, "t": 14})
    fill(meets, [total], {"b"}, counts)
    assert meets.table["b"] == 2 and meets.broken_ids == []
    # two unknown parts can still make up any total at or above the known part
    two = Solution((0,), 0, 0.0, table={"a": None, "b": None, "t": 1})
    fill(two, [total], {"a", "b"}, counts)
    assert two.broken_ids == []


def test_filling_counts_two_identities_that_pin_a_null_apart_as_broken() -> None:
    # no value meets both; left null, both counted unknown, the reading looked unbroken
    from extractor.parser.decoding.search import Solution, fill

    rows = Identity("row", "test", ("x", "y"), ("r",))
    column = Identity("col", "test", ("x", "z"), ("c",))
    counts = dict.fromkeys(("x", "y", "r", "z", "c"), ValueKind.COUNT)
    apart = Solution((0,), 0, 0.0, table={"x": None, "y": 1, "r": 1, "z": 0, "c": 5})
    fill(apart, [rows, column], {"x"}, counts)
    assert apart.table["x"] is None and len(apart.broken_ids) == 1


def test_the_search_keeps_as_many_combinations_as_asked_the_best_first() -> None:
    # the decoder weighs a wider keep when filling nulls broke most of a full one
    from extractor.parser.decoding.search import KEEP_FINAL

    blocks = [Block(f"r{i}", (f"k{i}",), None, ((0,), (1,)), (0, 1), (0, 1)) for i in range(12)]
    narrow, _ = choose(blocks, [])
    wide, _ = choose(blocks, [], keep=8 * KEEP_FINAL)
    assert len(narrow) == KEEP_FINAL and len(wide) == 8 * KEEP_FINAL
    assert wide[0].choice == narrow[0].choice == (0,) * 12
    assert {s.choice for s in narrow} <= {s.choice for s in wide}


def _free_rows_and_one_decided(free: int) -> dict[str, RowCandidates]:
    """`free` rows of one cell read 0 or 1 that no identity constrains (2**free readings
    satisfy everything), and a row whose 3 or 4 only its identity with a printed 3 decides."""
    rows = {f"r{i}": RowCandidates(f"r{i}", [(0,), (1,)], Method.ALIGNED) for i in range(free)}
    rows["b"] = RowCandidates("b", [(4,), (3,)], Method.ALIGNED)
    rows["t"] = RowCandidates("t", [(3,)])
    return rows


def test_a_cell_every_satisfying_reading_agrees_on_is_unique_once_all_were_weighed() -> None:
    from extractor.parser.decoding.decode import _decode

    equal = Identity("b=t", "test", ("b1",), ("t1",))
    kinds = dict.fromkeys(["b1", "t1", *(f"k{i}" for i in range(9))], ValueKind.COUNT)

    def decoded(free: int) -> DecodedCell:
        keys_of = {name: [f"k{name[1:]}"] for name in (f"r{i}" for i in range(free))}
        keys_of |= {"b": ["b1"], "t": ["t1"]}
        return _decode(_free_rows_and_one_decided(free), keys_of, [equal], kinds).cells["b1"]

    # 64 readings satisfy the identity, more than the first keep of 32 but all weighed by
    # the wider one: every one reads 3, so 3 is the only value the identities allow
    cell = decoded(6)
    assert cell.value == 3 and not cell.alternatives and cell.confidence == CONF_UNIQUE
    # 512 satisfy: the wider keep is full too, the readings weighed a sample, 3 in doubt
    cell = decoded(9)
    assert cell.value == 3 and cell.alternatives == [4]
