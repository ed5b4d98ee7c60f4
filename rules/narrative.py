"""Read the figures that the narrative (part 一) restates, for the soft checks.

Only the text before the part-三 table is searched, so table labels are never read as prose;
the documents part 二 counts (`document_figures`) only before part 二's own table.
"""

from __future__ import annotations

import re

from rules.soft import NarrativeFigures

__all__ = ["document_figures", "narrative_figures"]

_NUM = r"(\d{1,6})\s*(?:件|条|个|起)"
_APPLICATIONS = [
    re.compile(
        r"(?:收到|受理|接收|办理)[^。；;\n]{0,20}?(?:政府信息)?公开申请[^0-9。；;\n]{0,6}?" + _NUM
    ),
    re.compile(r"(?:依申请公开|政府信息公开申请)[^0-9。；;\n]{0,12}?(?:共|合计|总计)?" + _NUM),
]
_REVIEW = re.compile(r"行政复议[^0-9。；;\n]{0,8}?" + _NUM)
_LAWSUIT = re.compile(r"行政诉讼[^0-9。；;\n]{0,8}?" + _NUM)
_TABLE_START = re.compile(r"(?:本年新收政府信息公开申请数量|本年新收)")
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _first(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    return int(match.group(1)) if match else None


def narrative_figures(text: str) -> NarrativeFigures:
    """Figures stated in prose before the tables; None where the text states none."""
    text = text.translate(_DIGITS)
    table = _TABLE_START.search(text)
    prose = text[: table.start()] if table else text
    applications = None
    for pattern in _APPLICATIONS:
        applications = _first(pattern, prose)
        if applications is not None:
            break
    return NarrativeFigures(
        applications=applications,
        review_cases=_first(_REVIEW, prose),
        lawsuit_cases=_first(_LAWSUIT, prose),
        documents=document_figures(text),
    )


# Part 二's document rows (2021 layout) as the narrative restates them: "本年度制发的规范性
# 文件88件", "现行有效行政规范性文件698件", "制发规章2件，废止1件" (a clause naming no row
# goes on with the row its sentence named last). The column word comes first, then at most a
# few words ("的", "市政府", never a digit or a clause break), then the row word and "N件".
_COLUMN_WORDS = {
    "issued": ("制发", "印发", "出台", "制定"),
    "repealed": ("废止", "宣布失效"),
    "in_force": ("现行有效",),
}
_ROW_WORDS = {"normative": ("行政规范性文件", "规范性文件"), "rules": ("规章",)}
_COLUMN = "|".join(w for words in _COLUMN_WORDS.values() for w in words)
_ROW = "|".join(w for words in _ROW_WORDS.values() for w in words)
_ROW_NAMED = re.compile(_ROW)
_COUNT = r"\s*(?:共|计|合计)?\s*(\d{1,6})\s*件"
_STATED = re.compile(rf"(?<![未无不没])({_COLUMN})[^\d件]{{0,8}}?({_ROW}){_COUNT}")
_GOES_ON = re.compile(rf"^\s*(?:并|已|另|共)?({_COLUMN}){_COUNT}")
_CLAUSE = re.compile(r"[，,、；;：:\n]")
_SENTENCE = re.compile(r"[。！？!?]")
# part 二's column headers (both layouts): where its table starts, and the prose ends
_T2_TABLE = re.compile(r"本年制发件数|本年废止件数|现行有效件数|本年新制作数量|对外公开总数量")


def _named(word: str, names: dict[str, tuple[str, ...]]) -> str:
    return next(name for name, words in names.items() if word in words)


def document_figures(text: str) -> dict[str, int]:
    """{"t2.normative.issued": 88, …}: each document count the prose before part 二's table
    states once (a key stated with two different values is dropped: the prose is unsure)."""
    text = text.translate(_DIGITS)
    ends = [m.start() for m in (_T2_TABLE.search(text), _TABLE_START.search(text)) if m]
    prose = text[: min(ends)] if ends else text
    stated: dict[str, set[int]] = {}
    for sentence in _SENTENCE.split(prose):
        row: str | None = None  # the row the sentence named last, for a clause that goes on
        for clause in _CLAUSE.split(sentence):
            said = [
                (_named(m.group(2), _ROW_WORDS), m.group(1), m.group(3))
                for m in _STATED.finditer(clause)
            ]
            if not said and _ROW_NAMED.search(clause):
                row = None  # a clause naming a row but no count ends the run
            elif not said and row is not None and (m := _GOES_ON.match(clause)):
                said = [(row, m.group(1), m.group(2))]
            for row, column_word, count in said:
                key = f"t2.{row}.{_named(column_word, _COLUMN_WORDS)}"
                stated.setdefault(key, set()).add(int(count))
    return {key: next(iter(values)) for key, values in stated.items() if len(values) == 1}
