"""The real eval set's gold labels: complete, valid, honest about what the sources break.

Each gold (`eval/data/real/<stem>.gold.json`) was written by reading its source cell by cell;
these tests keep the set consistent with itself, with `manifest.json`, with the rule engine
and with the facts a multi-year series states about itself.
"""

from __future__ import annotations

import itertools
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from nianbao.core.layout import T3_COLUMNS, layout_for, template_for_year
from nianbao.core.models import CanonicalReport
from rules.engine import check

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
NOT_SOURCES = {"README.md", "SOURCES.md", "manifest.json"}

# One body over several years, oldest first (ids are manifest ids).
SERIES = {
    "平潭综合实验区": [
        "corpus-001_pingtan-2019-webtext",
        "corpus-002_pingtan-2020-webtext",
        "corpus-003_pingtan-2021-webtext",
        "corpus-004_pingtan-2022-webtext",
        "corpus-005_pingtan-2023-webtext",
        "corpus-006_pingtan-2024-webtext",
        "corpus-007_pingtan-2025-webtext",
    ],
    "洪泽区": ["corpus-012_hongze-district-2023", "corpus-013_hongze-district-2024"],
}
# Where this year's t3.carried_over.<column> differs from last year's t3.carried_forward.<column>,
# as printed: {(earlier id, later id): {column: (carried_forward, carried_over)}}. The sources
# agree everywhere, so nothing is listed; a changed gold that broke the chain would show here.
SERIES_DISAGREEMENTS: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}


def source_stems() -> list[str]:
    """Stems of the source files: everything that is not a gold, a note or documentation."""
    stems = []
    for path in sorted(REAL.iterdir()):
        name = path.name
        if name in NOT_SOURCES or name.endswith((".gold.json", ".notes.md")):
            continue
        stems.append(name[: -len(path.suffix)])
    return stems


@cache
def manifest() -> dict[str, dict[str, Any]]:
    entries = json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in entries}


@cache
def gold(stem: str) -> CanonicalReport:
    return CanonicalReport.from_json((REAL / f"{stem}.gold.json").read_text(encoding="utf-8"))


def damage_vocabulary() -> set[str]:
    """The tags of the README's "Damage tags" table (the one place the vocabulary lives)."""
    text = (REAL / "README.md").read_text(encoding="utf-8")
    section = text.split("## Damage tags", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE))


STEMS = source_stems()


def test_the_set_holds_every_source() -> None:
    assert len(STEMS) == 18
    assert [s for s in STEMS if s.startswith("seed-")] == [f"seed-00{i}" for i in range(5)]


@pytest.mark.parametrize("stem", STEMS)
def test_every_source_has_gold_notes_and_manifest_entry(stem: str) -> None:
    assert (REAL / f"{stem}.gold.json").is_file()
    assert (REAL / f"{stem}.notes.md").read_text(encoding="utf-8").strip()
    entry = manifest()[stem]
    assert (REAL / entry["source"]).is_file()
    assert entry["source"].startswith(stem + ".")
    assert entry["gold"] == f"{stem}.gold.json"
    assert entry["notes"] == f"{stem}.notes.md"


def test_manifest_lists_nothing_but_the_sources() -> None:
    assert sorted(manifest()) == STEMS


@pytest.mark.parametrize("stem", STEMS)
def test_gold_validates_and_matches_its_manifest_meta(stem: str) -> None:
    report = gold(stem)
    assert list(report.cells) == list(layout_for(report.meta.template).keys)
    entry = manifest()[stem]
    assert entry["template"] == report.meta.template
    assert entry["year"] == report.meta.year
    assert entry["organ"] == report.meta.organ


@pytest.mark.parametrize("stem", STEMS)
def test_broken_identities_are_exactly_what_the_rule_engine_finds(stem: str) -> None:
    found = sorted(f.rule for f in check(gold(stem)).errors)
    assert found == sorted(manifest()[stem]["broken_identities"])


@pytest.mark.parametrize("stem", STEMS)
def test_a_report_breaks_identities_only_through_its_own_arithmetic(stem: str) -> None:
    entry = manifest()[stem]
    assert bool(entry["broken_identities"]) == ("own_arithmetic_error" in entry["damage"])


def test_the_known_breaks_in_print_are_kept() -> None:
    """Gold records what the report prints, so these stay broken (never "fixed")."""
    assert "t3.row_sum[new]" in manifest()["seed-003"]["broken_identities"]
    assert gold("seed-003").cells["t3.new.total"] == 0
    assert manifest()["corpus-012_hongze-district-2023"]["broken_identities"] == [
        "t4.group_sum[review]",
        "t4.group_sum[suit_after_review]",
    ]


@pytest.mark.parametrize("stem", STEMS)
def test_template_fits_year_unless_the_manifest_says_otherwise(stem: str) -> None:
    report = gold(stem)
    assert report.meta.year is not None
    fits = template_for_year(report.meta.year) == report.meta.template
    assert fits == manifest()[stem]["template_fits_year"]


@pytest.mark.parametrize("stem", STEMS)
def test_manifest_cell_lists_and_tags_are_well_formed(stem: str) -> None:
    entry = manifest()[stem]
    keys = set(gold(stem).cells)
    recovered, judged = set(entry["recovered_cells"]), set(entry["judgement_cells"])
    assert recovered <= keys and judged <= keys
    assert recovered <= judged, "a recovered cell needs a note"
    assert all(gold(stem).cells[k] is not None for k in recovered), "recovered means a value"
    assert entry["damage"] and set(entry["damage"]) <= damage_vocabulary()


@pytest.mark.parametrize("stem", STEMS)
def test_every_judgement_cell_is_discussed_in_the_notes(stem: str) -> None:
    """The notes name the key, its row (`t3.new`, `t3.new.*`) or its part (`t4.*`, `t2.*`)."""
    notes = (REAL / f"{stem}.notes.md").read_text(encoding="utf-8")
    for key in manifest()[stem]["judgement_cells"]:
        row, part = key.rsplit(".", 1)[0], key.split(".", 1)[0]
        named = (key, f"`{row}`", f"{row}.", f"`{part}.*`")
        assert any(name in notes for name in named), key


def test_the_fragment_is_null_outside_what_it_prints() -> None:
    report = gold("corpus-011_szfgs-2024-table3-fragment-pdftext")
    assert report.meta.organ is None
    assert all(report.cells[k] is None for k in report.cells if k.startswith("t4."))
    assert report.cells["t3.unable.need_creation.total"] is None
    assert report.cells["t3.unable.not_held.total"] == 769


def test_dropped_and_glued_cells_are_recovered_only_when_unique() -> None:
    # corpus-002 part 二: "396442278" leaves change/decisions open, so they are null
    c002 = gold("corpus-002_pingtan-2020-webtext").cells
    assert c002["t2.license.prev_items"] == 396
    assert c002["t2.license.change"] is None and c002["t2.license.decisions"] is None
    # corpus-003 part 四: 17 digits for 15 cells, one split satisfies the group sums
    c003 = gold("corpus-003_pingtan-2021-webtext").cells
    assert [c003[f"t4.suit_direct.{c}"] for c in ("upheld", "pending", "total")] == [12, 0, 12]


def _series_pairs() -> list[tuple[str, str]]:
    return [(a, b) for ids in SERIES.values() for a, b in itertools.pairwise(ids)]


@pytest.mark.parametrize(("earlier", "later"), _series_pairs())
def test_series_years_are_consecutive_and_same_body(earlier: str, later: str) -> None:
    a, b = gold(earlier), gold(later)
    assert b.meta.year == a.meta.year + 1  # type: ignore[operator]
    assert a.meta.organ and b.meta.organ
    assert a.meta.organ in b.meta.organ or b.meta.organ in a.meta.organ


@pytest.mark.parametrize(("earlier", "later"), _series_pairs())
def test_carried_over_against_last_years_carried_forward(earlier: str, later: str) -> None:
    a, b = gold(earlier).cells, gold(later).cells
    differs = {}
    for col in T3_COLUMNS:
        forward, over = a[f"t3.carried_forward.{col.name}"], b[f"t3.carried_over.{col.name}"]
        if forward is not None and over is not None and forward != over:
            differs[col.name] = (forward, over)
    assert differs == SERIES_DISAGREEMENTS.get((earlier, later), {})
