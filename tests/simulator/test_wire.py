"""The shared wire of the two OpenAI-compatible test servers (eval/simulator/wire.py), on a
real loopback socket: JSON replies and error replies with headers, and the port freed on
stop()."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from eval.simulator import wire


class _Echo(wire.Handler):
    """Echoes the JSON body back inside a chat.completion; a non-JSON body is a 400."""

    def do_POST(self) -> None:
        try:
            body = wire.parse_json(self.read_body())
        except json.JSONDecodeError:
            self.reply_json(400, wire.error_body("not JSON", "test"), {"x-why": "parse"})
            return
        message = wire.text_message(json.dumps(body, ensure_ascii=False))
        self.reply_json(
            200,
            wire.chat_completion(
                completion_id="chatcmpl-1",
                created=0,
                model="m",
                fingerprint="fp",
                message=message,
                finish_reason="stop",
                prompt_tokens=7,
                completion_tokens=5,
                usage_extra={"prompt_tokens_details": {"cached_tokens": 0}},
            ),
        )


def test_replies_json_envelopes_and_errors_with_headers() -> None:
    with wire.LoopbackServer(_Echo) as server:
        assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/v1")
        ok = httpx.post(server.url + "/chat/completions", json={"q": "年报"}, timeout=10)
        bad = httpx.post(server.url + "/chat/completions", content=b"{nope", timeout=10)
    assert ok.status_code == 200
    body = ok.json()
    assert json.loads(body["choices"][0]["message"]["content"]) == {"q": "年报"}
    assert body["usage"] == {
        "prompt_tokens": 7,
        "completion_tokens": 5,
        "total_tokens": 12,
        "prompt_tokens_details": {"cached_tokens": 0},
    }
    assert bad.status_code == 400 and bad.headers["x-why"] == "parse"
    assert bad.json()["error"]["message"] == "not JSON"


def test_stop_frees_the_port() -> None:
    server = wire.LoopbackServer(_Echo).start()
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    server.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
