"""HTML inside a text or Markdown file: a saved web page with a .txt name, or the
`<table>` blocks that PDF-to-Markdown converters (MinerU, marker) write for tables.

Read as plain text, the markup's attributes became values ("width=63", "padding:0cm 5.4pt")
and the cells ran together. Each top-level table is read as the HTML reader reads it (one
row per line, cells tab-separated, merged cells expanded); a whole page goes through the
HTML reader. The prose around the tables is left as it is.
"""

from __future__ import annotations

import re

from extractor.readers.html import html_to_text

MAX_TABLES = 200
_PAGE = re.compile(r"\A\s*(?:<!doctype\s+html|<html\b)", re.I)
# a tag's attributes are bounded: "<table" with no ">" after it must not scan the text to
# its end once per occurrence (quadratic on a hostile file)
_ANY_TABLE = re.compile(r"<table", re.I)
_TABLE_TAG = re.compile(r"<(/?)table\b[^<>]{0,4000}>", re.I)


def _top_level_tables(text: str) -> list[tuple[int, int]]:
    """Spans of the tables not inside another; an unclosed one runs to the text's end."""
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0
    for tag in _TABLE_TAG.finditer(text):
        if not tag.group(1):
            if depth == 0:
                start = tag.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                spans.append((start, tag.end()))
    if depth > 0:
        spans.append((start, len(text)))
    return spans


def without_comments(text: str) -> str:
    """`text` without its HTML comments ("<!--[if gte mso 9]><xml>…1 2 3…<![endif]-->" that
    Word's HTML export writes around tables), which a browser or Markdown viewer never shows
    and whose numbers would be read as values. One pass; an unclosed comment runs to the end."""
    if "<!--" not in text:
        return text
    out: list[str] = []
    at = 0
    while (start := text.find("<!--", at)) >= 0:
        out.append(text[at:start])
        end = text.find("-->", start + 4)
        at = len(text) if end < 0 else end + 3
    out.append(text[at:])
    return "".join(out)


def read_embedded_html(text: str) -> str:
    """`text` with a whole HTML page, or each HTML table in it, read as the HTML reader does."""
    if _PAGE.match(text):
        return html_to_text(text)
    text = without_comments(text)
    if _ANY_TABLE.search(text) is None:
        return text  # the usual case: no markup to read
    out: list[str] = []
    at = 0
    # a report has a dozen tables: past MAX_TABLES the rest is left as text (each table
    # costs a parse, and a hostile file may hold a hundred thousand)
    for start, end in _top_level_tables(text)[:MAX_TABLES]:
        out.append(text[at:start])
        out.append("\n" + html_to_text(text[start:end]).strip("\n") + "\n")
        at = end
    out.append(text[at:])
    return "".join(out)
