"""A real OpenAI-compatible HTTP server on 127.0.0.1 for the LLM tests, scripted per test.

It serves ``POST /v1/chat/completions`` with real ChatCompletion JSON bodies (usage
included), error statuses with headers (Retry-After), slow answers (for timeouts) and
broken JSON, and records every request it receives with its arrival time.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eval.simulator import wire


@dataclass
class Reply:
    """One scripted answer: status, JSON (dict) or raw (str) body, headers, delay before it."""

    status: int = 200
    body: dict[str, Any] | str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False  # close the connection without answering


@dataclass
class Recorded:
    """One request as received."""

    at: float  # time.monotonic() on arrival
    path: str
    headers: dict[str, str]  # names in lower case
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def last_user(self) -> str:
        users = [m for m in self.messages if m.get("role") == "user"]
        content = users[-1]["content"] if users else ""
        return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)


Step = Reply | Callable[[Recorded], Reply]

_counter = iter(range(1, 10**9))


def completion(
    content: str,
    *,
    model: str = "test-model",
    prompt_tokens: int = 1000,
    completion_tokens: int = 100,
    finish_reason: str = "stop",
    tool: str | None = None,
) -> Reply:
    """A 200 reply carrying a real chat.completion body with `content` and usage.

    With `tool`, the content is sent as the arguments of a call to that function (as in
    instructor's TOOLS mode) instead of as the message text.
    """
    completion_id = f"chatcmpl-fake{next(_counter)}"  # numbered before the call id
    message = (
        wire.text_message(content)
        if tool is None
        else wire.tool_call_message(tool, content, f"call_fake{next(_counter)}")
    )
    body = wire.chat_completion(
        completion_id=completion_id,
        created=int(time.time()),
        model=model,
        fingerprint="fp_fake",
        message=message,
        finish_reason=finish_reason if tool is None else "tool_calls",
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
    return Reply(200, body)


def error(status: int, message: str = "scripted error", **headers: str) -> Reply:
    """An OpenAI-style error body with the given status and headers."""
    body = wire.error_body(message, "fake_error")
    return Reply(status, body, {k.replace("_", "-"): v for k, v in headers.items()})


def delayed(step: Callable[[Recorded], Reply], seconds: float) -> Callable[[Recorded], Reply]:
    """A step answering like `step`, after `seconds` (longer than a client timeout)."""

    def answer(request: Recorded) -> Reply:
        reply = step(request)
        reply.delay = seconds
        return reply

    return answer


class FakeOpenAI(wire.LoopbackServer):
    """The server. `script` steps answer requests in order; then `responder`, else a 500."""

    def __init__(self) -> None:
        self.script: deque[Step] = deque()
        self.responder: Callable[[Recorded], Reply] | None = None
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        server = self

        class Handler(wire.Handler):
            def do_POST(self) -> None:
                raw = self.read_body()
                try:
                    body = wire.parse_json(raw)
                except json.JSONDecodeError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Recorded(time.monotonic(), self.path, headers, body)
                try:
                    reply = server._reply_for(request)
                except Exception as exc:  # a broken script: say so in a 500, keep serving
                    reply = error(500, f"fake server script failed: {exc!r}")
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    return
                self.reply_json(reply.status, reply.body, reply.headers)

        super().__init__(Handler, poll_interval=0.02)

    def _reply_for(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            step = self.script.popleft() if self.script else None
        if request.path.rstrip("/") != "/v1/chat/completions":
            return error(404, f"no route {request.path}")
        if step is None:
            step = self.responder
        if step is None:
            return error(500, "script exhausted")
        return step(request) if callable(step) else step

    @property
    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.rstrip("/") == "/v1/chat/completions"]
