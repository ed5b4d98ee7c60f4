"""What the review screen needs from the store, on top of `nianbao.store`'s review API.

`review_report` turns the store's `ReportView` into the screen's `ReviewReport`;
`export_gold_files` writes a reviewed report as an eval gold label beside its source text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from nianbao.core.models import Alignment, CellProvenance, CellValue, Extraction, Meta, Method
from nianbao.store import ReportView, Store
from rules.proving import DERIVED
from ui.logic import ReviewReport

# Reasons the pipeline derived from its own check; the screen re-derives them on every change
# (rules.verdict words them so), the extractors' own reasons are kept as stored.
_CHECK_REASONS = ("breaks ", "suspect #", *DERIVED)
_UNSAFE_NAME = re.compile(r"[^\w.\-]+")


def review_report(
    view: ReportView, extractions: Mapping[str, Extraction] | None = None
) -> ReviewReport:
    """The screen's model of a stored report: values, each backend's reading, provenance.

    `extractions` are the backends' own readings (`Store.extractions`); with them each
    candidate is named by its backend and the other readings they saw are offered too.
    """
    s = view.summary
    if s.template is None:
        raise ValueError(f"report {s.report_id} failed: {s.error or 'no reading'}")
    extracted: dict[str, CellValue] = {k: c.extracted for k, c in view.cells.items()}
    reviewed = {k: c.value for k, c in view.cells.items() if c.review_state != "none"}
    if extractions:
        ordered = sorted(extractions.items(), key=lambda kv: (kv[0] != "parser", kv[0]))
        readings = {name: dict(ext.report.cells) for name, ext in ordered}
    elif any(c.agreement != "single" for c in view.cells.values()):
        readings = {
            "parser": {k: c.parser_value for k, c in view.cells.items()},
            "llm": {k: c.llm_value for k, c in view.cells.items()},
        }
    else:
        readings = {}
    provenance = {}
    for k, c in view.cells.items():
        alternatives: list[CellValue] = []
        for ext in (extractions or {}).values():
            prov = ext.provenance.get(k)
            alternatives += [
                a for a in (prov.alternatives if prov else []) if a not in alternatives
            ]
        provenance[k] = CellProvenance(
            extractor="stored",
            span=c.span,
            snippet=c.snippet,
            method=Method(c.method) if c.method else Method.READ,
            alignment=Alignment(c.alignment) if c.alignment else Alignment.NONE,
            confidence=1.0 if c.confidence is None else c.confidence,
            notes=[r for r in c.reasons if not r.startswith(_CHECK_REASONS)],
            alternatives=alternatives,
            page=c.page,
            box=c.box,
        )
    return ReviewReport(
        report_id=s.report_id,
        source_name=s.source_name,
        source_text=view.source_text or "",
        meta=Meta(organ=s.organ, year=s.year, template=s.template),
        extracted=extracted,
        readings=readings,
        provenance=provenance,
        reviewed=reviewed,
        status=s.review_status,
        source_path=s.source_path,
    )


def gold_stem(source_name: str, report_id: int) -> str:
    """The file stem of an exported label: the source's stem, safe as a file name."""
    fallback = f"report-{report_id}"
    stem = _UNSAFE_NAME.sub("_", Path(source_name).stem).strip("._")
    return stem or fallback


def export_gold_files(store: Store, report_id: int, folder: Path) -> tuple[Path, Path]:
    """Write `<stem>.gold.json` (canonical form, reviewed values) and `<stem>.txt` (source).

    Together they are one eval item, as in eval/data/real. Raises the store's error when the
    report has not been accepted by a reviewer.
    """
    gold = store.export_gold(report_id)
    view = store.load_report(report_id)
    folder.mkdir(parents=True, exist_ok=True)
    stem = gold_stem(view.summary.source_name, report_id)
    gold_path, text_path = folder / f"{stem}.gold.json", folder / f"{stem}.txt"
    gold_path.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    text_path.write_text(view.source_text or "", encoding="utf-8")
    return gold_path, text_path
