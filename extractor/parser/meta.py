"""meta.template from the table labels, meta.year and meta.organ from the title and text."""

from __future__ import annotations

import re
from collections import Counter

from extractor.layout import LAYOUTS, Template, template_for_year
from extractor.parser.labels import label_key

# Labels printed only in one layout (generated from the layouts: a label of one and not the
# other), e.g. 本年制发件数 (2021) against 本年新制作数量 (2019).
_TITLE = re.compile(
    r"([^\s，。；：:、\d]{2,40}?)[\s（(]*(20\d{2})\s*年\s*(?:度)?\s*(?:[\u4e00-\u9fff]{0,6})?"
    r"(?:政府信息公开|政务公开|信息公开)[\u4e00-\u9fff]{0,4}(?:年度)?报告"
)
_YEAR_TITLE = re.compile(r"(20\d{2})\s*年\s*度?\s*(?:政府信息公开|政务公开|信息公开)")
_PERIOD = re.compile(r"(?:统计期限|统计周期|统计时限)[^。\n]{0,8}?(20\d{2})\s*年\s*1\s*月")
_YEAR = re.compile(r"(20\d{2})\s*年")
_SIGNATURE = re.compile(r"\n\s*([\u4e00-\u9fff（）()]{2,30})\s*\n\s*20\d{2}\s*年\s*\d{1,2}\s*月")
_ORGAN_NOISE = re.compile(r"^(?:现公布|公布|发布机构|信息来源|根据|关于|印发)")


def _layout_words() -> dict[Template, set[str]]:
    words: dict[Template, set[str]] = {}
    for template, layout in LAYOUTS.items():
        labels = {c.label for r in layout.t2_rows for c in r.columns}
        labels |= {r.label for r in layout.t3_rows}
        words[template] = {label_key(x) for x in labels}
    only: dict[Template, set[str]] = {}
    for template, mine in words.items():
        others = set().union(*(w for t, w in words.items() if t != template))
        only[template] = {w for w in mine - others if len(w) >= 4 and w not in others}
    return only


_ONLY = _layout_words()


def detect_template(cjk: str, year: int | None) -> tuple[Template, str | None]:
    """The layout whose own labels the text prints most; the year decides a tie.
    Returns (template, note) where note says why the choice is in doubt, if it is."""
    scores = {t: sum(1 for w in words if w in cjk) for t, words in _ONLY.items()}
    ranked = sorted(scores, key=lambda t: -scores[t])
    best = ranked[0]
    if scores[best] == scores[ranked[1]]:
        if year is not None:
            return template_for_year(year), "layout from the year: no layout-specific labels"
        return best, "layout undecided: no layout-specific labels and no year"
    return best, None


def detect_year(text: str) -> int | None:
    """The year reported on: the title's "20XX年度…报告", else the statistics period,
    else the year most often named before the tables."""
    head = text[:3000]
    for pattern in (_YEAR_TITLE, _PERIOD):
        m = pattern.search(head)
        if m:
            return int(m.group(1))
    years = Counter(int(y) for y in _YEAR.findall(head))
    return years.most_common(1)[0][0] if years else None


def detect_organ(text: str, year: int | None) -> str | None:
    """The body as named in the title ("岑港街道2020年度…报告" -> 岑港街道), else the signature."""
    for m in _TITLE.finditer(text[:3000]):
        if year is not None and int(m.group(2)) != year:
            continue
        organ = m.group(1).strip("《》“”\"' ")
        organ = re.sub(r"^.*?(?:现公布|公布|发布)", "", organ)
        if organ and not _ORGAN_NOISE.match(organ) and len(organ) >= 2:
            return organ
    signatures = list(_SIGNATURE.finditer(text[-600:]))
    return signatures[-1].group(1) if signatures else None
