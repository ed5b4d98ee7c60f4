"""HTML reports (saved web pages): visible text, one table row per line."""

from __future__ import annotations

import re
from pathlib import Path

from extractor.readers.text import decode_text
from nianbao.core.errors import SourceError

_BLOCKS = (
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "table",
    "tr",
    "title",
)


MAX_HTML_DEPTH = 1_000  # elements nested deeper than any real page (a few dozen at most)
_SKIPPED = frozenset(("script", "style", "noscript", "template"))


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page: a table row per line (cells tab-separated), blocks on
    their own lines; scripts, styles and templates dropped.

    One walk over the parsed tree with an explicit stack: linear in the page whatever its
    depth (inserting newline strings around every block was quadratic in the nesting: a
    page of 100,000 nested <div>s took 300 s). Deeper than MAX_HTML_DEPTH is refused."""
    from bs4 import BeautifulSoup
    from bs4.element import CData, NavigableString, Tag

    soup = BeautifulSoup(markup, "html.parser")
    out: list[str] = []
    stack: list[tuple[object, int]] = [(child, 1) for child in reversed(soup.contents)]
    while stack:
        node, depth = stack.pop()
        if node is None:  # the end of a block
            out.append("\n")
            continue
        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):  # not comments, doctypes, scripts
                out.append(str(node))
            continue
        assert isinstance(node, Tag)
        if depth > MAX_HTML_DEPTH:
            raise SourceError(
                f"elements nested more than {MAX_HTML_DEPTH:,} deep: not a report page"
            )
        name = node.name
        if name in _SKIPPED:
            continue
        if name == "head":
            # of the head only the title is text a reader sees (it often names the report)
            title = node.find("title")
            out.append("\n" + (title.get_text(" ", strip=True) if title is not None else "") + "\n")
            continue
        if name == "tr":
            cells = [_cell_text(c) for c in node.find_all(["td", "th"])]
            out.append("\n" + "\t".join(cells) + "\n")
            continue
        if name in _BLOCKS:
            out.append("\n")
            stack.append((None, depth))
        stack.extend((child, depth + 1) for child in reversed(node.contents))
    text = "".join(out)
    return re.sub(r"\n[ \t\u3000]*\n(?:[ \t\u3000]*\n)+", "\n\n", text).strip() + "\n"


def _cell_text(cell: object) -> str:
    """A table cell's visible text, its strings stripped and joined by spaces."""
    from bs4.element import CData, NavigableString, Tag

    parts: list[str] = []
    stack = [cell]
    while stack:
        node = stack.pop()
        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData) and node.strip():
                parts.append(node.strip())
        elif isinstance(node, Tag) and node.name not in _SKIPPED:
            stack.extend(reversed(node.contents))
    return " ".join(parts)


def read_html(path: Path, raw: bytes) -> str:
    try:
        return html_to_text(decode_text(path.name, raw))
    except SourceError as exc:
        raise SourceError(f"{path.name}: {exc}") from None
