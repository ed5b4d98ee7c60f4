"""Text nobody checked, made inert before Streamlit's Markdown sees it.

Organ names (a reviewer typed them, or a web page), file names, extractor notes and error
messages reach `st.markdown`, `st.caption`, `st.success`, button labels: all of them render
Markdown, so `[点我](http://evil)` would be a link, `**x**` bold, `:red[x]` coloured,
`www.evil.example` an autolink. `md_text` backslash-escapes every ASCII punctuation mark
(CommonMark shows an escaped mark as itself; `\\<` is a literal `<`, so no HTML either,
and Streamlit's `:red[...]` and `:emoji:` stay text). GFM finds autolinks in the text
*after* escapes are resolved, so an invisible WORD JOINER goes where one would start
(`:⁠//`, `www⁠.`, `⁠@`): the text reads the same, but is no longer a link.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
_AUTOLINK_STARTS = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def md_text(text: object) -> str:
    """`text` as Markdown that shows these characters (and invisible word joiners) and no
    link, no markup."""
    unlinked = _AUTOLINK_STARTS.sub(WORD_JOINER, str(text))
    return _PUNCTUATION.sub(r"\\\1", unlinked).replace("\n", "  \n")  # line breaks kept
