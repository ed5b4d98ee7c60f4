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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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
    body = {
        "id": f"chatcmpl-fake{next(_counter)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None}
                if tool is None
                else {
                    "role": "assistant",
                    "content": None,
                    "refusal": None,
                    "tool_calls": [
                        {
                            "id": f"call_fake{next(_counter)}",
                            "type": "function",
                            "function": {"name": tool, "arguments": content},
                        }
                    ],
                },
                "logprobs": None,
                "finish_reason": finish_reason if tool is None else "tool_calls",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return Reply(200, body)


def error(status: int, message: str = "scripted error", **headers: str) -> Reply:
    """An OpenAI-style error body with the given status and headers."""
    body = {"error": {"message": message, "type": "fake_error", "param": None, "code": None}}
    return Reply(status, body, {k.replace("_", "-"): v for k, v in headers.items()})


def delayed(step: Callable[[Recorded], Reply], seconds: float) -> Callable[[Recorded], Reply]:
    """A step answering like `step`, after `seconds` (longer than a client timeout)."""

    def answer(request: Recorded) -> Reply:
        reply = step(request)
        reply.delay = seconds
        return reply

    return answer


class FakeOpenAI:
    """The server. `script` steps answer requests in order; then `responder`, else a 500."""

    def __init__(self) -> None:
        self.script: deque[Step] = deque()
        self.responder: Callable[[Recorded], Reply] | None = None
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
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
                data = (
                    reply.body.encode("utf-8")
                    if isinstance(reply.body, str)
                    else json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
                )
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

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
