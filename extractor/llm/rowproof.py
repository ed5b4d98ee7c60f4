"""Does the source's printed row show what the model read? Cell by cell, by position.

A quote located in the source is the model's claim "I read this row here". The claim is
checked against the printed row itself, with the parser's own value tokens (numbers,
printed blanks '-', '/', '—', '无', empty delimited fields, glued digit runs), so the LLM
and the parser follow one rule:
- the row's label must be printed in the quote's line (a quote from another row is a
  swapped reading, however well its numbers add up);
- when the row prints exactly one token per column, each cell must equal the token in its
  column: a number there confirms it, a printed blank proves a null (BLANK), anything
  else contradicts it;
- otherwise (glued digits, a missing or extra token) the values must appear, in order, as
  whole tokens or as consecutive parts of a glued run; a null is then never proven.
Numbers are compared as whole tokens, never as digit substrings, and tokenisation keeps
separators: "政府集中采购\t88\t678.4877" is 88 and 678.4877, "1,664" is 1664.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache

from extractor.llm.units import RowSpec, row_specs
from extractor.parser.tokens import Token, TokenKind, fold, tokenize
from nianbao.core.models import CellValue

LABEL_NUMBERING = re.compile(
    r"^(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[.．、])"
)
# a number as printed, its separators kept: thousands commas belong to it, spaces and tabs
# end it ("1,664" is one number, "88\t678.4877" two)
_PLAIN_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


class CellCheck(StrEnum):
    CONFIRMED = "confirmed"  # the token in its column is this value
    BLANK = "blank"  # null, and the row prints a blank in its column
    SHOWN = "shown"  # the value is printed in the row, in order; its column is not certain
    NULL_UNPROVEN = "null_unproven"  # null, and the row's structure shows no blank there
    CONTRADICTED = "contradicted"  # the row prints something else in this cell's column
    NOT_SHOWN = "not_shown"  # the value is not printed in the row
    UNORDERED = "unordered"  # printed in the row, but the row's values are not as read


PROVEN_CHECKS = frozenset({CellCheck.CONFIRMED, CellCheck.BLANK})


@dataclass(frozen=True)
class CellResult:
    check: CellCheck
    printed: str | None = None  # what the row prints in this cell's column, when known


def core_label(label: str) -> str:
    """A row label without its numbering ("1.属于国家秘密" -> "属于国家秘密")."""
    return LABEL_NUMBERING.sub("", label).strip()


def _squash(text: str) -> str:
    """Whitespace removed and forms unified (NFKC), for label search."""
    from extractor.llm.grounding import normalise

    return normalise(text)


LABEL_OCR_SCORE = 85.0  # rapidfuzz partial ratio: one character in seven misread at most
LABEL_OCR_MIN = 7  # characters: a shorter label must be printed exactly


def label_printed(spec: RowSpec, line: str, template: str | None = None) -> bool:
    """Whether the row's label (numbering aside) is printed in `line`.

    With `template`, a long label printed with a character or so misread by OCR
    ("不计其地情形", "己获取") counts too, but only when no other row's label is printed
    there and no other label of the layout fits the line as well: a quote from another
    row (a swapped reading) still fails.
    """
    squashed = _squash(line)
    if _squash(core_label(spec.label)) in squashed:
        return True
    if template is None:
        return False
    return _ocr_label(spec.key, squashed, template)


def _ocr_label(key: str, squashed: str, template: str) -> bool:
    from rapidfuzz import fuzz

    labels = _layout_labels(template)
    own = labels[key]
    if len(own) < LABEL_OCR_MIN:
        return False
    if any(
        label in squashed and label not in own  # "其他" inside "不计其他情形" is not a row
        for k, label in labels.items()
        if k != key and len(label) > 1
    ):
        return False  # another row's label is printed here: not this row
    score = fuzz.partial_ratio(own, squashed)
    if score < LABEL_OCR_SCORE:
        return False
    return all(
        fuzz.partial_ratio(label, squashed) < score
        for k, label in labels.items()
        if k != key and len(label) >= LABEL_OCR_MIN
    )


@cache
def _layout_labels(template: str) -> dict[str, str]:
    return {k: _squash(core_label(s.label)) for k, s in row_specs(template).items()}


@cache
def part_offsets(template: str) -> dict[str, tuple[int, int]]:
    """Row key -> (offset of its first column within its part's row of columns, part width);
    used when one printed line holds a whole part's values (part 四's 15 numbers)."""
    out: dict[str, tuple[int, int]] = {}
    widths: dict[str, int] = {}
    for key, spec in row_specs(template).items():
        out[key] = (widths.get(spec.part, 0), 0)
        widths[spec.part] = widths.get(spec.part, 0) + len(spec.cells)
    return {k: (off, widths[row_specs(template)[k].part]) for k, (off, _) in out.items()}


def value_tokens(text: str) -> list[Token]:
    """The parser's value tokens of a stretch of text (numbers, blanks, glued runs)."""
    folded = fold(text)
    return tokenize(folded, 0, len(folded))


def _as_decimal(value: CellValue | str) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def same_number(token: Token, value: CellValue, header_unit: str | None = None) -> bool:
    """A NUMBER token printing `value`. An amount printed in 元 (its own unit, or for a bare
    number its column header's, `header_unit`) is read in 万元: only the converted value is
    right then, and only then (the parser's rule, extractor.parser.cells.to_value), so a
    model answering 万元 as 元 or 元 as 万元 is not shown."""
    if token.kind is not TokenKind.NUMBER or value is None or token.value is None:
        return False
    printed = Decimal(token.value)
    wanted = Decimal(value)
    amount = isinstance(value, Decimal)  # a count under a 元 header is a count
    if token.unit == "元" or (token.unit is None and amount and header_unit == "元"):
        return amount and printed / 10000 == wanted
    return printed == wanted


def _digits(value: CellValue) -> str:
    return str(abs(value)) if isinstance(value, int) else ""


def _in_order(
    tokens: Sequence[Token], values: Sequence[CellValue], unit: str | None = None
) -> bool:
    """The values appear in order, each a whole NUMBER token or consecutive values making up
    one glued RUN exactly; other tokens may come between them."""
    wanted = [v for v in values if v is not None]

    @cache
    def fits(i: int, j: int) -> bool:
        if j == len(wanted):
            return True
        if i == len(tokens):
            return False
        if fits(i + 1, j):
            return True
        token = tokens[i]
        if same_number(token, wanted[j], unit):
            return fits(i + 1, j + 1)
        if token.kind in (TokenKind.RUN, TokenKind.NUMBER):
            run = token.digits.replace(",", "")
            glued = ""
            for k in range(j, len(wanted)):
                glued += _digits(wanted[k])
                if not glued or not run.startswith(glued):
                    break
                if glued == run and k > j:
                    return fits(i + 1, k + 1)
                if glued == run and token.kind is TokenKind.RUN:
                    return fits(i + 1, k + 1)
        return False

    return fits(0, 0)


def _inside_a_run(
    tokens: Sequence[Token], values: Sequence[CellValue], *, after_label: bool = False
) -> bool:
    """A row of at least two counts printed as one stretch of a longer glued run (a whole
    part's numbers run together, "10203120001200000"): its digits, in order, side by side.
    The weakest evidence there is; such cells are never proven by position.

    `after_label`: the row's own label is printed just before the values, so the first run
    after it is this row's and its values start where the run starts; read from inside it
    ("000000" in "5000000"), a value printed first was dropped and the rest shifted; and
    when no cell is null the values are the whole run: a prefix of it is a number split
    at the wrong place ("1161" read as 1 and 161)."""
    wanted = [v for v in values if v is not None]
    if len(wanted) < 2 or not all(isinstance(v, int) for v in wanted):
        return False
    glued = "".join(_digits(v) for v in wanted)
    runs = [
        t.digits.replace(",", "") for t in tokens if t.kind in (TokenKind.RUN, TokenKind.NUMBER)
    ]
    if after_label:
        if not runs:
            return False
        if len(wanted) == len(values):  # every cell read: the row's run holds just these
            return runs[0] == glued  # (1161|6|5569 is not 1|161|6 with 5569 left over)
        return runs[0].startswith(glued)
    return any(glued in run for run in runs)


def plain_numbers(text: str) -> list[Decimal]:
    """Every number printed in `text`, separators kept (see the module docstring)."""
    folded = fold(text)
    out = []
    for match in _PLAIN_NUMBER.finditer(folded):
        number = _as_decimal(match.group())
        if number is not None:
            out.append(number)
    return out


def shows(value: CellValue, text: str) -> bool:
    """Whether `text` prints `value` as a whole number (an amount also in 元)."""
    if value is None:
        return True
    wanted = Decimal(value)
    for number in plain_numbers(text):
        if number == wanted or (isinstance(value, Decimal) and number / 10000 == wanted):
            return True
    return False


def check_cells(
    spec: RowSpec,
    values: dict[str, CellValue],
    row_text: str,
    template: str,
    unit: str | None = None,
) -> dict[str, CellResult]:
    """Each cell of a row against the printed row text (label and values), by key. `unit`:
    what the column header above the row names ("元", "万元"), for bare amounts."""
    keys = [c.key for c in spec.cells]
    label_end = _label_end(spec, row_text)
    tokens = value_tokens(row_text[label_end:])
    slots = [t for t in tokens if t.kind in (TokenKind.NUMBER, TokenKind.BLANK, TokenKind.RUN)]
    offset, width = part_offsets(template)[spec.key]
    if not any(t.kind is TokenKind.RUN for t in slots):
        if len(slots) == len(keys):
            return _by_column(keys, values, slots, unit)
        if width > len(keys) and len(slots) == width:  # the whole part's row is quoted
            return _by_column(keys, values, slots[offset : offset + len(keys)], unit)
    window = slots
    if width > len(keys) and len(slots) < width and not any(t.kind is TokenKind.RUN for t in slots):
        # the whole part's row with cells missing: a missing cell only moves the later
        # ones left, so this row's values lie between its offset less the missing count
        # and its end (a row of zeros is not "shown" by the zeros of other rows)
        window = slots[max(0, offset - (width - len(slots))) : offset + len(keys)]
    ordered = _in_order(window, [values[k] for k in keys], unit) or _inside_a_run(
        slots, [values[k] for k in keys], after_label=label_end > 0
    )
    out = {}
    for key in keys:
        value = values[key]
        if value is None:
            out[key] = CellResult(CellCheck.NULL_UNPROVEN)
        elif ordered:
            out[key] = CellResult(CellCheck.SHOWN)
        elif any(same_number(t, value, unit) for t in slots):
            out[key] = CellResult(CellCheck.UNORDERED)  # printed, but the row is not as read
        else:
            out[key] = CellResult(CellCheck.NOT_SHOWN)
    return out


def _by_column(
    keys: list[str], values: dict[str, CellValue], slots: Sequence[Token], unit: str | None
) -> dict[str, CellResult]:
    out = {}
    for key, token in zip(keys, slots, strict=True):
        value = values[key]
        shown = token.text.strip() or "(empty)"
        if value is None:
            ok = token.kind is TokenKind.BLANK
            out[key] = CellResult(CellCheck.BLANK if ok else CellCheck.CONTRADICTED, shown)
        elif same_number(token, value, unit):
            out[key] = CellResult(CellCheck.CONFIRMED, shown)
        else:
            out[key] = CellResult(CellCheck.CONTRADICTED, shown)
    return out


def _label_end(spec: RowSpec, text: str) -> int:
    """Where the row's label ends in `text` (0 when it is not there): values come after it."""
    label = core_label(spec.label)
    at = text.find(label)
    if at >= 0:
        return at + len(label)
    squashed = _squash(label)
    # the label printed with spaces or full-width forms inside: walk the text to its end
    from extractor.llm.grounding import NormalText

    normal = NormalText(text)
    at = normal.text.find(squashed)
    if at >= 0:
        return normal.span(at, at + len(squashed))[1]
    if len(squashed) < LABEL_OCR_MIN:
        return 0
    # a label misread by OCR (accepted by label_printed): where the best alignment ends
    from rapidfuzz import fuzz

    hit = fuzz.partial_ratio_alignment(squashed, normal.text, score_cutoff=LABEL_OCR_SCORE)
    if hit is None or hit.dest_end <= hit.dest_start:
        return 0
    return normal.span(hit.dest_start, hit.dest_end)[1]
