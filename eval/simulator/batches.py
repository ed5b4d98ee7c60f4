"""The simulator's batch interface: `/v1/files` and `/v1/batches`, as OpenAI-compatible
providers serve them, every line answered by the simulated model (error modes included).

A batch reports `in_progress` for `polls` retrieves, then is answered all at once: each line
through `SimulatedModel.answer`, a 200 into the output file, anything else into the error
file. Knobs for the faults a batch run must survive: `fail_lines` (these line numbers,
0-based, fail with a server error), `expire_after` (only this many lines are answered, then
the batch is `expired`) and `refuse` (the batch `failed` validation, no output).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from eval.simulator.model import SimReply, SimulatedModel, _error


@dataclass
class BatchSim:
    """How the simulated provider runs batches (changeable while the server runs)."""

    polls: int = 1  # retrieves answered `in_progress` before the batch completes
    fail_lines: tuple[int, ...] = ()
    expire_after: int | None = None
    refuse: bool = False


@dataclass
class _Batch:
    id: str
    input_file_id: str
    created_at: int
    status: str = "validating"
    polls: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"total": 0, "completed": 0, "failed": 0}
    )

    def body(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "input_file_id": self.input_file_id,
            "completion_window": "24h",
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
            "created_at": self.created_at,
            "request_counts": dict(self.counts),
        }


class BatchDesk:
    """Files and batches in memory; the simulated model answers the lines."""

    def __init__(self, model: SimulatedModel, sim: BatchSim | None = None) -> None:
        self.model = model
        self.sim = sim or BatchSim()
        self.files: dict[str, tuple[str, bytes]] = {}  # id -> (purpose, content)
        self.batches: dict[str, _Batch] = {}
        self.created: list[str] = []  # batch ids in the order created
        self.retrieves = 0
        self._lock = threading.Lock()

    # -- routes -------------------------------------------------------------------------------
    def upload(self, content_type: str, raw: bytes) -> SimReply:
        message = BytesParser(policy=HTTP).parsebytes(
            b"content-type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
        )
        fields: dict[str, tuple[str | None, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = (part.get_filename(), payload)
        if "file" not in fields or "purpose" not in fields:
            return _error(400, "simulator: a file upload needs `file` and `purpose`")
        filename, data = fields["file"]
        purpose = fields["purpose"][1].decode()
        with self._lock:
            file_id = f"file-sim{len(self.files) + 1}"
            self.files[file_id] = (purpose, data)
        return SimReply(200, self._file(file_id, filename or "upload.jsonl"))

    def content(self, file_id: str) -> SimReply | bytes:
        with self._lock:
            got = self.files.get(file_id)
        if got is None:
            return _error(404, f"simulator: no file {file_id}")
        return got[1]

    def create(self, body: dict[str, Any]) -> SimReply:
        file_id = str(body.get("input_file_id"))
        if file_id not in self.files or self.files[file_id][0] != "batch":
            return _error(400, f"simulator: {file_id} is no batch input file")
        if body.get("endpoint") != "/v1/chat/completions" or body.get("completion_window") != "24h":
            return _error(400, "simulator: endpoint /v1/chat/completions, window 24h expected")
        with self._lock:
            batch = _Batch(f"batch_sim{len(self.batches) + 1}", file_id, int(time.time()))
            self.batches[batch.id] = batch
            self.created.append(batch.id)
        return SimReply(200, batch.body())

    def retrieve(self, batch_id: str) -> SimReply:
        with self._lock:
            self.retrieves += 1
            batch = self.batches.get(batch_id)
            if batch is None:
                return _error(404, f"simulator: no batch {batch_id}")
            if batch.status in ("validating", "in_progress"):
                if self.sim.refuse:
                    batch.status = "failed"
                    batch.errors = [{"code": "invalid_request", "message": "simulated refusal"}]
                elif batch.polls < self.sim.polls:
                    batch.polls += 1
                    batch.status = "in_progress"
                else:
                    self._run(batch)
            return SimReply(200, batch.body())

    def cancel(self, batch_id: str) -> SimReply:
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return _error(404, f"simulator: no batch {batch_id}")
            if batch.status in ("validating", "in_progress"):
                batch.status = "cancelled"
            return SimReply(200, batch.body())

    # -- work ---------------------------------------------------------------------------------
    def _run(self, batch: _Batch) -> None:
        """Answer the lines (under the lock: one batch at a time, in line order)."""
        lines = [json.loads(x) for x in self.files[batch.input_file_id][1].splitlines() if x]
        out, errors = [], []
        for n, line in enumerate(lines):
            record: dict[str, Any] = {"id": f"batch_req_{n}", "custom_id": line["custom_id"]}
            if self.sim.expire_after is not None and n >= self.sim.expire_after:
                record |= {
                    "response": None,
                    "error": {"code": "batch_expired", "message": "the batch expired first"},
                }
                errors.append(record)
                continue
            if n in self.sim.fail_lines:
                reply = _error(500, "simulated server error on this line")
            else:
                reply = self.model.answer(line["body"])
            record["response"] = {
                "status_code": reply.status,
                "request_id": f"req_{n}",
                "body": reply.body,
            }
            # as OpenAI does: a request the model answered with an error is a line of the
            # error file carrying that response (status and body), `error` left null
            record["error"] = None
            (out if reply.status == 200 else errors).append(record)
        batch.counts = {"total": len(lines), "completed": len(out), "failed": len(errors)}
        batch.output_file_id = self._store_file(out) if out else None
        batch.error_file_id = self._store_file(errors) if errors else None
        batch.status = "expired" if self.sim.expire_after is not None else "completed"

    def _store_file(self, records: list[dict[str, Any]]) -> str:
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        file_id = f"file-sim{len(self.files) + 1}"
        self.files[file_id] = ("batch_output", data)
        return file_id

    def _file(self, file_id: str, filename: str) -> dict[str, Any]:
        purpose, data = self.files[file_id]
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
        }

    def lines_sent(self) -> list[dict[str, Any]]:
        """Every batch line submitted so far (each batch's input file), in order."""
        with self._lock:
            out = []
            for batch_id in self.created:
                data = self.files[self.batches[batch_id].input_file_id][1]
                out += [json.loads(x) for x in data.splitlines() if x]
            return out
