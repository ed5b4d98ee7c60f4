"""What bounds a run's work beyond one request's own timeout: the file's deadline, a stop
(Ctrl-C), and a circuit breaker that stops asking an endpoint that keeps failing.

The deadline is per thread (each worker thread handles one file at a time), so it holds for
every `--jobs`; a request's timeout is cut to what is left of it and nothing is retried past
it. The stop and the breaker are per endpoint, shared by every thread of a run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from nianbao.core.errors import LLMRequestError

_local = threading.local()


class DeadlineExceeded(LLMRequestError):
    """The file's time is up: no further request, no retry (the next run tries again)."""


class Cancelled(LLMRequestError):
    """The run was stopped (Ctrl-C): no further request."""


class CircuitOpen(LLMRequestError):
    """The endpoint failed too often in a row: the run stops asking it."""


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Give this thread's requests until `seconds` from now (None: no limit)."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = None if not seconds else time.monotonic() + seconds
    _local.seconds = seconds
    try:
        yield
    finally:
        _local.deadline = previous


def remaining() -> float | None:
    """Seconds left of this thread's deadline (None: no deadline)."""
    end = getattr(_local, "deadline", None)
    return None if end is None else end - time.monotonic()


def check_deadline() -> None:
    left = remaining()
    if left is not None and left <= 0:
        seconds = getattr(_local, "seconds", None) or 0
        raise DeadlineExceeded(f"gave up after {seconds:g}s (the next run tries again)")


def deadline_in(exc: BaseException | None) -> DeadlineExceeded | None:
    """A deadline raised inside the HTTP client (SIGALRM in a read) and wrapped by it."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DeadlineExceeded):
            return exc
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


class Breaker:
    """Opens after `threshold` consecutive endpoint failures (5xx, 429, timeouts, dropped
    connections, counted per attempt); any answer closes the count again. Thread-safe."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self._failures = 0
        self._lock = threading.Lock()

    def success(self) -> None:
        with self._lock:
            if self._failures < self.threshold:
                self._failures = 0

    def failure(self) -> None:
        with self._lock:
            self._failures += 1

    @property
    def open(self) -> bool:
        return self.threshold > 0 and self._failures >= self.threshold
