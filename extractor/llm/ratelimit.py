"""A thread-safe request spacer: at most R requests per minute across all workers."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    """Spaces request starts evenly, 60/R seconds apart (no bursts, so no 429 storms)."""

    def __init__(self, per_minute: float | None) -> None:
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until this request may start; returns the seconds waited."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        wait = start - now
        if wait > 0:
            time.sleep(wait)
        return wait
