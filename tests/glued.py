"""Cut glued digit runs out of the real web-text reports, for the segmentation tests.

The tests take every run from the files in eval/data/real (never retyped), by the label that
precedes it, so a fixture is exactly what a parser meets.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from nianbao.core.layout import layout_for

REAL = Path(__file__).parent.parent / "eval" / "data" / "real"
_RUN = re.compile(r"[0-9\-][0-9 \-]*")


@cache
def real_text(stem: str) -> str:
    """The text of eval/data/real/<stem>*.txt (one file per stem)."""
    (path,) = REAL.glob(f"{stem}*.txt")
    return path.read_text(encoding="utf-8")


def run_after(stem: str, label: str, start: int = 0) -> tuple[str, str, int]:
    """The digit run right after `label` (first match at or after `start`), the text that
    follows it, and the run's offset in the file."""
    text = real_text(stem)
    at = text.index(label, start) + len(label)
    while text[at] in " \u3000":
        at += 1
    match = _RUN.match(text, at)
    assert match, f"{stem}: no digits after {label!r}"
    return match.group().rstrip(), text[match.end() : match.end() + 8], at


def t3_runs(stem: str, template: str) -> dict[str, tuple[str, str, int]]:
    """Every part-三 row's run in a flattened web page, by row name, labels from the layout."""
    text = real_text(stem)
    pos = text.index("收到和处理政府信息公开申请情况", text.index("主动公开政府信息情况"))
    out: dict[str, tuple[str, str, int]] = {}
    for row in layout_for(template).t3_rows:
        run, following, at = run_after(stem, row.label, pos)
        out[row.name] = (run, following, at)
        pos = at
    return out


def t4_run(stem: str, template: str = "2021") -> str:
    """Part 四's 15 values as printed after the last column header (glued or spaced)."""
    text = real_text(stem)
    head = t3_runs(stem, template)["carried_forward"][2]
    return run_after(stem, "尚未审结总计", text.rindex("尚未审结总计", head, head + 400))[0]


_TOKEN = re.compile(r"\S+")


def values_after(
    stem: str, label: str, *, after: str | None = None, last: bool = False
) -> list[int]:
    """The numbers printed after `label` (one per line, tab- or space-separated) up to the next
    word. `after`: search from this text on; `last`: take the last `label` before `after`."""
    text = real_text(stem)
    if last:
        assert after
        at = text.rindex(label, 0, text.index(after)) + len(label)
    else:
        at = text.index(label, text.index(after) if after else 0) + len(label)
    out: list[int] = []
    for match in _TOKEN.finditer(text, at):
        if not match.group().isdigit():
            break
        out.append(int(match.group()))
    return out


def numeric_groups(stem: str, start: str, end: str) -> list[list[int]]:
    """The runs of numbers between labels, from the row labelled `start` to the values after
    the row labelled `end`: one list per printed row, in print order."""
    text = real_text(stem)
    at = text.index(start)
    stop = text.index(end, at) + len(end)
    groups: list[list[int]] = []
    current: list[int] | None = None
    for match in _TOKEN.finditer(text, at):
        token = match.group()
        if token.isdigit():
            if current is None:
                current = []
                groups.append(current)
            current.append(int(token))
        elif match.start() >= stop:
            break
        else:
            current = None
    return groups
