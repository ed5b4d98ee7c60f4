"""Ctrl-C during a run, remembered even where a library turns it into an error of its own.

A KeyboardInterrupt can be raised inside any Python code, including code that pydantic or
another library calls back into; some of them catch it and raise their own error instead
(pydantic: "Error serializing to JSON: KeyboardInterrupt"). The run would then record a
report as an internal failure and go on, or end with a traceback. While a run is watched,
SIGINT raises KeyboardInterrupt as usual and is also remembered, so the places that catch
errors per report can tell an interrupt from a bad report.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_requested = threading.Event()


def requested() -> bool:
    """Whether Ctrl-C reached this process during the watched run."""
    return _requested.is_set()


def _remember_and_raise(signum: int, frame: FrameType | None) -> None:
    _requested.set()
    signal.default_int_handler(signum, frame)


@contextmanager
def watched() -> Iterator[None]:
    """Remember SIGINT for the block. Only where Python's own Ctrl-C handler is in place:
    a run started in the background (SIGINT ignored) or off the main thread is left alone."""
    _requested.clear()
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    signal.signal(signal.SIGINT, _remember_and_raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
