"""Characters of a text file that show nothing, or show a table's rule, made plain.

Copied web text carries invisible characters (zero-width spaces, joiners, soft hyphens, a
BOM inside the text) that split a number or a label as the eye never sees; pages and
converters draw table rules with box-drawing or full-width bars ("│ 规章 │ 0 │") where
Markdown has "|"; and text scraped from HTML keeps entities for spaces ("0&nbsp;&nbsp;5").
Read as they are, "1\u200b2" is two values and "│" no cell edge. Applied to text and Markdown
files only (the HTML and DOCX readers read their markup themselves); `visible_lines` applies
to every text not anchored to positions: invisible characters show nothing in a web page's
or a Word file's cells either, and a line may end in any of the breaks converters write.

PDF text extraction (and pages copied from a PDF) often gives Kangxi radicals or CJK
compatibility ideographs for ordinary characters: "⾏政许可", "⼀、本年新收", "⻔户网站" look
right and match nothing. `standard_ideographs` maps them back one character for one (so
offsets into the text, and a PDF's word anchors, hold), for every kind of file.
"""

from __future__ import annotations

import re
import unicodedata

# zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen, Mongolian vowel separator
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]")
# vertical rules that stand for a cell edge: box drawing (light, heavy, double), full-width bar
_RULES = str.maketrans({"│": "|", "┃": "|", "║": "|", "｜": "|"})
# every line break but "\n": CR LF, CR, vertical tab (Word's manual line break), form feed,
# file/group/record separators, NEL, Unicode line/paragraph separators
_BREAKS = re.compile("\r\n?|[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# pdftotext starts each page's first line with a form feed: a page break, not one more line
# (a blank line among a table's lines is an empty cell)
_PAGE_AT_LINE_START = re.compile("(?:^|(?<=\n))\f")
_SPACE_ENTITY = re.compile(r"&(?:nbsp|ensp|emsp|#160|#x[aA]0|#12288|#x3000);")


def visible_lines(text: str) -> str:
    """`text` with a newline for every kind of line break (the parser reads a row as a line;
    `str.splitlines` knows these breaks, a row-per-line reader does not) and no invisible
    characters."""
    if "\f" in text:
        text = _PAGE_AT_LINE_START.sub("", text)
    if _BREAKS.search(text):
        text = _BREAKS.sub("\n", text)
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    return text


def plain_text(text: str) -> str:
    """`text` without invisible characters, with "|" for drawn cell edges and a space for
    an HTML space entity."""
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    if "&" in text:
        text = _SPACE_ENTITY.sub(" ", text)
    return text.translate(_RULES)


# Radicals of the supplement block that PDF fonts use as whole simplified characters; NFKC
# leaves most of them alone, so they are listed (the Kangxi and compatibility blocks below
# carry their own decompositions)
_SUPPLEMENT = {
    "⺠": "民", "⺟": "母", "⻄": "西", "⻅": "见", "⻆": "角", "⻉": "贝", "⻋": "车",
    "⻓": "长", "⻔": "门", "⻘": "青", "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞",
    "⻝": "食", "⻢": "马", "⻣": "骨", "⻤": "鬼", "⻥": "鱼", "⻦": "鸟", "⻧": "卤",
    "⻨": "麦", "⻩": "黄", "⻪": "黾", "⻬": "齐", "⻮": "齿", "⻰": "龙", "⻳": "龟",
}  # fmt: skip
_IDEOGRAPH_BLOCKS = ((0x2F00, 0x2FD6), (0xF900, 0xFB00), (0x2F800, 0x2FA20))


def _ideograph_table() -> dict[int, str]:
    table = {ord(k): v for k, v in _SUPPLEMENT.items()}
    for lo, hi in _IDEOGRAPH_BLOCKS:
        for code in range(lo, hi):
            plain = unicodedata.normalize("NFKC", chr(code))
            if len(plain) == 1 and plain != chr(code):
                table[code] = plain
    return table


_IDEOGRAPHS = _ideograph_table()
_VARIANT = re.compile("[\u2e80-\u2fdf\uf900-\ufaff\U0002f800-\U0002fa1f]")


def standard_ideographs(text: str) -> str:
    """`text` with Kangxi radicals and compatibility ideographs as the characters they stand
    for, one for one."""
    if _VARIANT.search(text) is None:
        return text
    return text.translate(_IDEOGRAPHS)
