"""A token estimate for mixed Chinese/ASCII text, the same for prompts and for reports.

No tokenizer file can be downloaded here, so the simulator counts like common BPE
vocabularies do on such text: about one token per Chinese character, two to three digits
per token, four ASCII letters per token; whitespace mostly merges with its neighbour.
Prompt and report are measured with the same rule, so their ratio is what matters.
"""

from __future__ import annotations

import math


def estimate_tokens(text: str) -> int:
    """Estimated tokens of `text`."""
    cjk = digits = ascii_other = spaces = 0
    for ch in text:
        if ch.isspace():
            spaces += 1
        elif ch.isdigit() and ch.isascii():
            digits += 1
        elif ch.isascii():
            ascii_other += 1
        else:
            cjk += 1
    return cjk + math.ceil(digits / 2.5) + math.ceil(ascii_other / 4) + math.ceil(spaces / 4)
