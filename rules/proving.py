"""Each cell's proof level and the decisions a person must make, from the evidence alone.

Pure functions over an extraction (values and the extractor's per-cell provenance) and the
rule engine's result. A cell is proven when it was read directly and every identity it is in
holds, or when the source's own structure shows it blank (`blank_evidence`). Every unproven
cell belongs to exactly one decision: the broken identities that share cells are one cause
(with the engine's suspects), the other unproven cells of one printed row are one cause, and
rows that fail for the same reason in one part (rows not found, values placed by the order
of rows) are one cause. `rules.proof.report_is_accepted` alone turns the levels into a status.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from nianbao.core.models import CanonicalReport, CellProvenance, CellValue, Extraction
from rules.column_order import misplaced_totals, table_rows
from rules.cuts import cut_proven
from rules.findings import CheckResult, Status, Suspect
from rules.identities import Identity, identities_for
from rules.proof import ProofLevel, is_proven, report_is_accepted
from rules.shared_reading import row_of, undermined_after_break, undermined_cuts

LOW_CONFIDENCE = 0.9  # below this an extractor doubts its own reading
BLANK_METHOD = "blank"  # the extractor read this cell position as printed blank
ABSENT_METHOD = "absent"  # the row is not printed: nothing stands where it would
REVIEWER = "review"  # CellProvenance.extractor of a value a person set: the person is the proof
# methods that read the printed value itself (the parser's, the reconciler's, the LLM's)
DIRECT_METHODS = frozenset({"read", "agreed", "reextracted"})
# segmented/aligned rows where every reading agrees on the cell read it as printed
ONE_READING = 0.95
# extractor notes about a reading that an identity holding confirms (rules apply to them as
# to ROW_ASSUMED): the parser's OCR look-alike digits; a value line placed by the order of
# rows (the labels' and the lines' printed order is the reading; rules.placement tells what
# other orders would give); a sub-row's 0 under a merged row
# a printed blank whose place in a glued run depends on the run's count (the parser's
# extractor.parser.resolve.UNSURE_BLANK): proven only by identities that all hold
BLANK_CHECKED_BY_IDENTITIES = "printed blank inside a glued run that reads more than one way"
# a part-二 row read more than one way whose one reading the narrative restates, every cell
# but one of it stated (the parser's extractor.parser.restated): part 二 has no identity,
# and the narrative is the report's own second statement of those figures
RESTATED_BY_NARRATIVE = "the narrative restates this reading"
# a spaced row short of values whose one reading the identities allow is a cut of glued
# digits, every placement of lost values weighed (the parser's
# extractor.parser.resolve._glued_not_lost)
GLUED_NOT_LOST = (
    "spaced row short of values read as glued digits; every placement of values lost was "
    "weighed and the identities allow none"
)
# (extractor.parser.placement.ORDERED: the print's order of labels and value lines)
PLACED_BY_ORDER = "placed by the printed order of rows"
CHECKED_BY_IDENTITIES = (
    "read through OCR look-alikes",
    GLUED_NOT_LOST,
    PLACED_BY_ORDER,
    # a group printed as one merged row of 0: a sum of counts (>= 0) that is 0 pins each
    "0 printed by its merged group row; counts are >= 0",
    # a value glued between words whose digits are one string printed twice (the parser's
    # extractor.parser.tokens.DOUBLED_GLUED)
    "glued digits that are one string printed twice",
    "glued digits that end with the next value's",
    "glued digits that start with the previous value's",
    "two neighbouring values alike on a page that glues values",
    # a row printing one value too many whose one reading the identities allow was taken
    "row printed one value too many; every reading of it the identities allow gives this value",
    # values over lines holding different numbers of them: a wrapped row, or a stray number
    # (extractor.parser.rowlines.UNEVEN_LINES)
    "the row's values stand on lines holding different numbers of them",
    # a value alone in brackets: an accounting-style negative or a note (the parser's
    # extractor.parser.tokens.BRACKETED)
    "printed in brackets",
    # "减18181" cut as a glued run (extractor.parser.tokens.SIGN_WORD)
    "minus printed as a word",
    # "| 0<br>0 |": two values in one cell that no one number could be, read in printed
    # order (extractor.parser.linebreaks.TWO_VALUES_IN_A_CELL)
    "two values in one cell a line break apart, which no one number could be",
)
# notes on a printed blank that identities which all hold settle (the blank counted 0)
BLANKS_CHECKED_BY_IDENTITIES = (BLANK_CHECKED_BY_IDENTITIES, PLACED_BY_ORDER)
# readings that assume how many values the row prints (a glued run cut in n, a short row
# placed): proven only through an identity that holds
ROW_ASSUMED = frozenset({"segmented", "aligned"})

# What the source must show at a blank cell's span: a placeholder alone in its cell, or an
# empty cell between two separators of a delimited row (tabs of an HTML/docx row, pipes of a
# markdown row, the line breaks of a table printed one cell per line), or an empty HTML
# cell. The snippet is the extractor's quoted evidence.
# (the dash also as other encodings and fonts print it, which the parser folds to "—": the
# horizontal bar some GB mappings give for 0xA1AA, the small em dash, the two-em dash)
PLACEHOLDERS = frozenset(
    {"-", "/", "—", "——", "–", "无", "－", "／"}
    | {"\u2015", "\u2015\u2015", "\ufe58", "\ufe58\ufe58", "\u2e3a"}
)
# a blank's dash that OCR read as the character 一 (the parser folds one standing alone
# among a row's values to the dash: extractor.parser.tokens.fold): a correction of the
# print, proven, as an OCR look-alike digit is, only by identities that all hold
DASHES_READ_AS_YI = frozenset({"一", "一一"})
_EMPTY_FIELD = re.compile(
    r"^(?:\t[ \u3000]*[\t\n]|\|[ \t\u3000]*\||<t([dh])\b[^>]*>\s*</t\1>"
    # an empty line where a table printed one cell per line has a cell (the parser's
    # extractor.parser.emptylines: taken only where the table's spacing shows it)
    r"|[ \t\r\u3000\xa0]*\n)$"
)

# Reasons `prove` derives itself (not the extractor's): a screen re-deriving the proof from
# stored reasons drops them first.
DERIVED = (
    "proof: ",
    "decision d",
    "an identity it is in has a null cell",
    "null: not found in the source",
    "segmented row with no identity",
    "aligned row with no identity",
    "no provenance",
)

LEVEL_LABELS: dict[ProofLevel, str] = {
    ProofLevel.READ_CONFIRMED: "read; every identity holds",
    ProofLevel.READ_UNCHECKED: "read; an identity it is in is unknown",
    ProofLevel.BLANK_PROVEN: "printed blank",
    ProofLevel.INFERRED: "not printed; inferred from the identities",
    ProofLevel.AMBIGUOUS: "one of several readings",
    ProofLevel.CONTRADICTS: "in an identity the report breaks",
    ProofLevel.DISAGREE: "the extractors disagree",
    ProofLevel.UNREAD: "not found in the source",
}


def blank_evidence(prov: CellProvenance | None) -> str | None:
    """What in the source proves this cell blank ("placeholder", "empty cell"), or None."""
    if prov is None or prov.span is None or prov.snippet is None:
        return None
    if prov.method == ABSENT_METHOD:
        return "row not printed"
    if prov.method != BLANK_METHOD:
        return None
    snippet = prov.snippet
    if snippet.strip() in PLACEHOLDERS:
        return "placeholder"
    if snippet.strip() in DASHES_READ_AS_YI:
        return "placeholder read through OCR (一 for a dash)"
    if _EMPTY_FIELD.match(snippet):
        return "empty cell"
    return None


@dataclass
class Decision:
    """One thing a person settles in one action, and the cells it settles."""

    id: str  # "d1", "d2", … in layout order of their first cell
    kind: str  # "identity" (the print breaks it), "row" (a row's reading), "rows" (same cause)
    reason: str
    cells: list[str]
    rules: list[str] = field(default_factory=list)  # broken identity ids (kind "identity")
    suspects: list[Suspect] = field(default_factory=list)


@dataclass
class Proof:
    """Every cell's level, why the unproven ones are not proven, and the decisions."""

    levels: dict[str, ProofLevel]
    reasons: dict[str, list[str]]  # unproven cells only, in layout order
    decisions: list[Decision]

    @property
    def accepted(self) -> bool:
        return report_is_accepted(self.levels.values())

    @property
    def decision_of(self) -> dict[str, str]:
        return {k: d.id for d in self.decisions for k in d.cells}

    def flags(self) -> dict[str, list[str]]:
        """{key: reasons} of the unproven cells: the evidence first, then the cell's level
        ("proof: ambiguous") and its decision ("decision d2")."""
        owner = self.decision_of
        return {
            key: [*why, f"proof: {self.levels[key].value}", f"decision {owner[key]}"]
            for key, why in self.reasons.items()
        }


def identity_status(ident: Identity, cells: Mapping[str, CellValue], blank: set[str]) -> Status:
    """An identity with proven blanks counted as nothing printed there (0)."""
    values = []
    for key in ident.keys:
        value = cells.get(key)
        if value is None:
            if key not in blank:
                return Status.UNKNOWN
            value = 0
        values.append(value)
    left = sum(values[: len(ident.lhs)])
    right = sum(values[len(ident.lhs) :])
    return Status.PASSED if left == right else Status.FAILED


def _direct(prov: CellProvenance, flagged: bool) -> bool:
    """Read as printed, with no doubt from the extractor."""
    if flagged or prov.notes or prov.alternatives or prov.confidence < LOW_CONFIDENCE:
        return False
    if prov.alignment.value == "not_found":
        return False
    if prov.method in DIRECT_METHODS:
        return True
    return prov.method in ("segmented", "aligned") and prov.confidence >= ONE_READING


def _doubt(prov: CellProvenance) -> list[str]:
    out = list(prov.notes)
    if prov.confidence < LOW_CONFIDENCE:
        out.append(f"low confidence {prov.confidence:.2f}")
    if prov.alternatives:
        out.append("other readings: " + ", ".join(str(v) for v in prov.alternatives))
    return out


def cell_level(
    value: CellValue, prov: CellProvenance | None, flagged: bool, identities: list[Status]
) -> ProofLevel:
    """One cell's level from its provenance and the status of the identities it is in."""
    if prov is None:
        return ProofLevel.UNREAD
    if any(n.startswith("backends disagree") for n in prov.notes):
        return ProofLevel.DISAGREE
    if Status.FAILED in identities:
        return ProofLevel.CONTRADICTS
    if prov.extractor == REVIEWER:
        if value is None:
            return ProofLevel.BLANK_PROVEN
        return (
            ProofLevel.READ_UNCHECKED if Status.UNKNOWN in identities else ProofLevel.READ_CONFIRMED
        )
    if value is None:
        holding = bool(identities) and all(s is Status.PASSED for s in identities)
        read_as_yi = prov.snippet is not None and prov.snippet.strip() in DASHES_READ_AS_YI
        if blank_evidence(prov) and not (flagged or prov.notes or prov.alternatives):
            if read_as_yi and not holding:
                return ProofLevel.AMBIGUOUS  # a dash, or a 一 printed: identities tell
            return ProofLevel.BLANK_PROVEN
        if (
            blank_evidence(prov)
            and prov.notes
            and all(n.startswith(BLANKS_CHECKED_BY_IDENTITIES) for n in prov.notes)
            and not prov.alternatives
            and holding
        ):
            # a placeholder glued into a run cut on the assumption of how many values it
            # holds, or on a value line placed by the order of rows: proven, as the values
            # beside it are, by identities that all hold (the blank counted as nothing)
            return ProofLevel.BLANK_PROVEN
        return ProofLevel.AMBIGUOUS if prov.alternatives else ProofLevel.UNREAD
    restated = all(n.startswith(RESTATED_BY_NARRATIVE) for n in prov.notes)
    if prov.notes and (restated or all(n.startswith(CHECKED_BY_IDENTITIES) for n in prov.notes)):
        # a correction of the print the identities can check (an OCR look-alike taken for
        # its digit): proven only when it sits in identities and every one of them holds; a
        # part-二 reading the narrative restates has that second statement for its check
        plain = prov.model_copy(update={"notes": []})
        checked = restated or bool(identities)
        if _direct(plain, False) and checked and all(s is Status.PASSED for s in identities):
            return ProofLevel.READ_CONFIRMED
        return ProofLevel.AMBIGUOUS
    if _direct(prov, flagged):
        if prov.method in ROW_ASSUMED and not identities and not cut_proven(prov):
            # cut from a glued run or placed in a short row on the assumption of how many
            # values the row prints: with no identity to check it, one of several readings
            # (unless the run reads one way only at any count: rules.cuts)
            return ProofLevel.AMBIGUOUS
        if Status.UNKNOWN in identities:
            return ProofLevel.READ_UNCHECKED
        return ProofLevel.READ_CONFIRMED
    if prov.alignment.value == "not_found" or any("quote" in n for n in prov.notes):
        return ProofLevel.UNREAD
    if prov.method == "inferred" and not prov.alternatives:
        return ProofLevel.INFERRED
    return ProofLevel.AMBIGUOUS


def prove(extraction: Extraction, result: CheckResult) -> Proof:
    """Levels, reasons and decisions for one extraction and its check."""
    report = extraction.report
    cells = report.cells
    keys = report.layout.keys
    prov = extraction.provenance
    flagged = set(extraction.flags)
    blank = {
        k
        for k in keys
        if cells[k] is None
        and (blank_evidence(prov.get(k)) or getattr(prov.get(k), "extractor", None) == REVIEWER)
    }
    status: dict[str, list[Status]] = {k: [] for k in keys}
    failed: list[Identity] = []
    for ident in identities_for(report.meta.template):
        st = identity_status(ident, cells, blank)
        for key in ident.keys:
            status[key].append(st)
        if st is Status.FAILED:
            failed.append(ident)
    domain: dict[str, list[str]] = {}
    for finding in result.findings:
        if finding.family == "domain" and finding.status is Status.FAILED:
            for key in finding.cells:
                domain.setdefault(key, []).append(finding.equation)
    levels: dict[str, ProofLevel] = {}
    reasons: dict[str, list[str]] = {}
    for key in keys:
        level = cell_level(cells[key], prov.get(key), key in flagged, status[key])
        if key in domain and level is not ProofLevel.DISAGREE:
            level = ProofLevel.CONTRADICTS
        levels[key] = level
    undermined = _undermined(report, levels, prov, {i.id for i in failed})
    for key in undermined:
        levels[key] = ProofLevel.AMBIGUOUS
    for key in keys:
        p = prov.get(key)
        level = levels[key]
        if is_proven(level):
            continue
        why = _doubt(p) if p is not None else ["no provenance"]
        if key in undermined:
            why.append(undermined[key][1])
        if p is not None and not why and level is ProofLevel.AMBIGUOUS:
            why.append(f"{p.method} row with no identity to check the values it prints")
        why += [f"breaks {i.id}" for i in failed if key in i.keys]
        why += domain.get(key, [])
        if level is ProofLevel.READ_UNCHECKED:
            why.append("an identity it is in has a null cell")
        if cells[key] is None and level is ProofLevel.UNREAD and not why:
            why.append("null: not found in the source")
        reasons[key] = why or [LEVEL_LABELS[level]]
    # the unproven nulls that leave each unchecked cell's identities unknown: its cause
    because: dict[str, list[str]] = {}
    for ident in identities_for(report.meta.template):
        nulls = [k for k in ident.keys if cells[k] is None and k not in blank]
        for key in ident.keys:
            if levels[key] is ProofLevel.READ_UNCHECKED:
                because.setdefault(key, []).extend(nulls)
    joins = {k: cause for k, (cause, _) in undermined.items()}
    decisions = _decisions(keys, levels, reasons, failed, result.suspects, because, joins)
    return Proof(levels=levels, reasons=reasons, decisions=decisions)


def _undermined(
    report: CanonicalReport,
    levels: Mapping[str, ProofLevel],
    prov: Mapping[str, CellProvenance],
    broken: set[str],
) -> dict[str, tuple[tuple[str, ...], str]]:
    """Proven cells whose proof a break in the same reading withdraws (rules.shared_reading),
    with the cells of that break; a person's own values keep theirs."""
    keys = report.layout.keys
    out = undermined_cuts(keys, levels, prov)
    groups = [i for i in identities_for(report.meta.template) if i.family == "t4.group_sum"]
    out |= undermined_after_break(groups, levels, broken)
    for rows in table_rows(report.layout):
        out |= misplaced_totals(rows, report.cells, levels)
    return {k: why for k, why in out.items() if getattr(prov.get(k), "extractor", "") != REVIEWER}


def _decisions(
    keys: tuple[str, ...],
    levels: Mapping[str, ProofLevel],
    reasons: Mapping[str, list[str]],
    failed: list[Identity],
    suspects: list[Suspect],
    because: Mapping[str, list[str]],
    joins: Mapping[str, tuple[str, ...]],
) -> list[Decision]:
    """One decision per cause: connected broken identities; else one printed row, with rows of
    one part that fail for the same first reason merged; a cell left unchecked by a null goes
    with that null's decision (settling the null settles it), and a cell whose proof a break
    withdrew (`joins`: key -> the cells of the break) with the break's, which it joins into
    one."""
    order = {k: n for n, k in enumerate(keys)}
    found: list[Decision] = []
    taken: set[str] = set()
    # broken identities sharing an unproven cell are one cause
    groups: list[tuple[set[str], list[Identity]]] = []
    for ident in failed:
        mine = {k for k in ident.keys if k in reasons}
        # a withdrawn cell ties every break of the reading that withdrew it into one cause
        mine |= {k for k, causes in joins.items() if mine & set(causes) and k in reasons}
        joined = [g for g in groups if g[0] & mine]
        cells_, ids = set(mine), [ident]
        for g in joined:
            cells_ |= g[0]
            ids = g[1] + ids
            groups.remove(g)
        groups.append((cells_, ids))
    for cells_, ids in groups:
        mine_suspects = [s for s in suspects if set(s.cells) <= cells_]
        rules = sorted(i.id for i in ids)
        named = ", ".join(
            sorted({k for s in mine_suspects for k in s.cells}, key=order.__getitem__)
        )
        reason = f"the report's print breaks {', '.join(rules)}" + (
            f"; suspects: {named}" if named else ""
        )
        cs = sorted(cells_, key=order.__getitem__)
        found.append(Decision("", "identity", reason, cs, rules, mine_suspects))
        taken |= cells_
    # the other unproven cells: one printed row each; a cause that strikes several rows of a
    # part at once (rows not found, values placed by the order of rows) one for the part
    by_cause: dict[str, list[str]] = {}
    first_of: dict[str, str] = {}
    # the nulls that leave a cell unchecked, or the cells a cut was withdrawn for because no
    # identity checks them (rules.shared_reading): settling those nulls settles it
    nulls = {k: list(v) for k, v in because.items()}
    for key, causes in joins.items():
        if causes and all(levels[c] is ProofLevel.READ_UNCHECKED for c in causes):
            nulls[key] = [n for c in causes for n in because.get(c, [])]
    for key in keys:
        if key in reasons and key not in taken and not _follows_null(key, levels, joins):
            first = _cause_text(levels[key], reasons[key])
            where = f"{key.split('.', 1)[0]}|{first}" if _shared(first) else row_of(key)
            by_cause.setdefault(where, []).append(key)
            first_of.setdefault(where, first)
    home = {k: where for where, ks in by_cause.items() for k in ks}
    for key in keys:
        if key in reasons and key not in taken and _follows_null(key, levels, joins):
            cause = next((home[n] for n in nulls.get(key, []) if n in home), None)
            if cause is None:  # no null of its own decision: a decision of its row
                cause = row_of(key)
                first_of.setdefault(cause, _cause_text(levels[key], reasons[key]))
            by_cause.setdefault(cause, []).append(key)
    for where, ks in by_cause.items():
        ks.sort(key=order.__getitem__)
        kind = "rows" if len({row_of(k) for k in ks}) > 1 else "row"
        found.append(Decision("", kind, first_of[where], ks))
    found.sort(key=lambda d: order[d.cells[0]])
    for n, d in enumerate(found, 1):
        d.id = f"d{n}"
    return found


def _follows_null(
    key: str, levels: Mapping[str, ProofLevel], joins: Mapping[str, tuple[str, ...]]
) -> bool:
    """A cell unproven only through nulls: unchecked by one, or cut from a run whose proof
    was withdrawn for parts nulls leave unchecked. It joins those nulls' decision."""
    if levels[key] is ProofLevel.READ_UNCHECKED:
        return True
    causes = joins.get(key, ())
    return bool(causes) and all(levels[c] is ProofLevel.READ_UNCHECKED for c in causes)


_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")


def _cause_text(level: ProofLevel, why: list[str]) -> str:
    """The first reason with its numbers and identity brackets taken out: what rows share."""
    first = why[0] if why else LEVEL_LABELS[level]
    first = re.sub(r"\[[^\]]*\]", "[…]", first)
    return f"{level.value}: " + _NUMBERS.sub("N", first)


def _shared(cause: str) -> bool:
    """Causes that strike several rows at once: one decision for all of them in a part."""
    return any(
        s in cause
        for s in (
            "row not printed",
            "label not found",
            "placed by the order of rows",
            PLACED_BY_ORDER,
            "not read",
            "has N on its other side",  # zeros forced by a zero sum: the rows printed nothing
            "columns in another order",  # the header's column order (extractor.parser.columns)
            "one glued run with more digits than cells",  # part 四's run cut one way of several
        )
    )


def verdict(extraction: Extraction, result: CheckResult) -> tuple[Proof, dict[str, list[str]]]:
    """The proof and the flags (unproven cells with their reasons) of one reading."""
    proof = prove(extraction, result)
    return proof, proof.flags()
