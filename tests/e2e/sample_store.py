"""A small review store built from the real eval set through the store's own API.

Three reports, each a real source text with its gold label:
- seed-004 (2019 layout, clean in print) read by the "parser" with one cell wrong, so it
  breaks identities; the "llm" read it right: a disagreement the reviewer fixes in one click;
- seed-003 (2021 layout), whose own print breaks identities (its new-applications row);
- seed-004's text with markup pasted in (`<script>`, `<img onerror>`), one cell low confidence.
Spans come from a small reader that walks part 三's numbers after each row label, enough for
the screen to highlight real places in the text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from nianbao.core.layout import layout_for
from nianbao.core.models import Alignment, CanonicalReport, CellProvenance, Extraction, ReportStatus
from nianbao.store import Outcome, SourceInfo, Store, open_store
from rules.engine import check
from rules.narrative import narrative_figures
from rules.verdict import review_flags

REAL = Path(__file__).parent.parent.parent / "eval" / "data" / "real"
XSS = (
    '<script>window.__nb_xss=1;alert("x")</script>\n'
    "<img src=x onerror=alert(1)>\n"
    '<img src=y onerror="window.__nb_xss=2">\n'
)
XSS_ORGAN = "<b>高港区</b><img/src=z/onerror=alert(3)>"  # no spaces: the store drops them
WRONG_KEY = "t3.granted.natural"  # the cell the parser misreads in seed-004
LOW_KEY = "t3.granted.total"  # the low-confidence cell of the pasted-markup report
_NUMBER = re.compile(r"\d+")
_NUMBERING = re.compile(r"^(?:[（(][一二三四五六七八九][）)]|[一二三四五六七八九]、|\d+\.)")


@dataclass(frozen=True)
class Built:
    """Ids of the sample reports in the store."""

    wrong_cell: int  # seed-004, parser misread WRONG_KEY
    source_error: int  # seed-003, the source's own error
    markup: int  # pasted markup, one low-confidence cell


def _spans(template: str, text: str) -> dict[str, tuple[int, int]]:
    """Part 三: the 7 numbers after each row label, in order (a stand-in for the parser)."""
    layout = layout_for(template)
    out: dict[str, tuple[int, int]] = {}
    pos = 0
    for row in layout.t3_rows:
        core = _NUMBERING.sub("", row.label)[:8]  # printed numbering varies: （一） / (一)
        at = text.find(core, pos)
        if at < 0:
            continue
        pos = at + len(core)
        for col, m in zip(layout.t3_columns, _NUMBER.finditer(text, pos), strict=False):
            out[f"t3.{row.name}.{col.name}"] = (m.start(), m.end())
    return out


def _extraction(
    report: CanonicalReport, text: str, backend: str, low: set[str] | None = None
) -> Extraction:
    spans = _spans(report.meta.template, text)
    prov = {
        key: CellProvenance(
            extractor=backend,
            span=spans.get(key),
            snippet=text[spans[key][0] : spans[key][1]] if key in spans else None,
            method="read" if report.cells[key] is not None else "blank",
            alignment=Alignment.EXACT if key in spans else Alignment.NONE,
            confidence=0.55 if low and key in low else 0.98,
        )
        for key in report.layout.keys
    }
    return Extraction(report=report, provenance=prov, extractor=backend, source_name="sample")


def _save(
    store: Store,
    run_id: int,
    name: str,
    text: str,
    parser: CanonicalReport,
    llm: CanonicalReport | None = None,
    low: set[str] | None = None,
) -> int:
    sources = {"parser": _extraction(parser, text, "parser", low)}
    if llm is not None:
        sources["llm"] = _extraction(llm, text, "llm", low)
    reconciled = sources["parser"]  # the parser's reading stands where the two disagree
    result = check(reconciled.report, narrative_figures(text))
    flags = review_flags(reconciled, result)
    if llm is not None:
        for key in reconciled.report.layout.keys:
            if parser.cells[key] != llm.cells[key]:
                flags.setdefault(key, []).append("parser and llm disagree")
    data = text.encode("utf-8")
    source = SourceInfo(
        path=f"/samples/{name}",
        name=name,
        content_hash=hashlib.sha256(data).hexdigest(),
        media="txt",
        size_bytes=len(data),
        text=text,
    )
    status = ReportStatus.NEEDS_REVIEW if flags else ReportStatus.ACCEPTED
    store.save_outcome(
        run_id, "sample", Outcome(source, status, reconciled, sources, result, flags)
    )
    (row,) = [s for s in store.queue(status=None) if s.source_name == name]
    return row.report_id


def _gold(stem: str) -> tuple[CanonicalReport, str]:
    report = CanonicalReport.from_json((REAL / f"{stem}.gold.json").read_text(encoding="utf-8"))
    return report, (REAL / f"{stem}.txt").read_text(encoding="utf-8")


def build_sample_store(path: Path) -> Built:
    """Create the sample store at `path` (a new SQLite file) and return its report ids."""
    store = open_store(path)
    try:
        run_id = store.begin_run("both", "sample", {"sample": True})
        gold4, text4 = _gold("seed-004")
        wrong = CanonicalReport(
            meta=gold4.meta, cells={**gold4.cells, WRONG_KEY: gold4.cells[WRONG_KEY] + 1}
        )
        gold3, text3 = _gold("seed-003")
        ids = Built(
            wrong_cell=_save(store, run_id, "seed-004.txt", text4, wrong, llm=gold4),
            source_error=_save(store, run_id, "seed-003.txt", text3, gold3),
            markup=_save(
                store,
                run_id,
                "pasted-markup.txt",
                XSS + text4,
                CanonicalReport(
                    meta=gold4.meta.model_copy(update={"organ": XSS_ORGAN}), cells=gold4.cells
                ),
                low={LOW_KEY},
            ),
        )
        store.update_run(run_id, {"n_files": 3, "n_done": 3}, status="ok")
        return ids
    finally:
        store.close()
