"""Proof levels and decisions on the review screen: a mark per level, one action per cause.

`rules.proving` says how far each cell is proven and groups the unproven cells into
decisions; this module turns that into what the screen shows (a short mark and colour per
level, a legend) and into the one-click actions that settle a whole decision at once.
Pure functions: the tests call them without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from nianbao.core.models import CellValue
from rules.proof import ProofLevel
from rules.proving import LEVEL_LABELS, Decision


@dataclass(frozen=True)
class ProofStyle:
    mark: str  # shown in the corner of the cell
    colour: str


PROOF_STYLES: dict[ProofLevel, ProofStyle] = {
    ProofLevel.READ_CONFIRMED: ProofStyle("✓", "#2e7d32"),
    ProofLevel.BLANK_PROVEN: ProofStyle("□", "#2e7d32"),
    ProofLevel.READ_UNCHECKED: ProofStyle("~", "#b7950b"),
    ProofLevel.INFERRED: ProofStyle("⇐", "#1f5fa8"),
    ProofLevel.AMBIGUOUS: ProofStyle("?", "#d35400"),
    ProofLevel.CONTRADICTS: ProofStyle("✗", "#c0392b"),
    ProofLevel.DISAGREE: ProofStyle("≠", "#d35400"),
    ProofLevel.UNREAD: ProofStyle("∅", "#6b7280"),
}


def proof_mark(level: ProofLevel | None) -> str:
    """The small labelled mark a grid cell carries for its level ("" when unknown)."""
    if level is None:
        return ""
    style = PROOF_STYLES[level]
    return (
        f'<sup class="nb-proof nb-proof-{level.value}" style="color:{style.colour}">'
        f"{escape(style.mark)}</sup>"
    )


def proof_legend_html() -> str:
    items = "".join(
        f'<span class="nb-swatch" style="color:{s.colour}">{escape(s.mark)} '
        f"{escape(LEVEL_LABELS[level])}</span>"
        for level, s in PROOF_STYLES.items()
    )
    return f'<div class="nb-legend">proof: {items}</div>'


@dataclass(frozen=True)
class Settle:
    """One action that settles a whole decision: set these values, confirm these cells."""

    label: str
    values: dict[str, CellValue]  # cells to set (a suspect's implied values, a reading)
    confirm: tuple[str, ...]  # cells kept as printed and marked decided
    source_error: bool = False  # the person accepts that the report's own print is wrong


def settle_actions(decision: Decision, values: Mapping[str, CellValue]) -> list[Settle]:
    """The one-click ways to settle `decision`, likeliest first."""
    out: list[Settle] = []
    if decision.kind == "identity":
        for s in decision.suspects:
            if not s.determined:
                continue
            change = ", ".join(f"{k} {s.current[k]}→{s.implied[k]}" for k in s.cells)
            others = tuple(k for k in decision.cells if k not in s.cells)
            out.append(
                Settle(f"Suspect #{s.rank}: {change}", {k: s.implied[k] for k in s.cells}, others)
            )
        out.append(
            Settle(
                "The source's own error: keep every cell as printed",
                {},
                tuple(decision.cells),
                source_error=True,
            )
        )
        return out
    shown = [k for k in decision.cells if values.get(k) is not None]
    out.append(
        Settle(
            f"Confirm as read ({len(shown)} values, {len(decision.cells) - len(shown)} empty)",
            {},
            tuple(decision.cells),
        )
    )
    return out
