"""HTML reports (saved web pages): visible text, one table row per line."""

from __future__ import annotations

import re
from pathlib import Path

from extractor.readers.text import decode_text

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


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page: a table row per line (cells tab-separated), blocks on
    their own lines; scripts, styles and templates dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        if tag.name == "head":
            # of the head only the title is text a reader sees (it often names the report)
            title = tag.find("title")
            heading = title.get_text(" ", strip=True) if title is not None else ""
            tag.replace_with(soup.new_string("\n" + heading + "\n"))
            continue
        tag.decompose()
    for row in soup.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in row.find_all(["td", "th"])]
        row.replace_with(soup.new_string("\n" + "\t".join(cells) + "\n"))
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before(soup.new_string("\n"))
        tag.insert_after(soup.new_string("\n"))
    text = soup.get_text()
    return re.sub(r"\n[ \t\u3000]*\n(?:[ \t\u3000]*\n)+", "\n\n", text).strip() + "\n"


def read_html(path: Path, raw: bytes) -> str:
    return html_to_text(decode_text(path.name, raw))
