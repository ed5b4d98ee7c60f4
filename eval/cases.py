"""The eval sets as cases: a source document, its gold, and what is known about its damage.

The real set is read from `eval/data/real/manifest.json` (written with the gold labels);
without a manifest, every `<stem>.gold.json` beside a source file is a case. The synthetic
set comes from `eval.synth.generate(seed, count)`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.core.document import SourceDocument
from nianbao.core.errors import CanonicalError, NianbaoError
from nianbao.core.models import CanonicalReport

REAL_DIR = Path(__file__).parent / "data" / "real"
SOURCE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
SETS = ("real", "synth", "all")


class EvalSetError(NianbaoError):
    """An eval set that cannot be read at all (bad manifest): names the file and the reason."""


@dataclass
class EvalCase:
    """One report to evaluate. `doc` is None when the source could not be read (`error`)."""

    id: str
    set: str  # "real" or "synth"
    gold: CanonicalReport
    kind: str  # how the source reached us: a synthetic rendering, or the file's type
    doc: SourceDocument | None
    damage: list[str] = field(default_factory=list)
    broken_identities: list[str] = field(default_factory=list)
    judgement_cells: list[str] = field(default_factory=list)  # gold cells that are a reading call
    # sha256 of source + gold: a changed source or a re-labelled gold is not compared with a
    # baseline (it would pass for a change of the backend)
    fingerprint: str = ""
    error: str | None = None


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def case_fingerprint(source_sha256: str, gold: CanonicalReport) -> str:
    """Identifies what a case asks: this source text with this gold."""
    return _fingerprint(f"{source_sha256}\n{gold.to_json(sort_keys=True)}".encode())


def load_source(path: Path) -> SourceDocument:
    """A source file as the product reads it (`extractor.readers.read_document` when the
    build has it); otherwise text files as UTF-8 and PDFs through their text layer."""
    reader = _document_reader()
    if reader is not None:
        return reader(path)
    raw = path.read_bytes()
    media = path.suffix.lower().lstrip(".")
    if media == "pdf":
        import pdfplumber  # heavy: only when a PDF is evaluated

        with pdfplumber.open(path) as pdf:
            text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    else:
        text = raw.decode("utf-8")
    return SourceDocument(
        name=path.name, text=text, media=media, path=path, sha256=_fingerprint(raw)
    )


def _document_reader():
    """The product's file reader, when the extractor package provides one."""
    try:
        from extractor.readers import read_document
    except ImportError:
        return None
    return read_document


def _read(name: str, text: str) -> SourceDocument | None:
    """A synthetic report read as the product reads a file of that name (its reader for the
    suffix: HTML pages, HTML inside Markdown, invisible characters), when the build has the
    readers."""
    try:
        from extractor.readers import document_from_bytes
    except ImportError:
        return None
    return document_from_bytes(Path(name), text.encode("utf-8"))


def _real_entries(root: Path) -> list[dict[str, object]]:
    manifest = root / "manifest.json"
    if manifest.exists():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise EvalSetError(f"{manifest}: not readable JSON ({exc})") from None
        entries = data.get("reports", data) if isinstance(data, dict) else data
        if not isinstance(entries, list):
            raise EvalSetError(f"{manifest}: expected a list of reports")
        return entries
    entries: list[dict[str, object]] = []
    for gold in sorted(root.glob("*.gold.json")):
        stem = gold.name.removesuffix(".gold.json")
        sources = [p for p in root.glob(f"{stem}.*") if p.suffix.lower() in SOURCE_SUFFIXES]
        if sources:
            entries.append({"id": stem, "source": sources[0].name, "gold": gold.name})
    return entries


def real_cases(root: Path = REAL_DIR, only: Collection[str] | None = None) -> list[EvalCase]:
    """Every gold-labelled real report (or those named in `only`); one that cannot be read
    is a case with its error."""
    cases = []
    for entry in _real_entries(root):
        case_id = str(entry.get("id") or entry.get("source"))
        if only is not None and case_id not in only:
            continue
        gold_path = root / str(entry.get("gold") or f"{case_id}.gold.json")
        try:
            gold = CanonicalReport.from_json(gold_path.read_text(encoding="utf-8"))
        except (OSError, CanonicalError) as exc:
            raise EvalSetError(f"{gold_path}: {exc}") from None
        source = root / str(entry.get("source"))
        case = EvalCase(
            id=case_id,
            set="real",
            gold=gold,
            kind=str(entry.get("kind") or source.suffix.lstrip(".") or "unknown"),
            doc=None,
            damage=[str(d) for d in entry.get("damage") or []],  # type: ignore[union-attr]
            broken_identities=[str(b) for b in entry.get("broken_identities") or []],  # type: ignore[union-attr]
            judgement_cells=[str(k) for k in entry.get("judgement_cells") or []],  # type: ignore[union-attr]
        )
        try:
            case.doc = load_source(source)
            source_sha = case.doc.sha256 or _fingerprint(case.doc.text.encode())
            case.fingerprint = case_fingerprint(source_sha, gold)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            case.error = f"{source.name}: cannot read ({exc.__class__.__name__}: {exc})"
        cases.append(case)
    return cases


def synth_cases(seed: int, count: int) -> list[EvalCase]:
    """The synthetic set of `seed`: `count` garbled reports with their golds."""
    from eval.synth import generate

    cases = []
    for report in generate(seed, count):
        name = f"{report.id}.{report.media}"
        case = EvalCase(
            id=report.id,
            set="synth",
            gold=report.gold,
            kind=report.rendering,
            doc=None,
            damage=list(report.damage),
            broken_identities=list(report.broken_identities),
            judgement_cells=report.judgement_cells,
        )
        # through the product's reader, as a user's file of that name would be; one the
        # reader refuses (damage took every part-三 label) is a failed case, as a real file
        # is, not the end of the run (synth-8079-0282 stopped a whole seed's eval)
        try:
            doc = _read(name, report.text) or SourceDocument.from_text(
                name, report.text, report.media
            )
        except NianbaoError as exc:
            case.error = str(exc)
        else:
            case.doc = doc
            case.fingerprint = case_fingerprint(doc.sha256, report.gold)
        cases.append(case)
    return cases


def load_cases(which: str, synth_count: int, seed: int, root: Path = REAL_DIR) -> list[EvalCase]:
    """The cases of set `which` ("real", "synth" or "all")."""
    if which not in SETS:
        raise EvalSetError(f"unknown set {which!r}: expected one of {', '.join(SETS)}")
    cases: list[EvalCase] = []
    if which in ("real", "all"):
        if not root.is_dir():
            raise EvalSetError(f"{root}: no such folder of gold-labelled reports")
        real = real_cases(root)
        if not real:
            raise EvalSetError(
                f"{root}: no gold-labelled reports (a manifest.json, or <stem>.gold.json "
                "beside each source file)"
            )
        cases += real
    if which in ("synth", "all"):
        cases += synth_cases(seed, synth_count)
    return cases
