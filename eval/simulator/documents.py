"""The reports the simulator knows: gold cells, the source text, and each row's printed text.

A request is matched to its report by the lines of source text it carries (whatever window
of the text the client sends). A careful model quotes a row as the source prints it, so
the simulator finds each row's printed stretch (label, then its numbers) in the source.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from rapidfuzz import fuzz

from extractor.llm.compact import squeeze
from extractor.llm.grounding import NormalText, normalise
from extractor.llm.rowproof import core_label
from extractor.llm.units import RowSpec, row_specs
from extractor.parser.tokens import Token, TokenKind, fold, tokenize
from nianbao.core.models import CanonicalReport, CellValue

SHINGLE = 24  # characters of source text that identify a report
STEP = 1
ROW_REACH = 400  # characters after a label within which its numbers are printed
OCR_SCORE = 85.0  # a label found by partial alignment at this score is the row's, misread
OCR_MIN_LABEL = 7  # ... when it is this long


def printed(value: CellValue) -> str:
    """A number as a report prints it: 0 not 0.0, 373.9265 as is."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def plain(value: CellValue) -> int | float | None:
    """A value as the model's JSON holds it."""
    return value if value is None or isinstance(value, int) else float(value)


@dataclass
class SimDoc:
    """One report: its id, source text and gold."""

    id: str
    text: str
    gold: CanonicalReport
    _quotes: dict[str, str] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return self.gold.meta.template

    @cached_property
    def rows(self) -> dict[str, RowSpec]:
        return row_specs(self.template)

    @cached_property
    def _tokens(self) -> list[Token]:
        folded = fold(self.text)
        return [t for t in tokenize(folded, 0, len(folded)) if t.kind is not TokenKind.BLANK]

    @cached_property
    def _normal(self) -> NormalText:
        return NormalText(self.text)

    def values(self, row: str) -> dict[str, CellValue]:
        """{column: gold value} of a row."""
        return {c.column: self.gold.cells[c.key] for c in self.rows[row].cells}

    def quote(self, row: str) -> str:
        """The row as the source prints it (label and numbers); '' for a row of blanks."""
        if not self._quotes:  # in print order: each row is looked for after the one before
            cursor = 0
            for key in self.rows:
                quote, at = self._find_quote(key, cursor)
                self._quotes[key] = quote
                cursor = at if at >= 0 else cursor
        return self._quotes[row]

    def _find_quote(self, row: str, cursor: int) -> tuple[str, int]:
        """(the quote, where it starts or -1)."""
        spec = self.rows[row]
        if spec.part == "t4":  # one printed row of 15 numbers under a header
            values = [self.gold.cells[k] for k in self.gold.cells if k.startswith("t4.")]
            last_t3 = core_label(list(self.rows.values())[-4].label)  # 结转下年度继续办理
            start = max(0, self.text.find(last_t3))
            found = self._run_at(values, start + len(last_t3), len(self.text))
            return found or " ".join(printed(v) for v in values if v is not None), -1
        values = list(self.values(row).values())
        if all(v is None for v in values):
            return "", -1
        label = core_label(spec.label)
        for begin in (cursor, 0):
            at = self.text.find(label, begin)
            while at >= 0:
                found = self._run_at(values, at + len(label), at + len(label) + ROW_REACH, at)
                if found:
                    return found, at
                at = self.text.find(label, at + 1)
        # the label broken over lines ("本年新\n收", "社会公<br>益组织"): found squashed
        normal = self._normal
        squashed = normalise(label)
        for begin in (cursor, 0):
            n = normal.text.find(squashed, bisect_left(normal.origin, begin))
            while n >= 0:
                at, end = normal.span(n, n + len(squashed))
                found = self._run_at(values, end, end + ROW_REACH, at)
                if found:
                    return found, at
                n = normal.text.find(squashed, n + 1)
        # the label printed with a character misread (OCR): a careful model still copies it
        for begin in (cursor, 0):
            hit = fuzz.partial_ratio_alignment(label, self.text[begin:], score_cutoff=OCR_SCORE)
            if hit is not None and len(label) >= OCR_MIN_LABEL:
                at, end = begin + hit.dest_start, begin + hit.dest_end
                found = self._run_at(values, end, end + ROW_REACH, at)
                if found:
                    return found, at
        return f"{spec.label} " + " ".join(printed(v) for v in values if v is not None), -1

    def _run_at(self, values: list[CellValue], start: int, stop: int, quote_from: int = -1) -> str:
        """The source text from `quote_from` (or the first number) to the last of `values`,
        when the first numbers printed after `start` are exactly those values (amounts in
        万元 may be printed in 元)."""
        found = self._run_of(values, start, stop, quote_from)
        if not found and any(isinstance(v, Decimal) for v in values):
            in_yuan = [v * 10000 if isinstance(v, Decimal) else v for v in values]
            found = self._run_of(in_yuan, start, stop, quote_from)
        return found

    def _run_of(self, values: list[CellValue], start: int, stop: int, quote_from: int) -> str:
        wanted = "".join(_digits(printed(v)) for v in values if v is not None)
        tokens = [t for t in self._tokens if start <= t.start < stop]
        for first in range(len(tokens)):
            got = ""
            for token in tokens[first:]:
                got += _digits(token.digits)
                if not wanted.startswith(got):
                    break
                if got == wanted:
                    begin = quote_from if quote_from >= 0 else tokens[first].start
                    return self.text[begin : token.end]
            if quote_from >= 0:
                return ""  # a labelled row's numbers follow its label directly
        return ""


class DocIndex:
    """Finds which known report a request is about, by stretches of source text it carries.

    Every report is cut into shingles (SHINGLE characters every STEP); a shingle printed by
    one report only identifies it, and any window of the text the client sends holds some.
    """

    def __init__(self, docs: list[SimDoc]) -> None:
        self.docs = {d.id: d for d in docs}
        owners: dict[str, set[str]] = {}
        for doc in docs:
            # the text as is and squeezed (prompts v3 send whitespace runs as one character)
            for text in {doc.text, squeeze(doc.text)}:
                for at in range(0, max(1, len(text) - SHINGLE + 1), STEP):
                    owners.setdefault(text[at : at + SHINGLE], set()).add(doc.id)
        self._unique = {s: next(iter(ids)) for s, ids in owners.items() if len(ids) == 1}

    def identify(self, sent: str) -> SimDoc | None:
        votes: Counter[str] = Counter()
        for at in range(0, max(1, len(sent) - SHINGLE + 1)):
            if (owner := self._unique.get(sent[at : at + SHINGLE])) is not None:
                votes[owner] += 1
        if not votes:
            return None
        return self.docs[votes.most_common(1)[0][0]]

    def holders(self, sent: str) -> list[SimDoc]:
        """Every report that prints all of `sent` (each stretch of it between the "…" the
        client puts between windows, as is or squeezed): for a request too short to hold a
        shingle of one report only (a re-ask about rows that several reports print alike).
        A linear scan: rare, and only then."""
        lines = [p.strip() for p in re.split(r"\n…\n|^…\n|\n…$", sent) if p.strip()]
        if not lines:
            return []
        found = []
        for doc in self.docs.values():
            texts = (doc.text, squeeze(doc.text))
            if all(any(line in t for t in texts) for line in lines):
                found.append(doc)
        return sorted(found, key=lambda d: d.id)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)
