"""Values a flattened web page printed twice, glued to themselves or to their neighbour.

On a page whose cells run together ("规章51149件149件6967"), a value printed twice leaves no
surplus token to notice: it glues onto itself ("36933693") or onto the value before it
("51149件149": 51, then 149 twice). The row then holds as many tokens as cells and would be
read as printed. Such a cell is noted; rules.proving lets identities that all hold confirm it
(part 二, which has none, leaves it to a person).
"""

from __future__ import annotations

import re

from extractor.parser.tokens import MEASURE, SIGN_WORDS, Token, TokenKind

_CJK = re.compile(r"[\u4e00-\u9fff]")
DOUBLED_GLUED = "glued digits that are one string printed twice: the value, or it doubled"
GLUED_ONTO_NEXT = (
    "glued digits that end with the next value's: the value, or two values, the next printed twice"
)


def doubled_glued(text: str, span: tuple[int, int] | None, glues: bool = False) -> bool:
    """The cell's digits, glued to Chinese words on both sides, are one string printed twice
    ("36933693", and "22": a 2 printed twice reads as 22 as well); or, glued on one side
    only, or on a page that glues values elsewhere (`glues`), a string of two or more
    digits printed twice ("4774 250250 5873": 250 twice, synth-7722-0232)."""
    if span is None:
        return False
    start, end = span
    digits = text[start:end]
    half = len(digits) // 2
    if half < 1 or len(digits) % 2 or not digits.isdigit() or digits[:half] != digits[half:]:
        return False
    before, after = text[start - 1 : start], text[end : end + 1]
    glued_before = bool(_CJK.match(before))
    glued_after = not after or bool(_CJK.match(after))
    if glued_before and glued_after:
        return True
    # glued on one side only ("…399　82988298第二十条": padding before it, the next label
    # after): a string of two or more digits twice is as unlikely a value there; one digit
    # twice ("其他对外管理服务事项44　0　0") only glued to a label, not to the words a cell
    # prints its value with ("减22", "增加11", "22件", "11元")
    if half >= 2:
        return glued_before or glued_after or glues
    return (glued_before and before not in _SIGN_CHARS) or (
        glued_after and after not in MEASURE and after not in "元万"
    )


# the last character of each of a change's sign words ("减少" -> 少, "增加" -> 加, ...)
_SIGN_CHARS = frozenset(word[-1] for word in SIGN_WORDS.split("|"))


GLUED_AFTER_PREVIOUS = (
    "glued digits that start with the previous value's: the value, or the previous printed "
    "twice and glued onto the next"
)


def glued_after_previous(tokens: list[Token], shortest: int = 2) -> list[int]:
    """Indices of tokens whose digits start with all of the previous token's (`shortest`
    digits or more) and have more after them ("71 7116": 7116, or 71 printed twice and glued
    onto 16). Where identities check the row a one-digit value starts too many numbers to
    tell anything; in part 二, which has none, "8 8207 6" (8, 207, 6 with the 8 printed
    twice, synth-7458-0130) went out as printed, so there the caller passes 1."""
    out = []
    for i in range(1, len(tokens)):
        a, b = tokens[i - 1], tokens[i]
        if a.kind is not TokenKind.NUMBER or b.kind is not TokenKind.NUMBER:
            continue
        first, second = a.digits, b.digits
        long_enough = len(first) >= shortest and len(second) > len(first)
        if long_enough and first.isdigit() and second.isdigit() and second.startswith(first):
            out.append(i)
    return out


def glued_onto_next(text: str, tokens: list[Token], apart: bool = False) -> list[int]:
    """Indices of tokens glued to the next one (nothing but a measure word between them)
    whose digits end with all of the next one's and have more before them ("51149件149").
    `apart`: also when only spaces part them, on a page that glues values elsewhere ("10 0":
    a 1 with a 0 printed twice, the first glued on; synth-8885-0090)."""
    out = []
    for i in range(len(tokens) - 1):
        a, b = tokens[i], tokens[i + 1]
        if a.kind is not TokenKind.NUMBER or b.kind is not TokenKind.NUMBER:
            continue
        between = text[a.end : b.start]
        if between and between not in MEASURE and not (apart and not between.strip()):
            continue
        first, second = a.digits, b.digits
        if second.isdigit() and len(first) > len(second) and first.endswith(second):
            out.append(i)
    return out


TWICE_AND_GLUED = (
    "two neighbouring values alike on a page that glues values: one printed twice and two "
    "others glued together is a reading too"
)


def twice_and_glued(tokens: list[Token]) -> bool:
    """A row of a page that glues values elsewhere, read one token a cell, with two equal
    neighbouring values and a value of two or more digits right beside them ("2 2 70": 2, 2,
    70; or 2 printed twice, then 7 and 0 glued). Two faults make the second reading, but on
    such a page neither is rare, and the count of tokens cannot tell them apart. Not for a
    pair of 0s beside any value: most rows print two side by side, and the doubt would wait on
    nearly all; only beside a value ending in 0 ("2520 0 0": 252 and a 0 glued, then a 0
    printed twice), since the cell glued on is most often a 0."""
    if any(t.kind is not TokenKind.NUMBER for t in tokens):
        return False
    for i in range(len(tokens) - 1):
        if tokens[i].value != tokens[i + 1].value:
            continue
        # the glued value next to the pair (the second fault where the first struck)
        beside = tokens[max(0, i - 1) : i] + tokens[i + 2 : i + 3]
        for t in beside:
            digits = t.digits.lstrip("-")
            if len(digits) >= 2 and (tokens[i].value != 0 or digits.endswith("0")):
                return True
    return False
