"""The simulated model: a correct answer from gold, then an error injected at a set rate.

Deterministic for a seed: whether and how a request is spoiled depends only on the seed,
the report, the rows asked, the turn of the conversation and how often that same request
was sent before, never on thread timing. Every injection is logged (JSONL).

A re-ask (a conversation that already holds an answer of ours) is fixed, repeated (the
same wrong rows again) or changed (a new error) at the configured rates.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.simulator.documents import DocIndex, SimDoc, plain
from eval.simulator.faults import MODES, REPLY_FAULTS, ROW_FAULTS, Changed, Row
from eval.simulator.tokens import estimate_tokens
from eval.simulator.unseen import UNSEEN_FAULTS
from extractor.llm.compact import squeeze

ROW_LINE = re.compile(r"^\s*-?\s*`?(t[234]\.[a-z_]+(?:\.[a-z_]+)*)`?\s*[:|]", re.M)
REFUSAL = "抱歉，我无法协助处理这个请求。"
COMPACT_ROWS = re.compile(r"^rows (t[234]): (.+)$", re.M)  # the compact row list (prompts v2)
EARLIER = "Your earlier rows: "  # a compact re-ask quotes our earlier answer
FAULTS = {**ROW_FAULTS, **UNSEEN_FAULTS}
UNSEEN_MODES: tuple[str, ...] = tuple(UNSEEN_FAULTS)
# names for sets of modes: `unseen` are kept out of `all` (the CI gate's set) so that
# they keep testing that the checks are general
GROUPS = {"all": MODES, "unseen": UNSEEN_MODES, "every": (*MODES, *UNSEEN_MODES)}


@dataclass(frozen=True)
class SimConfig:
    """What the simulated model gets wrong, how often, and how it answers re-asks."""

    modes: tuple[str, ...] = ()
    rate: float = 0.33  # share of first asks for table rows that get one error
    seed: int = 0
    reask_fix: float = 0.6  # a re-ask is answered right ...
    reask_repeat: float = 0.25  # ... or with the same rows again; else with a new error
    model: str = "simulated"
    # prompt caching as OpenAI does it: the longest prefix this request shares with an
    # earlier one, in blocks of `cache_block` tokens, once it reaches `cache_min` tokens
    # (DeepSeek: blocks of 64, no minimum); reported as usage.prompt_tokens_details
    cache_min: int = 1024
    cache_block: int = 128

    def __post_init__(self) -> None:
        modes = tuple(dict.fromkeys(m for name in self.modes for m in GROUPS.get(name, (name,))))
        object.__setattr__(self, "modes", modes)
        known = GROUPS["every"]
        unknown = [m for m in modes if m not in known]
        if unknown:
            raise ValueError(
                f"unknown error modes {unknown}: expected some of {', '.join(known)}, "
                f"or {', '.join(GROUPS)}"
            )


@dataclass
class SimReply:
    """What the server sends: a status and a JSON body."""

    status: int
    body: dict[str, Any]


@dataclass
class Injection:
    """One logged event: which request, what was done, which cells it made wrong."""

    seq: int
    doc: str
    rows: list[str]
    reask: bool
    action: str  # inject | repeat | change | fix
    mode: str | None
    cells: dict[str, list[Any]] = field(default_factory=dict)  # key -> [gold, given]

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "doc": self.doc,
            "rows": self.rows,
            "reask": self.reask,
            "action": self.action,
            "mode": self.mode,
            "cells": self.cells,
        }


class SimulatedModel:
    """Answers chat-completion request bodies for the reports it was given."""

    def __init__(self, docs: list[SimDoc], config: SimConfig, log_path: Path | None = None):
        self.index = DocIndex(docs)
        self.config = config
        self.log: list[Injection] = []
        self.log_path = log_path
        self.requests = 0
        self._seen: dict[str, int] = {}
        self._last_fault: dict[tuple[str, tuple[str, ...]], str] = {}
        self._lock = threading.Lock()
        self._prefixes: list[str] = []  # earlier requests' text, for prompt caching
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text("", encoding="utf-8")

    # -- the request ----------------------------------------------------------------------
    def answer(self, body: dict[str, Any]) -> SimReply:
        messages = body.get("messages") or []
        users = [_text(m.get("content")) for m in messages if m.get("role") == "user"]
        # the report's own text: what follows the "--- report" marker (a re-ask also quotes
        # earlier answers, which must not decide which report it is)
        sent = "\n".join(_report_part(u) for u in users)
        compact = any(COMPACT_ROWS.search(u) for u in users)
        rows = _compact_rows(users) if compact else _asked_rows(users)
        doc = self.index.identify(sent) or _alike(self.index.holders(sent), rows)
        if doc is None:
            return _error(400, "simulator: the request holds no report it knows")
        turn = sum(1 for m in messages if m.get("role") == "assistant")
        if compact and any(EARLIER in u for u in users):
            turn += 1  # a standalone re-ask: our earlier rows are quoted in it
        with self._lock:
            self.requests += 1
            fingerprint = f"{doc.id}|{','.join(rows)}|{turn}|{hash(users[-1] if users else '')}"
            attempt = self._seen.get(fingerprint, 0)
            self._seen[fingerprint] = attempt + 1
        rng = random.Random(_seed(self.config.seed, doc.id, rows, turn, attempt))
        if not rows:
            content, finish = json.dumps(_meta(doc), ensure_ascii=False), "stop"
        else:
            content, finish = self._rows_answer(doc, rows, messages, turn > 0, rng)
            if compact and content is not None and finish == "stop":
                # a careful model copies quotes as it sees them: squeezed if the text was
                content = _to_compact(content, doc, squeezed=_squeezed(users))
        return SimReply(200, self._completion(body, content, finish))

    def _rows_answer(
        self,
        doc: SimDoc,
        rows: list[str],
        messages: list[dict[str, Any]],
        reask: bool,
        rng: random.Random,
    ) -> tuple[str | None, str]:
        answer = [_correct_row(doc, r) for r in rows if r in doc.rows]
        modes = self.config.modes
        action, mode = "inject", None
        if reask:
            roll = rng.random()
            if roll < self.config.reask_fix:
                action = "fix"
            elif roll < self.config.reask_fix + self.config.reask_repeat:
                action = "repeat"
            else:
                action = "change"
        elif not modes or rng.random() >= self.config.rate:
            return _dump(answer), "stop"
        if action == "fix":
            self._record(doc, rows, True, "fix", None, {})
            return _dump(answer), "stop"
        if action == "repeat":
            previous = _previous_rows(messages)
            last = self._last_fault.get((doc.id, tuple(rows)))
            if previous is None and last in REPLY_FAULTS:
                mode = last
            elif previous:
                changed = _repeat(answer, previous, doc)
                self._record(doc, rows, True, "repeat", last, changed)
                return _dump(answer), "stop"
            else:
                self._record(doc, rows, True, "fix", None, {})
                return _dump(answer), "stop"
        if mode is None:
            for candidate in rng.sample(modes, len(modes)):
                if candidate in REPLY_FAULTS:
                    mode = candidate
                    break
                trial = copy.deepcopy(answer)
                changed = FAULTS[candidate](trial, doc, rng)
                if changed is not None:
                    self._record(doc, rows, reask, action, candidate, changed)
                    self._last_fault[(doc.id, tuple(rows))] = candidate
                    return _dump(trial), "stop"
            if mode is None:
                return _dump(answer), "stop"  # no mode applies to these rows
        self._record(doc, rows, reask, action, mode, {})
        self._last_fault[(doc.id, tuple(rows))] = mode
        return _reply_fault(mode, _dump(answer))

    # -- bookkeeping ------------------------------------------------------------------------
    def _record(
        self,
        doc: SimDoc,
        rows: list[str],
        reask: bool,
        action: str,
        mode: str | None,
        changed: Changed,
    ) -> None:
        with self._lock:
            entry = Injection(
                len(self.log) + 1,
                doc.id,
                rows,
                reask,
                action,
                mode,
                {k: [_json(g), _json(v)] for k, (g, v) in changed.items()},
            )
            self.log.append(entry)
            if self.log_path is not None:
                with self.log_path.open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")

    def _completion(self, body: dict[str, Any], content: str | None, finish: str) -> dict[str, Any]:
        # as providers count: each message's text (+4 for its framing), and any schema
        messages = body.get("messages") or []
        schema = [x for x in (body.get("tools"), body.get("response_format")) if x]
        prompt_tokens = sum(estimate_tokens(_text(m.get("content"))) + 4 for m in messages)
        if schema:
            prompt_tokens += estimate_tokens(json.dumps(schema, ensure_ascii=False))
        tools = body.get("tools") or []
        message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
        if content is None:
            message["refusal"] = REFUSAL
        elif tools:
            name = tools[0]["function"]["name"]
            message = {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "tool_calls": [
                    {
                        "id": f"call_sim{self.requests}",
                        "type": "function",
                        "function": {"name": name, "arguments": content},
                    }
                ],
            }
            finish = "tool_calls" if finish == "stop" else finish
        out_tokens = estimate_tokens(content or REFUSAL)
        in_tokens = prompt_tokens
        cached = min(self._cached_prefix(body), in_tokens)
        return {
            "id": f"chatcmpl-sim{self.requests}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.config.model,
            "system_fingerprint": "fp_simulated",
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
            ],
            "usage": {
                "prompt_tokens": in_tokens,
                "completion_tokens": out_tokens,
                "total_tokens": in_tokens + out_tokens,
                "prompt_tokens_details": {"cached_tokens": cached},
            },
        }

    def _cached_prefix(self, body: dict[str, Any]) -> int:
        """Tokens of the longest prefix shared with an earlier request (schema, then the
        messages in order), cut to whole cache blocks; 0 under the provider's minimum."""
        schema = [x for x in (body.get("tools"), body.get("response_format")) if x]
        text = json.dumps(schema, ensure_ascii=False) + "".join(
            f"\x00{m.get('role')}\x00{_text(m.get('content'))}" for m in body.get("messages") or []
        )
        with self._lock:
            shared = max((_common(text, p) for p in self._prefixes), default=0)
            self._prefixes.append(text)
        tokens = estimate_tokens(text[:shared])
        tokens -= tokens % self.config.cache_block
        return tokens if tokens >= self.config.cache_min else 0


def _common(a: str, b: str) -> int:
    """Length of the common prefix of two strings."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _report_part(content: str) -> str:
    at = content.rfind("--- report")
    return content[at:] if at >= 0 else content


def _reply_fault(mode: str, good: str) -> tuple[str | None, str]:
    if mode == "refusal":
        return None, "stop"
    if mode == "broken_json":
        return good.replace('"quote"', "quote", 1).replace("}", "", 1), "stop"
    return good[: max(1, len(good) * 3 // 5)], "length"  # truncated


def _alike(holders: list[SimDoc], rows: list[str]) -> SimDoc | None:
    """The first of several reports that print the request alike, when the rows it asks
    about have the same gold in each (then which one answers does not matter); else None."""
    if not holders or not rows:
        return None
    golds = {json.dumps([_correct_row(d, r) for r in rows], sort_keys=True) for d in holders}
    return holders[0] if len(golds) == 1 else None


def _correct_row(doc: SimDoc, row: str) -> Row:
    return {"row": row, "quote": doc.quote(row)} | {
        col: plain(v) for col, v in doc.values(row).items()
    }


def _repeat(answer: list[Row], previous: dict[str, Row], doc: SimDoc) -> Changed:
    """Replace rows of `answer` by the earlier answer's rows; what differs from gold."""
    changed: Changed = {}
    for row in answer:
        old = previous.get(row["row"])
        if old is None:
            continue
        if "_values" in old:  # a compact row: its values in the row's column order
            columns = [c for c in row if c not in ("row", "quote")]
            old = {"row": old["row"], "quote": old["quote"]} | dict(
                zip(columns, old["_values"], strict=False)
            )
        for col, value in list(row.items()):
            if col in ("row", "quote"):
                continue
            given = old.get(col)
            if given != value:
                changed[f"{row['row']}.{col}"] = (value, given)
                row[col] = given
        if old.get("quote"):  # prompts v3 quote the earlier values without their quotes
            row["quote"] = old["quote"]
    return changed


def _squeezed(users: list[str]) -> bool:
    """Whether the report text of the request has its whitespace runs squeezed."""
    sent = _report_part(users[-1]).split("\n", 1)[-1] if users else ""
    return bool(sent) and squeeze(sent) == sent.strip()


def _to_compact(content: str, doc: SimDoc, *, squeezed: bool = False) -> str:
    """A rows answer in the compact form: organ, year and [key, quote, values...] per row.
    Content that is not a rows answer (broken JSON on purpose) is passed through."""
    try:
        rows = json.loads(content)["rows"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return content
    meta = _meta(doc)
    out = []
    for row in rows:
        spec = doc.rows.get(row["row"])
        columns = spec.columns if spec else [c for c in row if c not in ("row", "quote")]
        quote = squeeze(row["quote"]) if squeezed and row["quote"] else row["quote"]
        out.append([row["row"], quote, *(row.get(c) for c in columns)])
    return json.dumps(
        {"organ": meta["organ"], "year": meta["year"], "rows": out}, ensure_ascii=False
    )


def _from_compact(data: Any) -> dict[str, Row] | None:
    """Rows given as [key, quote, values...] (our compact answers) as row objects; the
    values keep their order under placeholder column names, mapped back by `_repeat`."""
    if isinstance(data, dict):
        data = data.get("rows")
    if not isinstance(data, list):
        return None
    out: dict[str, Row] = {}
    for row in data:
        if isinstance(row, list) and len(row) >= 2 and isinstance(row[0], str):
            out[row[0]] = {"row": row[0], "quote": row[1], "_values": row[2:]}
    return out


def _compact_rows(users: list[str]) -> list[str]:
    for content in reversed(users):
        found = COMPACT_ROWS.findall(content)
        if found:
            return [
                f"{part}.{key}"
                for part, names in found
                for name in _expand(names).split()
                for key in name.split("[", 1)[0].split(",")  # "a,b[x]": rows sharing columns
            ]
    return []


_GROUP = re.compile(r"([\w.]+)\.\{([^}]*)\}")  # "denied.{a b}" (prompts v3)


def _expand(names: str) -> str:
    """A row list with grouped keys written out: "denied.{a b}" -> "denied.a denied.b"."""
    return _GROUP.sub(lambda m: " ".join(f"{m[1]}.{x}" for x in m[2].split()), names)


def _previous_rows(messages: list[dict[str, Any]]) -> dict[str, Row] | None:
    """The rows of our last answer in the conversation (None: it was not valid JSON)."""
    for message in reversed(messages):
        if message.get("role") == "user" and EARLIER in _text(message.get("content")):
            line = _text(message.get("content")).split(EARLIER, 1)[1].split("\n", 1)[0]
            try:
                return _from_compact(json.loads(line))
            except json.JSONDecodeError:
                return None
        if message.get("role") == "user":
            continue
        if message.get("role") != "assistant":
            continue
        text = _text(message.get("content"))
        for call in message.get("tool_calls") or []:
            text = call.get("function", {}).get("arguments") or text
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, TypeError):
            return None
        rows = data.get("rows") if isinstance(data, dict) else None
        if isinstance(rows, list) and rows and isinstance(rows[0], list):
            return _from_compact(rows)
        if not isinstance(rows, list):
            return None
        return {r["row"]: r for r in rows if isinstance(r, dict) and "row" in r}
    return None


def _asked_rows(users: list[str]) -> list[str]:
    for content in reversed(users):
        if rows := ROW_LINE.findall(content):
            return list(dict.fromkeys(rows))
    return []


def _meta(doc: SimDoc) -> dict[str, Any]:
    title = next((line.strip() for line in doc.text.splitlines() if "年度报告" in line), "")
    meta = doc.gold.meta
    return {"organ": meta.organ, "year": meta.year, "template": meta.template, "quote": title}


def _seed(seed: int, doc: str, rows: list[str], turn: int, attempt: int) -> int:
    material = f"{seed}|{doc}|{','.join(rows)}|{turn}|{attempt}".encode()
    return int.from_bytes(hashlib.sha256(material).digest()[:8], "big")


def _dump(rows: list[Row]) -> str:
    return json.dumps({"rows": rows}, ensure_ascii=False)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def _json(value: Any) -> Any:
    return value if value is None or isinstance(value, (int, float, str)) else float(value)


def _error(status: int, message: str) -> SimReply:
    body = {"error": {"message": message, "type": "simulator", "param": None, "code": None}}
    return SimReply(status, body)
