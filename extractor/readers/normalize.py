"""Characters of a text file that show nothing, or show a table's rule, made plain.

Copied web text carries invisible characters (zero-width spaces, joiners, soft hyphens, a
BOM inside the text) that split a number or a label as the eye never sees; pages and
converters draw table rules with box-drawing or full-width bars ("│ 规章 │ 0 │") where
Markdown has "|"; and text scraped from HTML keeps entities for spaces ("0&nbsp;&nbsp;5").
Read as they are, "1\u200b2" is two values and "│" no cell edge. Applied to text and Markdown
files only (the HTML and DOCX readers read their markup themselves).
"""

from __future__ import annotations

import re

# zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen, Mongolian vowel separator
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]")
# vertical rules that stand for a cell edge: box drawing (light, heavy, double), full-width bar
_RULES = str.maketrans({"│": "|", "┃": "|", "║": "|", "｜": "|"})
_SPACE_ENTITY = re.compile(r"&(?:nbsp|ensp|emsp|#160|#x[aA]0|#12288|#x3000);")


def plain_text(text: str) -> str:
    """`text` without invisible characters, with "|" for drawn cell edges and a space for
    an HTML space entity."""
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    if "&" in text:
        text = _SPACE_ENTITY.sub(" ", text)
    return text.translate(_RULES)
