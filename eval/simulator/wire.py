"""The wire of an OpenAI-compatible server on 127.0.0.1: request bodies in, JSON replies
out, OpenAI's error and chat.completion shapes, and a threaded server on a free port.

Shared by the simulator's server (eval/simulator/server.py) and the scripted fake of the
LLM tests (tests/llm/fake_openai_server.py), so both speak the protocol the same way; what
each answers stays with it. Named `wire`, not `http`, so that no script run from this folder
shadows the standard library's `http`.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class Handler(BaseHTTPRequestHandler):
    """Base of a server's request handler: HTTP/1.1 keep-alive, no access log (each server
    records requests its own way), and replies that survive a client that hung up."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def read_body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length)

    def reply(
        self,
        status: int,
        data: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout, a stopped run): nothing to answer

    def reply_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """`body` as JSON; a str is sent as it stands (a test's deliberately broken JSON)."""
        data = body.encode("utf-8") if isinstance(body, str) else json_bytes(body)
        self.reply(status, data, headers=headers)


def json_bytes(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def parse_json(raw: bytes) -> Any:
    """The request body as JSON (an empty body is `{}`); raises json.JSONDecodeError."""
    return json.loads(raw or b"{}")


def error_body(message: str, kind: str) -> dict[str, Any]:
    """OpenAI's error envelope; `kind` is its `type` (who raised it)."""
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def text_message(content: str | None, refusal: str | None = None) -> dict[str, Any]:
    return {"role": "assistant", "content": content, "refusal": refusal}


def tool_call_message(name: str, arguments: str, call_id: str) -> dict[str, Any]:
    """The answer as the arguments of one function call (instructor's TOOLS mode)."""
    return {
        "role": "assistant",
        "content": None,
        "refusal": None,
        "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
        ],
    }


def chat_completion(
    *,
    completion_id: str,
    created: int,
    model: str,
    fingerprint: str,
    message: dict[str, Any],
    finish_reason: str,
    prompt_tokens: int,
    completion_tokens: int,
    usage_extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A chat.completion body with one choice and its usage (totals summed here)."""
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "system_fingerprint": fingerprint,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        ],
        "usage": usage | (usage_extra or {}),
    }


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed mid-request (a test stopping a run) is no server error."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            super().handle_error(request, client_address)


class LoopbackServer:
    """`handler` served on 127.0.0.1 (`port` 0: a free one) in a daemon thread between
    `start()` and `stop()`; usable as a context manager."""

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], port: int = 0, poll_interval: float = 0.05
    ) -> None:
        self._httpd = _Quiet(("127.0.0.1", port), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL an OpenAI client is given."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
