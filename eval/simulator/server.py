"""The simulator's HTTP face: an OpenAI-compatible server on 127.0.0.1 (a port of its own).

`POST /v1/chat/completions` is answered by the simulated model with real ChatCompletion
bodies, so the openai client takes the same path it takes against a real endpoint. The batch
interface (`/v1/files`, `/v1/batches`) is served too (eval/simulator/batches.py).
"""

from __future__ import annotations

import json
from typing import Any

from eval.simulator import wire
from eval.simulator.batches import BatchDesk, BatchSim
from eval.simulator.model import SimReply, SimulatedModel, _error


class SimServer(wire.LoopbackServer):
    """Serves one simulated model until `stop()`; usable as a context manager."""

    def __init__(self, model: SimulatedModel, port: int = 0, batch: BatchSim | None = None):
        self.model = model
        self.desk = BatchDesk(model, batch)
        server = self

        class Handler(wire.Handler):  # requests are logged by the model
            def do_POST(self) -> None:
                raw = self.read_body()
                kind = self.headers.get("content-type") or ""
                if kind.startswith("multipart/form-data"):
                    self._send(server.upload(self.path, kind, raw))
                    return
                try:
                    body = wire.parse_json(raw)
                except json.JSONDecodeError:
                    self._send(_error(400, "simulator: the request body is not JSON"))
                    return
                self._send(server.route("POST", self.path, body))

            def do_GET(self) -> None:
                self._send(server.route("GET", self.path, {}))

            def _send(self, reply: SimReply | bytes) -> None:
                if isinstance(reply, bytes):  # a file's content
                    self.reply(200, reply, "application/octet-stream")
                else:
                    self.reply_json(reply.status, reply.body)

        super().__init__(Handler, port, poll_interval=0.05)

    def upload(self, path: str, content_type: str, raw: bytes) -> SimReply:
        if path.split("?", 1)[0].rstrip("/") != "/v1/files":
            return _error(404, f"simulator: no upload route {path}")
        return self.desk.upload(content_type, raw)

    def route(self, method: str, path: str, body: dict[str, Any]) -> SimReply | bytes:
        path = path.split("?", 1)[0].rstrip("/")
        parts = path.split("/")  # "", "v1", resource, id, action
        try:
            if method == "POST" and path == "/v1/chat/completions":
                return self.model.answer(body)
            if method == "POST" and path == "/v1/batches":
                return self.desk.create(body)
            if len(parts) == 4 and parts[2] == "batches" and method == "GET":
                return self.desk.retrieve(parts[3])
            if len(parts) == 5 and parts[2] == "batches" and parts[4] == "cancel":
                return self.desk.cancel(parts[3])
            if len(parts) == 5 and parts[2] == "files" and parts[4] == "content":
                return self.desk.content(parts[3])
        except Exception as exc:  # a simulator bug: say so in a 500, keep serving
            return _error(500, f"simulator failed: {exc!r}")
        return _error(404, f"simulator: no route {method} {path}")
