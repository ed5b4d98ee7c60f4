"""Reconcile two readings of one report (the parser's and the LLM's) cell by cell.

Nothing is averaged or invented: every reconciled value is one that a backend read. Where the
backends agree the value is trusted more than either reading alone; where they differ both
values are kept (the other one in `alternatives`), the cell is flagged, and the value that
breaks fewer identities is put first. See docs/pipeline.md for what each outcome means.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from nianbao.core.layout import template_for_year
from nianbao.core.models import CanonicalReport, CellProvenance, CellValue, Extraction, Meta, Method
from rules.engine import check_identity
from rules.findings import Status
from rules.identities import identities_by_key

VERSION = "reconcile-1"
DISAGREEMENT_CONFIDENCE = 0.5  # below rules.verdict.LOW_CONFIDENCE: always reviewed
BACKENDS = ("parser", "llm")


# methods that assume how many values a row prints (rules.proving.ROW_ASSUMED)
ASSUMED = frozenset({Method.SEGMENTED, Method.ALIGNED})


def _agree_confidence(a: CellProvenance | None, b: CellProvenance | None) -> float:
    """Two independent readers agreeing: 1 - P(both wrong), assuming independent errors."""
    ca = a.confidence if a else 0.9
    cb = b.confidence if b else 0.9
    return round(1 - (1 - ca) * (1 - cb), 4)


def _meta(p: Meta, q: Meta) -> tuple[Meta, list[str]]:
    """Meta from both: each field from the parser unless it has none; note differences."""
    notes = []
    organ = p.organ or q.organ
    year = p.year if p.year is not None else q.year
    if p.organ and q.organ and "".join(p.organ.split()) != "".join(q.organ.split()):
        notes.append(f"meta.organ: parser read {p.organ!r}, llm read {q.organ!r}")
    if p.year is not None and q.year is not None and p.year != q.year:
        notes.append(f"meta.year: parser read {p.year}, llm read {q.year}")
    template = p.template
    if p.template != q.template:
        notes.append(f"meta.template: parser read {p.template}, llm read {q.template}")
        if year is not None and template_for_year(year) == q.template:
            template = q.template
    return Meta(organ=organ, year=year, template=template), notes


def _broken_with(key: str, value: CellValue, cells: dict[str, CellValue], template: str) -> int:
    """How many identities through `key` break when it holds `value` (others as they are)."""
    trial = {**cells, key: value}
    return sum(
        check_identity(ident, trial).status is Status.FAILED
        for ident in identities_by_key(template).get(key, ())
    )


def _cell(
    key: str,
    a: CellValue,
    b: CellValue,
    pa: CellProvenance | None,
    pb: CellProvenance | None,
) -> tuple[CellValue, CellProvenance, bool]:
    """(value, provenance, disagree) for one cell read by both backends."""
    if a == b:
        if a is None:
            # Both null: a blank if either backend saw a printed blank, else not found; a
            # doubt either had (its notes) survives, so agreeing on nothing proves nothing.
            shown = (Method.BLANK, Method.ABSENT)
            seen = next((p for p in (pa, pb) if p and p.method in shown), None)
            base = seen or pa or pb or CellProvenance(extractor="reconciled")
            notes = [
                f"{side}: {note}"
                for side, p in (("parser", pa), ("llm", pb))
                if p
                for note in p.notes
            ]
            return None, base.model_copy(update={"notes": notes, "alternatives": []}), False
        assumed = next((p for p in (pa, pb) if p and p.method in ASSUMED), None)
        doubts = [
            f"{side}: {note}" for side, p in (("parser", pa), ("llm", pb)) if p for note in p.notes
        ]
        if assumed is not None and doubts:
            # a reading that assumed the row's cut (a glued run cut in n, a short row placed)
            # is confirmed by an undoubted second reading only: one the source contradicts
            # may agree with a wrong cut by chance, so the assumption and the doubt stay
            return a, assumed.model_copy(update={"notes": doubts, "alternatives": []}), False
        base = pa if pa and pa.span else (pb or pa or CellProvenance(extractor="reconciled"))
        prov = base.model_copy(
            update={
                "extractor": "parser+llm",
                "method": Method.AGREED,
                "confidence": _agree_confidence(pa, pb),
                "notes": [],
                "alternatives": [],
            }
        )
        return a, prov, False
    # They differ (one of them may be null). The parser's reading first; the choice between
    # two non-null values is revisited against the identities in `reconcile`.
    if a is None:
        first, other, base = b, a, pb
    else:
        first, other, base = a, b, pa
    what_a = "blank" if a is None and pa and pa.method == Method.BLANK else a
    what_b = "blank" if b is None and pb and pb.method == Method.BLANK else b
    base = base or CellProvenance(extractor="reconciled")
    prov = base.model_copy(
        update={
            "confidence": min(base.confidence, DISAGREEMENT_CONFIDENCE),
            "notes": [
                f"backends disagree: parser read {_show(what_a)}, llm read {_show(what_b)}",
                *(
                    f"{side}: {note}"
                    for side, p in (("parser", pa), ("llm", pb))
                    if p
                    for note in p.notes
                ),
            ],
            "alternatives": [other],
        }
    )
    return first, prov, True


def _within(parser: Extraction, llm: Extraction, scope: set[str]) -> Extraction:
    """The LLM's reading with every cell outside `scope` set to the parser's (same meta)."""
    cells = {
        k: (v if k in scope else parser.report.cells.get(k)) for k, v in llm.report.cells.items()
    }
    provenance = {
        k: (p if k in scope else parser.provenance.get(k, p)) for k, p in llm.provenance.items()
    }
    return llm.model_copy(
        update={
            "report": CanonicalReport(meta=parser.report.meta, cells=cells),
            "provenance": provenance,
            "flags": [k for k in llm.flags if k in scope],
        }
    )


def _both_doubted(
    agreed: CellProvenance, pa: CellProvenance | None, pb: CellProvenance | None
) -> CellProvenance:
    """An agreed cell both backends had flagged: its doubts kept, so it is not proven."""
    notes = [
        f"{side}: {note}" for side, p in (("parser", pa), ("llm", pb)) if p for note in p.notes
    ]
    return agreed.model_copy(update={"notes": ["both backends doubted this reading", *notes]})


def _show(value: object) -> str:
    return "nothing" if value is None else str(value)


def _prefer_consistent(
    chosen: dict[str, CellValue],
    provenance: dict[str, CellProvenance],
    disputed: list[str],
    sides: Mapping[str, tuple[CellValue, CellValue, CellProvenance | None, CellProvenance | None]],
    template: str,
) -> None:
    """For each disputed cell with two numbers, keep the one that breaks fewer identities."""
    for key in disputed:
        a, b, _, pb = sides[key]
        if a is None or b is None:
            continue
        if _broken_with(key, b, chosen, template) < _broken_with(key, a, chosen, template):
            chosen[key] = b
            base = pb or provenance[key]
            provenance[key] = base.model_copy(
                update={
                    "confidence": min(base.confidence, DISAGREEMENT_CONFIDENCE),
                    "notes": provenance[key].notes,
                    "alternatives": [a],
                }
            )


def reconcile(
    parser_extraction: Extraction,
    llm_extraction: Extraction,
    scope: Collection[str] | None = None,
) -> Extraction:
    """One reading from two: agreement, disagreement (both kept, flagged), one side null.

    `scope` (default: the LLM reading's own `scope`): the keys the LLM was actually asked
    about (a targeted re-extraction); outside them its cells are the parser's, copied, and
    are no second opinion, so the parser's reading stands alone there. None: the LLM read
    the whole report.
    """
    scope = llm_extraction.scope if scope is None else scope
    if scope is not None:
        llm_extraction = _within(parser_extraction, llm_extraction, set(scope))
    meta, meta_notes = _meta(parser_extraction.report.meta, llm_extraction.report.meta)
    p_cells, q_cells = parser_extraction.report.cells, llm_extraction.report.cells
    p_prov, q_prov = parser_extraction.provenance, llm_extraction.provenance
    same_layout = parser_extraction.report.meta.template == llm_extraction.report.meta.template
    chosen: dict[str, CellValue] = {}
    provenance: dict[str, CellProvenance] = {}
    disputed: list[str] = []
    sides = {}
    for key in CanonicalReport.empty(meta).layout.keys:
        a, b = p_cells.get(key), q_cells.get(key)
        pa, pb = p_prov.get(key), q_prov.get(key)
        sides[key] = (a, b, pa, pb)
        value, prov, disagree = _cell(key, a, b, pa, pb)
        if not same_layout:
            prov = prov.model_copy(update={"notes": [*prov.notes, *meta_notes[-1:]]})
        chosen[key], provenance[key] = value, prov
        if disagree:
            disputed.append(key)
    _prefer_consistent(chosen, provenance, disputed, sides, meta.template)

    # Keys a backend flagged stay flagged unless both read the same number and at most one of
    # them doubted it: a confident reading confirms a doubtful one, but two doubtful readings
    # agreeing prove nothing (a targeted re-ask reads the same damaged lines the parser did,
    # and both can take the same wrong cut). Disputed cells need no entry here: their notes
    # (with each side's own) and low confidence flag them.
    doubted_by_both = set(parser_extraction.flags) & set(llm_extraction.flags)
    for key in doubted_by_both - set(disputed):
        if key in chosen and chosen[key] is not None:
            provenance[key] = _both_doubted(provenance[key], p_prov.get(key), q_prov.get(key))
    flags = [
        k
        for k in dict.fromkeys([*parser_extraction.flags, *llm_extraction.flags])
        if k in chosen
        and k not in disputed
        and (
            p_cells.get(k) != q_cells.get(k)
            or p_cells.get(k) is None
            or not same_layout
            or k in doubted_by_both
        )
    ]
    usage: dict[str, float] = {}
    for side in (parser_extraction.usage, llm_extraction.usage):
        for name, amount in side.items():
            usage[name] = usage.get(name, 0) + amount
    if scope is not None:
        for key in chosen.keys() - set(scope):  # the parser's reading, not a confirmed one
            chosen[key] = p_cells.get(key)
            if key in p_prov:
                provenance[key] = p_prov[key]
        flags = list(
            dict.fromkeys([*flags, *(k for k in parser_extraction.flags if k not in scope)])
        )
    return Extraction(
        report=CanonicalReport(meta=meta, cells=chosen),
        provenance=provenance,
        flags=flags,
        extractor="reconciled",
        extractor_version=(
            f"{VERSION} parser={parser_extraction.extractor_version}"
            f" llm={llm_extraction.extractor_version}"
        ),
        source_name=parser_extraction.source_name or llm_extraction.source_name,
        usage=usage,
    )
