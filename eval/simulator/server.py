"""The simulator's HTTP face: an OpenAI-compatible server on 127.0.0.1 (a port of its own).

`POST /v1/chat/completions` is answered by the simulated model with real ChatCompletion
bodies, so the openai client takes the same path it takes against a real endpoint.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from eval.simulator.model import SimReply, SimulatedModel, _error


class SimServer:
    """Serves one simulated model until `stop()`; usable as a context manager."""

    def __init__(self, model: SimulatedModel, port: int = 0) -> None:
        self.model = model
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # requests are logged by the model
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    self._send(_error(400, "simulator: the request body is not JSON"))
                    return
                self._send(server.route("POST", self.path, body))

            def do_GET(self) -> None:
                self._send(server.route("GET", self.path, {}))

            def _send(self, reply: SimReply) -> None:
                data = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up: nothing to answer

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def route(self, method: str, path: str, body: dict[str, Any]) -> SimReply:
        path = path.split("?", 1)[0].rstrip("/")
        if method == "POST" and path == "/v1/chat/completions":
            try:
                return self.model.answer(body)
            except Exception as exc:  # a simulator bug: say so in a 500, keep serving
                return _error(500, f"simulator failed: {exc!r}")
        return _error(404, f"simulator: no route {method} {path}")

    def start(self) -> SimServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
