"""Synthetic reports: random consistent tables, a narrative, damage, one rendering, a gold.

`generate(seed, count)` is deterministic: report i of seed s is always the same text, gold
and damage list, whatever `count` is (each report has its own random stream).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TypeVar

from eval.synth.damage import CATALOGUE
from eval.synth.document import Document, Heading, Para, t2_table, t3_table, t4_table
from eval.synth.narrative import HEADINGS, closing, organ_name, overview, title
from eval.synth.recover import recover_lost
from eval.synth.render import (
    DRAWN,
    GLUES_VALUES,
    LOSES_EMPTY_CELLS,
    NOT_WITH,
    RENDERERS,
    RENDERING_DAMAGE,
)
from eval.synth.tables import SIZE_WEIGHTS, SIZES, Size, random_cells
from eval.synth.unseen import UNSEEN, UNSEEN_NOT_WITH, unseen_rng
from nianbao.core.layout import Template, layout_for
from nianbao.core.models import CanonicalReport, Meta
from rules.engine import check
from rules.findings import Status

T = TypeVar("T")

TEMPLATE_WEIGHTS: dict[Template, float] = {"2019": 0.35, "2021": 0.65}
MARKDOWN_RENDERINGS = frozenset({"markdown", "ocr_markdown", "markdown_html"})
# of the reports drawn tab_rows, this share is a web page with HTML tables instead, chosen
# from a stream of its own: every other report of a seed keeps its text
HTML_SHARE = 0.5
# of the reports drawn markdown, this share is a converter's Markdown with HTML tables
# (unseen damage, issue 13), from a stream of its own likewise
MARKDOWN_HTML_SHARE = 0.4


@dataclass
class SynthReport:
    """One synthetic report: the source text, its canonical gold, and what was done to it."""

    id: str
    text: str
    media: str  # "txt" or "md"
    rendering: str
    size: Size
    gold: CanonicalReport
    # damage applied: the catalogue's, in its order, then the rendering's own
    damage: list[str] = field(default_factory=list)
    damage_detail: dict[str, list[str]] = field(default_factory=dict)
    broken_identities: list[str] = field(default_factory=list)  # rule ids the print breaks
    # lost cells whose gold is the value the identities pin down (as in the real manifest)
    recovered_cells: list[str] = field(default_factory=list)

    def manifest_entry(self) -> dict[str, object]:
        """The same fields as a real report's manifest entry, plus the rendering."""
        return {
            "id": self.id,
            "source": f"{self.id}.{self.media}",
            "gold": f"{self.id}.gold.json",
            "template": self.gold.meta.template,
            "year": self.gold.meta.year,
            "organ": self.gold.meta.organ,
            "rendering": self.rendering,
            "size": self.size,
            "damage": self.damage,
            "damage_detail": self.damage_detail,
            "broken_identities": self.broken_identities,
            "recovered_cells": self.recovered_cells,
            "judgement_cells": self.judgement_cells,
        }

    @property
    def judgement_cells(self) -> list[str]:
        """As the real manifest's: cells whose gold is a reading call (values lost in
        print, recovered through the identities or left null)."""
        lost = {
            *self.recovered_cells,
            *self.damage_detail.get("dropped_cells", []),
            *self.damage_detail.get("missing_value", []),
        }
        return sorted(lost)


def _choice(rng: random.Random, weights: dict[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def synth_report(seed: int, index: int, without: frozenset[str] = frozenset()) -> SynthReport:
    """Report `index` of the set generated from `seed`; `without`: unseen damage classes
    not applied (a test pinned to a report picked for other damage keeps its text when a
    class is added later; the draws stay the same, so the rest of the report does too)."""
    rng = random.Random(f"nianbao-synth:{seed}:{index}")
    template = _choice(rng, TEMPLATE_WEIGHTS)
    layout = layout_for(template)
    year = rng.randint(2019, 2020) if template == "2019" else rng.randint(2021, 2025)
    size: Size = rng.choices(SIZES, weights=SIZE_WEIGHTS)[0]
    organ = organ_name(rng, size)
    gold = CanonicalReport(
        meta=Meta(organ=organ, year=year, template=template),
        cells=random_cells(rng, layout, size),
    )
    headings = [Heading(numeral, text) for numeral, text in HEADINGS]
    tables = [
        t2_table(layout, gold.cells),
        t3_table(layout, gold.cells),
        t4_table(layout, gold.cells),
    ]
    doc = Document(
        title(organ, year),
        [
            headings[0],
            *(b for pair in zip(headings[1:4], tables, strict=True) for b in pair),
            *headings[4:],
        ],
    )
    rendering = rng.choice(DRAWN)
    if (
        rendering == "tab_rows"
        and random.Random(f"nianbao-html:{seed}:{index}").random() < HTML_SHARE
    ):
        rendering = "html_table"
    if (
        rendering == "markdown"
        and random.Random(f"nianbao-mdhtml:{seed}:{index}").random() < MARKDOWN_HTML_SHARE
    ):
        rendering = "markdown_html"
    doc.keeps_empty_cells = rendering not in LOSES_EMPTY_CELLS
    skip = NOT_WITH.get(rendering, frozenset())
    damage: dict[str, list[str]] = {}
    for kind in CATALOGUE:
        if kind.name not in skip and rng.random() < kind.rate:
            detail = kind.apply(doc, rng, gold)
            if detail:
                damage[kind.name] = detail
    # the unseen classes draw from their own stream: older reports keep their text
    urng = unseen_rng(seed, index)
    unseen_skip = UNSEEN_NOT_WITH.get(rendering, frozenset()) | without
    for kind in UNSEEN:
        if urng.random() < kind.rate and kind.name not in unseen_skip:
            detail = kind.apply(doc, urng, gold)
            if detail:
                damage[kind.name] = detail
    recovered = recover_lost(doc, gold, glued=rendering in GLUES_VALUES)
    # The narrative restates what the tables print, after damage (as a real author would).
    paras = [Para(p) for p in overview(rng, organ, year, gold.cells)]
    at = doc.blocks.index(headings[0]) + 1
    doc.blocks[at:at] = paras
    problems, other_matters = closing()
    doc.blocks.insert(doc.blocks.index(headings[4]) + 1, Para(problems))
    doc.blocks.append(Para(other_matters))
    for tag in RENDERING_DAMAGE[rendering]:
        damage.setdefault(tag, [f"rendering {rendering}"])
    gold = CanonicalReport(meta=gold.meta, cells=gold.cells)  # re-validate after damage
    result = check(gold, localise_errors=False)
    broken = [c.rule for c in result.checks if c.status is Status.FAILED]
    return SynthReport(
        id=f"synth-{seed}-{index:04d}",
        text=RENDERERS[rendering](doc, rng),
        media="md"
        if rendering in MARKDOWN_RENDERINGS
        else "html"
        if rendering == "html_table"
        else "txt",
        rendering=rendering,
        size=size,
        gold=gold,
        damage=list(damage),
        damage_detail=damage,
        broken_identities=broken,
        recovered_cells=recovered,
    )


def generate(seed: int, count: int) -> list[SynthReport]:
    """`count` synthetic reports of `seed` (deterministic)."""
    return [synth_report(seed, i) for i in range(count)]
