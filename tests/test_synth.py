"""The synthetic generator: deterministic, valid golds, every damage type, honest records."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from eval.synth import CATALOGUE, DAMAGE_TYPES, RENDERERS, generate, synth_report
from eval.synth.damage import _another_doubling_holds, _glue_reads_cleanly, page_footer_in_table
from eval.synth.document import Cell, Document, Row, Table
from eval.synth.recover import recover_row
from eval.synth.unseen import UNSEEN_TYPES
from nianbao.core.layout import layout_for
from nianbao.core.models import CanonicalReport, Meta
from rules.engine import check
from rules.findings import Status

SET_200 = generate(7, 200)


def test_same_seed_same_reports_other_seed_other_reports() -> None:
    again = generate(7, 12)
    for a, b in zip(SET_200[:12], again, strict=True):
        assert (a.text, a.gold.cells, a.damage, a.damage_detail) == (
            b.text,
            b.gold.cells,
            b.damage,
            b.damage_detail,
        )
    assert synth_report(7, 3).text == SET_200[3].text  # report i does not depend on count
    assert [r.text for r in generate(8, 12)] != [r.text for r in SET_200[:12]]


def test_golds_validate_and_undamaged_arithmetic_passes_every_identity() -> None:
    undamaged = 0
    for report in SET_200:
        again = CanonicalReport.from_json(report.gold.to_json())
        assert again.cells == report.gold.cells
        result = check(report.gold, localise_errors=False)
        failed = [c.rule for c in result.checks if c.status is Status.FAILED]
        assert failed == report.broken_identities
        if "own_arithmetic_error" in report.damage:
            assert failed, report.id
        else:
            assert result.holds, (report.id, failed)
            undamaged += 1
    assert undamaged > 120


def test_every_damage_type_and_rendering_appears_in_200_reports() -> None:
    seen = Counter(d for r in SET_200 for d in r.damage)
    assert set(DAMAGE_TYPES) <= set(seen), set(DAMAGE_TYPES) - set(seen)
    assert set(UNSEEN_TYPES) <= set(seen), set(UNSEEN_TYPES) - set(seen)
    assert set(RENDERERS) == {r.rendering for r in SET_200}
    assert {r.gold.meta.template for r in SET_200} == {"2019", "2021"}
    assert sum(1 for r in SET_200 if r.broken_identities) >= 15  # a share breaks in print


def test_cells_lost_in_print_are_null_in_gold_unless_recovered() -> None:
    recovered_somewhere = 0
    for report in SET_200:
        nulls = {k for k, v in report.gold.cells.items() if v is None}
        recovered = set(report.recovered_cells)
        dropped = {
            *report.damage_detail.get("dropped_cells", []),
            *report.damage_detail.get("missing_value", []),
        }
        assert recovered <= dropped
        assert not recovered & nulls
        lost = dropped - recovered
        lost |= set(report.damage_detail.get("blank_cells", []))
        assert lost <= nulls
        if not {"omitted_row", "dropped_cells", "blank_cells", "missing_value"} & set(
            report.damage
        ):
            assert not nulls, report.id
        recovered_somewhere += bool(recovered)
    assert recovered_somewhere >= 5


def test_a_dropped_value_is_recovered_only_when_every_placement_agrees() -> None:
    template = "2021"
    row = [f"t3.new.{c}" for c in ("natural", "commercial", "research", "social", "legal")]
    row += ["t3.new.other_org", "t3.new.total"]
    # the rest of the table blank: only the row sum speaks
    cells = dict.fromkeys(CanonicalReport.empty(Meta(template=template)).cells)
    cells |= dict(zip(row, [1, 2, 0, 0, 0, 0, 3], strict=True))
    # 1 _ 0 0 0 0 3: the gap could sit before the 1 as well (2 1 0 ... also sums to 3)
    assert recover_row(template, cells, row, {"t3.new.commercial"}) == {"t3.new.commercial": None}
    cells |= dict(zip(row, [0, 0, 0, 0, 0, 0, 0], strict=True))
    # six zeros printed for seven cells: wherever the gap is, the sum pins it to 0
    assert recover_row(template, cells, row, {"t3.new.legal"}) == {"t3.new.legal": 0}
    cells |= dict(zip(row, [5, 0, 0, 0, 0, 0, 5], strict=True))
    # 5 0 0 0 0 5 for seven cells: the gap is a 0 wherever it sits, except before the 5
    # (then natural = 0 and commercial = 5, which the sum allows): not unique
    assert recover_row(template, cells, row, {"t3.new.research"}) == {"t3.new.research": None}


def test_sizes_print_mostly_zeros_small_and_thousands_large() -> None:
    small = [r for r in SET_200 if r.size == "small"]
    large = [r for r in SET_200 if r.size == "large"]
    zero_share = sum(v == 0 for r in small for v in r.gold.cells.values()) / sum(
        len(r.gold.cells) for r in small
    )
    assert zero_share > 0.7
    assert max(r.gold.cells["t3.new.total"] or 0 for r in large) >= 1000


def test_renderings_print_the_gold_values() -> None:
    """An undamaged value shows up in the text (glued or not): the gold is what is printed."""
    for report in SET_200[:60]:
        if {
            "own_arithmetic_error",
            "fullwidth_digits",
            "thousands_separators",
            "units_in_cells",
        } & set(report.damage):
            continue
        squeezed = "".join(report.text.split())
        total = report.gold.cells["t3.new.total"]
        if total is not None:
            assert str(total) in squeezed, report.id


def test_catalogue_is_described() -> None:
    assert len({d.name for d in CATALOGUE}) == len(CATALOGUE)
    assert all(0 < d.rate < 1 and d.doc for d in CATALOGUE)


def test_same_reports_whatever_the_hash_seed() -> None:
    """No set or dict-of-str order leaks into the output (CI and laptops differ there)."""
    import subprocess
    import sys

    code = (
        "import hashlib\n"
        "from eval.synth import generate\n"
        "h = hashlib.sha256()\n"
        "for r in generate(4, 25):\n"
        "    h.update((r.text + r.gold.to_json() + repr(r.damage_detail)).encode())\n"
        "print(h.hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            cwd=Path(__file__).parent.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1, digests


def _granted(template: str, printed: list[int]) -> tuple[CanonicalReport, Row]:
    """A report printing only part 三's 予以公开 row (the rest blank: only its row sum speaks)."""
    keys = [f"t3.granted.{c.name}" for c in layout_for(template).t3_columns]
    report = CanonicalReport.empty(Meta(template=template))
    report.cells |= dict(zip(keys, printed, strict=True))
    row = Row([], [Cell(str(v), k) for k, v in zip(keys, printed, strict=True)], name="granted")
    return report, row


def test_a_value_printed_twice_is_not_generated_where_another_doubling_reads_better() -> None:
    # synth-9173-0046: other_org misprinted 4 (the total 4), and legal's 0 printed twice:
    # "4 0 0 0 0 0 4 4" reads as the total printed twice with the row sum holding, and no
    # reader could tell the report's own error from that: the gold would be unknowable
    report, row = _granted("2021", [4, 0, 0, 0, 0, 4, 4])
    row.cells.insert(5, Cell("0", doubled=True))
    assert check(report, localise_errors=False).errors
    assert _another_doubling_holds(row, 5, report)
    assert report.cells["t3.granted.other_org"] == 4  # the gold is left as it was
    # the report's own 1 for 0 and a 0 printed twice (synth-8037-0099): leaving out any 0
    # reads the same row, and leaving out the 1 is no doubling: the print shows the error
    report, row = _granted("2021", [1, 0, 0, 0, 0, 0, 0])
    row.cells.insert(2, Cell("0", doubled=True))
    assert not _another_doubling_holds(row, 2, report)


def test_a_glue_is_not_generated_where_it_hides_a_value_printed_twice() -> None:
    keys = ["t2.fees.prev_items", "t2.fees.change"]  # 2019: a count, then a signed change
    report = CanonicalReport.empty(Meta(template="2019"))
    report.cells |= dict(zip(keys, [1, 0], strict=True))
    # synth-9160-0103: "1 0 0" (the 0 printed twice) glued to "10 0": a clean row of two
    row = Row([], [Cell("1", keys[0]), Cell("0", keys[1]), Cell("0", doubled=True)])
    assert _glue_reads_cleanly(row, 0, 2, report)
    assert not _glue_reads_cleanly(row, 0, 3, report)  # "100": one value short, it shows
    # synth-7804-0204: "8920 8920 -7 50" glued to "8920 8920 -750": -750 is no count
    keys = ["t2.coercion.prev_items", "t2.coercion.change", "t2.coercion.decisions"]
    report.cells |= dict(zip(keys, [8920, -7, 50], strict=True))
    printed = [Cell("8920", keys[0]), Cell("8920", doubled=True), Cell("-7", keys[1])]
    row = Row([], [*printed, Cell("50", keys[2])])
    assert not _glue_reads_cleanly(row, 2, 2, report)
    # the value glued to its own copy, "89208920 -7 50": three clean values, no trace left
    assert _glue_reads_cleanly(row, 0, 2, report)


class _Scripted(random.Random):
    """Draws as scripted: the footer printed as a bare page number, placed after row 1."""

    def choice(self, seq):  # type: ignore[override]
        return "{n}" if "{n}" in seq else seq[0]

    def randint(self, a: int, b: int) -> int:
        return a

    def randrange(self, *args: int) -> int:
        return 2


def test_a_bare_page_number_is_not_generated_where_a_lost_value_stood() -> None:
    # synth-9372-0016: 行政强制 lost its value, and a page number "9" printed after it read
    # as that value: no reader could tell
    rows = [
        Row(["行政处罚"], [Cell("0", "t2.penalty.decisions")], name="t2.penalty"),
        Row(["行政强制"], [], name="t2.coercion"),
        Row(["行政事业性收费"], [Cell("28.96", "t2.fees.amount_wan")], name="t2.fees"),
    ]
    doc = Document("report", [Table("t2", rows)], lost={"t2.coercion.decisions": 9})
    report = CanonicalReport.empty(Meta(template="2021"))
    assert page_footer_in_table(doc, _Scripted(), report) == []
    assert [r.kind for r in rows] == ["data"] * 3
    doc.lost.clear()  # with nothing lost there, the page number goes in
    assert page_footer_in_table(doc, _Scripted(), report) == ["t2: 2"]
    assert rows[2].kind == "footer"
