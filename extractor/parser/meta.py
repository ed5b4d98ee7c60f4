"""meta.template from the table labels, meta.year and meta.organ from the title and text."""

from __future__ import annotations

import re
from collections import Counter

from extractor.parser.labels import label_key
from extractor.parser.tokens import line_around
from nianbao.core.layout import LAYOUTS, TEMPLATES, Template, template_for_year

# Labels printed only in one layout (generated from the layouts: a label of one and not the
# other), e.g. 本年制发件数 (2021) against 本年新制作数量 (2019).
_YEAR_TITLE = re.compile(r"(20\d{2})\s*年\s*度?\s*(?:政府信息公开|政务公开|信息公开)")
_PERIOD = re.compile(r"(?:统计期限|统计周期|统计时限)[^。\n]{0,8}?(20\d{2})\s*年\s*1\s*月")
_YEAR = re.compile(r"(20\d{2})\s*年")
# words of a line that links to other pages, not the report's own title
_LINKS = re.compile(r"上一篇|下一篇|相关|推荐|热门|阅读|链接|专题|往年")


def _layout_words() -> dict[Template, set[str]]:
    words: dict[Template, set[str]] = {}
    for template in TEMPLATES:
        layout = LAYOUTS[template]
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
    scores: dict[Template, int] = {t: sum(w in cjk for w in words) for t, words in _ONLY.items()}
    ranked = sorted(scores, key=lambda t: -scores[t])
    best = ranked[0]
    if scores[best] == scores[ranked[1]]:
        if year is not None:
            return template_for_year(year), "layout from the year: no layout-specific labels"
        return best, "layout undecided: no layout-specific labels and no year"
    return best, None


def detect_year(text: str) -> int | None:
    """The year reported on: the statistics period ("统计期限自2023年1月1日…"), else the
    title's "20XX年度…报告", else the year most often named before the tables. A web page
    may print other years' report titles around its own ("相关链接：…2022年…报告", a list of
    titles above it): titles on a line of links do not count, and of the others the last
    before the report's body ("总体情况") is its own."""
    head = text[:3000]
    period = _PERIOD.search(head)
    if period:
        return int(period.group(1))
    titles = [
        m for m in _YEAR_TITLE.finditer(head) if not _LINKS.search(line_around(head, *m.span()))
    ]
    if titles:
        body = head.find("总体情况")
        before = [m for m in titles if m.start() < body]
        return int((before[-1] if before else titles[0]).group(1))
    years = Counter(int(y) for y in _YEAR.findall(head))
    return years.most_common(1)[0][0] if years else None


_SUFFIX = (
    r"(?:街道办事处|街道|人民政府办公室|人民政府办公厅|人民政府|管理委员会|委员会|管委会|办公室"
    r"|办公厅|局|委|厅|镇|乡|区|县|市)"
)
_ORGAN = rf"([\u4e00-\u9fff（）()]{{1,24}}?{_SUFFIX})"
# a title line, maybe behind a field name as saved web pages print it ("标题: …") or a
# markdown heading's marks
_TITLE_LINE = re.compile(
    rf"^[^\S\n]*#*[^\S\n]*(?:[\u4e00-\u9fff]{{2,4}}[:：][^\S\n]*)?{_ORGAN}[^\S\n]*(20\d{{2}})"
    rf"[^\S\n]*年[^\n]{{0,20}}报告[^\S\n]*$",
    re.M,
)
_TITLE_ORGAN_FIRST = re.compile(rf"^[#\s]*{_ORGAN}(20\d{{2}})年")
_TITLE_YEAR_FIRST = re.compile(
    rf"^[#\s]*(20\d{{2}})年度?{_ORGAN}(?:政府信息公开|政务公开|信息公开)"
)
_CONTACT = re.compile(rf"请与{_ORGAN}(?:政府信息公开|综合|党政|联系)")
_OPENING = re.compile(rf"(20\d{{2}})年(?:度|以来)?[，,]?{_ORGAN}(?:以|坚持|深入|认真|在)")
_SIGNATURE_LINE = re.compile(
    rf"\n[^\S\n]*{_ORGAN}[^\S\n]*\n[^\S\n]*20\d{{2}}[^\S\n]*年[^\S\n]*\d{{1,2}}[^\S\n]*月"
)


def detect_organ(text: str, year: int | None) -> str | None:
    """The body as named: the title line ("岑港街道2020年度…报告" -> 岑港街道), else the
    contact sentence ("请与灵山卫街道综合办公室联系"), the opening ("2020年关林街道以…"),
    or the signature above the date."""
    head = text[:4000]
    lines = [line for line in head.splitlines() if line.strip() and line.strip() != "正文"]
    title = re.sub(r"\s+", "", "".join(lines[:3]))
    for pattern, group in ((_TITLE_ORGAN_FIRST, 1), (_TITLE_YEAR_FIRST, 2)):
        m = pattern.match(title)
        if m:
            return _clean(m.group(group))
    for m in _TITLE_LINE.finditer(head):
        if year is None or int(m.group(2)) == year:
            return _clean(m.group(1))
    m = _CONTACT.search(head)
    if m:
        return _clean(m.group(1))
    m = _OPENING.search(head)
    if m:
        return _clean(m.group(2))
    signatures = list(_SIGNATURE_LINE.finditer(text[-800:]))
    return _clean(signatures[-1].group(1)) if signatures else None


def _clean(organ: str) -> str:
    return re.sub(r"^(?:关于|现将|现公布|公布)", "", organ.strip())
