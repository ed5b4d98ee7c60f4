"""The answers a batch run has so far: request digest -> completion body, or why it failed.

In batch mode the client looks a request up here instead of sending it (see
`Session._from_batch`): the extraction code runs unchanged, and a request it has no answer
for yet is raised as `Deferred` and goes into the next batch.
"""

from __future__ import annotations

import threading
from typing import Any

from nianbao.core.errors import LLMRequestError


class BatchBook:
    """Answers and failed lines by request digest (the answer cache's key)."""

    def __init__(
        self,
        answers: dict[str, dict[str, Any]] | None = None,
        errors: dict[str, str] | None = None,
    ) -> None:
        self._answers = dict(answers or {})
        self._errors = dict(errors or {})
        self._lock = threading.Lock()

    def add(self, key: str, body: dict[str, Any] | None, error: str | None = None) -> None:
        """An answered line (body) or a failed one (error) of a collected batch."""
        with self._lock:
            if body is not None:
                self._answers[key] = body
                self._errors.pop(key, None)
            elif error is not None and key not in self._answers:
                self._errors[key] = error

    def answer(self, key: str) -> dict[str, Any] | None:
        """The completion body for this request; None when no batch answered it yet.
        Raises LLMRequestError when its batch line failed: the report fails with the reason
        and a later run asks again."""
        with self._lock:
            if key in self._answers:
                return self._answers[key]
            if key in self._errors:
                raise LLMRequestError(self._errors[key])
        return None

    def __len__(self) -> int:
        return len(self._answers)
