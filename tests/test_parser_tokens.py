"""Tokens and labels: the small pieces the parser's reading rests on."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extractor.parser.labels import CjkStream, find_label, label_key
from extractor.parser.tokens import TokenKind, broken_over_line, fold, tokenize

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"


def _tokens(text: str) -> list[tuple[str, str]]:
    folded = fold(text)
    return [(t.kind.value, t.text) for t in tokenize(folded, 0, len(folded))]


def test_fold_keeps_length_and_maps_wide_digits() -> None:
    text = "一、本年新收　１２，３４５．５元"
    assert len(fold(text)) == len(text)
    assert fold(text).endswith(" 12,345.5元")


def test_numbers_units_blanks_and_runs() -> None:
    folded = fold("规章\t3\t—\t/\n采购 3739265元\t1,234\t05")
    tokens = tokenize(folded, 0, len(folded))
    assert [t.kind for t in tokens] == [
        TokenKind.NUMBER,
        TokenKind.BLANK,
        TokenKind.BLANK,
        TokenKind.NUMBER,
        TokenKind.NUMBER,
        TokenKind.RUN,
    ]
    assert tokens[3].value == 3739265 and tokens[3].unit == "元"
    assert tokens[4].value == 1234
    assert folded[tokens[0].start : tokens[0].end] == "3"


def test_furniture_and_prose_numbers_are_not_cells() -> None:
    text = "0\n- 4 -\n— 5 —\n|---|---|\n（其中修订 16 件）\n3、收到\nbookmark15\n第 3 页\n7"
    assert _tokens(text) == [("number", "0"), ("number", "7")]


def test_next_labels_number_is_cut_from_a_glued_run() -> None:
    assert _tokens("00000002.其他法律") == [("run", "0000000")]
    assert _tokens("1000001\n2.重复申请") == [("number", "1000001")]


def test_a_rows_numbering_wrapped_away_from_its_label_is_no_value() -> None:
    # a PDF cell wrapped after its numbering ("1.\n属于国家秘密"): the 1 was the row above's
    # value, and the detached value lines below could no longer be placed in printed order
    assert _tokens("（二）部分公开\n1.\n属于国家秘密\n2 0 1") == [
        ("number", "2"),
        ("number", "0"),
        ("number", "1"),
    ]
    assert _tokens("采购 3.5\n第二十条") == [("number", "3.5")]  # an amount keeps its point


def test_a_rows_numbering_with_its_dot_read_as_a_colon_is_no_value() -> None:
    # OCR read "7." as "7:" (a hunt: the 7 joined the row above's values, which then printed
    # one too many and were realigned, a blank among them read as a filled 0)
    assert _tokens("6:属于四类过程性信息 2 0 2\n7:属于行政执法案卷 0 无 0") == [
        ("number", "2"),
        ("number", "0"),
        ("number", "2"),
        ("number", "0"),
        ("blank", "无"),
        ("number", "0"),
    ]
    assert _tokens("8：属于行政查询事项 1 0 1") == [
        ("number", "1"),
        ("number", "0"),
        ("number", "1"),
    ]
    assert _tokens("时间 10:30") == [("number", "10"), ("number", "30")]  # no words after it


def test_a_rows_numbering_set_apart_by_spaces_is_no_value() -> None:
    # letter-spaced print: "2 . 其 他" after the row above's values (a hunt: the 2 read as a
    # value, or as the other half of a number broken over the line)
    text = "1 . 属 于 国 家 秘 密\t0\t1\n2 . 其 他 法 律\t3"
    assert _tokens(text) == [("number", "0"), ("number", "1"), ("number", "3")]
    assert not broken_over_line(text, (text.index("1\n"), text.index("1\n") + 1))
    # a longer number before the dot is a value: "12 . 属于" cannot tell 1|2. from 12, nor
    # whether it is the other half of a number the line break cut
    assert _tokens("规章 12 . 属于") == [("number", "12")]
    longer = "1 . 属 于\t0\t1\n12 . 其 他"
    assert broken_over_line(longer, (longer.index("1\n"), longer.index("1\n") + 1))


def test_a_rows_numbering_in_brackets_is_no_value() -> None:
    # "（3）危及…" numbers the row as "3.危及…" does; the row above's values stay its own
    assert _tokens("（三）不予公开\t（1）属于国家秘密\t0\t2") == [("number", "0"), ("number", "2")]
    assert _tokens("0 0 0\n(2)其他法律行政法规禁止公开 4 5") == [
        ("number", "0"),
        ("number", "0"),
        ("number", "0"),
        ("number", "4"),
        ("number", "5"),
    ]
    # after a value on a flat page a value in brackets stays one (a change of -5 before the
    # next item's heading)
    assert _tokens("行政事业性收费0(5)第二十条") == [("number", "0"), ("number", "5")]


def test_negative_glued_after_digits() -> None:
    tokens = _tokens("行政处罚2648-18538行政强制")
    assert tokens == [("number", "2648"), ("number", "-18538")]


def test_numbers_inside_label_cells_are_labels() -> None:
    assert _tokens("| 类别 | 数据1 | 数据2 |\n| 本年新收 | 705 | 3 |") == [
        ("number", "705"),
        ("number", "3"),
    ]


def test_digits_glued_on_after_a_measure_word_are_values_not_a_label() -> None:
    # synth-9-0021: "0件" glued to the next two cells' "00" in one tab cell; the measure word
    # made the cell look like a label, and the 00 was dropped (7 cells read from 5 values)
    assert _tokens("2.重复申请\t0\t0件00\t0\t0\t0") == [
        ("number", "0"),
        ("number", "0"),
        ("run", "00"),
        ("number", "0"),
        ("number", "0"),
        ("number", "0"),
    ]
    # a measure word before a Chinese word is still a label's ("3个月内")
    assert _tokens("| 3个月内 | 5 |") == [("number", "5")]


def test_counted_value_right_after_a_label_that_ends_with_a_bracket_or_quote() -> None:
    # synth-503-0025: flattened "…不计其他情形）000个0000": the 000 after the label's closing
    # bracket was taken for prose and dropped; the row was then left unread
    assert _tokens("（二）部分公开（区分处理的，只计这一情形，不计其他情形）000个0000") == [
        ("run", "000"),
        ("run", "0000"),
    ]
    assert _tokens("3.危及“三安全一稳定”2个0000") == [("number", "2"), ("run", "0000")]
    # prose with a count in brackets stays prose ("（共3个）" opens the bracket before it)
    assert _tokens("（共3个）") == []


def test_next_headings_number_is_cut_from_glued_digits() -> None:
    # flattened pages with renumbered headings: part 四's fifteen 0s run into "5、存在…"
    # (synth-3-0019); the whole run was dropped as a prose number before a 、
    assert _tokens("尚未审结总计0000000000000005、存在的主要问题") == [("run", "0" * 15)]
    assert _tokens("行政事业性收费03、收到和处理") == [("number", "0")]
    assert _tokens("第1、2项") == []  # a lone digit before 、 is a number of its own


def test_amount_decimal() -> None:
    folded = fold("行政事业性收费\t4068.208")
    (token,) = tokenize(folded, 0, len(folded))
    assert token.value == Decimal("4068.208")


def test_label_key_strips_numbering_and_punctuation() -> None:
    assert label_key("（一）予以公开") == "予以公开"
    assert label_key("2.其他法律行政法规禁止公开") == "其他法律行政法规禁止公开"
    assert label_key("四、结转下年度继续办理") == "结转下年度继续办理"


def test_split_and_mangled_labels_are_found_with_source_spans() -> None:
    text = "（二）部分公开（区分处理的，只计这\n一情形，不计其他情形）\t1\n2.其他法律行政止公开\t0"
    stream = CjkStream.of(text)
    hit = find_label(
        stream, (label_key("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),), 0
    )
    assert hit is not None and hit.how == "exact"
    assert text[hit.span[0] : hit.span[1]].startswith("部分公开")
    fuzzy = find_label(stream, (label_key("2.其他法律行政法规禁止公开"),), hit.end)
    assert fuzzy is not None and fuzzy.how in ("prefix", "fuzzy")
    assert text[fuzzy.span[0] : fuzzy.span[1]].startswith("其他法律")


def test_empty_cell_between_values_is_a_blank() -> None:
    assert _tokens("| 290 | 1 |  | 3 |\n0\t\t5") == [
        ("number", "290"),
        ("number", "1"),
        ("blank", ""),
        ("number", "3"),
        ("number", "0"),
        ("blank", ""),
        ("number", "5"),
    ]
    # empty cells before the first value (label columns) are not values
    assert _tokens("（七）总计\t\t95\t0") == [("number", "95"), ("number", "0")]


def test_amount_unit_from_the_column_header() -> None:
    from extractor.parser import ParserExtractor
    from nianbao.core.document import SourceDocument

    text = (REAL / "seed-000.txt").read_text(encoding="utf-8")
    in_yuan = text.replace("采购总金额", "采购总金额（单位：元）").replace("3739265元", "3739265")
    cells = ParserExtractor().extract(SourceDocument.from_text("x.txt", in_yuan)).report.cells
    assert cells["t2.procurement.amount_wan"] == Decimal("373.9265")
    in_wan = text.replace("采购总金额", "采购总金额（万元）").replace("3739265元", "373.9265")
    cells = ParserExtractor().extract(SourceDocument.from_text("x.txt", in_wan)).report.cells
    assert cells["t2.procurement.amount_wan"] == Decimal("373.9265")


def test_a_lone_look_alike_between_spaced_values_is_the_digit() -> None:
    # pdf text prints a row's cells apart by spaces: a lone "O" there is a cell read by OCR
    assert fold("其他 0 0 0 0 0 O 0") == "其他 0 0 0 0 0 0 0"
    assert fold("申请 O 0 0") == "申请 0 0 0"
    assert fold("总计 0 0 0 0 0 0 O") == "总计 0 0 0 0 0 0 0"
    # letters in prose stay letters: no value beside them, or a word
    assert fold("附件 B 类") == "附件 B 类"
    assert fold("Windows 10") == "Windows 10"


def test_zero_look_alikes_side_by_side_are_each_a_zero() -> None:
    # OCR of a row of zeros gives O, o, and an IME's full-width Ｏ/ｏ, often several together:
    # each beside another look-alike is a cell as much as beside a digit
    assert fold("本年新收 3 O O 1 4") == "本年新收 3 0 0 1 4"
    assert fold("其他 o 0 ｏ 0 Ｏ") == "其他 0 0 0 0 0"
    assert fold("O O O 1") == "0 0 0 1"
    assert fold("| 3 | o | Ｏ |") == "| 3 | 0 | 0 |"
    assert fold("3\to\tＯ\t1") == "3\t0\t0\t1"
    assert fold("1Ｏ2") == "102"
    # still no digit where no value is beside them
    assert fold("Hello o world") == "Hello o world"
    from extractor.parser.tokens import ocr_digits

    assert not ocr_digits("ｏ")  # a zero's look-alike is no guess: not noted


def test_a_lone_capital_i_between_values_is_a_noted_one() -> None:
    from extractor.parser.tokens import ocr_digits

    # OCR gives a 1 cell as "l" or "I": read, but noted (a table's rule looks the same)
    assert fold("行政许可 I 3 5") == "行政许可 1 3 5"
    assert fold("其他 0 I 0 1") == "其他 0 1 0 1"
    assert fold("附件 I 类") == "附件 I 类"
    assert ocr_digits("I")


def test_a_look_alike_opening_a_cell_before_a_value_is_the_digit() -> None:
    # found by a rewrite hunt: "| 行政处罚 | I 378 |" (a thousands space, its 1 OCR'd as I)
    # dropped the letter and read 378, clean; as a 1 the cell prints two values and waits
    assert fold("| 行政处罚 | I 378 |") == "| 行政处罚 | 1 378 |"
    assert fold("行政处罚\tl 378") == "行政处罚\t1 378"
    assert fold("| I 类 |") == "| I 类 |"  # no value after it: a letter
    from extractor.parser import ParserExtractor
    from nianbao.core.document import SourceDocument

    text = (REAL / "corpus-008_shuyang-county-gov-2025-ocr-md.txt").read_text(encoding="utf-8")
    # 1957 printed "1 957", OCR'd "I 957": no clean 957
    misread = text.replace("| 行政处罚 | 693957 |", "| 行政处罚 | I 957 |")
    read = ParserExtractor().extract(SourceDocument.from_text("x.md", misread))
    assert "t2.penalty.decisions" in read.flags


@pytest.mark.parametrize("minus", ["\u2212", "\u2013", "\ufe63", "\u2010", "－"])
def test_a_typeset_minus_sign_before_a_digit_is_a_minus(minus: str) -> None:
    # U+2212, an en dash, a small hyphen-minus: read as a gap they lost 本年增/减's sign
    assert _tokens(f"行政许可 10 {minus}3 5") == [
        ("number", "10"),
        ("number", "-3"),
        ("number", "5"),
    ]


def test_an_em_dash_is_a_minus_only_standing_apart_before_a_digit() -> None:
    assert _tokens("行政许可 10 \u20143 5")[1] == ("number", "-3")
    assert fold("2019\u20142020年") == "2019\u20142020年"  # a range in prose
    assert fold("——3") == "——3"  # the blank placeholder glued on


def test_glued_digits_printed_twice_between_words() -> None:
    from extractor.parser.doubled import doubled_glued

    text = "行政许可36933693第二十条 行政许可\t1010\t 行政处罚11第 行政强制\t22\t"
    at = text.index("3693")
    assert doubled_glued(text, (at, at + 8))  # 3693 twice, glued to words on both sides
    at = text.index("1010")
    assert not doubled_glued(text, (at, at + 4))  # in its own cell: the value 1010
    at = text.index("11第")
    # one digit twice (synth-568-0019: "行政许可22", a 2 printed twice, read 22 unflagged):
    # 11, or 1 doubled
    assert doubled_glued(text, (at, at + 2))
    at = text.index("22")
    assert not doubled_glued(text, (at, at + 2))  # in its own cell: the value 22
    # glued on one side only (synth-750-0044: "399　82988298第二十条", padding before it):
    # a string of two or more digits twice; one digit twice glued to a label as well
    # (synth-2681-0114: "其他对外管理服务事项44　０ 0", 4 twice, read 44 unflagged)
    one_side = "规范性文件 1024 399 82988298第二十条 行政处罚 11第 服务事项44　0"
    at = one_side.index("8298")
    assert doubled_glued(one_side, (at, at + 8))
    for doubled in ("11第", "44　"):
        at = one_side.index(doubled)
        assert doubled_glued(one_side, (at, at + 2))
    # ... but not glued to the words a cell prints its value with: a sign word, a unit
    for printed in ("本年增减 减22 0", "行政处罚 22件", "收费 11元"):
        at = printed.index("22") if "22" in printed else printed.index("11")
        assert not doubled_glued(printed, (at, at + 2))


def _token_list(text: str):  # type: ignore[no-untyped-def]
    folded = fold(text)
    return tokenize(folded, 0, len(folded))


def test_glued_digits_ending_with_the_next_values() -> None:
    from extractor.parser.doubled import glued_onto_next

    tokens_of = _token_list
    assert glued_onto_next("规章51149件149件6967", tokens_of("规章51149件149件6967")) == [0]
    assert glued_onto_next("规章5件5件5", tokens_of("规章5件5件5")) == []  # no digits before
    assert glued_onto_next("规章\t5149\t149", tokens_of("规章\t5149\t149")) == []  # own cells
    # spaced apart: only where the caller says part 二 glues its values elsewhere
    spaced = "政府集中采购10 0"
    assert glued_onto_next(spaced, tokens_of(spaced)) == []
    assert glued_onto_next(spaced, tokens_of(spaced), apart=True) == [0]


def test_a_value_printed_twice_and_glued_onto_the_next() -> None:
    from extractor.parser.doubled import glued_after_previous, twice_and_glued

    tokens_of = _token_list
    # synth-1312-0046: "0 ７１ ７１16" for 0, 71, 16 (71 twice, the copy glued onto 16)
    assert glued_after_previous(tokens_of("规范性文件 0 ７１ ７１16")) == [2]
    assert glued_after_previous(tokens_of("规章 7 71 0")) == []  # one digit starts too much
    assert glued_after_previous(tokens_of("规章 71 71 0")) == []  # no more after it
    # synth-1312-0057: "2 2 70" for 2, 7, 0 on a page that glues values
    assert twice_and_glued(tokens_of("行政规范性文件 2 2 70"))
    assert not twice_and_glued(tokens_of("行政规范性文件 2 3 70"))
    assert not twice_and_glued(tokens_of("行政规范性文件 0 0 0"))
    assert not twice_and_glued(tokens_of("行政规范性文件 286 0 0"))  # 0s side by side: common
    # ... but beside a value ending in 0 the 0 may be glued on (synth-2651-0005: "2520 0 0"
    # for 252, 0, 0 with a 0 printed twice)
    assert twice_and_glued(tokens_of("行政许可 2520 0 0"))


def test_an_em_dash_glued_after_a_value_is_a_blank() -> None:
    # a flattened page: "0个 0— 0 0" (a blank cell's dash glued to the value before it); a
    # range "2019—2020" and a minus "10 —3" are no blanks
    kinds = [[t.kind.value for t in _token_list(f"行政处罚 {s}")] for s in ("0 0— 0", "0——")]
    assert kinds == [["number", "number", "blank", "number"], ["number", "blank"]]
    assert [t.text for t in _token_list("行政处罚 2019—2020")] == ["2019", "2020"]
    assert [t.value for t in _token_list("行政处罚 10 —3")] == [10, -3]
    # a 无 glued to its row's label with the row's values after it is the first cell's blank
    # (synth-4043-0244); 无 starting a word ("无法提供") or prose stays text
    assert [t.kind.value for t in _token_list("8.属于行政查询事项无 0000000")] == ["blank", "run"]
    assert _token_list("（四）无法提供 本年度无 收费") == []


def test_a_minus_zero_is_a_blank_dash_glued_before_a_zero() -> None:
    # synth-2845-0235: a tab row "\t0\t0-0\t0" (the blank "-" glued between two 0s) read
    # -0 as a value, so the row had its count and the blank cell read 0, unflagged
    tokens = _token_list("行政查询事项\t0\t0-0\t0")
    assert [(t.kind.value, t.value) for t in tokens] == [
        ("number", 0),
        ("number", 0),
        ("blank", None),
        ("number", 0),
        ("number", 0),
    ]
    assert [t.value for t in _token_list("行政处罚 2648-18538 0-0.5")][1:] == [
        -18538,
        0,
        Decimal("-0.5"),
    ]


def test_a_letter_spaced_word_is_no_placeholder() -> None:
    # "（四） 无 法 提 供": 无 set apart by letter-spacing, then a Chinese character
    assert _tokens("（四） 无 法 提 供\t0") == [("number", "0")]
    assert _tokens("| 无 | 0 |") == [("blank", "无"), ("number", "0")]
    assert _tokens("行政强制 无 0") == [("blank", "无"), ("number", "0")]
    # a vertical 无法提供 whose outline number was lost: its 无 alone on a line after the
    # row above, the rest of the label on the lines below (a hunt: numbering dropped from a
    # PDF's text made the 无 that row's last cell, and hid the 0 the row lost)
    assert _tokens("8.属于行政查询事项 0 0 0\n无\n 法 提\n 供") == [("number", "0")] * 3
    assert _tokens("4 0\r\n无\r\n正当理由大量反复申请") == [("number", "4"), ("number", "0")]
    # ... and so when OCR misread the label's next character (hunt: synth-9532-0001, 法 read
    # as 去, accepted with the 无 as the lost cell of the row above)
    assert _tokens("8.属于行政查询事项 0 0 0\n无\n 去 提\n 供") == [("number", "0")] * 3
    assert _tokens("5 0\n无\n正 当 理 由") == [("number", "5"), ("number", "0")]
    # a header's 法人 or 法律 between an interleaved table's values follows a blank's 无
    assert _tokens("\t无\n\n\t法人或其他组织\n\n\t0") == [("blank", "无"), ("number", "0")]
    assert _tokens("0\n无\n法 律 服 务 机 构 3") == [
        ("number", "0"),
        ("blank", "无"),
        ("number", "3"),
    ]
    # a 无 closing a row, and the next row's label on the next line, is a blank still
    assert _tokens("行政强制 0 无\n行政事业性收费") == [("number", "0"), ("blank", "无")]


def test_a_placeholder_glued_to_the_next_label_is_a_blank() -> None:
    # synth-879-0036 (flat_html): "行政处罚0 0  0 -行政强制" (a value doubled, the last cell
    # printed "-", glued to the next label): the "-" was no token, the row read 0|0|0 clean
    assert _tokens("0 0  0 -行政强制") == [
        ("number", "0"),
        ("number", "0"),
        ("number", "0"),
        ("blank", "-"),
    ]
    assert _tokens("0 —行政强制") == [("number", "0"), ("blank", "—")]
    assert _tokens("4.无正当理由 0") == [("number", "0")]  # a word may start with 无
    assert _tokens("增/减 5") == [("number", "5")]  # a header's slash, no cell
    # synth-967-0027: "0 0 /0 0" (a 0 doubled, the next cell "/" glued to its neighbour)
    assert _tokens("0 /0 0") == [("number", "0"), ("blank", "/"), ("number", "0"), ("number", "0")]
    # a slash after a digit is no blank (a page number "1/2" on its own line is furniture)
    assert _tokens("行政处罚 1/2 0") == [("number", "1"), ("number", "2"), ("number", "0")]


def test_a_change_with_its_sign_as_a_word_is_a_signed_value() -> None:
    def values(text: str) -> list[object]:
        folded = fold(text)
        return [t.value for t in tokenize(folded, 0, len(folded))]

    # in a cell of its own it is no label's number ("数据1"): dropping it let the row's other
    # values fill the row
    assert values("| 行政许可 | 0 | 减24 | 0 |") == [0, -24, 0]
    assert values("行政许可 175 减少 29 3") == [175, -29, 3]
    assert values("行政许可\t5\t增加5\t0") == [5, 5, 0]
    assert values("信息内容 本年增/减 3") == [3]  # the header's 增/减 gives no sign


def test_a_lone_yi_among_a_rows_values_is_a_blanks_dash() -> None:
    # OCR reads a blank's "—" as 一: beside a value or a blank it is the dash
    assert fold("本年新收 一 0 3") == "本年新收 \u2014 0 3"
    assert fold("本年新收 0 一 一 3") == "本年新收 0 \u2014 \u2014 3"
    assert fold("| 3 | 一 | 一一 |") == "| 3 | \u2014 | \u2014\u2014 |"
    assert fold("0 0\n一 1 一\n3 4") == "0 0\n\u2014 1 \u2014\n3 4"  # a page footer
    assert fold("0\n一\n3") == "0\n\u2014\n3"  # one cell per line
    # ... or as the long-vowel mark ー (hunt: a row of part 四 then read a value short, and a
    # page footer "- 2 ー" gave its last cell)
    assert fold("0 0 ー 0") == "0 0 \u2014 0"
    assert fold("- 2 ー\n0\nー\n3") == "- 2 \u2014\n0\n\u2014\n3"
    # a label's 一 stays: letter-spaced, vertical, or a numbering
    labels = ["危 及“三 安 全 一 稳 定” 0 0", "三 安 全 一\n稳 定 0", "全\n一\n稳", "0\n一\n、\n本"]
    for text in labels:
        assert fold(text) == text


@pytest.mark.parametrize(
    ("row", "values"),
    [
        ("规章\t254（含5件）\t76\t9", ["254", "76", "9"]),  # the note's words: no label cell
        ("规章 22（其中修订 16 件） 55 235", ["22", "55", "235"]),
        ("规章 22 (其中16) 55 235", ["22", "55", "235"]),  # the note's number: no cell
        ("| 规章 | 22(含3) | 5 | 6 |", ["22", "5", "6"]),
        ("行政强制 0 (23) 215", ["0", "23", "215"]),  # alone in brackets: a value (a minus)
        ("数据（1）\t3", ["3"]),  # a label's number in brackets stays the label's
    ],
)
def test_a_bracketed_note_after_a_value_is_no_value_nor_label(row: str, values: list[str]) -> None:
    # real reports print "22（其中修订 16 件）" in part 二's cells (corpus-010)
    assert [text for _, text in _tokens(row)] == values


def test_a_unit_after_a_values_bracketed_note_is_the_values() -> None:
    folded = fold("行政事业性收费 33364（其中罚没收入）元 0")
    first = tokenize(folded, 0, len(folded))[0]
    assert (first.value, first.unit) == (33364, "元")  # not 33364 of the column's 万元


def test_a_value_in_brackets_with_a_note_of_its_own_is_still_in_brackets() -> None:
    # "(26（含14件）)" in a change's cell: the accounting minus with a note inside the same
    # brackets; read as 26, it went out positive and accepted (part 二 has no identity)
    folded = fold("行政事业性收费 7 (26（含14件）) ")
    change = tokenize(folded, 0, len(folded))[1]
    assert (change.text, change.bracketed) == ("26", True)
    plain = fold("行政事业性收费 7 26（含14件） ")
    assert not tokenize(plain, 0, len(plain))[1].bracketed


def test_a_dun_comma_between_two_values_parts_them() -> None:
    # "3、0、0" parts values (a list's number is followed by its words: "3、本年新收" stays
    # no cell); read as a list number, "政府集中采购 1\n9、0" lost the 9 of a broken 19 and
    # its row's two cells took 1 and 0, unflagged (a silent hunt, synth-6174-0059 rewritten)
    def texts(line: str) -> list[str]:
        folded = fold(line)
        return [t.text for t in tokenize(folded, 0, len(folded))]

    assert texts("本年新收 3、0、0、1") == ["3", "0", "0", "1"]
    assert texts("政府集中采购 1\n9、0\n") == ["1", "9", "0"]
    assert texts("3、本年新收") == []


def test_a_count_cell_ends_where_part_two_s_next_item_heading_starts() -> None:
    # a flattened page: "行政许可111条第二十条第（六）项…" (synth-7435-0195): the cell is 111
    # with its measure word; the next item's heading 第二十条 runs on after it
    for text, value in (
        ("行政许可111条第二十条第（六）项", 111),
        ("行政强制0条第二十条第（八）项", 0),
    ):
        folded = fold(text)
        assert [t.value for t in tokenize(folded, 0, len(folded))] == [value]
    # before a change printed with its sign or in brackets, a count cell ends too
    for text in ("服务事项 ０条 +22 22 0", "行政处罚 ０条 （24） ０"):
        folded = fold(text)
        assert tokenize(folded, 0, len(folded))[0].value == 0


def test_a_dash_glued_after_a_value_with_no_digit_after_it_is_a_blank() -> None:
    # a flattened page glues a blank's dash after the row's last value and before the next
    # label, its bracketed numbering, or the line's end: no minus sign stands there, and
    # dropping it lets a value printed twice fill the blank's cell (synth-7547-0182's class)
    for text in (
        "公开0000000-危及",
        "公开0000000–危及",
        "公开000000—（四）无法提供",
        "公开000000-\n3.危及",
    ):
        folded = fold(text)
        kinds = [t.kind for t in tokenize(folded, 0, len(folded))]
        assert kinds == [TokenKind.RUN, TokenKind.BLANK], text
    # a minus sign stays one: a digit follows it
    folded = fold("行政处罚2648-18538行政强制")
    assert [t.value for t in tokenize(folded, 0, len(folded))] == [2648, -18538]


def test_a_zero_written_as_a_word_with_an_amounts_unit_is_a_zero() -> None:
    # "政府集中采购 6 846 零万元" (a rewrite hunt: 6 846 then read as the row's two cells, 6
    # and 846, the 零万元 unseen): 零 before 万元 or 元 ending its cell is 0 of that unit,
    # so the row prints three values for two cells and the thousands space is weighed
    assert fold("政府集中采购 6 846 零万元\n") == "政府集中采购 6 846 0万元\n"
    assert fold("采购\t3\t零万元\t\n") == "采购\t3\t0万元\t\n"
    assert fold("| 采购 | 3 | 零元 |") == "| 采购 | 3 | 0元 |"
    # a word's 零 stays: "零元购", "零件", one touching its label
    assert fold("零元购 零件 3 行政处罚零元") == "零元购 零件 3 行政处罚零元"


@pytest.mark.parametrize("mark", ["\xa0", "\u2009", "\u202f", "'", "`", "\u2019"])
def test_digit_groups_a_narrow_space_or_a_misread_comma_apart_doubt_a_part_two_row(
    mark: str,
) -> None:
    # a rewrite hunt: "| 行政处罚 | 7\xa0179 | (17) |  |" (a no-break space between digit
    # groups, the row a value short) read 7, 179 as two cells, clean; a plain space so
    # printed was already doubted, a web page's no-break or thin space, or OCR's comma, not
    from extractor.parser import ParserExtractor
    from nianbao.core.document import SourceDocument

    text = (REAL / "corpus-008_shuyang-county-gov-2025-ocr-md.txt").read_text(encoding="utf-8")
    row = "| 行政规范性文件 | 6 | 1 | 32 |"
    assert row in text
    printed = text.replace(row, f"| 行政规范性文件 | 6{mark}132 | 8 |")
    read = ParserExtractor().extract(SourceDocument.from_text("x.md", printed))
    keys = ("t2.normative.issued", "t2.normative.repealed", "t2.normative.in_force")
    assert [read.report.cells[k] for k in keys] == [6, 132, 8]  # as printed, in order
    assert all(k in read.flags for k in keys)
