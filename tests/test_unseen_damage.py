"""Damage the parser was not built on (eval/synth/unseen.py), on a seed nobody tuned on:
every wrong cell flagged, no report accepted while wrong, and the new readings noted."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from eval.synth import SynthReport, generate, synth_report
from eval.synth.unseen import UNSEEN_TYPES
from extractor.parser import ParserExtractor
from extractor.parser.rowlines import printed_rows
from extractor.parser.tokens import broken_over_line, fold, ocr_digits, tokenize
from extractor.readers import document_from_bytes
from rules.engine import check
from rules.narrative import narrative_figures
from rules.proof import ProofLevel
from rules.proving import Proof, prove

HELD_OUT = generate(9, 60)  # the synthetic sets were tuned on seeds 1-3


@pytest.mark.parametrize("damage", UNSEEN_TYPES)
def test_unseen_damage_is_never_silent(damage: str) -> None:
    struck = [r for r in HELD_OUT if damage in r.damage]
    for report in struck:
        # through the reader, as the eval reads them (a PDF font's radicals are its to map)
        proof, wrong = _read(report, report.text)
        assert not wrong - set(proof.flags()), (report.id, wrong - set(proof.flags()))
        assert not (wrong and proof.accepted), report.id


def test_ocr_look_alikes_inside_numbers_read_as_digits_and_noted() -> None:
    assert fold("| 1O | l2 | S0 |\tB\t") == "| 10 | 12 | 50 |\t8\t"
    assert fold("OCR text Bob, B超") == "OCR text Bob, B超"  # words stay words
    # a space-separated row's first value at the line's start (synth-705-0041: part 四's
    # "O  0 \u3000 0 …" read as 14 values for 15 cells); fold makes ideographic spaces plain
    assert fold("O  0 \u3000 0 5\n") == "0  0   0 5\n"
    assert fold("0\u3000O\u30005\n") == "0 0 5\n"
    assert fold("O 型血\nB 超 3\n") == "O 型血\nB 超 3\n"  # a letter before a word stays
    assert ocr_digits("l2") and ocr_digits("S0") and not ocr_digits("10")
    assert not ocr_digits("1O") and not ocr_digits("O")  # no digit but 0 looks like an O
    # the Chinese zero: in cells, glued to a flat page's labels, with a measure word; a
    # Chinese numeral's 〇 (a year written out) stays
    assert fold("| 〇 | 1〇 |\t〇件\t0 〇 〇 0\n") == "| 0 | 10 |\t0件\t0 0 0 0\n"
    assert fold("行政处罚〇行政强制3") == "行政处罚0行政强制3"
    assert fold("二〇二一年 二〇〇〇年 十〇") == "二〇二一年 二〇〇〇年 十〇"
    assert not ocr_digits("〇") and not ocr_digits("1〇")


def test_a_line_break_inside_a_delimited_row_between_digits_is_doubt() -> None:
    text = "| 行政处罚 | 1<br>9 | 0 |\n"
    assert broken_over_line(text, (text.index("1"), text.index("1") + 1))
    tab = "行政处罚\t12\n3\t0\n"
    assert broken_over_line(tab, (tab.index("12"), tab.index("12") + 2))
    # the value alone on the line after the tab row is the other half (synth-2655-0176:
    # "行政事业性收费\t168\n2" with a page number 2: change read 2, unflagged)
    alone = "行政事业性收费\t168\n2\n第二十条"
    assert broken_over_line(alone, (alone.index("\n2") + 1, alone.index("\n2") + 2))
    lines = "\t0\n\t0\n"  # one value per line, indented: separate values
    assert not broken_over_line(lines, (1, 2))
    # no number but 0 starts with a 0: a page number under a row ending in 0 is no half of
    # that 0 (synth-5802-0138: "…事项\t0\t0\n5\n" waited on the doubt), nor of a 10
    zero = "8.属于行政查询事项\t0\t0\n5\n（四）"
    assert not broken_over_line(zero, (zero.index("0\n"), zero.index("0\n") + 1))
    assert not broken_over_line(zero, (zero.index("\n5") + 1, zero.index("\n5") + 2))
    ten = zero.replace("0\t0\n", "0\t10\n")
    assert broken_over_line(ten, (ten.index("\n5") + 1, ten.index("\n5") + 2))
    # nor of the last 0 of a glued run of 0s, each a value (synth-7811-0124: "| 000<br>0 |"
    # waited on the doubt); the last 0 of "100" may be a number's
    zeros = "| 2.重复申请 | 0 | 000<br>0 | 0 |\n"
    at = zeros.index("<br>0") + 4
    assert not broken_over_line(zeros, (at, at + 1))
    hundred = zeros.replace("000<br>", "100<br>")
    assert broken_over_line(hundred, (at, at + 1))
    # the same with a tab closing each line (an export's empty last cell): the tab ends the
    # cell, so the break is between two cells (it doubted every value of such a file)
    closed = "\t0\t\n\t5\t\n"
    assert not broken_over_line(closed, (1, 2))
    assert not broken_over_line("行政处罚\t12\t\n3\t0\n", (5, 7))
    numbered = "行政处罚\t0\t0\n\t2.其他\t0\n"  # a row number after the break is no digit run-on
    assert not broken_over_line(numbered, (numbered.index("0\n"), numbered.index("0\n") + 1))


def test_decimals_wrapped_on_to_the_next_line_are_a_doubt_in_any_text() -> None:
    # a hard-wrapped page: "行政事业性收费30\n.1871三、…" (no cell separators at all)
    text = "行政事业性收费30\n.1871三、收到和处理"
    at = text.index("30")
    assert broken_over_line(text, (at, at + 2))
    assert not broken_over_line("行政事业性收费30\n1.其他", (at, at + 2))


def test_a_tab_closing_every_line_bounds_no_cell() -> None:
    # a line's only tab at its end: "增9" is a change, not a number inside a label's cell
    for text in ("行政许可 4 增9 0\t\n其他", "行政许可 4 增9 0\n其他"):
        assert [t.value for t in tokenize(fold(text), 0, len(text))] == [4, 9, 0]
    inner = "行政许可\t数据1\t3\n"  # a number inside a delimited cell with words stays out
    assert [t.value for t in tokenize(inner, 0, len(inner))] == [3]


def test_a_longer_value_of_a_glued_part_four_is_in_doubt() -> None:
    from extractor.parser.resolve import longer_value_in_doubt

    zeros = [0] * 13
    assert longer_value_in_doubt([50, *zeros, 50], 17)  # 5 then 0 twice reads 50
    assert longer_value_in_doubt([36, *zeros, 36], 17)  # 3|6 with a cell lost elsewhere
    assert not longer_value_in_doubt([5, *zeros, 5], 17)  # no longer value: nothing to hide
    assert not longer_value_in_doubt([12, *zeros, 12], 15)  # as many digits as cells: no cut


def _read(report: SynthReport, text: str) -> tuple[Proof, set[str]]:
    """The report's text read as the eval reads it: its proof, and the cells read wrong."""
    doc = document_from_bytes(Path(f"{report.id}.{report.media}"), text.encode())
    extraction = ParserExtractor().extract(doc)
    proof = prove(extraction, check(extraction.report, narrative_figures(doc.text)))
    cells = extraction.report.cells
    return proof, {k for k, v in report.gold.cells.items() if cells[k] != v}


def _found_case(seed: int, index: int, printed: str) -> tuple[SynthReport, Proof, set[str]]:
    """A report a sweep found, read as printed: the print still shows `printed`, and no
    wrong cell goes out unflagged."""
    report = synth_report(seed, index)
    assert printed in report.text
    proof, wrong = _read(report, report.text)
    assert not wrong - set(proof.flags()), sorted(wrong - set(proof.flags()))
    return report, proof, wrong


def _kept_accepted(rewrite: Callable[[str], str], reports: list[SynthReport]) -> tuple[int, int]:
    """Each consistent report rewritten: no wrong cell unflagged or accepted. Returns how
    many were accepted as printed, and how many of those stay accepted rewritten."""
    printed = kept = 0
    for report in reports:
        text = rewrite(report.text)
        if text == report.text or report.broken_identities:
            continue
        proof, wrong = _read(report, text)
        assert not wrong - set(proof.flags()), (report.id, wrong - set(proof.flags()))
        assert not (wrong and proof.accepted), report.id
        if _read(report, report.text)[0].accepted:
            printed += 1
            kept += proof.accepted
    return printed, kept


def test_zero_look_alikes_in_a_row_read_as_zeros() -> None:
    # OCR or an IME gives a zero cell as O, o, Ｏ or ｏ, often several in a row ("3 o O 1"):
    # each is a 0 (no other digit looks like it), so a consistent report stays accepted
    look_alikes = itertools.cycle("oOＯｏ")
    lone_zero = re.compile(r"(?<=[ \t|])0(?=[ \t|\n])")
    printed, kept = _kept_accepted(
        lambda text: lone_zero.sub(lambda _: next(look_alikes), text), HELD_OUT[:30]
    )
    assert printed >= 5
    assert kept == printed  # every report accepted as printed is accepted with the O's


def test_blank_dashes_ocr_read_as_yi_are_blanks_the_identities_confirm() -> None:
    # OCR reads a blank's "—" as the character 一: a blank still, proven where the
    # identities it is in all hold (part 二's cells have none: those wait for a person)
    dash = re.compile(r"(?<=[ \t|])(?:—|-|－)(?=[ \t|\n])")
    printed, kept = _kept_accepted(lambda text: dash.sub("一", text), HELD_OUT)
    assert printed >= 3
    assert kept >= 0.75 * printed, (kept, printed)


def test_a_misread_label_in_a_block_of_labels_is_no_row_left_unprinted() -> None:
    # synth-5063-0160: part 三's labels printed in a block, their values below, and
    # "（一）予以公开" OCR misread "予以么开": nothing but label words stood between it and the
    # next label, so the row was taken as not printed and its cells went out blank, unflagged
    report = synth_report(5063, 160)
    proof, wrong = _read(report, report.text)
    assert not wrong - set(proof.flags()), wrong - set(proof.flags())


def test_a_bracketed_note_after_a_part_two_value_is_read_past() -> None:
    # real reports note a part 二 count in its cell ("22（其中修订 16 件）", "55(其中3)"): the
    # value is read, the note's words and number are neither a label nor a cell
    t2_row = re.compile(r"^(.*(?:规章|规范性文件|行政许可|行政处罚|行政强制).*)$", re.M)
    value = re.compile(r"(?<![\d.])(\d+)(?![\d.]|[ \t]*万?元)")
    notes = ["（其中修订{}件）", "(其中{})", "（含自然失效 {} 件）"]

    def noted(line: re.Match[str]) -> str:
        n = len(line.group(1))
        return value.sub(lambda m: m.group(1) + notes[n % 3].format(n % 40), line.group(1), 1)

    printed, kept = _kept_accepted(lambda text: t2_row.sub(noted, text), HELD_OUT)
    assert printed >= 5
    assert kept >= 0.6 * printed, (kept, printed)


def test_a_zero_written_as_a_word_and_a_one_as_a_stroke_are_read() -> None:
    # a typist's 零 for a 0 and Chinese OCR's stroke 丨 for a 1, alone in their cells: read
    # (a 零 run of part 四's single row no longer ends the part as the next section's word)
    zero = re.compile(r"(?<=[ \t|])0(?=[ \t|\n])")
    one = re.compile(r"(?<=[ \t])1(?=[ \t\n])")
    every_third = itertools.cycle([True, False, False])

    def rewritten(text: str) -> str:
        text = zero.sub(lambda m: "零" if next(every_third) else m.group(), text)
        return one.sub(lambda m: "丨" if next(every_third) else m.group(), text)

    printed, kept = _kept_accepted(rewritten, HELD_OUT)
    assert printed >= 5
    assert kept >= 0.75 * printed, (kept, printed)


def test_part_three_printed_labels_first_is_read_by_row_and_by_column() -> None:
    # the generator's label_column_first on a seed nobody tuned on: part 三's labels, then
    # every value one per line, row by row or column by column; the values go to the rows
    # in printed order (proven only where every identity holds), the way that makes every
    # row sum; none wrong unflagged
    struck = [r for r in generate(21, 600) if "label_column_first" in r.damage]
    ways = {r.damage_detail["label_column_first"][0].split(", ")[1] for r in struck}
    assert ways == {"row by row", "column by column"}
    accepted = consistent = 0
    for report in struck:
        proof, wrong = _read(report, report.text)
        assert not wrong - set(proof.flags()), (report.id, wrong - set(proof.flags()))
        assert not (wrong and proof.accepted), report.id
        if not report.broken_identities:
            consistent += 1
            accepted += proof.accepted
    assert consistent >= 5
    assert accepted >= 0.5 * consistent, (accepted, consistent)


def test_one_column_of_values_is_grouped_only_when_one_way_makes_every_row_sum() -> None:
    # three rows of three cells (total last) printed as one column; which way it runs is a
    # guess unless only one way makes every row sum: synth-6006-0028, a column-major print
    # with a row that breaks its sum, was grouped row by row and a 5 went to another cell,
    # while the cell that lost it sat in identities that held (unflagged)
    def rows(values: list[int | str]) -> list[list[object]]:
        text = "\n".join(str(v) for v in values) + "\n"
        tokens = tokenize(fold(text), 0, len(text))
        return [[t.value for t in row] for row in printed_rows(text, tokens, 3)]

    by_row = [1, 2, 3, 0, 4, 4, 5, 0, 5]
    assert rows(by_row) == [[1, 2, 3], [0, 4, 4], [5, 0, 5]]
    by_column = [1, 0, 5, 2, 4, 0, 3, 4, 5]  # the same table a column at a time
    assert rows(by_column) == [[1, 2, 3], [0, 4, 4], [5, 0, 5]]
    broken = [1, 0, 5, 2, 4, 0, 3, 9, 5]  # its second row printed 0 4 9: no way is sure
    assert len(rows(broken)) == 9  # left as lines: not placed
    # a taller table with the report's own error in one row (2 2 5): read the other way, four
    # rows fail, so the way that fails one row alone is clear, and the error stays a break
    # the identities show (synth-7800-0011: every cell of part 三 was left unread)
    taller = [1, 0, 5, 2, 3, 2, 4, 0, 2, 1, 3, 4, 5, 5, 4]
    assert rows(taller) == [[1, 2, 3], [0, 4, 4], [5, 0, 5], [2, 2, 5], [3, 1, 4]]
    # a row missing its sum only through a blank still misses: left unjudged, the wrong way
    # passed where the blank fell beside the misprint's digits (synth-8046-0041: rows
    # 2 0 2 / 2 0 2 / 0 0 2 (own error) / 0 — 0 column by column, read row by row)
    blank = [2, 2, 0, 0, 0, 0, 0, "/", 2, 2, 2, 0]
    assert len(rows(blank)) == 12  # left as lines: not placed


def test_rows_far_apart_that_balance_by_chance_are_not_pooled() -> None:
    # a row's values lost (part 三's 4.保护第三方…) and, eight rows on, a row printed twice
    # at a page break (2.重复申请): the line counts of the run between balanced, so every row
    # between took the next row's line, and two rows of one sum group swapped went out
    # accepted (a silent hunt: synth-6129-0018 rewritten). A row's one line printed on its
    # own label's line is its own: no pool crosses it.
    report = synth_report(6129, 18)
    text = re.sub(r"(?<=护第三方)[ 0\u3000]+(?=\n)", "", report.text, count=1)
    text = re.sub(r"^(2\.重复申请 .*)$", "\\1\n— 4 —\n\\1", text, count=1, flags=re.M)
    assert text.count("2.重复申请") == 2 and "护第三方\n" in text
    proof, wrong = _read(report, text)
    assert wrong  # the lost row's cells at least
    assert not wrong - set(proof.flags()), wrong - set(proof.flags())
    assert not proof.accepted


def test_a_spaced_row_one_value_short_may_have_lost_one_rather_than_glued_two() -> None:
    # synth-6403-0039 (found by a sweep): part 四 printed "0 0 0 0 0 10 1 0 2 0 0 0 0 0", its
    # 其他结果 lost and its total misprinted (11 as 2). Cutting the printed 10 into 1|0 made
    # every group sum hold, and the wrong cut went out proven; a value lost (no placeholder)
    # is as likely as two glued, and with it the group breaks: neither reading is proven
    report = synth_report(6403, 39)
    assert "\n0 0 0 0 0 10 1 0 2 0 0 0 0 0\n" in report.text
    proof, wrong = _read(report, report.text)
    assert "t4.suit_direct.upheld" in wrong
    assert not wrong - set(proof.flags())
    assert proof.levels["t4.suit_direct.upheld"] is not ProofLevel.READ_CONFIRMED
    # the same row printed whole (15 values) is read as printed and proven
    printed = "0 0 0 0 0 10 1 0 2 0 0 0 0 0"
    whole = report.text.replace(printed, "0 0 0 0 0 10 1 0 0 11 0 0 0 0 0")
    proof, _ = _read(report, whole)
    assert proof.levels["t4.suit_direct.upheld"] is ProofLevel.READ_CONFIRMED
    # two cells short (synth-7350-0103: "12 0 ３６ 0 …", 行政复议's 结果维持 and 尚未审结 lost):
    # 1|2|0|3|6 held the group sum as well
    report = synth_report(7350, 103)
    proof, wrong = _read(report, report.text)
    assert "t4.review.total" in wrong
    assert not wrong - set(proof.flags())


def test_a_spaced_row_short_of_values_whose_glued_cut_alone_adds_up_is_proven() -> None:
    # synth-7422-0088: part 三's "23 506 0 4 38" prints five values for seven cells. Read as
    # glued (506 is 5|0|6) every identity holds; no placement of two lost values does (every
    # one of the 21 weighed, not the 3 most plausible). Each cell is in two identities, so
    # the cut is proven; before, the unweighed placements left the row in doubt
    report = synth_report(7422, 88)
    assert "23 506" in report.text
    proof, wrong = _read(report, report.text)
    new = [f"t3.new.{c}" for c in ("natural", "commercial", "research", "social", "total")]
    assert not wrong & set(new)
    assert all(proof.levels[k] is ProofLevel.READ_CONFIRMED for k in new)
    # the same row with a value lost and nothing glued ("23 5 0 6 4 38": 0 lost): the lost
    # cell is inferred and the row's placement a judgement, so it is not proven
    row = re.search(r"23 506[ \u3000]+0[ \u3000]+4[ \u3000]+38", report.text)
    assert row is not None
    proof, wrong = _read(report, report.text.replace(row.group(0), "23 5 0 6 4 38"))
    assert not wrong - set(proof.flags())
    assert not proof.accepted
    assert proof.levels["t3.new.legal"] is not ProofLevel.READ_CONFIRMED


def test_an_empty_line_where_a_one_cell_per_line_table_has_a_cell_is_that_cell() -> None:
    # synth-7425-0131: a table printed one cell per line, rows one empty line apart; part
    # 三's 5.属于三类内部事务信息 prints six values and two empty lines after them, its blank
    # 总计. The row was read as a value short (realigned, a cell inferred); the table's own
    # spacing shows the extra empty line is the row's last cell
    report = synth_report(7425, 131)
    assert "事务信息\n\u30000\n0\n\u30000\n0\n 0 \n 0\u3000\n\n\n6." in report.text
    proof, wrong = _read(report, report.text)
    row = [f"t3.denied.internal.{c}" for c in ("natural", "commercial", "legal", "other_org")]
    assert not wrong and all(proof.levels[k] is ProofLevel.READ_CONFIRMED for k in row)
    # the blank is flagged: a value lost with no trace beside a stray empty line reads the
    # same (the gold's 0 then goes out as a blank)
    assert "t3.denied.internal.total" in proof.flags()
    assert any("empty line" in r for r in proof.flags()["t3.denied.internal.total"])
    # research's 0 lost and a stray empty line after natural's: read 0, blank, 0, …, the
    # blank where commercial's 0 is
    lost = report.text.replace("事务信息\n\u30000\n0\n\u30000\n0", "事务信息\n\u30000\n\n0\n0")
    proof, wrong = _read(report, lost)
    assert wrong == {"t3.denied.internal.commercial"}
    assert not wrong - set(proof.flags())


# Reports sweeps found with a wrong cell out unflagged: (seed, index, what the print shows,
# the cell read wrong). Each now waits, that cell flagged (`_found_case` checks every wrong
# cell is).
FOUND_WAITING = {
    # a page that glues values prints 规章's 8, 207, 6 as "8 8207个6", the 8 printed twice and
    # glued onto 207: three tokens for three cells, and part 二 has no identity to notice
    "a one-digit value printed twice onto the next in part 二": (
        7458,
        130,
        "规章8 8207个6",
        "t2.rules.new_published",
    ),
    # a flat page prints 政府集中采购's 1 and 0 as "10 0", the 0 printed twice and its first
    # copy glued onto the 1: two tokens for two cells read as printed, 10 items
    "a value printed twice, its copy glued onto the one before, in part 二": (
        8885,
        90,
        "政府集中采购10 0",
        "t2.procurement.items",
    ),
    # part 四 prints 14 values for 15 cells and its own 复议 total wrong (0 for 6). With the
    # gap at that total every identity holds; the placements past the eight handed to the
    # decoder (the gap inside the run of 0s, the true one among them) were cut, and the cells
    # they disagree on read as "every reading agrees"
    "a placement the row's own sums rule out still counts against agreement": (
        8935,
        95,
        "6 0 0 0 0 0 0 0 0 2 0 1条 3 6",
        "t4.suit_direct.corrected",
    ),
    # 上年结转 and 结转下年度 print the same glued digits; cut 1|1|0|10 in both rows instead of
    # 11|0|1|0 every identity still holds (the balance moves on both sides). The search kept
    # the 32 best readings before nulls were filled; filling broke 31, and the one left was
    # taken as the only reading that satisfies the identities
    "two rows cut alike are not proven by a sample of their readings": (
        8995,
        50,
        "二、上年结转政府信息公开申请数量11\u3000\u30000100012",
        "t3.carried_over.natural",
    ),
}


@pytest.mark.parametrize("case", sorted(FOUND_WAITING))
def test_a_case_a_sweep_found_waits_with_its_wrong_cell_flagged(case: str) -> None:
    seed, index, printed, cell = FOUND_WAITING[case]
    _, proof, wrong = _found_case(seed, index, printed)
    assert cell in wrong
    assert not proof.accepted


def test_a_part_two_count_before_a_signed_change_is_a_cell_or_doubted() -> None:
    # synth-7487-0072 (found by a sweep): "其他对外管理服务事项 ０条 +22 22 0" prints 0, +22
    # and 0 with the 22 printed twice. "0条" before "+22" was taken for prose, and +22, 22, 0
    # went out as the row's three cells, unflagged (part 二 has no identity). The count cell
    # is read now (four values for three cells: flagged), and a number set aside between a
    # part-二 row's label and its values doubts the row
    report, proof, _ = _found_case(7487, 72, "其他对外管理服务事项 ０条 +22 22 0")
    assert proof.levels["t2.other_mgmt.prev_items"] is not ProofLevel.READ_CONFIRMED
    noted = report.text.replace("服务事项 ０条 +22 22 0", "服务事项 (注1) +22 22 0")
    proof, wrong = _read(report, noted)
    assert not wrong - set(proof.flags())
    assert proof.levels["t2.other_mgmt.prev_items"] is not ProofLevel.READ_CONFIRMED


def test_a_dash_before_the_next_row_s_numbering_is_a_blank() -> None:
    # synth-7547-0182 (found by a sweep of 9,000): "禁止公开0000000-3.危及…" prints six 0s,
    # the legal column's 0 twice, and the blank total as "-" glued before the next row's
    # "3.". The dash went with the numbering, the doubled 0 filled the total, and 0 went
    # out unflagged for a printed blank
    _, proof, _ = _found_case(7547, 182, "禁止公开0000000-3.危及")
    assert proof.levels["t3.denied.law_prohibited.total"] is not ProofLevel.READ_CONFIRMED


def test_a_misread_label_keeps_its_row_s_place_in_a_label_first_table() -> None:
    # synth-7513-0288: part 三's labels printed first, then every value one per line; OCR
    # read 2.重复申请 as "2.重复中请", too short to find. The row broke the run of rows the
    # lines are pooled over, and the whole table went unread. Words like its label printed
    # between its found neighbours keep the row in the printed order
    report = synth_report(7513, 288)
    assert "2.重复中请" in report.text
    proof, wrong = _read(report, report.text)
    assert not wrong and proof.accepted
    # a row not printed at all (no label, no values: synth-7457-0191) breaks the run: no
    # line may shift onto it
    report = synth_report(7457, 191)
    assert "6.属于四类" not in report.text
    proof, wrong = _read(report, report.text)
    assert not wrong - set(proof.flags())
    assert proof.levels["t3.denied.process.natural"] is not ProofLevel.READ_CONFIRMED


def test_a_label_first_table_a_line_short_places_no_line() -> None:
    # the same table with 6.属于四类过程性信息's label printed and its values not: 23 rows,
    # 22 lines. The pool slid past 本年新收 (left with no line) and shifted every line onto
    # the next row; the table is all 0s, so the identities held and 6.'s blank cells went
    # out as 0, unflagged
    report = synth_report(7457, 191)
    text = report.text.replace(
        "\t5.属于三类内部事务信息\n\n\t7.",
        "\t5.属于三类内部事务信息\n\n\t6.属于四类过程性信息\n\n\t7.",
    )
    assert text != report.text
    proof, wrong = _read(report, text)
    assert not wrong - set(proof.flags()), sorted(wrong - set(proof.flags()))


def test_a_glued_row_whose_one_cut_breaks_an_identity_is_in_doubt_as_a_whole() -> None:
    # synth-7652-0183 (found by a sweep of 9,000): 本年新收 "3170002040" prints 31, 7, 0,
    # 0, 2, 0, 40 with a 0 printed twice. Its one cut into seven values that adds up is
    # 3|17|0|0|0|20|40; the balance breaks for 自然人 and 商业企业 (hidden from the checks by
    # the nulls of a row left unresolved), while 法律服务机构's 0 sat in identities that hold
    # with another row cut the same wrong way, and went out unflagged. A row whose one
    # reading breaks identities through two of its parts is now in doubt in every cell
    _, proof, wrong = _found_case(7652, 183, "申请数量3170002040")
    assert "t3.new.legal" in wrong
    reasons = proof.flags()["t3.new.legal"]
    assert any("two of its parts" in r for r in reasons)


def test_a_value_printed_twice_set_apart_on_a_page_that_glues_is_doubted() -> None:
    # synth-7722-0232 (found by a sweep of 9,000): "规章  4774 250250  5873", 250 printed
    # twice and glued to itself, set apart by spaces on a page that glues values elsewhere;
    # a string printed twice was doubted only glued to words, and part 二 has no identity
    _, _, wrong = _found_case(7722, 232, "4774 250250")
    assert "t2.rules.new_published" in wrong


def test_a_row_in_table_cells_three_values_short_whose_glued_cut_alone_adds_up_is_proven() -> None:
    # synth-7760-0114: a table printed one cell per line gives 本年新收 four cells for seven
    # ("3,104 / 9506840 / 1,431 / 5,314"). Read as glued (95|0|684|0) every identity holds;
    # no placement of three lost values does, and all 35 are weighed now (only the 8 most
    # plausible were, so the row waited as cut short by a search bound)
    report = synth_report(7760, 114)
    assert "\n9506840\n" in report.text
    proof, wrong = _read(report, report.text)
    new = [f"t3.new.{c}" for c in ("natural", "commercial", "research", "social", "total")]
    assert not wrong
    assert all(proof.levels[k] is ProofLevel.READ_CONFIRMED for k in new)
    assert proof.accepted
    # one value lost, nothing glued ("95 / 0 / 684" for "9506840" with the last 0 lost):
    # the lost cell is inferred, the row's placement a judgement: not proven
    lost = report.text.replace("\n9506840\n", "\n95\n\n0\n\n684\n")
    proof, wrong = _read(report, lost)
    assert not wrong - set(proof.flags())
    assert not proof.accepted


def test_a_value_its_column_cannot_hold_puts_the_whole_row_in_doubt() -> None:
    # synth-7804-0204: part 二's "行政强制 | 8920 | 8920 | –750" is 8920, −7, 50 with the first
    # value printed twice and the last two glued. Three values for three cells read directly,
    # but a negative count shows the row misread, and part 二 has no identity to say where:
    # the 8920 read as 本年增/减 went out unflagged
    _, proof, wrong = _found_case(7804, 204, "| 行政强制 | 8920 | 8920 | –750 |")
    assert "t2.coercion.change" in wrong
    for key in ("t2.coercion.prev_items", "t2.coercion.change", "t2.coercion.decisions"):
        assert key in proof.flags()


def test_two_zeros_side_by_side_do_not_explain_a_value_too_many_beside_a_broken_number() -> None:
    # synth-8013-0296: the report misprinted 1 as 10 and the PDF broke it over a line
    # ("…申 请 1\n0 0 1件 0 0 0 2"). Eight values for seven cells: the print explains the
    # surplus by the broken 10, which breaks the identities (the report's own error); leaving
    # out one of two 0s makes them hold. Two 0s side by side counted as "a value printed
    # twice", so that reading went out accepted with 1 where the print says 10
    _, proof, wrong = _found_case(8013, 296, "申 请 1\n0 0 1件 0 0 0 2")
    assert "t3.rejected.petition.natural" in wrong
    assert not proof.accepted
    # with no number broken in the row, two 0s still explain it: "1 | 0 | … | 0" with a 0
    # printed twice and the report's own 1 for 0 (synth-8037-0099); leaving out the 1 makes
    # the identities hold, a reading the print does not explain: refused, not accepted
    _, proof, wrong = _found_case(8037, 99, "1.属于国家秘密 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |")
    assert "t3.denied.state_secret.natural" in wrong
    assert not proof.accepted


def test_digits_the_tokenizer_set_aside_inside_a_row_are_no_glued_cells() -> None:
    # synth-7200-0033 rewritten (found by a sweep): "行政处罚  0(其中新增7项) 0" prints two
    # values for three cells and a note between them; the row's stretch cut as a glued run
    # read the note's 7 as a cell, the only reading of "0 7 0", and it went out proven
    report = synth_report(7200, 33)
    assert "\n行政处罚  0 0\n" in report.text
    text = report.text.replace("\n行政处罚  0 0\n", "\n行政处罚  0(其中新增7项) 0\n")
    proof, wrong = _read(report, text)
    assert not wrong - set(proof.flags())
    assert all(
        proof.levels[f"t2.penalty.{col}"] is not ProofLevel.READ_CONFIRMED
        for col in ("prev_items", "change", "decisions")
    )


def test_the_grand_total_row_printed_as_heji_is_found() -> None:
    # some bodies print part 三's grand total as "（七）合计": the row was not found, its
    # values were inferred from the identities, and a consistent report waited for a person
    # (synth-7400-0010 as printed is accepted; seed 7400 rewritten: 13 of 65 lost)
    report = synth_report(7400, 10)
    assert "（七）总计" in report.text and _read(report, report.text)[0].accepted
    proof, wrong = _read(report, report.text.replace("（七）总计", "（七）合计"))
    assert not wrong
    assert proof.accepted


def test_a_row_the_layout_does_not_have_ends_the_row_before_it() -> None:
    from extractor.parser.foreign import is_known_words

    # a label's own words wrapped onto its values' line, OCR'd, or a change's sign word
    for words in ("府信息公开申请", "予以公幵", "止么开", "总汁", "增加", "减少"):
        assert is_known_words(words), words
    for words in ("行政确认", "行政征收", "其中网上申请"):
        assert not is_known_words(words), words

    def extra_row(text: str) -> str:
        # "行政确认 N" printed after 行政许可, as some bodies add rows to part 二
        m = re.search(r"^(.*行政许可[^\n]*)$", text, re.M)
        if m is None or "本年新收" in m.group(1):
            return text  # a page printed on one line: the "row" would be the whole report
        if not re.search(r"\d", m.group(1)):
            # a table printed one cell per line: the rewrite would put a bare label between
            # 行政许可 and its values, whose they are then no one can tell (flagged, rightly)
            return text
        extra = re.sub(r"(?<![\d.])\d+(?![\d.])", "7", m.group(1).replace("行政许可", "行政确认"))
        return f"{text[: m.end()]}\n{extra}{text[m.end() :]}"

    def breakdown(text: str) -> str:
        # "其中：网上申请 …" under 本年新收: a line of its own figures
        m = re.search(r"^(\s*本年新收|一、本年新收)([^\n]*?)((?:[ \t]+\d+){7})[ \t]*$", text, re.M)
        if m is None:
            return text
        return f"{text[: m.end()]}\n其中：网上申请 1 0 0 0 0 0 1{text[m.end() :]}"

    for rewrite in (extra_row, breakdown):
        printed, kept = _kept_accepted(rewrite, HELD_OUT)
        assert printed >= 3, rewrite.__name__
        assert kept == printed, rewrite.__name__


def test_labels_a_body_shortened_are_found_by_a_stretch_no_other_label_holds() -> None:
    from extractor.parser.labels import distinctive_fragments, label_key

    key = label_key("4.无正当理由大量反复申请")
    assert "反复申请" in distinctive_fragments(key)
    assert not distinctive_fragments(label_key("（七）总计"))  # too short to hold one
    # a stretch several labels hold names none of them
    carried = distinctive_fragments(label_key("二、上年结转政府信息公开申请数量"))
    assert "结转政府" in carried and "政府信息" not in carried and "公开申请" not in carried
    shortened = {
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": "申请人逾期不补正",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": (
            "申请人逾期未缴纳费用"
        ),
        "要求行政机关确认或重新出具已获取信息": "要求确认或重新出具已获取信息",
        "无正当理由大量反复申请": "大量反复申请",
        "1.属于国家秘密": "1.国家秘密",
        "6.属于四类过程性信息": "6.四类过程性信息",
    }

    def shorten(text: str) -> str:
        for label, short in shortened.items():
            text = text.replace(label, short)
        return re.sub(r"（二）部分公开[（(]区分处理的[^）)]*[）)]", "（二）部分公开", text)

    printed, kept = _kept_accepted(shorten, HELD_OUT)
    assert printed >= 5
    assert kept == printed


def test_a_slash_glued_after_a_value_is_a_blank_cell() -> None:
    # synth-7323-0142 (found by a sweep: accepted while wrong): a row printed one value per
    # line closes "0/", other_org's 0 glued to the total's blank; the slash was dropped, the
    # row's 0 printed twice then filled seven cells and the total read 0, proven
    text = "\t0\n\t0/\n\t0无\n"
    assert [(t.text, t.kind.value) for t in tokenize(fold(text), 0, len(text))] == [
        ("0", "number"),
        ("0", "number"),
        ("/", "blank"),
        ("0", "number"),
        ("无", "blank"),
    ]
    # a slash with a digit after it is no blank ("2023/12/31")
    assert all(t.kind.value != "blank" for t in tokenize(fold("2023/12/31"), 0, 10))
    report = synth_report(7323, 142)
    proof, wrong = _read(report, report.text)
    assert not wrong - set(proof.flags())
    assert not (wrong and proof.accepted)


def test_a_second_full_width_point_after_a_value_is_doubt() -> None:
    # synth-7359-0047 (found by a sweep): "行政事业性收费４４４３．４７４４４３．４７", the amount
    # printed twice and glued; the second point was looked for only as an ASCII ".", so
    # 4443.474443 went out proven
    report = synth_report(7359, 47)
    assert "４４４３．４７４４４３．４７" in report.text
    proof, wrong = _read(report, report.text)
    assert "t2.fees.amount_wan" in wrong
    assert "t2.fees.amount_wan" in proof.flags()


def test_a_row_printed_twice_is_not_given_to_the_omitted_row_before_it() -> None:
    # found by a rewrite hunt (synth-7980-0021, as rewritten: tests/data): 1.本机关不掌握…
    # is not printed, and 2.没有现成信息… is printed twice around a page number. Placing lines
    # by printed order gave the first printing to the omitted row; every value is 0, so no
    # other order changed it, and the report went out accepted with a row it never printed
    report = synth_report(7980, 21)
    text = (Path(__file__).parent / "data" / "row_twice_after_an_omitted_row.md").read_text(
        encoding="utf-8"
    )
    assert "不掌握" not in text and text.count("2.没有现成信息需要另行制作") == 2
    proof, wrong = _read(report, text)
    assert not wrong - set(proof.flags())
    assert not proof.accepted
    assert "t3.unable.not_held.natural" in proof.flags()


def test_a_reading_whose_column_total_falls_short_of_its_rows_is_broken() -> None:
    # synth-8543-0092 (a fresh sweep): "14 1002017" for 本年新收 and "141002 017" for 总计 cut
    # either 14|1|0|0|2|0|17 or 1|4|10|0|2|0|17; one result row unread. The second reading's
    # 总计 of 1 falls short of the 12 the rows read hold: no count can fill the gap, yet the
    # identity was counted unknown, not broken, and that reading was taken as the only one
    _, proof, wrong = _found_case(8543, 92, "一、本年新收政府信息公开申请数量14 1002017")
    assert proof.levels["t3.new.natural"] is not ProofLevel.READ_CONFIRMED
    assert not proof.accepted
    assert "t3.new.natural" in wrong or "t3.new.natural" in proof.flags()
