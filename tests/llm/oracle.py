"""Scripted model answers built from a gold label: what a careful model would return.

The oracle reads the rows a request asks for from the request itself (the prompt lists
them by canonical key), answers them from the gold cells, and quotes the row as a model
would: its printed label followed by its numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractor.llm.compact import squeeze
from extractor.llm.sections import tables_text
from nianbao.core.layout import layout_for
from nianbao.core.models import CanonicalReport
from tests.llm.fake_openai_server import Recorded, Reply, completion

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "eval" / "data" / "real"
_ROW_LINE = re.compile(r"^- (t[234]\.[a-z_.]+): ", re.M)


_COMPACT_ROWS = re.compile(r"^rows (t[234]): (.+)$", re.M)  # prompts v2's row list


def _expand(names: str) -> str:
    """Grouped keys written out, as a model reads them: "denied.{a b}" (prompts v3)."""
    return re.sub(
        r"([\w.]+)\.\{([^}]*)\}", lambda m: " ".join(f"{m[1]}.{x}" for x in m[2].split()), names
    )


def asked_rows(request: Recorded) -> list[str]:
    """The row keys asked for by the latest user message that lists rows."""
    for message in reversed(request.messages):
        if message.get("role") != "user":
            continue
        if compact := _COMPACT_ROWS.findall(message["content"]):
            return [
                f"{p}.{k}"
                for p, names in compact
                for n in _expand(names).split()
                for k in n.split("[", 1)[0].split(",")
            ]
        if rows := _ROW_LINE.findall(message["content"]):
            return rows
    return []


def is_compact(request: Recorded) -> bool:
    return any(
        m.get("role") == "user" and _COMPACT_ROWS.search(str(m.get("content")))
        for m in request.messages
    )


def is_meta(request: Recorded) -> bool:
    return "--- report (beginning) ---" in request.last_user


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, int) else float(value)


def _printed(value: Any) -> str:
    """A number as a report prints it: 0 not 0.0, 12.5 as is."""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(value)


@dataclass
class Oracle:
    """Answers from `gold` for the report `text`."""

    gold: CanonicalReport
    text: str

    @classmethod
    def for_stem(cls, stem: str) -> Oracle:
        gold = CanonicalReport.from_json((REAL / f"{stem}.gold.json").read_text("utf-8"))
        return cls(gold, (REAL / f"{stem}.txt").read_text("utf-8"))

    def row(self, key: str) -> dict[str, Any]:
        """The answer object for one row."""
        template = self.gold.meta.template
        layout = layout_for(template)
        cells = [s for s in layout.cells if f"{s.part}.{s.row}" == key]
        values = {s.column: _plain(self.gold.cells[s.key]) for s in cells}
        shown = [_printed(v) for v in values.values() if v is not None]
        if key.startswith("t4."):
            # part 四 prints one row of 15 numbers under a header: quote the whole run
            run = [self.gold.cells[s.key] for s in layout.cells if s.part == "t4"]
            quote = " ".join(_printed(v) for v in run if v is not None)
        elif shown:
            quote = f"{cells[0].row_label} " + " ".join(shown)
        else:
            quote = ""
        return {"row": key, "quote": quote, **values}

    def mine(self, request: Recorded) -> bool:
        """Whether a request is about this report (its head or its tables are in it)."""
        sent = "".join(str(m.get("content")) for m in request.messages)
        template = self.gold.meta.template
        heads = [
            self.text[:300],
            tables_text(self.text, template)[:300],
            tables_text(self.text, template, tight=True)[:300],  # prompts v3's window
        ]
        squeezed = squeeze(sent)  # prompts v3 squeeze whitespace runs
        if any(h in sent or squeeze(h) in squeezed for h in heads):
            return True
        # a re-ask sends only the lines of its rows: every stretch of them is in this report
        last = str(request.messages[-1].get("content"))
        at = last.rfind("--- report")
        if at < 0:
            return False
        pieces = [squeeze(p) for p in last[at:].split("\n", 1)[-1].split("\n…\n")]
        source = squeeze(self.text)
        return sum(map(len, pieces)) >= 40 and all(p in source for p in pieces)

    def meta(self) -> dict[str, Any]:
        title = next((line.strip() for line in self.text.splitlines() if "年度报告" in line), "")
        return {
            "organ": self.gold.meta.organ,
            "year": self.gold.meta.year,
            "template": self.gold.meta.template,
            "quote": title,
        }

    def content(self, request: Recorded, changes: dict[str, dict[str, Any]] | None = None) -> str:
        """The JSON text a model would answer `request` with; `changes` overrides row fields."""
        if is_meta(request):
            return json.dumps(self.meta(), ensure_ascii=False)
        rows = []
        for key in asked_rows(request):
            row = self.row(key)
            row.update((changes or {}).get(key, {}))
            rows.append(row)
        if is_compact(request):  # prompts v2: [key, quote, values...] with organ and year
            layout = layout_for(self.gold.meta.template)
            arrays = []
            for row in rows:
                columns = [c.column for c in layout.cells if f"{c.part}.{c.row}" == row["row"]]
                arrays.append([row["row"], row["quote"], *(row[c] for c in columns)])
            meta = self.meta()
            return json.dumps(
                {"organ": meta["organ"], "year": meta["year"], "rows": arrays}, ensure_ascii=False
            )
        return json.dumps({"rows": rows}, ensure_ascii=False)

    def reply(self, request: Recorded, changes: dict[str, dict[str, Any]] | None = None) -> Reply:
        content = self.content(request, changes)
        # usage as a real endpoint reports it: ~1 token per 1.5 characters of the prompt
        prompt_chars = sum(len(str(m.get("content", ""))) for m in request.messages)
        tools = request.body.get("tools") or []
        tool = tools[0]["function"]["name"] if tools else None
        return completion(
            content,
            prompt_tokens=int(prompt_chars / 1.5),
            completion_tokens=len(content) // 3,
            tool=tool,
        )

    def changed(self, changes: dict[str, dict[str, Any]]) -> Callable[[Recorded], Reply]:
        """A script step answering like the oracle but with `changes` to some rows."""
        return lambda request: self.reply(request, changes)
