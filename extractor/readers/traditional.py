"""Reports copied in traditional characters read in simplified ones.

Mirror sites republish mainland reports converted to traditional characters
("政府信息公開工作年度報告", "規範性文件"): no label of the national layout is found in them
and the file is refused as no report. Such a text is converted back character for character
with OpenCC's t2s table (the same length, so nothing else about the text changes). A text
is taken for traditional only when characters that exist only in traditional script, among
the report's own vocabulary, are many and outnumber their simplified forms: a simplified
report quoting a name in traditional characters is left alone.
"""

from __future__ import annotations

import re
from functools import cache

# traditional-only characters of the report's vocabulary, and their simplified forms
_TRADITIONAL = "開請數條處轉結規範許罰複議訴訟審際與關書資義務執門獲統計報續據難"
_SIMPLIFIED = "开请数条处转结规范许罚复议诉讼审际与关书资义务执门获统计报续据难"
MIN_TRADITIONAL = 20  # a report's tables alone hold hundreds of them


@cache
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


_TRADITIONAL_RE = re.compile(f"[{_TRADITIONAL}]")
_SIMPLIFIED_RE = re.compile(f"[{_SIMPLIFIED}]")


def simplified(text: str) -> str:
    """`text` in simplified characters when it is written in traditional ones."""
    # one pass each over the text (counting each of the 32 characters apart was 64 passes)
    traditional = len(_TRADITIONAL_RE.findall(text))
    if traditional < MIN_TRADITIONAL:
        return text
    if traditional <= len(_SIMPLIFIED_RE.findall(text)):
        return text
    converted = _t2s().convert(text)  # type: ignore[attr-defined]
    return converted if len(converted) == len(text) else text
