"""`LLMExtractor`: read a report through an OpenAI-compatible endpoint, verified and grounded.

One report: a small meta request (organ, year) on the head of the text, the template from
the labels the text prints, one request per unit of the split, identity re-asks, then every
cell with its quote located in the source.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from extractor.llm.client import Endpoint, Session
from extractor.llm.compact import (
    ask_compact,
    join_pieces,
    label_pieces,
    reach_for,
    terse,
    window_pieces,
)
from extractor.llm.config import LLMConfig, load_config
from extractor.llm.prompts import load_prompt, render
from extractor.llm.ratelimit import RateLimiter
from extractor.llm.reading import Reading, ask_rows
from extractor.llm.responses import MetaAnswer
from extractor.llm.sections import tables_text
from extractor.llm.template import choose_template
from extractor.llm.units import Unit, row_of, row_specs, split_units, unit_for_cells
from extractor.llm.verify import reask_until_consistent
from extractor.parser import refuse_several_reports
from nianbao.core.document import SourceDocument
from nianbao.core.errors import ExtractorError
from nianbao.core.models import (
    SCHEMA_VERSION,
    CanonicalReport,
    CellProvenance,
    Extraction,
    Meta,
    Method,
)

META_HEAD_CHARS = 1500  # the title, publisher and first paragraph name the body and year
TITLE_CHARS = 120  # at most this much of the title line is sent with the tables' text
LEGACY_PROMPTS = ("v1",)  # one request per part with a JSON schema each


class LLMExtractor:
    """The "llm" backend (see docs/llm.md). Options override the environment and config file."""

    name = "llm"

    def __init__(
        self,
        config: str | Path | None = None,
        *,
        settings: LLMConfig | None = None,
        limiter: RateLimiter | None = None,
        **options: Any,
    ) -> None:
        self.cfg = settings or load_config(config, **options)
        self.endpoint = Endpoint(self.cfg, limiter)

    @property
    def version(self) -> str:
        """Prompt version + schema version + model: in every result and cache key."""
        return f"prompts-{self.cfg.prompt_version}+schema-{SCHEMA_VERSION}+{self.cfg.model}"

    @property
    def source_tag(self) -> str:
        return f"llm:{self.cfg.model}"

    def close(self) -> None:
        self.endpoint.close()

    # -- the whole report ---------------------------------------------------------------------
    def read_meta(self, session: Session, doc: SourceDocument) -> Meta:
        """Organ and year from the head of the report; the template from its labels."""
        version = self.cfg.prompt_version
        messages = [
            {"role": "system", "content": load_prompt("system", version)},
            {"role": "user", "content": render("meta", version, text=doc.text[:META_HEAD_CHARS])},
        ]
        answer = session.ask(MetaAnswer, messages)
        assert isinstance(answer, MetaAnswer)
        template, _how = choose_template(doc.text, answer.template, answer.year)
        return Meta(organ=answer.organ, year=answer.year, template=template)  # type: ignore[arg-type]

    def tables_text(self, doc: SourceDocument, template: str) -> str:
        """What the table requests send: the tables' part of the text, or all of it."""
        if not self.cfg.trim:
            return doc.text
        return tables_text(doc.text, template, tight=terse(self.cfg.prompt_version))

    def extract(self, doc: SourceDocument) -> Extraction:
        """Every cell of the report, re-asked where identities break, grounded in `doc.text`."""
        refuse_several_reports(doc)  # before any request: a compilation is split by its owner
        start = time.monotonic()
        session = self.endpoint.session()
        with self._costs_on_failure(session, start):
            if self.compact:
                meta, reading, text = self._read_compact(session, doc)
            else:
                meta = self.read_meta(session, doc)
                reading = Reading(
                    source=doc.text, extractor=self.source_tag, template=meta.template
                )
                text = self.tables_text(doc, meta.template)
                for unit in split_units(meta.template, self.cfg.split):
                    for row in ask_rows(session, unit, text, self.cfg.prompt_version):
                        reading.put(row)
            # Identities still broken after the re-asks are what the source prints; the rule
            # engine reports them downstream from the values, so nothing is kept here.
            reask_until_consistent(
                session,
                meta,
                reading,
                text,
                self.cfg.prompt_version,
                self.cfg.max_reasks,
                compact=self.compact,
            )
        extraction = self._extraction(doc, meta, reading)
        extraction.usage = session.counters.as_usage(self.cfg, time.monotonic() - start)
        return extraction

    @property
    def compact(self) -> bool:
        """Prompts v2 and later: one compact request per report (see extractor.llm.compact)."""
        return self.cfg.prompt_version not in LEGACY_PROMPTS

    def _read_compact(self, session: Session, doc: SourceDocument) -> tuple[Meta, Reading, str]:
        """Organ, year and every row in one request when the printed labels tell the layout;
        otherwise the layout is settled by a meta request first (its year decides)."""
        template, how = choose_template(doc.text, None, None)
        organ = year = None
        if how != "labels":
            meta = self.read_meta(session, doc)
            template, organ, year = meta.template, meta.organ, meta.year
        window = self.tables_text(doc, template)
        text = (
            window if doc.text.startswith(window[:50]) else f"{title_line(doc.text)}\n…\n{window}"
        )
        unit = Unit("all", template, tuple(row_specs(template).values()))
        answer, rows = ask_compact(session, unit, text, self.cfg.prompt_version)
        meta = Meta(organ=organ or answer.organ, year=year or answer.year, template=template)  # type: ignore[arg-type]
        reading = Reading(source=doc.text, extractor=self.source_tag, template=template)
        for row in rows:
            reading.put(row)
        return meta, reading, text

    @contextmanager
    def _costs_on_failure(self, session: Session, start: float) -> Iterator[None]:
        """A report that fails still cost what its answered requests cost: the error carries
        it as `usage`, so runs and the eval count it."""
        try:
            yield
        except ExtractorError as exc:
            exc.usage = session.counters.as_usage(self.cfg, time.monotonic() - start)  # type: ignore[attr-defined]
            raise

    def cancel(self) -> None:
        """Stop every request of this extractor (Ctrl-C): see Endpoint.cancel."""
        self.endpoint.cancel()

    def unavailable(self) -> str | None:
        """Why this backend should not be asked now (stopped, circuit open), else None."""
        return self.endpoint.unavailable()

    def _extraction(self, doc: SourceDocument, meta: Meta, reading: Reading) -> Extraction:
        reading.check_order()
        report = CanonicalReport.empty(meta)
        cells = dict(report.cells)
        cells.update({k: v for k, v in reading.cells().items() if k in cells})
        report = CanonicalReport(meta=meta, cells=cells)
        provenance = {k: reading.provenance[k] for k in report.cells if k in reading.provenance}
        flags = [k for k, p in provenance.items() if p.notes]
        return Extraction(
            report=report,
            provenance=provenance,
            flags=flags,
            extractor=self.name,
            extractor_version=self.version,
            source_name=doc.name,
        )

    # -- targeted re-extraction ---------------------------------------------------------------
    def reextract(
        self, doc: SourceDocument, extraction: Extraction, keys: Iterable[str]
    ) -> Extraction:
        """Ask only about the rows holding `keys`; those cells take the new reading.

        The rest of `extraction` (other cells, their provenance) is kept as it was; the
        result's usage is this request's alone.
        """
        start = time.monotonic()
        wanted = [k for k in dict.fromkeys(keys) if k in extraction.report.cells]
        if not wanted:
            return extraction.model_copy(deep=True)
        session = self.endpoint.session()
        template = extraction.report.meta.template
        unit = unit_for_cells(template, wanted, "reextract")
        reading = Reading(source=doc.text, extractor=self.source_tag, template=template)
        text = self.tables_text(doc, template)
        with self._costs_on_failure(session, start):
            if self.compact:
                # only the lines where the parser placed these rows (else the tables' text)
                spans = [
                    p.span
                    for k in wanted
                    if (p := extraction.provenance.get(k)) is not None and p.span is not None
                ]
                reach = reach_for(self.cfg.prompt_version)
                pieces = window_pieces(doc.text, spans, reach=reach)
                if pieces:
                    # each row's label where it is printed apart from its values
                    first: dict[str, int] = {}
                    for k in wanted:
                        p = extraction.provenance.get(k)
                        if p is not None and p.span is not None:
                            first.setdefault(row_of(k), p.span[0])
                    labels = [reading.label_before(row, at) for row, at in first.items()]
                    pieces += label_pieces(doc.text, pieces, labels)
                local = join_pieces(doc.text, pieces) or text
                _answer, rows = ask_compact(
                    session, unit, local, self.cfg.prompt_version, targeted=True
                )
            else:
                rows = ask_rows(session, unit, text, self.cfg.prompt_version, targeted=True)
            for row in rows:
                reading.put(row)
        reading.check_order()
        fresh = reading.cells()
        cells = dict(extraction.report.cells)
        provenance: dict[str, CellProvenance] = dict(extraction.provenance)
        for key in wanted:
            cells[key] = fresh.get(key)
            provenance[key] = reading.provenance[key].model_copy(
                update={"method": _reextracted(reading.provenance[key].method)}
            )
        report = CanonicalReport(meta=extraction.report.meta, cells=cells)
        flags = [k for k in extraction.flags if k not in wanted]
        flags += [k for k in wanted if provenance[k].notes]
        return Extraction(
            report=report,
            provenance=provenance,
            flags=flags,
            extractor=extraction.extractor,
            extractor_version=f"{extraction.extractor_version} + {self.name} {self.version}",
            source_name=extraction.source_name or doc.name,
            scope=wanted,
            usage=session.counters.as_usage(self.cfg, time.monotonic() - start),
        )


def title_line(text: str) -> str:
    """The report's title (it names the body and the year): the first line mentioning the
    annual report, else the first non-empty line; cut at TITLE_CHARS."""
    lines = [line.strip() for line in text[:3000].splitlines() if line.strip()]
    title = next((line for line in lines if "年度报告" in line), lines[0] if lines else "")
    return title[:TITLE_CHARS]


def _reextracted(method: Method) -> Method:
    # BLANK must survive: the verdict reads it as "the cell is empty in the source".
    return method if method == Method.BLANK else Method.REEXTRACTED
