"""Rewrites a real page, export or OCR pass does to a report, over held-out reports (seed 9,
tuned on by no one): no wrong cell goes out unflagged, no report is accepted while wrong, and
where the rewrite leaves the print as clear as it was, what was accepted stays accepted.

The hunts that found them (session notes of issue 13) ran these over fresh seeds; each
closed class has its own test beside its fix. Here they stand as one regression net."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from eval.synth import SynthReport, generate
from nianbao.core.errors import SourceError
from tests.test_unseen_damage import HELD_OUT, _read

REPORTS = HELD_OUT[:30]
# seed 9's small bodies print few counts of four digits: the thousands rewrites take the
# larger ones of the seeds their hunt ran on, those with such a count alone in a cell
_T3_LABELS = re.compile(r"(本年新收政府信息公开申请数量|（七）总计|结转下年度继续办理)")
# a number of four or more digits alone in a delimited cell (a flat page's runs may be
# several glued values, which a mark put inside would change)
_CELL_NUMBER = re.compile(r"([\t|>][ \u3000]{0,3})([1-9]\d{0,2})(\d{3})(?=[ \u3000]{0,3}[\t|<\n])")


def _with_grouped_counts() -> list[SynthReport]:
    reports = [r for seed in (9100, 9101, 9102, 9103) for r in generate(seed, 60)]
    return [r for r in reports if _CELL_NUMBER.search(r.text)]


def _kept_accepted(rewrite: Callable[[str], str], reports: list[SynthReport]) -> tuple[int, int]:
    """Each consistent report rewritten: no wrong cell unflagged, none accepted while wrong
    (a file refused with a clear error lets none through). Returns how many were accepted
    as printed, and how many of those stay accepted rewritten."""
    printed = kept = 0
    for report in reports:
        text = rewrite(report.text)
        if text == report.text or report.broken_identities:
            continue
        try:
            proof, wrong = _read(report, text)
        except SourceError:
            proof, wrong = None, set()  # refused: "no part-三 table", a failed file
        if proof is not None:
            assert not wrong - set(proof.flags()), (report.id, wrong - set(proof.flags()))
            assert not (wrong and proof.accepted), report.id
        if _read(report, report.text)[0].accepted:
            printed += 1
            kept += proof is not None and proof.accepted
    return printed, kept


def _grouped(mark: str) -> Callable[[str], str]:
    return lambda text: _CELL_NUMBER.sub(
        lambda m: m.group(1) + m.group(2) + mark + m.group(3), text
    )


def _pipes(bar: str) -> Callable[[str], str]:
    def rewrite(text: str) -> str:
        if "|---" not in text:
            return text
        lines = text.split("\n")
        return "\n".join(
            line.replace("|", bar) if line.lstrip().startswith("|") and "---" not in line else line
            for line in lines
        )

    return rewrite


def _trailing_empty_column(text: str) -> str:
    # a markdown table with an empty 备注 column after every row
    if "|---" not in text:
        return text
    return re.sub(r"^(\|.*\|)[ \t]*$", lambda m: m.group(1) + "  |", text, flags=re.M)


def _line_numbers(text: str) -> str:
    # a PDF extract numbering its lines
    lines = text.split("\n")
    return "\n".join(f"{n + 1} {line}" if line.strip() else line for n, line in enumerate(lines))


def _serial_column(text: str) -> str:
    # every row of a markdown table opened by a 序号 cell counting up
    serial = iter(range(1, 1000))
    return re.sub(
        r"(?m)^(\|-*)(?=.*\|)",
        lambda m: "|---" + m.group(0) if m.group(1) != "|" else f"| {next(serial)} |",
        text,
    )


# part 三's item numbering ("1.属于国家秘密") at a line's or cell's start
_ITEM_NUMBER = re.compile(r"(?m)(^|[\t|>] ?)([1-8])[.．](?=[\u4e00-\u9fff“])")


def _running_title(text: str) -> str:
    # a PDF page break inside part 三: the page's number and the next page's running title
    at = text.find("（四）无法提供")
    if at < 0:
        return text
    line_start = text.rfind("\n", 0, at) + 1
    title = "- 5 -\n某某区人民政府2023年政府信息公开工作年度报告\n"
    return text[:line_start] + title + text[line_start:]


# a delimited row of part 三 printing values only after its label
_MARKDOWN_VALUE_ROW = re.compile(
    r"(?m)^(\|[^|\n]*(?:\|[ \u3000]*[\dO]+[件条个]?[ \u3000]*)+\|)[ \t]*$"
)
_TAB_VALUE_ROW = re.compile(r"(?m)^([^\t\n]*(?:\t[^\t\n]*){5,}\t\d+)[ \t]*$")


def _in_part_three(rewrite_part: Callable[[str], str]) -> Callable[[str], str]:
    def rewrite(text: str) -> str:
        start, end = text.find("本年新收"), text.find("四、政府信息公开行政复议")
        if start < 0 or end < 0:
            return text
        start = text.rfind("\n", 0, start) + 1
        return text[:start] + rewrite_part(text[start:end]) + text[end:]

    return rewrite


# rewrites that leave the print as clear as it was: what was accepted stays accepted
CLEAR: dict[str, Callable[[str], str]] = {
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "footnote marks after labels": lambda text: _T3_LABELS.sub(r"\1①", text, count=2),
    "zero-width spaces in numbers": lambda text: re.sub(r"(?<=\d)(?=\d)", "\u200b", text, count=3),
    "full-width pipes": _pipes("｜"),
    "box-drawing pipes": _pipes("│"),
    "item numbers in brackets": lambda text: _ITEM_NUMBER.sub(r"\1（\2）", text),
    "full-width item numbers": lambda text: _ITEM_NUMBER.sub(
        lambda m: m.group(1) + chr(ord(m.group(2)) + 0xFEE0) + "．", text
    ),
    "a running title inside part 三": _running_title,
    # an empty column after every row (hunt, seeds 9533-9535: a trailing tab kept 11 of 30)
    "an empty last column": _trailing_empty_column,
    "a trailing tab on every row": lambda text: re.sub(r"(?m)^(.*\t.*?)[ ]*$", r"\1\t", text),
    # a 序号 column before the labels (hunt, seeds 9530-9532: 0 of 31 stayed accepted)
    "a serial-number column first": _serial_column,
    # a listing's line numbers (hunt, seeds 9530-9532: 8 of 77 stayed accepted, and a blank
    # row took the next line's number as its value, unflagged)
    "line numbers": _line_numbers,
    "item numbers whose dot OCR read as a colon": lambda text: _ITEM_NUMBER.sub(r"\1\2:", text),
    "item numbers set apart by spaces": lambda text: _ITEM_NUMBER.sub(r"\1\2 . ", text),
    # a 备注 column beyond the national table's, printing 无 on every row
    "a column of 无 beyond the table": _in_part_three(
        lambda part: _MARKDOWN_VALUE_ROW.sub(lambda m: m.group(1) + " 无 |", part)
    ),
}
GROUPED: dict[str, Callable[[str], str]] = {
    "no-break thousands spaces in cells": _grouped("\xa0"),
    "thin thousands spaces in cells": _grouped("\u2009"),
    "OCR'd thousands commas in cells": _grouped("'"),
}
# rewrites that may leave a report waiting, but never let a wrong cell through
HOSTILE: dict[str, Callable[[str], str]] = {
    "a column of dashes beyond the table": _in_part_three(
        lambda part: _TAB_VALUE_ROW.sub(lambda m: m.group(1) + "\t—", part)
    ),
}


@pytest.mark.parametrize("name", sorted(CLEAR))
def test_a_rewrite_that_keeps_the_print_clear_keeps_it_accepted(name: str) -> None:
    printed, kept = _kept_accepted(CLEAR[name], REPORTS)
    assert printed >= 3, name  # the rewrite struck reports that were accepted as printed
    assert kept >= printed - 1, (name, printed, kept)


def test_a_count_with_a_thousands_mark_alone_in_its_cell_keeps_it_accepted() -> None:
    reports = _with_grouped_counts()
    for name, rewrite in GROUPED.items():
        printed, kept = _kept_accepted(rewrite, reports)
        assert printed >= 3, name
        assert kept >= printed - 1, (name, printed, kept)


def test_a_blank_s_dash_in_another_encoding_keeps_it_accepted() -> None:
    # a GB text whose 0xA1AA was mapped to U+2015: a blank's "——" prints as "――" (the
    # reports of the seeds its hunt ran on that print a dash)
    reports = [r for seed in (9147, 9148) for r in generate(seed, 100) if "\u2014" in r.text]
    printed, kept = _kept_accepted(lambda text: text.replace("\u2014", "\u2015"), reports)
    assert printed >= 3
    assert kept == printed


def test_part_three_without_its_outline_numbers_keeps_it_accepted() -> None:
    # "（四）无法提供" printed "无法提供": in a PDF's text whose group labels stand one
    # character a line, the 无 alone on a line read as the row above's last cell, a blank
    # (seeds 9316-9317 of the hunt that found it: 2 rows lost a 0 that way, unflagged)
    reports = [r for seed in (9316, 9317) for r in generate(seed, 60) if r.rendering == "pdf_text"]
    printed, kept = _kept_accepted(
        lambda text: re.sub(r"（[一二三四五六七]）(?=[\u4e00-\u9fff])", "", text), reports
    )
    assert printed >= 3
    assert kept >= printed - 1


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_rewrite_lets_no_wrong_cell_through(name: str) -> None:
    # (_kept_accepted asserts it for every report the rewrite changed)
    printed, _ = _kept_accepted(HOSTILE[name], REPORTS)
    assert printed >= 1, name
