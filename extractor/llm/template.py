"""Which layout a report uses: labels only one layout prints decide; else the model, else year."""

from __future__ import annotations

from functools import cache

from extractor.llm.grounding import normalise
from nianbao.core.layout import LAYOUTS, template_for_year


@cache
def distinctive_labels() -> dict[str, tuple[str, ...]]:
    """Per template, the column and row labels (from the layout) no other template prints."""
    labels: dict[str, set[str]] = {}
    for name, layout in LAYOUTS.items():
        own = {col.label for row in layout.t2_rows for col in row.columns}
        own |= {row.label for row in layout.t3_rows}
        labels[name] = {normalise(label) for label in own}
    return {
        name: tuple(sorted(own - set().union(*(v for k, v in labels.items() if k != name))))
        for name, own in labels.items()
    }


def template_evidence(text: str) -> dict[str, int]:
    """How many of each template's distinctive labels the text contains."""
    flat = normalise(text)
    return {name: sum(lb in flat for lb in labels) for name, labels in distinctive_labels().items()}


def choose_template(text: str, answered: str | None, year: int | None) -> tuple[str, str]:
    """(template, how it was decided): the text's labels, the model's answer, or the year."""
    evidence = template_evidence(text)
    best = max(evidence, key=evidence.__getitem__)
    runner_up = max((v for k, v in evidence.items() if k != best), default=0)
    # Short labels ("3.其他") also occur by chance: ask for a clear majority, not a tie-break.
    if evidence[best] >= 2 and evidence[best] >= 2 * runner_up:
        return best, "labels"
    if answered in LAYOUTS:
        return answered, "model"
    if year is not None:
        return template_for_year(year), "year"
    return "2021", "default"
