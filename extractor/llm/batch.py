"""The provider's batch interface through the openai client: upload, create, poll, download.

OpenAI-compatible `/v1/files` (purpose "batch") and `/v1/batches` (endpoint
/v1/chat/completions, completion window 24h). A batch's lines are exactly the requests the
synchronous path sends (captured from it as `Deferred`, never rebuilt here); the output and
error files are read back into request digest -> completion body or failure reason.

instructor has a `BatchProcessor` too, but it writes its own request lines from a response
model and parses the answers outside our validation, grounding and re-ask loop; the lines
here come from that loop itself, so a batch answer takes exactly the synchronous path.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import openai
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from extractor.llm.client import Endpoint, describe, is_refused, is_retryable
from nianbao.core.errors import BackendError, LLMRequestError

ENDPOINT = "/v1/chat/completions"
WINDOW = "24h"
OPEN = ("validating", "in_progress", "finalizing", "cancelling")  # not final yet
# final statuses: completed (every line has an output or an error line), expired and
# cancelled (partial output: the rest has no answer), failed (the input was refused)


@dataclass(frozen=True)
class Line:
    """One request of a batch: its custom_id, digest and the exact request body."""

    custom_id: str
    key: str
    body: dict[str, Any]


@dataclass(frozen=True)
class BatchState:
    """What the provider says about a batch."""

    id: str
    status: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    errors: str | None = None  # the batch's own errors (a refused input), one line

    @property
    def open(self) -> bool:
        return self.status in OPEN

    @property
    def batch_id_short(self) -> str:
        return self.id if len(self.id) <= 24 else self.id[:24] + "…"


@dataclass(frozen=True)
class LineResult:
    """One custom_id's outcome: a completion body, or why there is none."""

    custom_id: str
    body: dict[str, Any] | None
    error: str | None


def jsonl(lines: Iterable[Line]) -> bytes:
    """The batch input file: one request per line, as the provider's batch format has it."""
    out = io.StringIO()
    for line in lines:
        record = {"custom_id": line.custom_id, "method": "POST", "url": ENDPOINT, "body": line.body}
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str))
        out.write("\n")
    return out.getvalue().encode("utf-8")


def read_results(output: str, errors: str) -> dict[str, LineResult]:
    """custom_id -> result from the output file (200s) and the error file (failed lines).
    A line with a non-200 response or an error object is a failure with its reason."""
    results: dict[str, LineResult] = {}
    for text in (output, errors):
        for raw in text.splitlines():
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                custom_id = str(record["custom_id"])
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # a line we cannot attribute: its request stays unanswered
            response = record.get("response") or {}
            status = response.get("status_code")
            body = response.get("body")
            if record.get("error") is None and status == 200 and isinstance(body, dict):
                results[custom_id] = LineResult(custom_id, body, None)
            elif custom_id not in results or results[custom_id].body is None:
                results[custom_id] = LineResult(custom_id, None, _line_error(record))
    return results


def _line_error(record: dict[str, Any]) -> str:
    error = record.get("error") or {}
    response = record.get("response") or {}
    body = response.get("body") if isinstance(response.get("body"), dict) else {}
    inner = (body or {}).get("error") or {}
    message = (
        error.get("message")
        or (inner.get("message") if isinstance(inner, dict) else None)
        or "no answer"
    )
    code = error.get("code") or response.get("status_code") or "error"
    return f"batch line failed ({code}): {str(message)[:200]}"


class BatchClient:
    """Batches on the configured endpoint, with the synchronous path's retry policy for
    transient failures (429, 5xx, dropped connections) of each call."""

    def __init__(self, endpoint: Endpoint, sleep: Callable[[float], None] = time.sleep) -> None:
        self.endpoint = endpoint
        self.cfg = endpoint.cfg
        self.client = endpoint.client
        self._sleep = sleep

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        policy = self.cfg.retry
        retrying = Retrying(
            stop=stop_after_attempt(policy.attempts),
            wait=wait_exponential(multiplier=policy.initial_wait, max=policy.max_wait),
            retry=retry_if_exception(is_retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(fn)
        except openai.APIError as exc:
            url = self.cfg.shown_url
            if isinstance(exc, openai.APIStatusError) and exc.status_code in (401, 403, 404):
                raise BackendError(
                    f"LLM endpoint {url} refused to {what} (HTTP {exc.status_code}): does it "
                    "offer the batch interface (/v1/files, /v1/batches)?"
                ) from None
            if is_refused(exc):
                raise BackendError(
                    f"cannot reach the LLM endpoint {url} (connection failed)"
                ) from None
            raise LLMRequestError(
                f"LLM endpoint {url}: could not {what} ({describe(exc)})"
            ) from None

    def submit(self, lines: list[Line], name: str) -> tuple[str, str]:
        """Upload the lines and start a batch: (input file id, batch id)."""
        data = jsonl(lines)
        uploaded = self._call(
            "upload the batch file",
            lambda: self.client.files.create(
                file=(name, data, "application/jsonl"), purpose="batch"
            ),
        )
        batch = self._call(
            "create the batch",
            lambda: self.client.batches.create(
                input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window=WINDOW
            ),
        )
        return uploaded.id, batch.id

    def state(self, batch_id: str) -> BatchState:
        batch = self._call("look at the batch", lambda: self.client.batches.retrieve(batch_id))
        errors = None
        if batch.errors is not None and batch.errors.data:
            errors = "; ".join(
                f"{e.code or 'error'}: {e.message or ''}".strip() for e in batch.errors.data[:3]
            )
        return BatchState(batch.id, batch.status, batch.output_file_id, batch.error_file_id, errors)

    def download(self, file_id: str | None) -> str:
        if not file_id:
            return ""
        content = self._call("download a batch file", lambda: self.client.files.content(file_id))
        return content.text

    def cancel(self, batch_id: str) -> None:
        self._call("cancel the batch", lambda: self.client.batches.cancel(batch_id))

    def wait(
        self, batch_id: str, on_poll: Callable[[BatchState], None] | None = None
    ) -> BatchState:
        """Poll until the batch is final: waits start at batch_poll seconds and double up to
        batch_poll_max (a batch takes minutes to hours; no deadline of our own: the provider's
        window ends it as expired)."""
        delay = self.cfg.batch_poll
        while True:
            state = self.state(batch_id)
            if on_poll is not None:
                on_poll(state)
            if not state.open:
                return state
            self._sleep(delay)
            delay = min(delay * 2, self.cfg.batch_poll_max)
