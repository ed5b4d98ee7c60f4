"""Value tokens of a stretch of report text: numbers, blanks and glued digit runs, with spans.

The text is first folded one character for one character (full-width digits and spaces to
ASCII), so every span found in the folded text is also a span of the source text.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

# (and the dash a blank prints as other encodings and fonts give it: U+2015, the horizontal
# bar some GB mappings give for 0xA1AA, the small em dash, the two-em dash)
_FULL = "０１２３４５６７８９．，／－＋　\u00a0\u2002\u2003\u2009\u2015\ufe58\u2e3a"
_HALF = "0123456789.,/-+" + " " * 5 + "\u2014" * 3
FOLD = str.maketrans(_FULL, _HALF)


_WIDE = re.compile(f"[{_FULL}]+")


# Letters OCR reads for digits ("1O", "l2", "S0", "B"), and the Chinese zero "〇" a Chinese
# OCR model (or a typist) gives for 0: taken as the digit when they touch a digit, or stand
# alone in a table cell: between tabs or pipes, or between spaces in a row of space-separated
# values ("0 0 0 O 0", after a label, its closing bracket or quote, or a value, or at the
# line's start or a cell's (a tab, a pipe), before a value or the line's end; a 〇
# wherever it is not a Chinese numeral's). The cell they land in is noted (see
# `ocr_digits`) unless it is a zero's look-alike. A Chinese OCR model also gives the stroke
# 丨 for a 1, and a typist may write the word 零 for a 0: each is read only alone in a cell
# (a 丨 touching digits may be the table's rule; a 零 touching characters is a word's,
# "零投诉").
# A zero's look-alikes (O, o, and the full-width Ｏ, ｏ an IME types) may stand in a row of
# them ("3 O O 1"), or beside a blank's placeholder or a minus: each is a value beside the
# other.
_ZEROS = "OoＯｏ"
_LONE = f"{_ZEROS}SBlI丨零"  # letters (and two characters) read alone as a digit
# a label's closing punctuation: brackets, quotes ("…稳定” o")
_LABEL_END = ")）”’」』】〕"
# what may stand in the next cell of a space-separated row: a zero's look-alike, a minus, a
# blank's placeholder ("o -15 1", "O — Ｏ"), a zero written as a word ("0 零 零 3")
_CELLISH = f"{_ZEROS}零\\-\u2014/"
OCR_DIGIT = str.maketrans(f"{_ZEROS}DlIiSsBZz〇丨零", "0000011155822010")
_OCR_RUN = re.compile(
    f"(?:(?<=\\d)|(?<=\\d[,.]))[{_ZEROS}DlIiSsBZz]+|[{_ZEROS}DlIiSsBZz]+(?=[,.]?\\d)"
    f"|(?:(?<=^)|(?<=[\\t|]))[ \\t]*[{_LONE}][ \\t]*(?=$|[\\t|])"
    f"|(?<=[\\d\\u4e00-\\u9fff{_LABEL_END}{_CELLISH}])[ ]+[{_LONE}](?=[ ]+[\\d{_CELLISH}]|[ ]*$)"
    # 零 with an amount's unit ending its cell ("846 零万元"): 0 of that unit, no word
    f"|(?<=[\\d \\t|])零(?=(?:万元|元)(?:[ \\t|]|$))"
    f"|(?:(?<=^)|(?<=[\\t|]))[ ]*[{_LONE}](?=[ ]+[\\d{_CELLISH}])"
    # 〇 is no letter: read unless it is a Chinese numeral's ("二〇二一年", "十〇"); on a
    # flattened page it may touch its label and the next ("行政处罚〇行政强制3")
    r"|(?<![〇一二三四五六七八九十百千两A-Za-z])〇+(?![〇一二三四五六七八九十百千两年月日号A-Za-z])",
    re.M,
)


# Minus signs typesetting and word processors print for "-" (U+2212 minus, en dash, hyphens,
# small hyphen-minus, figure dash) right before a digit; an em dash only after a space or a
# cell edge ("10 —3"), since "——" is the blank placeholder and "2019—2020" a range. Read as
# a space they lost the sign of 本年增/减 with no identity to notice.
_MINUS_SIGNS = "\u2212\u2013\u2010\u2011\ufe63\u2012\u2014"
_MINUS = re.compile(r"[\u2212\u2013\u2010\u2011\ufe63\u2012](?=\d)|(?<=[ \t|])\u2014(?=\d)")


def fold(text: str) -> str:
    """Full-width digits, points, slashes and spaces to ASCII, minus-sign look-alikes before
    a digit to "-", OCR look-alike letters inside numbers to digits, a blank's dash read as
    一 to the dash; same length as `text`."""
    # only the (few) wide runs are translated: str.translate over a whole report is slow
    text = _WIDE.sub(lambda m: m.group(0).translate(FOLD), text)
    if any(sign in text for sign in _MINUS_SIGNS):  # rare: skip the pass over the text
        text = _MINUS.sub("-", text)
    text = _OCR_RUN.sub(lambda m: m.group(0).translate(OCR_DIGIT), text)
    return _dashes_read_as_yi(text)


# OCR reads a blank's dash ("—", "——") as the character 一 (one), which looks the same. A 一
# standing alone among a row's values is that dash: after a value or a blank, or after the
# row's label with a value or a blank next ("本年新收 一 0 3"); alone on its line, beside a
# line holding only a value ("0\n一\n3"). A 一 of a letter-spaced label ("三 安 全 一 稳 定")
# has a character on both sides, or ends the line after one; a vertical label's numbering
# ("一\n、\n本…") has its punctuation next. OCR trained on Japanese reads the dash as ー (the
# long-vowel mark), which no Chinese word holds: read the same way.
_LONE_YI = re.compile(r"(?:^|(?<=[ \t|]))[一ー]{1,2}(?=[ \t|]|$)", re.M)
_VALUE_END = re.compile(r"[\d\-\u2014/]")  # what ends a value or a blank (text folded)
_VALUE_LINE = re.compile(r"[ \t|]*(?:-?\d[\d,.]*|[-\u2014/]{1,2}|[一ー]{1,2})[ \t|]*")
_NUMBERING_NEXT = "、.)）"


def _dashes_read_as_yi(text: str) -> str:
    """`text` with each 一 that stands alone among a row's values turned into the dash."""
    found = list(_LONE_YI.finditer(text))
    if not found:
        return text
    chars = list(text)
    for m in found:  # left to right: a 一 taken for a dash is a blank before the next
        start, end = m.span()
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        before = "".join(chars[max(line_start, start - 12) : start]).rstrip(" \t|")
        after = text[end : min(line_end, end + 12)].lstrip(" \t|")
        if before or after:
            beside_value = bool(before) and _VALUE_END.match(before[-1]) is not None
            beside_value |= bool(after) and bool(_VALUE_END.match(after[0]) or after[0] in "一ー")
        else:  # alone on its line: a table printed one cell per line (a value is short)
            above = "".join(chars[max(0, line_start - 40) : line_start])
            above = above.rstrip("\n \t").rsplit("\n", 1)[-1]
            below = text[line_end : line_end + 40].lstrip("\n \t").split("\n", 1)[0]
            beside_value = below[:1] not in _NUMBERING_NEXT and any(
                _VALUE_LINE.fullmatch(line) for line in (above, below)
            )
        if beside_value:
            chars[start:end] = "\u2014" * (end - start)
    return "".join(chars)


# digits after the break that end at a cell's end (not a row number "2.其他…")
# (a tab next to the break ends or starts a cell: "\t0\t\n\t5" is two cells, not a break)
# a lone digit, spaces, a dot and a label's words: the next row's numbering letter-spaced
# ("2 . 其他…"; `_SPACED_ROW_NUMBER`, what follows the digit)
_SPACED_DOT = r"[ \t\u3000]+[.．][ \t\u3000]*[\u4e00-\u9fff“\"]"
_BREAK_AFTER = re.compile(
    r"[ \u3000\xa0]*(?:<br\s*/?>|\r?\n)[ \u3000\xa0]*"
    rf"(?!\d{_SPACED_DOT})"  # the next row's "2 . 其他…"
    r"\d[\d,]*(?:\.\d+)?(?=[ \t\u3000\xa0|]|<br|\r?\n|$)"
)
_BREAK_BEFORE = re.compile(r"\d[ \u3000\xa0]*(?:<br\s*/?>|\r?\n)[ \u3000\xa0]*$")
_CELL_SEP = re.compile(r"\S[^\S\n]*[\t|]")  # a separator after content: a delimited row
# a number's decimals wrapped on to the next line ("30\n.1871"): no value starts with "."
_DECIMALS_AFTER_BREAK = re.compile(r"[ \u3000\xa0]*(?:<br\s*/?>|\r?\n)[ \u3000\xa0]*[.．]\d")


def _lone_zero_at(text: str, at: int) -> bool:
    """text[at] is a 0 that is a whole value: only 0s before it back to the start of its
    digits, and no point or comma there ("0", or the last of a glued "000": no number
    starts with 0, so every 0 of a run of 0s is a value of its own)."""
    if text[at] != "0":
        return False
    start = at
    while start > 0 and text[start - 1] == "0":
        start -= 1
    return start == 0 or text[start - 1] not in "0123456789.,"


def broken_over_line(text: str, span: tuple[int, int]) -> bool:
    """Digits that a line break inside a delimited table row separates from this value's
    ("| 1<br>9 |", "…\t12\n3\t…", "…\t168\n2"): one number broken over a line, or two
    values."""
    start, end = span
    if _DECIMALS_AFTER_BREAK.match(text, end):
        return True
    # no number starts with a 0 but 0 itself ("0\n5" is two values: a page's number after a
    # row ending in 0 is no half of it)
    after = None if text[start:end] in ("0", "-0") else _BREAK_AFTER.match(text, end)
    window = max(0, start - 8)
    before = _BREAK_BEFORE.search(text[window:start])
    if before and _lone_zero_at(text, window + before.start()):
        before = None
    if not (after or before):
        return False
    # the row is delimited on either line: a value alone on the line after a tab row's
    # ("行政事业性收费\t168\n2") is as much the other half as the digits before it
    lines = [line_around(text, start, end)]
    if after:
        lines.append(line_around(text, after.end(), after.end()))
    if before:
        above = text.rfind("\n", 0, start)
        lines.append(line_around(text, max(0, above - 1), max(0, above - 1)))
    # no cell bounds on either (or only an indent): separate values look the same
    return any(_CELL_SEP.search(line) for line in lines)


# A value alone inside brackets ("(27)", "（5）"): in a change's column (本年增/减) the
# accounting minus, read as -27; in a count's, a note or a sign no count takes: read as
# printed and noted, for the identities or a person to confirm.
BRACKETED = "printed in brackets: a note, or a minus a count cannot take"
_OPEN, _CLOSE = "(（", ")）"


def bracketed(text: str, span: tuple[int, int]) -> bool:
    """The value at `span` stands alone inside a pair of brackets, or with only a note of
    its own after it ("(26（含14件）)": the note says nothing of the sign)."""
    start, end = span
    before = text[max(0, start - 4) : start].rstrip(" \u3000\xa0")
    if before[-1:] not in tuple(_OPEN):  # ("" is in no tuple)
        return False
    at = note.end() if (note := NOTE_NEXT.match(text, end)) else end
    after = text[at : at + 4].lstrip(" \u3000\xa0")  # (a slice to the end copies the text)
    return after[:1] in tuple(_CLOSE)


# A change printed with its sign as a word ("减3", "增加5" in a 本年增/减 cell; "增/减" and
# "增减", the header's, are no sign): "增5" is the 5 printed, "减3" -3. A run of glued digits
# after the word ("减18181") is cut later, and the minus may not go with the value it
# starts: that cell is noted (SIGN_WORD) for the identities or a person to confirm.
SIGN_WORD = "minus printed as a word (减) before a glued run: its value may not take it"
DECREASE_WORDS = "减少|下降|减"
SIGN_WORDS = f"{DECREASE_WORDS}|增加|增"  # longest first: a regex alternation takes the first
_SIGN_WORD = re.compile(f"(?<![/／增])(?:{SIGN_WORDS})(?=[ \\t]*\\d)")
_SIGN_WORD_ALONE = re.compile(f"[ \\t]*(?:{SIGN_WORDS})[ \\t]*")  # "(减3)": a sign, no note
_DECREASE = re.compile(f"(?<![/／增])(?:{DECREASE_WORDS})[ \\t]*$")


def sign_word(text: str, span: tuple[int, int]) -> bool:
    """The value at `span` follows a word that makes it negative."""
    start = span[0]
    return _DECREASE.search(text, max(0, start - 4), start) is not None


def ocr_digits(snippet: str) -> bool:
    """A number printed with OCR look-alike letters for digits ("l2", "S0", "B"): read, but a
    guess ("l" may be a table's rule, "S" an 8, "B" a 3). An O is no guess: no digit but 0
    looks like it, so "1O" and a lone "O" (or "o", "Ｏ") read as plainly as "10" and "0"; "〇"
    and "零" are a zero."""
    runs = [m.group(0) for m in _OCR_RUN.finditer(snippet)]
    if not runs or not any(ch.isdigit() for ch in fold(snippet)):
        return False
    return any(ch not in f"{_ZEROS}〇零 \t" for run in runs for ch in run)


class TokenKind(StrEnum):
    NUMBER = "number"  # one clean value
    BLANK = "blank"  # "/", "—", "-", "无": the cell is printed empty
    RUN = "run"  # digits that may hold several glued values ("640020470", "05")


@dataclass(slots=True)  # not frozen: a frozen init costs more, and tokens are many
class Token:
    """One value token: [start, end) in the source text, its folded text and reading."""

    start: int
    end: int
    text: str
    kind: TokenKind
    value: int | Decimal | None = None
    unit: str | None = None  # "元" or "万元" when printed in the cell
    # an empty cell at a row's edge: maybe a blank, maybe the table's layout (a label cell
    # spanning two columns, a padded row, a value lost with its separator)
    edge: bool = False
    bracketed: bool = False  # printed alone inside brackets ("(3)"): see BRACKETED
    # an empty line read as an empty cell of a table printed one cell per line
    # (extractor.parser.emptylines): a blank, or a value lost beside a stray empty line
    empty_line: bool = False

    @property
    def digits(self) -> str:
        """The token's digits as printed (thousands separators and units removed)."""
        return self.text.split("万")[0].split("元")[0].replace(",", "").strip()


# Lines that are page furniture, never cells: "- 4 -", "— 5 —", "第 3 页 共 9 页", md rules.
_FURNITURE = re.compile(
    r"^[ \t]*(?:[-—–]+[ \t]*\d{1,3}[ \t]*[-—–]+|第[ \t]*\d+[ \t]*页(?:[ \t]*共[ \t]*\d+[ \t]*页)?"
    r"|\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*:?-*:?[ \t]*|\d{1,3}[ \t]*/[ \t]*\d{1,3})[ \t]*$",
    re.M,
)
# A bracketed note holding Chinese words ("（其中修订 16 件）", "(含3)"): after a value, it is
# the value's (`in_value_note`, `_in_label_cell`, the unit after it)
BRACKET_NOTE = r"[（(][^（()）\n]*[\u4e00-\u9fff][^（()）\n]*[）)]"
NOTE_NEXT = re.compile(rf"[ \t\u3000\xa0]*{BRACKET_NOTE}")  # a note right after a value
_NUMBER = re.compile(
    # a "-" right after digits starts a negative cell glued on ("行政处罚2648-18538")
    r"(?:(?<![A-Za-z\d.\-])|(?<=\d)(?=-\d))"
    r"(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    # its unit, after a bracketed note too ("33364（其中罚没收入）元": the unit is the value's)
    rf"(?:[ \t]*(?:{BRACKET_NOTE}[ \t]*)?(万元|元))?"
)
# ("无" then one space and a Chinese character is a letter-spaced word, "（四） 无 法 提 供";
# so is a 无 whose line breaks before the rest of a label that starts with it, 无法提供 or
# 无正当理由…, set vertically with its outline number lost: "5 0 0 1\n无\n 法 提\n 供").
# A dash or slash may also end a row glued to the next label on a flattened page ("0 0 -行政
# 强制"): no minus sign stands before a word, and no word starts with a dash ("无" may). A
# slash glued to the next value ("0 /0 0") is a blank too: it is no number's (a dash there
# is a minus sign); so is an em dash, a slash or a 无 glued after a value ("0 0—\u30000",
# "0/" closing a row, "0无": no sign follows a number, and "2019—2020", "12/31" have a digit
# after them), or a dash glued between a value and the next row's numbering ("0000000-3.危及
# …": a doubled 0 filled the blank's cell when the dash went with the numbering,
# synth-7547-0182); and a 无 glued to its row's label with the row's values after it
# ("8.属于行政查询事项无 0000000": the first cell printed 无).
# 无 at a line's end, then the rest of 无法提供 or 无正当理由 across the break (letter-spaced, or
# a vertical label; 提 or 供 within three characters when OCR misread 法: "无\n 去 提\n 供"):
# that label's first character, its outline number lost, not a blank. 法人或其他组织 and
# 法律服务机构 (a header's words between an interleaved table's values) do not continue it.
_WU_WORD_AFTER_BREAK = (
    r"[ \t\u3000]*\r?\n[\s\u3000]*"
    r"(?:法(?![\s\u3000]*[人律])|正|(?:[\u4e00-\u9fff][\s\u3000]*){1,2}[提供])"
)
_BLANK = re.compile(
    r"(?:(?<=^)|(?<=[\s|]))"
    r"(?:(?:/|—{1,2}|-|–)(?=$|[\s|]|[\u4e00-\u9fff])|/(?=\d)"
    r"|无(?! [\u4e00-\u9fff])(?!" + _WU_WORD_AFTER_BREAK + r")(?=$|[\s|]))"
    r"|(?<=\d)(?:—{1,2}|/)(?=$|[\s|]|[\u4e00-\u9fff（(“\"])|(?<=\d)无(?=$|[\s|])"
    # a hyphen or en dash after a value with no digit after it: no minus sign, a blank
    # ("0000000-危及…", "000000-\n", "0-（四）无法提供")
    r"|(?<=\d)[-–](?=$|\r|[\u4e00-\u9fff（(“\"])"
    # a dash after a value and before the next row's numbering ("0000000-3.危及…"): a blank
    r"|(?<=\d)(?:—{1,2}|/|-|–)(?=\d{1,2}[.．][ \t]*(?:\r?\n[ \t]*)?[\u4e00-\u9fff“\"])"
    r"|(?<=[\u4e00-\u9fff])无(?=[ \t\u3000]+\d)",
    re.M,
)
# A number followed by one of these is prose or a heading number, not a cell value.
# (a "、" then a digit parts two values, "9、0": a list's number is followed by its words)
_NOT_A_CELL = re.compile(
    r"[ \t]*(?:件|条|个|次|年|月|日|号|人|页|部|项|家|份|篇|场|余|%|、(?![ \t]*\d))"
)
# A number, "." and a label: the next row's numbering ("2.其他…"), also when the label starts
# on the next line (a PDF cell wrapped after its numbering: "1.\n属于国家秘密"), or with the
# dot OCR read as a colon ("7:属于行政执法案卷": no value stands before a colon and words)
_ROW_NUMBER = re.compile(r"[.．:：][ \t]*(?:\r?\n[ \t]*)?[\u4e00-\u9fff“\"]")
# The same set apart by spaces ("1 . 属 于 国 家 秘 密", letter-spaced print): only a lone
# digit, for a longer number before it is a value ("12 . 属于" cannot tell 1|2. from 12)
_SPACED_ROW_NUMBER = re.compile(_SPACED_DOT)
# A row's numbering in brackets right before its label ("（3）危及…", "(2)其他法律…"): one
# digit with its brackets glued on both sides and the label's words after, at a line's or
# cell's start or after words. After a value ("收费0(5)第二十条", a flat page's change -5
# before the next heading) it may be a value in brackets: read as one, as before.
_BRACKETED_ROW_NUMBER = re.compile(r"(?<![\d.,])[(（]\d[)）](?=[\u4e00-\u9fff“\"])")
# The next heading's number glued on to a row's digits ("0000000000000005、存在的主要问题"):
# a "、" numbering after two or more digits takes the last digit as the heading's.
_HEADING_NUMBER = re.compile(r"、[ \t]*[\u4e00-\u9fff]")
# A count with its measure word as a whole table cell ("| 5件 |", "0条\t", "3个" on its own
# line, "12件0" glued on to the next value, "0条（七）总计", "0条 四、政府…" or
# "111条第二十条…" where a flattened page runs the next row's, item's or part's label on) is
# a value: prose goes on after the measure word ("收到申请112件，", "112件政府信息"), a cell
# ends there.
MEASURE = "件条个项次"
_RUN_ON = "0123456789,"  # what may follow a value whose digits run on into the next one
_COUNT_CELL = re.compile(
    r"[ \t]*[件条个项次](?=[ \t]*(?:$|[|\t\r\n]|[-+]?\d|[（(]-?\d"
    r"|[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]"
    # part 二's next item heading ("0条第二十条第（八）项")
    r"|第[一二三四五六七八九十]{1,3}条)"
    # on a flattened page, a space and the next row's label ("0条 行政规范性文件")
    r"|[ \t]+[\u4e00-\u9fff])",
    re.M,
)


def line_around(text: str, start: int, end: int) -> str:
    """The whole line(s) holding text[start:end], without their line breaks."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[line_start : len(text) if line_end < 0 else line_end]


def on_furniture_line(folded: str, at: int) -> bool:
    """The line holding `at` is page furniture ("第8页", "- 4 -"), no table's text."""
    start = folded.rfind("\n", 0, at) + 1
    end = folded.find("\n", at)
    return _FURNITURE.fullmatch(folded, start, len(folded) if end < 0 else end) is not None


def _furniture_spans(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _FURNITURE.finditer(folded, start, end)]


_CJK = re.compile(r"[\u4e00-\u9fff]")
_COUNTED_GLUE = re.compile(f"(?<=\\d)[{MEASURE}](?=\\d)")
_SEP = " \t|\n\r"  # a str, so "" (the start or end of the text) counts as a separator
# what a label may end with besides a Chinese character: "（区分处理的，…）", "危及“三安全一稳定”"
_LABEL_CLOSERS = "）)”」』】》"


# A value with a bracketed note after it ("254（含5件）", "22（其中修订 16 件）", "55(其中3)"):
# the note's words are no label's, and a number inside it, after its words, is no cell's
# (a value alone in brackets, "(15)", is an accounting minus, not a note: `bracketed`).
_NOTE_AFTER_VALUE = re.compile(rf"(?<=\d)[ ]*{BRACKET_NOTE}[ ]*$")
_NOTE_OPENED = re.compile(r"\d[ ]*[（(]([^（()）\n\d]*[\u4e00-\u9fff][^（()）\n\d]*)$")
_NOTE_CLOSES = re.compile(r"[^（()）\n]*[）)]")


def in_value_note(folded: str, start: int, end: int) -> bool:
    """The number at folded[start:end] is inside a bracketed note after a value, after
    the note's words ("22（其中修订16件）": the 16; a change's sign word, "12 (减3)", is
    no note)."""
    opened = _NOTE_OPENED.search(folded, max(0, start - 24), start)
    if opened is None or not _NOTE_CLOSES.match(folded, end, end + 24):
        return False
    return _SIGN_WORD_ALONE.fullmatch(opened.group(1)) is None


def _in_label_cell(folded: str, start: int, end: int) -> bool:
    """A number inside a tab- or pipe-delimited cell that also holds Chinese words
    ("数据1", "第3页") is part of a label; in running text no cell bounds are known."""
    line_start = folded.rfind("\n", 0, start) + 1
    line_end = folded.find("\n", end)
    line_end = len(folded) if line_end < 0 else line_end
    # separators only at the line's ends (a trailing tab on every line) bound no cell
    line = folded[line_start:line_end].strip(" \t|\r\u3000")
    if "|" not in line and "\t" not in line:
        return False
    a = max(folded.rfind("|", line_start, start), folded.rfind("\t", line_start, start)) + 1
    ends = [
        i for i in (folded.find("|", end, line_end), folded.find("\t", end, line_end)) if i >= 0
    ]
    b = min(ends, default=line_end)
    cell = folded[max(a, line_start) : b].replace("万元", "").replace("元", "")
    cell = _NOTE_AFTER_VALUE.sub("", cell)
    # a count's measure word glued on to the next value ("0件00") is no label's word, nor is
    # a change's sign printed as a word ("减24")
    return bool(_CJK.search(_SIGN_WORD.sub("", _COUNTED_GLUE.sub("", cell))))


def _is_count_cell(folded: str, m: re.Match[str], before: str) -> bool:
    """A number followed by its measure word that fills a table cell ("| 5件 |"): it starts
    a cell (after a separator or the digits of a glued value) and the cell ends after it."""
    if (
        before not in _SEP
        and not before.isdigit()
        and not _CJK.match(before)
        and before not in _LABEL_CLOSERS
    ):
        return False
    if not m.group(1)[-1:].isdigit():
        return False
    if _COUNT_CELL.match(folded, m.end()) is not None:
        return True
    # a flattened row's last cell, right after another counted cell: "161件5487个规范性文件"
    return before in MEASURE and folded[m.end() : m.end() + 1] in MEASURE


# No cell prints more digits than these (the widest amount, 98765432109.87654321, has 19);
# longer stretches are noise, never values: kept out so no work grows with them (int() of
# 4,301 digits raises, and cutting a glued run is quadratic in its length).
MAX_VALUE_CHARS = 40
MAX_RUN_CHARS = 400  # 15 glued cells of 12 digits and separators, with room to spare

# A stretch of digits, grouped thousands and decimals with no separator between values.
_BLOB = re.compile(r"-?(?:\d|,(?=\d)|\.(?=\d))+")


def _glued_tail(folded: str, m: re.Match[str], end: int) -> bool:
    """A number the digits of another value run on from ("8,8264,249.62", "5,4206,791",
    "6811,3164,563"):
    the regex stops at its first value, so the whole stretch is one glued run."""
    after = folded[m.end() : min(end, m.end() + 2)]
    if not after:
        return False
    if after[0].isdigit():
        return True
    if after[0] != "," or not after[1:2].isdigit():
        return False
    # a comma right after grouped thousands, or after more than three plain digits ("6811,3164"
    # is no one number: 681|1,316… or 68|11,316…), is the next value's separator run on
    number = m.group(1).lstrip("-").split(".")[0]
    return "," in number or len(number) > 3


def _glued_run(folded: str, start: int, stop: int) -> Token:
    """The glued stretch [start, stop) as one RUN token; a trailing digit that is the next
    label's numbering ("…4,249.622.其他") is left out."""
    if _ROW_NUMBER.match(folded, stop) and stop - start > 1 and folded[stop - 2].isdigit():
        stop -= 1
    return Token(start, stop, folded[start:stop], TokenKind.RUN)


def _parse(text: str) -> int | Decimal:
    digits = text.replace(",", "")
    return Decimal(digits) if "." in digits else int(digits)


def _digits_token(folded: str, s: int, e: int) -> Token:
    """Plain digits [s, e): one value, or a run when it starts with 0 ("05")."""
    digits = folded[s:e]
    if len(digits) > 1 and digits[0] == "0":
        return Token(s, e, digits, TokenKind.RUN)
    return Token(s, e, digits, TokenKind.NUMBER, int(digits))


def tokenize(folded: str, start: int, end: int) -> list[Token]:
    """Value tokens in folded[start:end], in order; page furniture and prose numbers dropped.

    A digit run followed by "2." of the next row's numbering ("00000002.其他") keeps its
    digits but loses the last one, which is the row number glued on.
    """
    skip = _furniture_spans(folded, start, end)
    skip_starts = [a for a, _ in skip]

    def skipped(at: int) -> bool:  # inside page furniture (spans sorted, apart)
        i = bisect_right(skip_starts, at) - 1
        return i >= 0 and at < skip[i][1]

    out: list[Token] = []
    covered = start  # the end of the last glued run taken whole
    for m in _NUMBER.finditer(folded, start, end):
        s, e = m.span()
        if s < covered or (skip and skipped(s)):
            continue
        unit = m.group(2)
        after_char = folded[e : e + 1]
        if unit is None and after_char in _RUN_ON and _glued_tail(folded, m, end):
            token = _glued_run(folded, s, _BLOB.match(folded, s, end).end())  # type: ignore[union-attr]
            covered = s + len(token.text) if token.text else e
            if token.text and len(token.text) <= MAX_RUN_CHARS:
                out.append(token)
            continue
        before = folded[s - 1 : s]
        counted = False  # a count with its measure word filling a cell ("0条")
        numbered = unit is None and m.group(1).isdigit() and 1 < len(m.group(1)) <= MAX_VALUE_CHARS
        if numbered and _HEADING_NUMBER.match(folded, e):
            e -= 1  # the last digit numbers the heading that follows
            out.append(_digits_token(folded, s, e))
            continue
        if unit is None and _NOT_A_CELL.match(folded, e):
            if not _is_count_cell(folded, m, before):
                continue
            counted = True
        if before == "第" or (s > 0 and _BRACKETED_ROW_NUMBER.match(folded, s - 1)):
            continue
        # only a number glued to something else can share its cell with a label ("数据1")
        glued_on = before not in _SEP or (after_char not in _SEP and not counted)
        if glued_on and in_value_note(folded, s, e):
            continue
        if glued_on and _in_label_cell(folded, s, e):
            continue
        text = m.group(0)
        if len(m.group(1)) > MAX_VALUE_CHARS:
            covered = _BLOB.match(folded, s, end).end()  # type: ignore[union-attr]
            continue
        if unit is None and len(text) == 1 and _SPACED_ROW_NUMBER.match(folded, e):
            continue  # "1 . 属于…": the next label's numbering, letter-spaced
        if unit is None and _ROW_NUMBER.match(folded, e):
            # "2.其他法律…": the number is the next label's numbering, glued or alone
            # ("173.793.收到…": an amount 173.79 and the heading "3.")
            if len(text.lstrip("-")) == 1:
                continue
            if "." not in text or len(text.split(".")[1]) >= 2:
                e -= 1
                text = text[:-1]
        number = m.group(1) if e == m.end() else text
        digits = number.lstrip("-").replace(",", "")
        whole = digits.split(".")[0]  # "0173.79": items 0 glued to an amount
        if "," not in number and len(whole) > 1 and whole[0] == "0":
            out.append(Token(s, e, text, TokenKind.RUN, None, unit))  # "04613600元"
        elif digits == "0" and number.startswith("-"):
            # "-0" is no value anyone prints: a blank's dash glued on before a 0 ("0-0")
            out.append(Token(s, s + 1, "-", TokenKind.BLANK))
            out.append(Token(s + 1, e, text[1:], TokenKind.NUMBER, 0, unit))
        else:
            value = _parse(number)
            if value > 0 and _DECREASE.search(folded, max(0, s - 4), s):
                value = -value  # "减3" in a 本年增/减 cell
            token = Token(s, e, text, TokenKind.NUMBER, value, unit)
            token.bracketed = bracketed(folded, (s, e))
            out.append(token)
    for m in _BLANK.finditer(folded, start, end):
        if skip and skipped(m.start()):
            continue
        out.append(Token(m.start(), m.end(), m.group(0), TokenKind.BLANK))
    out.sort(key=lambda t: t.start)
    return _with_empty_cells(folded, out)


_EMPTY_CELLS = re.compile(r"[ \t]*(?:[|\t][ \t]*){2,}")


def _with_empty_cells(folded: str, tokens: list[Token]) -> list[Token]:
    """An empty table cell between two values of one row ("| 0 |  | 3 |", "0\t\t3") is a
    printed blank: it keeps the values after it in their columns."""
    out: list[Token] = []
    for token, nxt in zip(tokens, [*tokens[1:], None][: len(tokens)], strict=True):
        out.append(token)
        if nxt is None:
            continue
        gap = folded[token.end : nxt.start]
        if "\n" in gap or not _EMPTY_CELLS.fullmatch(gap):
            continue
        seps = [i for i, ch in enumerate(gap) if ch in "|\t"]
        pipes = "|" in gap
        if pipes and "\t" in gap:
            continue  # mixed separators: no telling where the cells are
        for a, b in itertools.pairwise(seps):
            # the span covers the two separators around the empty cell: what shows the blank
            out.append(Token(token.end + a, token.end + b + 1, "", TokenKind.BLANK))
    return out
